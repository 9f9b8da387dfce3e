"""The synthesis report of a consultation (stage ``consult/synthesis@1``), built from published, redacted answers
only: per question, themes (auto-coded) with verbatim quotes and their attribution, counts by submitter type and
region, good practices and places linked to the hub's practice library and entity pages, recommendations; opinion
groups from votes; a resources annex; participation statistics.

The report is a list of blocks (heading, paragraph, quote, list item, chart); every block that says something about
the answers carries the ids of the submissions it comes from (``sources``), so every sentence links back to them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from migrahub.coding.codebook import Codebook
from migrahub.consult.opinion import OpinionGroups
from migrahub.consult.segments import Segment, segment
from migrahub.consult.themes import themes as find_themes

STAGE = "consult/synthesis@1"
QUOTES_PER_THEME = 2
ITEMS_PER_LIST = 10
TYPE_LABELS = {"organisation": "organisations", "city": "cities", "individual": "individuals",
               "anonymous": "anonymous participants"}
SINGULAR = {"organisation": "organisation", "city": "city", "individual": "individual",
            "anonymous": "anonymous participant"}
URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class Source:
    """A published submission as the report may name it."""

    id: int
    label: str           # organisation or city name, "individual" or "anonymous"
    submitter_type: str
    country: str = ""
    city: str = ""


@dataclass(frozen=True)
class HubEntity:
    """A record of the hub the report can link to (a place, an organisation, a practice, a resource)."""

    id: int
    category: str
    name: str
    url: str
    names: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    seq: int
    kind: str
    prompt: str


@lru_cache(maxsize=1)
def _cues() -> dict[str, re.Pattern]:
    data = yaml.safe_load((Path(__file__).with_name("data") / "synthesis.yaml").read_text(encoding="utf-8"))
    return {k: re.compile(r"\b(?:" + "|".join(v) + r")\b", re.I) for k, v in data.items()}


class _Blocks:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, kind: str, text: str, sources=(), links=(), **extra) -> None:
        self.items.append({"id": f"b{len(self.items) + 1}", "kind": kind, "text": text,
                           "sources": sorted(set(sources)), "links": list(links), **extra})


def _by_type(ids, sources: dict[int, Source]) -> str:
    counts = Counter(sources[i].submitter_type for i in ids if i in sources)
    return ", ".join(f"{n} {TYPE_LABELS.get(t, t) if n != 1 else SINGULAR.get(t, t)}" for t, n in counts.most_common())


def _by_region(ids, sources: dict[int, Source]) -> str:
    counts = Counter(sources[i].country or "region not given" for i in ids if i in sources)
    return ", ".join(f"{c} {n}" for c, n in counts.most_common(12))


class _Matcher:
    """Hub records named in a text (whole words, case-insensitive)."""

    def __init__(self, entities: tuple[HubEntity, ...]) -> None:
        import ahocorasick

        self.auto = ahocorasick.Automaton()
        for e in entities:
            if e.category == "practices":
                continue
            for name in {e.name, *e.names}:
                key = name.casefold().strip()
                if len(key) >= 4 and key not in self.auto:  # a shared name: the record known first
                    self.auto.add_word(key, (key, e))
        self.empty = len(self.auto) == 0
        if not self.empty:
            self.auto.make_automaton()
        self.practices = [e for e in entities if e.category == "practices"]
        self._practice_keys = [(p, _practice_keys(p)) for p in self.practices]

    def named(self, text: str) -> list[HubEntity]:
        if self.empty:
            return []
        low, found = text.casefold(), {}
        for end, (key, e) in self.auto.iter(low):
            start = end - len(key) + 1
            if (start == 0 or not low[start - 1].isalnum()) and (end + 1 == len(low) or not low[end + 1].isalnum()):
                found[e.id] = e
        return list(found.values())

    def practice(self, text: str) -> HubEntity | None:
        low = text.casefold()
        for p, keys in self._practice_keys:
            if any(k in low for k in keys):
                return p
        return None


def _practice_keys(p: HubEntity) -> list[str]:
    keys = {p.name.casefold()}
    for sep in (" – ", " - ", " — ", ": "):
        if sep in p.name:
            keys.add(p.name.split(sep)[0].casefold())
    return [k.strip() for k in keys if len(k.strip()) >= 12]


def build(title: str, slug: str, questions: list[QuestionInfo], sources: dict[int, Source],
          answers: list[tuple[int, int, str, object]], hub: tuple[HubEntity, ...] = (),
          codebook: Codebook | None = None, opinion: OpinionGroups | None = None,
          statements: dict[str, str] | None = None, attachments: dict[int, list[str]] | None = None,
          voters: dict[int, set] | None = None) -> dict:
    """The report of the published ``answers`` ``(submission, question, redacted text, value)``; ``voters``:
    question id → the submissions that voted on its statements."""
    blocks = _Blocks()
    matcher = _Matcher(hub)
    answered = sorted({a[0] for a in answers} | set(sources))
    blocks.add("h1", f"Synthesis of the consultation “{title}”")
    blocks.add("p", f"This report synthesises {len(answered)} published submissions ({_by_type(answered, sources)}).",
               answered)
    participation = Counter(sources[i].submitter_type for i in answered if i in sources)
    blocks.add("h2", "Participation")
    blocks.add("chart", "Submissions by submitter type", answered,
               data=[[TYPE_LABELS.get(t, t), n] for t, n in participation.most_common()])
    blocks.add("p", f"By country or region: {_by_region(answered, sources)}.", answered)
    segs: list[Segment] = []
    per_question: dict[int, list] = defaultdict(list)
    for sid, qid, text, value in answers:
        per_question[qid].append((sid, text, value))
        if text:
            segs.extend(segment(sid, qid, text))
    for sid, texts in (attachments or {}).items():
        for t in texts:
            segs.extend(s for s in segment(sid, 0, t))
    found = find_themes([s.text for s in segs], codebook)
    seg_themes = dict(zip(range(len(segs)), found.assigned, strict=True))
    resources: dict[str, tuple[str, set, list]] = {}
    for q in questions:
        _question(blocks, q, per_question.get(q.id, []), segs, seg_themes, found.names, sources, matcher, resources,
                  votes_by_question=voters)
    attached = [i for i, s in enumerate(segs) if s.question == 0]
    if attached:
        _question(blocks, QuestionInfo(0, 0, "text", "Attached documents"), [], segs, seg_themes, found.names, sources,
                  matcher, resources, only=attached)
    if opinion is not None:
        _opinion(blocks, opinion, statements or {})
    blocks.add("h2", "Resources")
    if resources:
        for _key, (label, ids, links) in sorted(resources.items(), key=lambda r: r[1][0].casefold()):
            blocks.add("li", label, ids, links)
    else:
        blocks.add("p", "No resources were cited in the published submissions.")
    return {"title": title, "consultation": slug, "stage": STAGE, "themes_method": found.method,
            "blocks": blocks.items}


def _question(blocks: _Blocks, q: QuestionInfo, rows, segs, seg_themes, names, sources, matcher, resources,
              only: list[int] | None = None, votes_by_question: dict[int, set] | None = None) -> None:
    heading = f"Question {q.seq}. {q.prompt}" if q.seq else q.prompt
    blocks.add("h2", heading, question=q.id)
    ids = sorted({sid for sid, text, value in rows if text or value not in (None, {}, [])})
    mine = only if only is not None else [i for i, s in enumerate(segs) if s.question == q.id]
    if only is not None:
        ids = sorted({segs[i].submission for i in mine})
    voters = sorted(votes_by_question.get(q.id, ())) if votes_by_question else []
    if voters:
        blocks.add("p", f"{len(voters)} submission{'s' if len(voters) != 1 else ''} voted on the statements of this "
                        "question (see Opinion groups).", voters)
    if not ids:
        if not voters:
            blocks.add("p", "No published submission answered this question.")
        return
    blocks.add("p", f"{len(ids)} submission{'s' if len(ids) != 1 else ''} answered ({_by_type(ids, sources)}); "
                    "by country or region: "
                    f"{_by_region(ids, sources)}.", ids)
    if q.kind in ("choice", "scale"):
        values = Counter(str(v) for _, _, v in rows if v not in (None, ""))
        if values:
            who = [sid for sid, _, v in rows if v not in (None, "")]
            blocks.add("p", "Answers: " + ", ".join(f"{k} ({n})" for k, n in values.most_common()) + ".", who)
    by_theme: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i in mine:
        for theme, conf in seg_themes[i]:
            by_theme[theme].append((conf, i))
    if by_theme:
        blocks.add("h3", "Themes")
    used: set[int] = set()  # a segment is quoted once per question
    for theme, hits in sorted(by_theme.items(), key=lambda t: (-len({segs[i].submission for _, i in t[1]}), t[0])):
        subs = sorted({segs[i].submission for _, i in hits})
        name = names.get(theme, theme)
        blocks.add("p", f"{name}: raised in {len(subs)} submission{'s' if len(subs) != 1 else ''} "
                        f"({_by_type(subs, sources)}).", subs, theme=theme)
        quoted: set[int] = set()
        for _conf, i in sorted(hits, key=lambda h: (-h[0], h[1])):
            s = segs[i]
            if s.submission in quoted or i in used:
                continue
            quoted.add(s.submission)
            used.add(i)
            blocks.add("quote", s.text, [s.submission], attribution=sources[s.submission].label
                       if s.submission in sources else "anonymous", theme=theme)
            if len(quoted) >= QUOTES_PER_THEME:
                break
    cues = _cues()
    practices, places, recs = [], defaultdict(set), []
    for i in mine:
        s = segs[i]
        named = matcher.named(s.text)
        for e in named:
            if e.category in ("places", "organisations"):
                places[(e.category, e.id, e.name, e.url)].add(s.submission)
        hub_practice = matcher.practice(s.text)
        if hub_practice or cues["practice"].search(s.text):
            practices.append((s, hub_practice))
        if cues["recommendation"].search(s.text):
            recs.append(s)
        for url in URL_RE.findall(s.text):
            url = url.rstrip(".,;:")
            resources.setdefault(url, (url, set(), [{"label": url, "url": url}]))[1].add(s.submission)
        if cues["resource"].search(s.text):
            for e in named:
                if e.category == "resources":
                    resources.setdefault(f"hub:{e.id}", (e.name, set(), [{"label": e.name, "url": e.url}]))[1].add(
                        s.submission)
    if practices:
        blocks.add("h3", "Good practices mentioned")
        for s, hub_practice in practices[:ITEMS_PER_LIST]:
            links = [{"label": f"Practice library: {hub_practice.name}", "url": hub_practice.url}
                     ] if hub_practice else []
            links += [{"label": e.name, "url": e.url} for e in matcher.named(s.text) if e.category == "places"]
            blocks.add("li", s.text, [s.submission], links, attribution=sources[s.submission].label
                       if s.submission in sources else "anonymous")
    if places:
        blocks.add("h3", "Places and organisations named")
        for (category, _eid, name, url), subs in sorted(places.items(), key=lambda p: (-len(p[1]), p[0][2])):
            kind = "place" if category == "places" else "organisation"
            blocks.add("li", f"{name} ({kind}): named in {len(subs)} submission{'s' if len(subs) != 1 else ''}.",
                       subs, [{"label": name, "url": url}])
    if recs:
        blocks.add("h3", "Recommendations")
        for s in recs[:ITEMS_PER_LIST]:
            blocks.add("li", s.text, [s.submission], attribution=sources[s.submission].label
                       if s.submission in sources else "anonymous")


def _opinion(blocks: _Blocks, result: OpinionGroups, statements: dict[str, str]) -> None:
    grouped = [p for p, g in result.groups.items() if g is not None]
    blocks.add("h2", "Opinion groups")
    blocks.add("p", f"{len(result.groups)} participants voted on {len(result.stats)} statements; {len(grouped)} "
                    f"voted on enough statements to be grouped, into {result.n_groups} opinion groups "
                    "(Pol.is method: PCA of the votes, k-means, k by silhouette).")
    if result.consensus:
        blocks.add("h3", "Consensus: agreed across all groups")
        for sid in result.consensus:
            blocks.add("li", statements.get(sid, sid), statement=sid)
    for group, reps in result.representative.items():
        size = sum(1 for g in result.groups.values() if g == group)
        blocks.add("h3", f"Group {group + 1} ({size} participants)")
        for sid, kind in reps:
            blocks.add("li", f"{'Agrees' if kind == 'agree' else 'Disagrees'}: {statements.get(sid, sid)}",
                       statement=sid)
    if result.divisive:
        blocks.add("h3", "Divisive statements")
        for sid in result.divisive:
            blocks.add("li", statements.get(sid, sid), statement=sid)


def apply_edits(report: dict, edits: dict[str, str], note: str = "") -> dict:
    """The report with the organiser's edits: block id → new text (empty removes the block); ``note`` adds an
    organiser's paragraph at the end (it has no sources, and says so)."""
    blocks = []
    for b in report.get("blocks", []):
        text = edits.get(b["id"], b["text"])
        if isinstance(text, str) and text.strip():
            blocks.append(b | {"text": text.strip()[:5000], "edited": b.get("edited") or text.strip() != b["text"]})
    if note.strip():
        ids = [int(b["id"][1:]) for b in blocks if b["id"][1:].isdigit()]
        blocks.append({"id": f"b{max(ids, default=0) + 1}", "kind": "p", "text": note.strip()[:5000], "sources": [],
                       "links": [], "organiser": True})
    return report | {"blocks": blocks}
