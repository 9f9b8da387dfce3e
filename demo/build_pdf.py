#!/usr/bin/env python3
"""Build the binary documents of the MigraHub demo corpus.

Usage:  python demo/build_pdf.py OUT_DIR [--core-font]

Renders
  demo/corpus/city-practices-annual-report.txt -> OUT_DIR/city-practices-annual-report.pdf  (fpdf2)
  demo/peer-review-visit.txt                   -> OUT_DIR/peer-review-visit.docx            (python-docx)

Source format (both files): a line starting with "# " is a level-1 heading,
"## " a level-2 heading, "- " a bullet item; other non-empty lines are
paragraphs (one paragraph per line); blank lines separate blocks.

The PDF uses DejaVuSans (Unicode TTF) when it is installed at
/usr/share/fonts/truetype/dejavu/ (Debian/Ubuntu package fonts-dejavu-core);
otherwise, or with --core-font, it falls back to the core Helvetica font after
transliterating characters outside Latin-1. Every heading is also added to the
PDF outline (bookmarks) with fpdf2's start_section, so headings remain
recoverable from the PDF.
"""
from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
PDF_SOURCE = HERE / "city-practices-annual-report.txt"
DOCX_SOURCE = HERE / "peer-review-visit.txt"
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU_REGULAR = DEJAVU_DIR / "DejaVuSans.ttf"
DEJAVU_BOLD = DEJAVU_DIR / "DejaVuSans-Bold.ttf"

# Characters outside Latin-1 that have a sensible ASCII/Latin-1 spelling.
_TRANSLIT = {
    "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2026": "...", "\u20ac": "EUR ", "\u2022": "-",
    "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D",
    "\u0153": "oe", "\u0152": "OE", "\u00a0": " ",
}


def to_latin1(text: str) -> str:
    """Transliterate characters the core PDF fonts cannot encode."""
    out = []
    for ch in text:
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        elif ord(ch) < 256:
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if not unicodedata.combining(c))
            out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def parse(path: Path) -> list[tuple[str, str]]:
    """Return blocks as (kind, text) with kind in h1, h2, bullet, para."""
    blocks = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(("h2", line[3:].strip()))
        elif line.startswith("# "):
            blocks.append(("h1", line[2:].strip()))
        elif line.startswith("- "):
            blocks.append(("bullet", line[2:].strip()))
        else:
            blocks.append(("para", line))
    return blocks


def build_pdf(out_dir: Path, force_core: bool = False) -> Path:
    from fpdf import FPDF

    blocks = parse(PDF_SOURCE)
    use_ttf = (not force_core) and DEJAVU_REGULAR.is_file()
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=20)
    if use_ttf:
        pdf.add_font("DejaVu", "", str(DEJAVU_REGULAR))
        # Bold face: real bold TTF if present, else the regular one.
        pdf.add_font("DejaVu", "B", str(DEJAVU_BOLD if DEJAVU_BOLD.is_file() else DEJAVU_REGULAR))
        family = "DejaVu"
        fix = lambda s: s  # noqa: E731
    else:
        family = "Helvetica"
        fix = to_latin1

    title = next((t for k, t in blocks if k == "h1"), "City Practices Lab")
    pdf.set_title(fix(title))
    pdf.set_author("Welcoming Cities Exchange (WCE) - invented demo document")
    pdf.set_subject("MigraHub demo corpus")
    pdf.set_creator("MigraHub demo/build_pdf.py")
    pdf.set_lang("en")

    pdf.add_page()
    pdf.set_font(family, "", 10.5)
    first = True
    for kind, text in blocks:
        text = fix(text)
        if kind == "h1":
            if not first:
                pdf.ln(4)
            pdf.start_section(text, level=0)
            pdf.set_font(family, "B", 17 if first else 15)
            pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "h2":
            pdf.ln(1.5)
            pdf.start_section(text, level=1)
            pdf.set_font(family, "B", 12.5)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "bullet":
            pdf.set_font(family, "", 10.5)
            pdf.set_x(pdf.l_margin + 5)
            pdf.multi_cell(0, 5.5, "- " + text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font(family, "", 10.5)
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
        first = False

    out = out_dir / "city-practices-annual-report.pdf"
    pdf.output(str(out))
    return out


def build_docx(out_dir: Path) -> Path:
    import docx

    blocks = parse(DOCX_SOURCE)
    document = docx.Document()
    props = document.core_properties
    props.title = next((t for k, t in blocks if k == "h1"), "Peer review visit")
    props.author = "Welcoming Cities Exchange (WCE) - invented demo document"
    props.subject = "MigraHub demo corpus"
    for kind, text in blocks:
        if kind == "h1":
            document.add_heading(text, level=1)
        elif kind == "h2":
            document.add_heading(text, level=2)
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(text)
    out = out_dir / "peer-review-visit.docx"
    document.save(str(out))
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out_dir = Path(args[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = build_pdf(out_dir, force_core="--core-font" in argv)
    doc = build_docx(out_dir)
    print(pdf)
    print(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
