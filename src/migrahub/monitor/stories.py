"""Stage ``stories/1``: items about the same event, from any feed and in any language, grouped into one story.

Items are taken in time order; each joins the story of the most similar earlier item published within
``window_days`` of it, or opens a story of its own. Two items are the same story when

- their texts are near-duplicates: MinHash Jaccard of word 3-shingles ≥ ``near_jaccard`` (copies, republished items),
- or the multilingual e5 embeddings of their title and lead are close: cosine ≥ ``embed_alone``, or ≥
  ``embed_with_entities`` when they also name a common place or actor (a city, an organisation, an initiative, a
  person: resolved entities, so "Gent", "Ghent" and "Gand" are one key) — unless both name countries and none in
  common (templated alerts about two countries read alike).

The thresholds live in ``data/stories.yaml``. The same :class:`Clusterer` serves the hub (documents as they arrive)
and the evaluation door (``migrahub stories cluster``), so both group alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

STAGE = "stories/1"
DATA = Path(__file__).with_name("data") / "stories.yaml"
_SIG = 64  # MinHash values per signature (pipeline.fingerprint.PERMUTATIONS)
COUNTRY = "country:"  # entity keys of countries: never a shared actor, but two items naming only other countries differ


@dataclass(frozen=True)
class StoryParams:
    window_days: float = 4.0
    near_jaccard: float = 0.7
    embed_alone: float = 0.975
    embed_with_entities: float = 0.88
    entity_bonus: float = 0.0
    lead_chars: int = 300


@lru_cache(maxsize=1)
def default_params() -> StoryParams:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}
    unknown = set(data) - set(StoryParams.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{DATA}: unknown setting(s) {', '.join(sorted(unknown))}")
    return StoryParams(**data)


@dataclass(frozen=True, eq=False)
class StoryItem:
    """What clustering reads of one item: its time (epoch seconds, or None), MinHash signature (bytes, may be
    empty), embedding (L2-normalised, or None) and entity keys."""

    id: object
    at: float | None
    fingerprint: bytes
    vector: np.ndarray | None
    entities: frozenset[str] = frozenset()


def lead(title: str | None, text: str, chars: int) -> str:
    """The text embedded for an item: its title and the start of its text (the title once)."""
    body = text.strip()
    if title and not body.startswith(title.strip()):
        body = f"{title.strip()}\n{body}"
    return body[:chars]


def _countries_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both items name countries and no country is common to them (two alerts about two countries)."""
    ca = {k for k in a if k.startswith(COUNTRY)}
    cb = {k for k in b if k.startswith(COUNTRY)}
    return bool(ca) and bool(cb) and not (ca & cb)


class Clusterer:
    """Incremental story assignment over the items seen so far (arrays grow as items are added)."""

    def __init__(self, params: StoryParams | None = None, dim: int = 384) -> None:
        self.params = params or default_params()
        self.dim = dim
        self._n = 0
        self._cap = 256
        self._at = np.full(self._cap, np.nan)
        self._sig = np.zeros((self._cap, _SIG), dtype=np.uint64)
        self._has_sig = np.zeros(self._cap, dtype=bool)
        self._vec = np.zeros((self._cap, dim), dtype=np.float32)
        self._has_vec = np.zeros(self._cap, dtype=bool)
        self._entities: list[frozenset[str]] = []
        self.stories: list[object] = []

    def _grow(self) -> None:
        self._cap *= 2
        self._at = np.resize(self._at, self._cap)
        for name in ("_sig", "_vec"):
            old = getattr(self, name)
            new = np.zeros((self._cap, old.shape[1]), dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
        for name in ("_has_sig", "_has_vec"):
            old = getattr(self, name)
            new = np.zeros(self._cap, dtype=bool)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    def remember(self, item: StoryItem, story: object) -> None:
        """Add an item already in a story (the hub's earlier documents)."""
        if self._n == self._cap:
            self._grow()
        i = self._n
        self._at[i] = np.nan if item.at is None else item.at
        if item.fingerprint and len(item.fingerprint) == _SIG * 8:
            self._sig[i] = np.frombuffer(item.fingerprint, dtype=np.uint64)
            self._has_sig[i] = True
        if item.vector is not None:
            self._vec[i] = item.vector
            self._has_vec[i] = True
        self._entities.append(item.entities)
        self.stories.append(story)
        self._n += 1

    def match(self, item: StoryItem) -> tuple[object | None, float | None]:
        """The story ``item`` belongs to among the items seen (and the score that decided), or (None, None)."""
        n, p = self._n, self.params
        if n == 0:
            return None, None
        if item.at is None:
            near = np.ones(n, dtype=bool)
        else:
            ats = self._at[:n]
            near = np.isnan(ats) | (np.abs(ats - item.at) <= p.window_days * 86400)
        if item.fingerprint and len(item.fingerprint) == _SIG * 8:
            sig = np.frombuffer(item.fingerprint, dtype=np.uint64)
            cand = np.flatnonzero(near & self._has_sig[:n])
            if len(cand):
                sims = (self._sig[cand] == sig).mean(axis=1)
                best = int(np.argmax(sims))
                if sims[best] >= p.near_jaccard:
                    return self.stories[cand[best]], float(sims[best])
        if item.vector is None:
            return None, None
        cand = np.flatnonzero(near & self._has_vec[:n])
        if not len(cand):
            return None, None
        cos = self._vec[cand] @ item.vector
        order = np.argsort(-cos)[:20]
        best_story, best_score = None, None
        for k in order:
            c = float(cos[k])
            if c < min(p.embed_alone, p.embed_with_entities) - 3 * p.entity_bonus:
                break
            other = self._entities[cand[k]]
            if _countries_differ(item.entities, other):
                continue
            shared = sum(1 for key in item.entities & other if not key.startswith(COUNTRY))
            score = c + p.entity_bonus * min(shared, 3)
            if score >= p.embed_alone or (shared and score >= p.embed_with_entities):
                if best_score is None or score > best_score:
                    best_story, best_score = self.stories[cand[k]], score
        return best_story, best_score

    def add(self, item: StoryItem) -> tuple[object, float | None]:
        """Assign ``item`` (its own id opens a story when nothing matches) and remember it."""
        story, score = self.match(item)
        story = item.id if story is None else story
        self.remember(item, story)
        return story, score


def cluster(items: list[StoryItem], params: StoryParams | None = None) -> dict[object, object]:
    """``{item id: story id}`` (a story's id is its first item's) for items taken in time order (items without a
    time keep their place after the timed ones)."""
    clusterer = Clusterer(params, dim=next((len(i.vector) for i in items if i.vector is not None), 384))
    order = sorted(range(len(items)), key=lambda k: (items[k].at is None, items[k].at or 0.0, k))
    return {items[k].id: clusterer.add(items[k])[0] for k in order}
