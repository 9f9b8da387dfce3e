"""Server-rendered SVG charts (no JavaScript): a column chart of counts per year and a horizontal bar chart of the
top values. Each chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>``; the page shows the same numbers
in a table next to it (the accessible fallback). Every label is escaped here."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#0b5cad"


def _open(uid: str, title: str, desc: str, width: int, height: int, *, links: bool = False) -> list[str]:
    """The chart's opening: an image, or a group when it holds links (an image cannot hold controls)."""
    role = "group" if links else "img"
    return [f'<svg data-chart="hub" class="chart" role="{role}" aria-labelledby="{uid}-t {uid}-d" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
            f'xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{uid}-t">{escape(title)}</title>', f'<desc id="{uid}-d">{escape(desc)}</desc>']


def columns(uid: str, title: str, rows: list[tuple[str, int]], *, unit: str = "documents") -> SafeString:
    """Vertical bars, one per label (years), with the largest value marked on the axis."""
    if not rows:
        return mark_safe("")
    peak = max(n for _, n in rows) or 1
    width, height, left, bottom, top = max(160, 28 * len(rows) + 60), 180, 40, 30, 12
    step = (width - left - 10) / len(rows)
    desc = "; ".join(f"{label}: {n}" for label, n in rows)
    out = _open(uid, title, f"{unit} per year — {desc}", width, height)
    inner = height - bottom - top
    out.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#57606a"/>')
    out.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#57606a">{peak}</text>')
    out.append(f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="11" fill="#57606a">0</text>')
    every = max(1, len(rows) // 12)
    for i, (label, n) in enumerate(rows):
        h = inner * n / peak
        x = left + i * step
        out.append(f'<rect x="{x + step * 0.15:.1f}" y="{height - bottom - h:.1f}" width="{step * 0.7:.1f}" '
                   f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: {n} {escape(unit)}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" '
                       f'fill="#1b1f24">{escape(label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # numbers are ours, labels went through escape()


def bars(uid: str, title: str, rows: list[tuple[str, int, str]], *, unit: str = "documents") -> SafeString:
    """Horizontal bars ``(label, value, url)`` best first; each label links to its page."""
    if not rows:
        return mark_safe("")
    peak = max(n for _, n, _ in rows) or 1
    label_w, width, row_h = 210, 520, 24
    height = row_h * len(rows) + 8
    desc = "; ".join(f"{label}: {n}" for label, n, _ in rows)
    out = _open(uid, title, f"{unit} — {desc}", width, height, links=any(url for *_, url in rows))
    for i, (label, n, url) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - label_w - 60) * n / peak
        short = label if len(label) <= 28 else label[:27] + "…"
        text = (f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="12" fill="#0b5cad">'
                f'{escape(short)}</text>')
        out.append(f'<a href="{escape(url)}">{text}</a>' if url else text)
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 8}" fill="{BAR}">'
                   f'<title>{escape(label)}: {n} {escape(unit)}</title></rect>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12" fill="#1b1f24">{n}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))


def timeline(uid: str, title: str, items: list[tuple[int, int | None, str, str]]) -> SafeString:
    """A time axis with one dot per item ``(year, month or None, label, url)``; dots in the same month stack.
    Each dot links to the item and carries its label as a tooltip."""
    if not items:
        return mark_safe("")
    first = min(y for y, *_ in items)
    last = max(y for y, *_ in items) + 1
    span = last - first
    width, left, right, base = max(640, 110 * span + 60), 30, 20, 40
    scale = (width - left - right) / span
    stacks: dict[tuple[int, int], int] = {}
    dots = []
    for year, month, label, url in items:
        slot = (year, month or 6)
        level = stacks.get(slot, 0)
        stacks[slot] = level + 1
        dots.append((left + (year - first + ((month or 6.5) - 1) / 12) * scale, level, label, url, month))
    height = base + 18 * (max(stacks.values()) + 1) + 10
    axis = height - 26
    out = _open(uid, title, f"{len(items)} dated events from {first} to {last - 1}", width, height,
                links=any(url for *_, url in items))
    out.append(f'<line x1="{left}" y1="{axis}" x2="{width - right}" y2="{axis}" stroke="#57606a"/>')
    for y in range(first, last + 1):
        x = left + (y - first) * scale
        out.append(f'<line x1="{x:.1f}" y1="{axis - 4}" x2="{x:.1f}" y2="{axis + 4}" stroke="#57606a"/>')
        if y < last:
            out.append(f'<text x="{x + scale / 2:.1f}" y="{axis + 18}" text-anchor="middle" font-size="12" '
                       f'fill="#1b1f24">{y}</text>')
    for x, level, label, url, month in dots:
        fill = BAR if month else "#ffffff"
        dot = (f'<circle cx="{x:.1f}" cy="{axis - 12 - level * 18}" r="7" fill="{fill}" stroke="{BAR}" '
               f'stroke-width="2"><title>{escape(label)}</title></circle>')
        out.append(f'<a href="{escape(url)}">{dot}</a>' if url else dot)
    out.append("</svg>")
    return mark_safe("".join(out))


def heatmap(uid: str, title: str, labels: list[str], matrix: list[list[int]]) -> SafeString:
    """A square matrix (code × code co-occurrence) as shaded cells with their numbers; darker is more."""
    if not labels:
        return mark_safe("")
    n = len(labels)
    cell, left, top = 34, 200, 150
    width, height = left + cell * n + 120, top + cell * n + 10  # room for the last slanted labels
    peak = max((v for i, row in enumerate(matrix) for j, v in enumerate(row) if i != j), default=0) or 1
    desc = f"{n} codes; the number in each cell is how many coded passages carry both codes"
    out = _open(uid, title, desc, width, height)
    for i, label in enumerate(labels):
        short = escape(label if len(label) <= 26 else label[:25] + "…")
        out.append(f'<text x="{left - 6}" y="{top + i * cell + cell / 2 + 4:.0f}" text-anchor="end" font-size="11" '
                   f'fill="#1b1f24">{short}</text>')
        x = left + i * cell + cell / 2 + 4
        out.append(f'<text x="{x:.0f}" y="{top - 6}" font-size="11" fill="#1b1f24" '
                   f'transform="rotate(-55 {x:.0f} {top - 6})">{short}</text>')
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            share = 0 if i == j else v / peak
            shade = f"rgb({int(255 - 244 * share)},{int(255 - 163 * share)},{int(255 - 82 * share)})"
            fill = "#eaeef2" if i == j else shade
            ink = "#ffffff" if share > 0.55 else "#1b1f24"
            x, y = left + j * cell, top + i * cell
            out.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                       f'<title>{escape(labels[i])} × {escape(labels[j])}: {v}</title></rect>')
            if v:
                out.append(f'<text x="{x + cell / 2 - 1:.0f}" y="{y + cell / 2 + 3:.0f}" text-anchor="middle" '
                           f'font-size="11" fill="{ink}">{v}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # numbers are ours, labels went through escape()
