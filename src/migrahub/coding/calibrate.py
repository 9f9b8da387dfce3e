"""Decision thresholds for the auto-coder, chosen on held-out (out-of-fold) probabilities.

One global threshold maximises the mean of micro- and macro-F1; each code then gets its own threshold, the one that
maximises that code's F1, pulled towards the global one in logit space by how few positive examples the code has
(``shrinkage`` pseudo-examples), so a code seen three times keeps nearly the global threshold.
"""

from __future__ import annotations

import numpy as np

GRID = np.round(np.arange(0.05, 0.901, 0.025), 3)


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def _counts(pred: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = (pred & (Y == 1)).sum(0)
    fp = (pred & (Y == 0)).sum(0)
    fn = (~pred & (Y == 1)).sum(0)
    return tp, fp, fn


def f1_scores(pred: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    """Micro-F1 and macro-F1 (macro over the codes present in ``Y``), as the shared scorer counts them."""
    tp, fp, fn = _counts(pred.astype(bool), Y)
    micro = 2 * tp.sum() / max(1, 2 * tp.sum() + fp.sum() + fn.sum())
    present = Y.sum(0) > 0
    f1 = 2 * tp / np.maximum(1, 2 * tp + fp + fn)
    return float(micro), float(f1[present].mean()) if present.any() else 0.0


def global_threshold(p: np.ndarray, Y: np.ndarray) -> float:
    """The grid threshold maximising (micro-F1 + macro-F1) / 2 of ``p >= t`` against ``Y``."""
    best, best_t = -1.0, 0.5
    for t in GRID:
        score = sum(f1_scores(p >= t, Y)) / 2
        if score > best + 1e-9:
            best, best_t = score, float(t)
    return best_t


def code_thresholds(p: np.ndarray, Y: np.ndarray, t_global: float, shrinkage: float = 20.0) -> np.ndarray:
    """Per-code thresholds (columns of ``p``), each shrunk towards ``t_global`` by its number of positives."""
    out = np.full(p.shape[1], t_global)
    for j in range(p.shape[1]):
        n_pos = int(Y[:, j].sum())
        if n_pos == 0:
            continue
        best, best_t = -1.0, t_global
        for t in GRID:
            pred = p[:, j] >= t
            tp = int((pred & (Y[:, j] == 1)).sum())
            f1 = 2 * tp / max(1, int(pred.sum()) + n_pos)
            if f1 > best + 1e-9 or (abs(f1 - best) <= 1e-9 and abs(t - t_global) < abs(best_t - t_global)):
                best, best_t = f1, float(t)
        w = n_pos / (n_pos + shrinkage)
        out[j] = float(sigmoid(w * logit(best_t) + (1 - w) * logit(t_global)))
    return out
