"""Opinion groups from agree/disagree/pass votes, the way Pol.is computes them (stage ``consult/opinion@1``).

Pol.is (compdemocracy.org, math/src/polismath) works on the participant × statement vote matrix (agree = 1,
disagree = -1, pass = 0, not seen = missing):

1. participants count once they voted on at least ``min(7, statements)`` statements; when fewer than 15 do, the
   most active are added until 15 do;
2. PCA to two components of the matrix whose missing cells are filled with the statement's mean vote; a
   participant's projection is scaled by ``sqrt(statements / statements voted)`` so that people who voted little are
   not all pulled into the centre;
3. k-means into up to 100 small base clusters, then k-means of the base clusters' centres (weighted by their size)
   into k = 2..5 groups, k chosen by the silhouette;
4. per statement and group, agree and disagree shares smoothed as ``(n + 1) / (seen + 2)``: consensus statements are
   agreed by a majority in every group (ranked by Pol.is's group-aware consensus, the product over groups of the
   smoothed agree share); representative statements of a group ("repness") are those its members agree (or
   disagree) with significantly more than the rest, by a one-proportion and a two-proportion z-test at 90 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from migrahub.model import Rejection

STAGE = "consult/opinion@1"
MIN_VOTES = 7
TOP_UP = 15
BASE_K = 100
GROUP_KS = range(2, 6)
Z_90 = 1.2816
MAX_REPRESENTATIVE = 5
MAX_CONSENSUS = 5


@dataclass(frozen=True)
class Vote:
    """One participant's latest vote on one statement: 1 agree, -1 disagree, 0 pass."""

    participant: str
    statement: str
    value: int


@dataclass(frozen=True)
class StatementStats:
    """A statement's votes in one group (or among all grouped participants)."""

    agree: int
    disagree: int
    seen: int

    @property
    def p_agree(self) -> float:
        return (self.agree + 1) / (self.seen + 2)

    @property
    def p_disagree(self) -> float:
        return (self.disagree + 1) / (self.seen + 2)


@dataclass(frozen=True)
class OpinionGroups:
    """Who is in which group, and what unites and what separates the groups."""

    groups: dict[str, int | None]
    consensus: tuple[str, ...]
    representative: dict[int, tuple[tuple[str, str], ...]]  # group → ((statement, "agree"|"disagree"), …)
    divisive: tuple[str, ...]
    projection: dict[str, tuple[float, float]]
    silhouette: float | None
    stats: dict[str, dict[int, StatementStats]] = field(repr=False)
    stage: str = STAGE

    @property
    def n_groups(self) -> int:
        return len({g for g in self.groups.values() if g is not None})


