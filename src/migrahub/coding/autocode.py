"""Suggest codes for passages, with a confidence.

Three signals, combined by a small stacked model:

(a) **definitions** (zero-shot): cosine similarity between the passage and each code's name + definition, in a
    word (1-2 gram) + character (2-5 gram, within words) TF-IDF space. Character n-grams make it tolerant to
    inflection and, to a degree, to spelling across related languages. Turned into features that compare codes
    within a passage (z-score, rank) and passages within a code (z-score against the fitted corpus).
(b) **rules** the user maintains (YAML, per code ``include``/``exclude`` regular expressions): an ``include`` match
    lifts the code to at least the rule's confidence; an ``exclude`` match removes the suggestion.
(c) **supervised**: one linear SVM per code (class-balanced) on the same TF-IDF space, trained on human codings.

The stacker is one logistic regression *shared by all codes* over code-agnostic features (definition similarity
features, the SVM margin and its within-passage z-score, the code's smoothed prior), trained on out-of-fold SVM
margins (inner cross-validation), so rare codes borrow strength from frequent ones and a code nobody has applied
yet can still be suggested from its definition. The decision threshold is chosen on the same out-of-fold data.

Without any human codings the coder runs zero-shot: definition similarity only, with a conservative fixed rule.
Everything is numpy / scikit-learn; nothing is downloaded.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from .codebook import Code, Codebook, CodebookError, load_codebook

VERSION = "autocode/1"


@dataclass(frozen=True)
class Suggestion:
    """A code suggested for a passage. ``sources`` says which signals put it there: definition, model, rule."""

    code: str
    confidence: float
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """User-maintained keyword/regex rule for one code (patterns are case-insensitive Python regular expressions)."""

    code: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    confidence: float = 0.9


class RuleError(ValueError):
    """Bad rules file; the message names the file and the field."""


def load_rules(path: str | Path, codebook: Codebook | None = None) -> tuple[Rule, ...]:
    """Read rules YAML::

        rules:
          SERV.HEALTH:
            include: ['\\bhealth', 'medical']
            exclude: ['health of the economy']
            confidence: 0.9        # optional
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not readable as UTF-8 YAML: {exc}") from None
    return rules_from_mapping(data, source=str(path), codebook=codebook)


