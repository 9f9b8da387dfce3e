"""Charts of codings (matplotlib, Agg backend: no display needed). Output format follows the file suffix
(``.png`` or ``.svg``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .analysis import Table  # noqa: E402

FORMATS = (".png", ".svg")


def _check(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path}: chart format must be one of {FORMATS}")
    return path


def frequency_bar_chart(frequencies: Mapping[str, int], path: str | Path, title: str = "Code frequencies",
                        labels: Mapping[str, str] | None = None) -> Path:
    """Horizontal bar chart, most frequent code on top. ``labels`` maps code id -> display name."""
    path = _check(path)
    items = sorted(frequencies.items(), key=lambda kv: (kv[1], kv[0]))
    names = [labels.get(k, k) if labels else k for k, _ in items]
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.28 * len(items) + 1)))
    try:
        ax.barh(names, [v for _, v in items], color="#0072B2")
        ax.set_xlabel("passages")
        ax.set_title(title)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path


def cooccurrence_heatmap(table: Table, path: str | Path, title: str = "Code co-occurrence") -> Path:
    """Heat map of a :func:`analysis.cooccurrence` table, counts written in the cells."""
    path = _check(path)
    codes = list(table.columns[1:])
    values = [list(r[1:]) for r in table.rows]
    size = max(4.0, 0.35 * len(codes) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    try:
        im = ax.imshow(values, cmap="viridis")
        ax.set_xticks(range(len(codes)), codes, rotation=90, fontsize=7)
        ax.set_yticks(range(len(codes)), [r[0] for r in table.rows], fontsize=7)
        if len(codes) <= 40:
            top = max((v for row in values for v in row), default=0)
            for i, row in enumerate(values):
                for j, v in enumerate(row):
                    if v:
                        ax.text(j, i, str(v), ha="center", va="center", fontsize=5,
                                color="black" if v > top / 2 else "white")
        fig.colorbar(im, ax=ax, label="passages")
        ax.set_title(title)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path
