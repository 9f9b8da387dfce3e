"""The synthesis report written as Markdown, HTML (one self-contained file), PDF (fpdf2) and DOCX (python-docx).
Every block that has sources ends with links to those submissions (``{base}/consult/{slug}/submissions#s{id}``)."""

from __future__ import annotations

import html
import io

FONT_NOTE = "DejaVu"


def source_url(base: str, slug: str, sid: int) -> str:
    return f"{base.rstrip('/')}/consult/{slug}/submissions?submission={sid}#s{sid}"


MAX_REFS = 12  # source links written per sentence; the rest are counted and the list of submissions is linked


def _refs(block: dict) -> list[int]:
    return list(block.get("sources") or ())[:MAX_REFS]


def _more(block: dict) -> int:
    return max(0, len(block.get("sources") or ()) - MAX_REFS)


def all_url(base: str, slug: str) -> str:
    return f"{base.rstrip('/')}/consult/{slug}/submissions"


def to_markdown(report: dict, base: str = "") -> str:
    slug, out = report["consultation"], []
    for b in report["blocks"]:
        text = _md_escape(b["text"])
        refs = " ".join(f"[[{sid}]]({source_url(base, slug, sid)})" for sid in _refs(b))
        if _more(b):
            refs += f" [and {_more(b)} more]({all_url(base, slug)})"
        links = " ".join(f"[{_md_escape(link['label'])}]({link['url']})" for link in b.get("links") or ())
        tail = " ".join(x for x in (links, refs) if x)
        kind = b["kind"]
        if kind == "h1":
            out.append(f"# {text}\n")
        elif kind == "h2":
            out.append(f"\n## {text}\n")
        elif kind == "h3":
            out.append(f"\n### {text}\n")
        elif kind == "quote":
            out.append(f"> “{text}” — {_md_escape(b.get('attribution', 'anonymous'))} {tail}\n")
        elif kind == "li":
            who = f" — {_md_escape(b['attribution'])}" if b.get("attribution") else ""
            out.append(f"- {text}{who} {tail}".rstrip())
        elif kind == "chart":
            out.append(f"**{text}**\n")
            out += [f"- {_md_escape(str(label))}: {n}" for label, n in b.get("data", [])]
            out.append("")
        else:
            out.append(f"{text} {tail}".rstrip() + "\n")
    return "\n".join(out).rstrip() + "\n"


def _md_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|!" else ch for ch in str(text))


def to_html(report: dict, base: str = "", standalone: bool = True) -> str:
    slug = report["consultation"]
    e = html.escape
    out = []
    for b in report["blocks"]:
        text = e(b["text"])
        refs = "".join(f' <a class="src" href="{e(source_url(base, slug, sid))}">[{sid}]</a>' for sid in _refs(b))
        if _more(b):
            refs += f' <a class="src" href="{e(all_url(base, slug))}">and {_more(b)} more</a>'
        links = "".join(f' <a class="hub" href="{e(link["url"])}">{e(link["label"])}</a>'
                        for link in b.get("links") or ())
        who = f' <span class="by">— {e(b["attribution"])}</span>' if b.get("attribution") else ""
        kind = b["kind"]
        if kind in ("h1", "h2", "h3"):
            out.append(f'<{kind} id="{e(b["id"])}">{text}</{kind}>')
        elif kind == "quote":
            out.append(f'<blockquote id="{e(b["id"])}"><p>“{text}”</p><footer>{who}{links}{refs}</footer></blockquote>')
        elif kind == "li":
            out.append(f'<ul><li id="{e(b["id"])}">{text}{who}{links}{refs}</li></ul>')
        elif kind == "chart":
            out.append(_svg_bars(b))
        else:
            out.append(f'<p id="{e(b["id"])}">{text}{links}{refs}</p>')
    body = "\n".join(out).replace("</ul>\n<ul>", "\n")
    if not standalone:
        return body
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(report['title'])}</title></head><body>\n{body}\n</body></html>\n")


def _svg_bars(block: dict) -> str:
    e = html.escape
    data = block.get("data") or []
    top = max([n for _, n in data] or [1])
    rows = []
    for i, (label, n) in enumerate(data):
        width = int(300 * n / top) if top else 0
        y = 10 + i * 28
        rows.append(f'<text x="0" y="{y + 15}" font-size="13">{e(str(label))}</text>'
                    f'<rect x="190" y="{y}" width="{width}" height="20" fill="#2b6cb0"></rect>'
                    f'<text x="{196 + width}" y="{y + 15}" font-size="13">{n}</text>')
    height = 20 + 28 * len(data)
    table = "".join(f"<tr><th scope=\"row\">{e(str(label))}</th><td>{n}</td></tr>" for label, n in data)
    return (f'<figure><svg role="img" aria-label="{e(block["text"])}" width="560" height="{height}" '
            f'viewBox="0 0 560 {height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'
            f'<figcaption>{e(block["text"])}</figcaption><table><tbody>{table}</tbody></table></figure>')