def vote_matrix(votes: list[Vote], statements: list[str] | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """Participants, statements and the matrix of their votes (NaN where a participant did not vote)."""
    people = sorted({v.participant for v in votes}, key=_natural)
    cols = list(statements) if statements is not None else sorted({v.statement for v in votes}, key=_natural)
    row = {p: i for i, p in enumerate(people)}
    col = {s: j for j, s in enumerate(cols)}
    matrix = np.full((len(people), len(cols)), np.nan)
    for v in votes:
        if v.statement in col:
            matrix[row[v.participant], col[v.statement]] = float(max(-1, min(1, v.value)))
    return people, cols, matrix


def counted(matrix: np.ndarray) -> np.ndarray:
    """Rows of participants who count: at least ``min(7, statements)`` votes, topped up to 15 with the most active."""
    n_votes = (~np.isnan(matrix)).sum(axis=1)
    need = min(MIN_VOTES, matrix.shape[1])
    keep = n_votes >= max(need, 1)
    if keep.sum() < TOP_UP:
        order = np.argsort(-n_votes, kind="stable")
        for i in order[:TOP_UP]:
            if n_votes[i] > 0:
                keep[i] = True
    return np.flatnonzero(keep)


def project(matrix: np.ndarray) -> np.ndarray:
    """Two principal components of the vote matrix (missing cells = the statement's mean), scaled for sparsity."""
    voted = ~np.isnan(matrix)
    counts = voted.sum(axis=0)
    sums = np.where(voted, matrix, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    filled = np.where(voted, matrix, means)
    centred = filled - filled.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    comps = vt[:2]
    if comps.shape[0] < 2:
        comps = np.vstack([comps, np.zeros((2 - comps.shape[0], matrix.shape[1]))])
    proj = centred @ comps.T
    n_voted = np.maximum(voted.sum(axis=1), 1)
    return proj * np.sqrt(matrix.shape[1] / n_voted)[:, None]


def cluster(points: np.ndarray, seed: int = 0) -> tuple[np.ndarray, float | None]:
    """Group labels (0..k-1, largest group first) and the silhouette of the chosen k (computed over the base
    clusters' centres, unweighted, as Pol.is computes it)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(points)
    if n < 4 or np.allclose(points, points[0]):
        return np.zeros(n, dtype=int), None
    base_k = min(BASE_K, len(np.unique(points.round(9), axis=0)))
    base = KMeans(n_clusters=base_k, n_init=1, random_state=seed).fit(points)
    centres, sizes = base.cluster_centers_, np.bincount(base.labels_, minlength=base_k)
    best: tuple[float, np.ndarray] | None = None
    for k in GROUP_KS:
        if k >= base_k:
            break
        groups = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(centres, sample_weight=sizes)
        labels = groups.labels_[base.labels_]
        if len(set(groups.labels_.tolist())) < 2:
            continue
        score = float(silhouette_score(centres, groups.labels_))  # over the base clusters, as Pol.is does
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None:
        return np.zeros(n, dtype=int), None
    return _by_size(best[1]), best[0]


def _by_size(labels: np.ndarray) -> np.ndarray:
    order = sorted(set(labels.tolist()), key=lambda g: (-(labels == g).sum(), g))
    remap = {g: i for i, g in enumerate(order)}
    return np.array([remap[g] for g in labels.tolist()], dtype=int)


def statement_stats(matrix: np.ndarray, labels: np.ndarray) -> list[dict[int, StatementStats]]:
    """Per statement: per group's agree/disagree/seen counts, and under key -1 those of all grouped participants."""
    out = []
    groups = sorted(set(labels.tolist()))
    for j in range(matrix.shape[1]):
        col = matrix[:, j]
        per = {}
        for g in [*groups, -1]:
            cells = col if g == -1 else col[labels == g]
            cells = cells[~np.isnan(cells)]
            per[g] = StatementStats(int((cells > 0).sum()), int((cells < 0).sum()), int(len(cells)))
        out.append(per)
    return out


def prop_test(successes: int, n: int) -> float:
    """Pol.is's one-proportion z-score against one half (with a pseudo-count)."""
    s, m = successes + 1, n + 1
    return 2 * math.sqrt(m) * (s / m - 0.5)


def two_prop_test(s1: int, n1: int, s2: int, n2: int) -> float:
    """Pol.is's two-proportion z-score (with pseudo-counts)."""
    s1, n1, s2, n2 = s1 + 1, n1 + 1, s2 + 1, n2 + 1
    p1, p2, pooled = s1 / n1, s2 / n2, (s1 + s2) / (n1 + n2)
    den = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 0.0 if den == 0 else (p1 - p2) / den


def representative(stats: list[dict[int, StatementStats]], cols: list[str], group: int,
                   limit: int = MAX_REPRESENTATIVE) -> tuple[tuple[str, str], ...]:
    """The statements that set ``group`` apart (Pol.is repness): agree ones first, best metric first."""
    scored = []
    for j, per in enumerate(stats):
        mine, every = per[group], per[-1]
        rest = StatementStats(every.agree - mine.agree, every.disagree - mine.disagree, every.seen - mine.seen)
        options = []
        for kind, own, other in (("agree", mine.agree, rest.agree), ("disagree", mine.disagree, rest.disagree)):
            p = (own + 1) / (mine.seen + 2)
            r = p / ((other + 1) / (rest.seen + 2))
            pt, rt = prop_test(own, mine.seen), two_prop_test(own, mine.seen, other, rest.seen)
            options.append((rt, kind, p * pt * r * rt, pt > Z_90 and rt > Z_90))
        rt, kind, metric, significant = max(options)
        scored.append((significant, kind, metric, j))
    chosen = [s for s in scored if s[0]]
    chosen.sort(key=lambda s: (s[1] != "agree", -s[2]))
    if not chosen:
        agree = [s for s in scored if s[1] == "agree"]
        chosen = sorted(agree, key=lambda s: -s[2])[:1]
    return tuple((cols[j], kind) for _, kind, _, j in chosen[:limit])


def consensus(stats: list[dict[int, StatementStats]], cols: list[str], limit: int = MAX_CONSENSUS) -> tuple[str, ...]:
    """Statements a majority of every group agrees with (overall significant), by group-aware consensus."""
    ranked = []
    for j, per in enumerate(stats):
        groups = [g for g in per if g != -1]
        if not groups or per[-1].seen == 0:
            continue
        if all(per[g].p_agree > 0.5 for g in groups) and prop_test(per[-1].agree, per[-1].seen) > Z_90:
            ranked.append((math.prod(per[g].p_agree for g in groups), j))
    ranked.sort(key=lambda r: -r[0])
    return tuple(cols[j] for _, j in ranked[:limit])


def divisive(stats: list[dict[int, StatementStats]], cols: list[str], limit: int = MAX_CONSENSUS) -> tuple[str, ...]:
    """Statements the groups disagree on most: the widest spread of the groups' smoothed agree shares."""
    ranked = []
    for j, per in enumerate(stats):
        shares = [per[g].p_agree - per[g].p_disagree for g in per if g != -1 and per[g].seen]
        if len(shares) >= 2:
            ranked.append((max(shares) - min(shares), j))
    ranked.sort(key=lambda r: -r[0])
    return tuple(cols[j] for spread, j in ranked[:limit] if spread > 0.5)


def opinion_groups(votes: list[Vote], statements: list[str] | None = None, seed: int = 0) -> OpinionGroups | Rejection:
    """Opinion groups of the participants who voted (``statements``: the ones to use, e.g. without moderated ones)."""
    people, cols, matrix = vote_matrix(votes, statements)
    if not people or not cols:
        return Rejection("votes", STAGE, "no votes on any statement: nothing to group")
    rows = counted(matrix)
    if len(rows) < 4:
        return Rejection("votes", STAGE, f"only {len(rows)} participants voted on enough statements "
                                         f"(at least {min(MIN_VOTES, len(cols))}); at least 4 are needed")
    proj = project(matrix)[rows]  # the components of everyone's votes; the groups of those who count
    labels, silhouette = cluster(proj, seed)
    stats = statement_stats(matrix[rows], labels)
    groups: dict[str, int | None] = {p: None for p in people}
    for i, row in enumerate(rows.tolist()):
        groups[people[row]] = int(labels[i])
    n_groups = len(set(labels.tolist()))
    return OpinionGroups(
        groups=groups,
        consensus=consensus(stats, cols) if n_groups > 1 else (),
        representative={g: representative(stats, cols, g) for g in range(n_groups)} if n_groups > 1 else {},
        divisive=divisive(stats, cols),
        projection={people[row]: (float(proj[i, 0]), float(proj[i, 1])) for i, row in enumerate(rows.tolist())},
        silhouette=silhouette,
        stats={cols[j]: per for j, per in enumerate(stats)},
    )


def _natural(value: str):
    return (0, int(value), "") if value.lstrip("-").isdigit() else (1, 0, value)