def rules_from_mapping(data: object, source: str = "<rules>", codebook: Codebook | None = None) -> tuple[Rule, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise RuleError(f"{source}: top level must be a mapping with a 'rules' mapping of code id -> rule")
    out = []
    for code, spec in data["rules"].items():
        where = f"{source}: rules.{code}"
        if codebook is not None and code not in codebook:
            raise RuleError(f"{where}: code {code!r} is not in codebook {codebook.name!r}")
        if not isinstance(spec, dict):
            raise RuleError(f"{where}: must be a mapping with include/exclude lists")
        pats = {}
        for key in ("include", "exclude"):
            raw = spec.get(key) or []
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
                raise RuleError(f"{where}.{key}: must be a list of regular expressions")
            for p in raw:
                try:
                    re.compile(p)
                except re.error as exc:
                    raise RuleError(f"{where}.{key}: bad regular expression {p!r}: {exc}") from None
            pats[key] = tuple(raw)
        conf = spec.get("confidence", 0.9)
        if not isinstance(conf, (int, float)) or not 0 < conf <= 1:
            raise RuleError(f"{where}.confidence: must be a number in (0, 1]")
        out.append(Rule(str(code), pats["include"], pats["exclude"], float(conf)))
    return tuple(out)


def definition_text(code: Code, codebook: Codebook) -> str:
    """The text a code is matched on: its name (twice: names are short and precise), definition, parent's name."""
    parent = codebook.get(code.parent).name if code.parent and code.parent in codebook else ""
    return f"{code.name}. {code.name}. {code.description} {parent}".strip()


def _zrow(m: np.ndarray) -> np.ndarray:
    return (m - m.mean(1, keepdims=True)) / (m.std(1, keepdims=True) + 1e-9)


class AutoCoder:
    """Suggests leaf codes of ``codebook`` for passages. ``fit`` (re)trains on human codings; without it the coder
    is zero-shot. ``contexts`` (optional, everywhere) are the texts around each passage (its neighbours in the
    document); they add a down-weighted copy of the context's features."""

    def __init__(self, codebook: Codebook, rules: Sequence[Rule] = (), *, svm_c: float = 0.5,
                 context_weight: float = 0.0, inner_folds: int = 5, seed: int = 0,
                 zero_shot_min_similarity: float = 0.1, zero_shot_min_z: float = 2.0) -> None:
        self.codebook = codebook
        self.codes: tuple[str, ...] = tuple(c.id for c in codebook.leaves())
        self.rules = tuple(rules)
        self.svm_c = svm_c
        self.context_weight = context_weight
        self.inner_folds = inner_folds
        self.seed = seed
        self.zs_min_sim = zero_shot_min_similarity
        self.zs_min_z = zero_shot_min_z
        self._defs = [definition_text(codebook.get(c), codebook) for c in self.codes]
        self._compiled = [(r.code, [re.compile(p, re.I) for p in r.include], [re.compile(p, re.I) for p in r.exclude],
                           r.confidence) for r in self.rules if r.code in self.codes]
        self._vec: tuple[TfidfVectorizer, TfidfVectorizer] | None = None
        self._svms: list | None = None
        self._meta: LogisticRegression | None = None
        self.threshold: float = 0.5
        self.trained_on = 0

    # ------------------------------------------------------------------ features
    def _fit_vectorizers(self, texts: Sequence[str]) -> None:
        corpus = list(texts) + self._defs
        word = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1, strip_accents="unicode",
                               stop_words="english")
        char = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                               strip_accents="unicode")
        word.fit(corpus)
        char.fit(corpus)
        self._vec = (word, char)
        self._D = self._embed(self._defs)
        ref = self._embed(list(texts)) if texts else self._D
        sims = (ref @ self._D.T).toarray()
        self._sim_mu = sims.mean(0)
        self._sim_sd = sims.std(0) + 1e-9

    def _embed(self, texts: Sequence[str]) -> csr_matrix:
        assert self._vec is not None
        word, char = self._vec
        return normalize(hstack([normalize(word.transform(texts)), normalize(char.transform(texts))]).tocsr())

    def _features(self, texts: Sequence[str], contexts: Sequence[str] | None) -> tuple[csr_matrix, csr_matrix]:
        A = self._embed(texts)
        F = A
        if self.context_weight and contexts is not None:
            F = hstack([A, self.context_weight * self._embed(contexts)]).tocsr()
        return A, F

    def _sim_feats(self, A: csr_matrix) -> list[np.ndarray]:
        sim = (A @ self._D.T).toarray()
        rank = np.argsort(np.argsort(-sim, 1), 1)
        return [sim, _zrow(sim), (sim - self._sim_mu) / self._sim_sd, np.log1p(rank)]

    def _meta_matrix(self, sim_feats: list[np.ndarray], margins: np.ndarray, prior: np.ndarray) -> np.ndarray:
        n, m = margins.shape
        feats = sim_feats + [margins, _zrow(margins), np.broadcast_to(prior[None, :], (n, m))]
        return np.stack(feats, -1).reshape(n * m, -1)

    @staticmethod
    def _train_svms(F: csr_matrix, Y: np.ndarray, c: float) -> list:
        models = []
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if y.sum() == 0 or y.sum() == len(y):
                models.append(float(-1.0 if y.sum() == 0 else 1.0))
            else:
                models.append(LinearSVC(C=c, class_weight="balanced").fit(F, y))
        return models

    @staticmethod
    def _margins(models: list, F: csr_matrix) -> np.ndarray:
        out = np.empty((F.shape[0], len(models)))
        for j, mdl in enumerate(models):
            out[:, j] = mdl if isinstance(mdl, float) else mdl.decision_function(F)
        return out

    # ------------------------------------------------------------------ training
    def fit(self, texts: Sequence[str], labels: Sequence[Iterable[str]], contexts: Sequence[str] | None = None,
            unlabeled: Sequence[str] = (), groups: Sequence[str] | None = None) -> AutoCoder:
        """Train on human codings (``labels[i]`` = code ids of ``texts[i]``; ids not among the leaves are ignored).
        ``unlabeled`` texts (e.g. the passages about to be coded) only inform the TF-IDF vocabulary and weights.
        ``groups`` (e.g. the document of each passage): when given with at least 3 distinct values, the inner
        cross-validation that trains the stacker holds out whole groups, so it learns how far the supervised
        margins carry to *new* documents rather than to neighbours of seen passages."""
        texts = list(texts)
        if len(texts) != len(labels):
            raise ValueError(f"fit: {len(texts)} texts but {len(labels)} label lists")
        self._fit_vectorizers(texts + list(unlabeled))
        index = {c: j for j, c in enumerate(self.codes)}
        Y = np.zeros((len(texts), len(self.codes)), dtype=int)
        for i, labs in enumerate(labels):
            for c in labs:
                if c in index:
                    Y[i, index[c]] = 1
        self.trained_on = len(texts)
        if len(texts) < 2 * self.inner_folds or Y.sum() == 0:
            self._svms = None
            self._meta = None
            return self
        A, F = self._features(texts, contexts)
        self._prior = np.log((Y.sum(0) + 0.5) / (len(texts) + 1.0))
        # out-of-fold margins for the stacker
        oof = np.zeros(Y.shape)
        if groups is not None and len(set(groups)) >= 3:
            splits = GroupKFold(min(self.inner_folds, len(set(groups)))).split(texts, groups=list(groups))
        else:
            splits = KFold(self.inner_folds, shuffle=True, random_state=self.seed).split(texts)
        for tr, te in splits:
            oof[te] = self._margins(self._train_svms(F[tr], Y[tr], self.svm_c), F[te])
        X = self._meta_matrix(self._sim_feats(A), oof, self._prior)
        self._meta = LogisticRegression(max_iter=2000, C=1.0).fit(X, Y.reshape(-1))
        p = self._meta.predict_proba(X)[:, 1].reshape(Y.shape)
        self.threshold = self._choose_threshold(p, Y)
        self._svms = self._train_svms(F, Y, self.svm_c)
        return self

    @staticmethod
    def _choose_threshold(p: np.ndarray, Y: np.ndarray) -> float:
        """Threshold maximising the mean of micro- and macro-F1 on out-of-fold stacked probabilities."""
        best, best_t = -1.0, 0.5
        present = Y.sum(0) > 0
        for t in np.arange(0.15, 0.71, 0.025):
            pred = p >= t
            tp = (pred & (Y == 1)).sum(0)
            fp = (pred & (Y == 0)).sum(0)
            fn = (~pred & (Y == 1)).sum(0)
            micro = 2 * tp.sum() / max(1, 2 * tp.sum() + fp.sum() + fn.sum())
            f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(1, 2 * tp + fp + fn), 0.0)
            macro = f1[present].mean() if present.any() else 0.0
            if (micro + macro) / 2 > best + 1e-9:
                best, best_t = (micro + macro) / 2, float(t)
        return best_t

    # ------------------------------------------------------------------ prediction
    def scores(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """Confidence in [0, 1] for every (passage, leaf code), before rules; columns follow ``self.codes``."""
        texts = list(texts)
        if self._vec is None:
            self._fit_vectorizers(texts)
        A, F = self._features(texts, contexts)
        sf = self._sim_feats(A)
        if self._meta is None or self._svms is None:
            # zero-shot: squash similarity and within-passage z-score into a confidence
            sim, z = sf[0], sf[1]
            return 1 / (1 + np.exp(-(8 * (sim - self.zs_min_sim) + 1.5 * (z - self.zs_min_z))))
        margins = self._margins(self._svms, F)
        p = self._meta.predict_proba(self._meta_matrix(sf, margins, self._prior))[:, 1]
        return p.reshape(len(texts), len(self.codes))

    def suggest(self, texts: Sequence[str], contexts: Sequence[str] | None = None,
                threshold: float | None = None) -> list[list[Suggestion]]:
        """Suggested codes per passage, best first, with confidences; rules applied last."""
        texts = list(texts)
        S = self.scores(texts, contexts)
        t = self.threshold if threshold is None else threshold
        if self._meta is None and threshold is None:
            t = 0.5
        out = []
        src = ("definition", "model") if self._meta is not None else ("definition",)
        for i, text in enumerate(texts):
            conf = {self.codes[j]: float(S[i, j]) for j in range(len(self.codes))}
            sources = {c: src for c in conf}
            for code, inc, exc, rc in self._compiled:
                if any(r.search(text) for r in exc):
                    conf[code] = 0.0
                    sources[code] = ("rule",)
                elif any(r.search(text) for r in inc) and conf[code] < max(rc, t):
                    conf[code] = max(rc, t)
                    sources[code] = sources[code] + ("rule",)
            chosen = [Suggestion(c, round(v, 4), sources[c]) for c, v in conf.items() if v >= t]
            out.append(sorted(chosen, key=lambda s: (-s.confidence, s.code)))
        return out

    def predict(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> list[list[str]]:
        return [[s.code for s in row] for row in self.suggest(texts, contexts)]


# ---------------------------------------------------------------------------------------------- file-level API


def _read_json(path: str | Path, what: str) -> object:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodebookError(f"{path}: {what} file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: {what} is not valid UTF-8 JSON: {exc}") from None


def read_passages(path: str | Path) -> list[dict]:
    """Read a passages file: a JSON list of objects with ``id`` and ``text`` (``doc`` and ``start`` optional)."""
    data = _read_json(path, "passages")
    if not isinstance(data, list):
        raise CodebookError(f"{path}: passages must be a JSON list of objects")
    seen = set()
    for i, p in enumerate(data):
        if not isinstance(p, dict):
            raise CodebookError(f"{path}: [{i}] must be an object")
        for key in ("id", "text"):
            if not isinstance(p.get(key), str):
                raise CodebookError(f"{path}: [{i}].{key} is missing or not a string")
        if p["id"] in seen:
            raise CodebookError(f"{path}: [{i}].id {p['id']!r} is used twice")
        seen.add(p["id"])
    return data


def read_codes(path: str | Path) -> dict[str, list[str]]:
    """Read a codings file: a JSON object passage id -> list of code ids."""
    data = _read_json(path, "codes")
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: codes must be a JSON object mapping passage id to a list of code ids")
    for k, v in data.items():
        if not isinstance(v, list) or not all(isinstance(c, str) for c in v):
            raise CodebookError(f"{path}: [{k!r}] must be a list of code id strings")
    return data


def passage_contexts(passages: Sequence[Mapping]) -> list[str]:
    """For each passage, the text of its neighbours (previous and next passage of the same ``doc`` by ``start``);
    empty when the passages carry no ``doc``."""
    bydoc: dict[str, list[int]] = {}
    for i, p in enumerate(passages):
        if p.get("doc") is not None:
            bydoc.setdefault(str(p["doc"]), []).append(i)
    ctx = [""] * len(passages)
    for idx in bydoc.values():
        idx.sort(key=lambda i: (passages[i].get("start") or 0, i))
        for r, i in enumerate(idx):
            ctx[i] = " ".join(passages[idx[k]]["text"] for k in (r - 1, r + 1) if 0 <= k < len(idx))
    return ctx


def train_and_suggest(codebook: Codebook, passages: Sequence[Mapping], train_passages: Sequence[Mapping] = (),
                      train_codes: Mapping[str, Sequence[str]] | None = None, rules: Sequence[Rule] = (),
                      **options) -> dict[str, list[Suggestion]]:
    """Fit on the coded training passages (if any) and suggest codes for ``passages`` (keyed by passage id)."""
    coder = AutoCoder(codebook, rules, **options)
    texts = [p["text"] for p in passages]
    ctx = passage_contexts(passages)
    if train_passages and train_codes:
        labelled = [p for p in train_passages if p["id"] in train_codes]
        coder.fit([p["text"] for p in labelled], [train_codes[p["id"]] for p in labelled],
                  contexts=[c for p, c in zip(train_passages, passage_contexts(train_passages), strict=True)
                            if p["id"] in train_codes],
                  unlabeled=texts)
    rows = coder.suggest(texts, ctx)
    return {p["id"]: row for p, row in zip(passages, rows, strict=True)}


def code_passages(codebook_path: str | Path, passages_path: str | Path, train_passages: str | Path | None = None,
                  train_codes: str | Path | None = None, rules_path: str | Path | None = None) -> dict[str, list[str]]:
    """Suggest codes for every passage in ``passages_path`` (passages.json format), optionally trained on human
    codings (``train_passages`` in passages.json format + ``train_codes`` in codes.json format). Returns passage id
    -> code ids, best first: the codes.json format, ready for ``--json``."""
    if (train_passages is None) != (train_codes is None):
        raise ValueError("train_passages and train_codes go together: give both or neither")
    codebook = load_codebook(codebook_path)
    rules = load_rules(rules_path, codebook) if rules_path else ()
    passages = read_passages(passages_path)
    tp = read_passages(train_passages) if train_passages else ()
    tc = read_codes(train_codes) if train_codes else None
    got = train_and_suggest(codebook, passages, tp, tc, rules)
    return {pid: [s.code for s in row] for pid, row in got.items()}


def timed_suggest(coder: AutoCoder, texts: Sequence[str]) -> tuple[list[list[Suggestion]], float]:
    """Suggestions and passages per second (for the benchmark)."""
    t0 = time.perf_counter()
    rows = coder.suggest(texts)
    return rows, len(texts) / max(1e-9, time.perf_counter() - t0)