def to_pdf(report: dict, base: str = "") -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    font = _unicode_font(pdf)
    slug = report["consultation"]
    sizes = {"h1": 16, "h2": 13, "h3": 11}
    for b in report["blocks"]:
        kind = b["kind"]
        text = b["text"] if font else _latin1(b["text"])
        pdf.set_font(font or "Helvetica", "B" if kind in sizes else "", sizes.get(kind, 10))
        if kind == "quote":
            text = f"“{text}” — {b.get('attribution', 'anonymous')}" if font else \
                f"\"{text}\" - {_latin1(b.get('attribution', 'anonymous'))}"
        elif kind == "li":
            text = f"• {text}" if font else f"- {text}"
            if b.get("attribution"):
                text += f" — {b['attribution']}" if font else f" - {_latin1(b['attribution'])}"
        elif kind == "chart":
            _pdf_bars(pdf, b, font)
            continue
        pdf.multi_cell(0, 6 if kind not in sizes else 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        refs = [(f"[{sid}]", source_url(base, slug, sid)) for sid in _refs(b)]
        refs += [(f"and {_more(b)} more", all_url(base, slug))] if _more(b) else []
        refs += [(link["label"] if font else _latin1(link["label"]), link["url"]) for link in b.get("links") or ()]
        if refs:
            pdf.set_font(font or "Helvetica", "", 8)
            for label, url in refs:
                pdf.set_text_color(30, 80, 160)
                pdf.write(5, label + "  ", url if url.startswith("http") else "")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(6)
    return bytes(pdf.output())


def _pdf_bars(pdf, block: dict, font: str | None) -> None:
    data = block.get("data") or []
    top = max([n for _, n in data] or [1])
    pdf.set_font(font or "Helvetica", "B", 10)
    pdf.cell(0, 7, block["text"] if font else _latin1(block["text"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font or "Helvetica", "", 9)
    for label, n in data:
        y = pdf.get_y()
        pdf.cell(50, 6, str(label) if font else _latin1(str(label)))
        pdf.set_fill_color(43, 108, 176)
        pdf.rect(pdf.l_margin + 52, y + 1, max(1, 100 * n / top), 4, style="F")
        pdf.set_xy(pdf.l_margin + 156, y)
        pdf.cell(20, 6, str(n), new_x="LMARGIN", new_y="NEXT")


def _unicode_font(pdf) -> str | None:
    from pathlib import Path

    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if Path(path).is_file():
            pdf.add_font(FONT_NOTE, "", path)
            bold = Path(path.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
            pdf.add_font(FONT_NOTE, "B", str(bold if bold.is_file() else path))
            return FONT_NOTE
    return None


def _latin1(text: str) -> str:
    return str(text).replace("“", '"').replace("”", '"').replace("—", "-").replace("–", "-").encode(
        "latin-1", "replace").decode("latin-1")


def to_docx(report: dict, base: str = "") -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.title = report["title"][:255]
    slug = report["consultation"]

    def link(paragraph, label: str, url: str) -> None:
        rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        h = OxmlElement("w:hyperlink")
        h.set(qn("r:id"), rid)
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        style = OxmlElement("w:rStyle")
        style.set(qn("w:val"), "Hyperlink")
        props.append(style)
        run.append(props)
        t = OxmlElement("w:t")
        t.text = f" {label}"
        t.set(qn("xml:space"), "preserve")
        run.append(t)
        h.append(run)
        paragraph._p.append(h)

    for b in report["blocks"]:
        kind = b["kind"]
        if kind in ("h1", "h2", "h3"):
            document.add_heading(_xml_safe(b["text"]), level={"h1": 0, "h2": 1, "h3": 2}[kind])
            continue
        if kind == "chart":
            document.add_paragraph(_xml_safe(b["text"]), style="Caption")
            table = document.add_table(rows=0, cols=2)
            for label, n in b.get("data") or []:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = _xml_safe(str(label)), str(n)
            continue
        text = _xml_safe(b["text"])
        if kind == "quote":
            p = document.add_paragraph(f"“{text}” — {_xml_safe(b.get('attribution', 'anonymous'))}", style="Quote")
        elif kind == "li":
            who = f" — {_xml_safe(b['attribution'])}" if b.get("attribution") else ""
            p = document.add_paragraph(text + who, style="List Bullet")
        else:
            p = document.add_paragraph(text)
        for item in b.get("links") or ():
            if item["url"].startswith("http") or base:
                link(p, _xml_safe(item["label"]), item["url"] if item["url"].startswith("http") else base + item["url"])
        for sid in _refs(b):
            link(p, f"[{sid}]", source_url(base or "http://localhost", slug, sid))
        if _more(b):
            link(p, f"and {_more(b)} more", all_url(base or "http://localhost", slug))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _xml_safe(text: str) -> str:
    return "".join(ch for ch in str(text) if ch in "\t\n\r" or ord(ch) >= 32 and ch not in "\ufffe\uffff")
