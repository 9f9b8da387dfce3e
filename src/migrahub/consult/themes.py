"""Themes of answer segments (stage ``consult/themes@1``): the hub codebook's auto-coder (``coding.autocode``,
definitions + cue lexicon, no training needed) when the hub has a codebook, else clusters of the segments' TF-IDF
vectors named by their top words."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from migrahub.coding.codebook import Codebook

STAGE = "consult/themes@1"
THRESHOLD = 0.5
MAX_CODES = 2
CHUNK = 5000
# left out of the themes besides English stop words: the labels redaction leaves in the text
REDACTION_WORDS = frozenset({"removed", "mail", "phone", "address", "link", "name"})


@dataclass(frozen=True)
class Themes:
    names: dict[str, str]                            # theme id → name
    assigned: tuple[tuple[tuple[str, float], ...], ...]  # per segment: (theme id, confidence), best first
    method: str
    stage: str = STAGE


def by_codebook(texts: list[str], codebook: Codebook) -> Themes:
    from migrahub.coding.autocode import AutoCoder

    coder = AutoCoder(codebook, embeddings=False)
    assigned = []
    for i in range(0, len(texts), CHUNK):
        scores = coder.scores(texts[i:i + CHUNK])
        for row in scores:
            best = np.argsort(-row)[:MAX_CODES]
            assigned.append(tuple((coder.codes[j], round(float(row[j]), 3)) for j in best if row[j] >= THRESHOLD))
    names = {c.id: c.name for c in codebook.leaves()}
    return Themes(names, tuple(assigned), f"autocode:{codebook.name}")


def by_clusters(texts: list[str], k: int | None = None) -> Themes:
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    if len(texts) < 4:  # too few to cluster: one theme holds them
        return _one(texts)
    vec = TfidfVectorizer(max_features=20000, min_df=1, stop_words=sorted(ENGLISH_STOP_WORDS | REDACTION_WORDS),
                          sublinear_tf=True,
                          token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b")
    try:
        X = vec.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return _one(texts)
    k = k or max(2, min(8, len(texts) // 6))
    model = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3, batch_size=2048).fit(X)
    words = np.array(vec.get_feature_names_out())
    names = {f"T{i + 1}": ", ".join(words[np.argsort(-model.cluster_centers_[i])[:3]]) for i in range(k)}
    return Themes(names, tuple(((f"T{label + 1}", 1.0),) for label in model.labels_), "clusters")


def _one(texts: list[str]) -> Themes:
    return Themes({"T1": "Answers"} if texts else {}, tuple((("T1", 1.0),) for _ in texts), "clusters")


def themes(texts: list[str], codebook: Codebook | None) -> Themes:
    return by_codebook(texts, codebook) if codebook is not None and codebook.leaves() else by_clusters(texts)
