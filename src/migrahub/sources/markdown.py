"""Markdown files through markdown-it-py tokens: headings with levels, paragraphs, list items, tables, code."""

from __future__ import annotations

import re
from functools import lru_cache

from migrahub.model import Block

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
FRONT_MATTER_NODES = 10_000  # YAML nodes of a front matter, aliases counted as what they repeat (real ones: < 100)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def front_matter(text: str) -> tuple[dict, str]:
    """A leading YAML front-matter block as a dict (empty when absent or invalid) and the text after it.

    The block is read within the bounds of :mod:`migrahub.safeload` (nesting depth, and at most
    :data:`FRONT_MATTER_NODES` nodes once aliases are expanded): an alias bomb or a nesting that would exhaust
    the stack counts as invalid, like a syntax error, and so does a value PyYAML cannot build (a timestamp at
    hour 25 raises ``ValueError``) or a character YAML does not allow."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    import yaml

    from migrahub.safeload import load_yaml

    try:
        meta = load_yaml(m.group(1), "front matter", max_nodes=FRONT_MATTER_NODES)
    except (ValueError, yaml.YAMLError):  # InputError is a ValueError
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[m.end():]


def _inline_text(token) -> str:
    out: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(_inline_text(child))  # alt text
        # html_inline and link/emphasis markers carry no text of their own
    return "".join(out)


def markdown_blocks(text: str) -> tuple[Block, ...]:
    """Markdown source (front matter already removed) to blocks."""
    from migrahub.sources.html import fragment_blocks

    tokens = _parser().parse(text.replace("\r\n", "\n"))
    blocks: list[Block] = []
    list_depth = 0
    heading_level = 0
    row: list[str] | None = None
    for tok in tokens:
        t = tok.type
        if t == "heading_open":
            heading_level = int(tok.tag[1])
        elif t == "heading_close":
            heading_level = 0
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "tr_open":
            row = []
        elif t == "tr_close":
            if row and any(row):
                blocks.append(Block("paragraph", " | ".join(c for c in row)))
            row = None
        elif t == "inline":
            content = _inline_text(tok).strip()
            if row is not None:
                row.append(content)
            elif not content:
                continue
            elif heading_level:
                blocks.append(Block("heading", content, heading_level))
            elif list_depth:
                blocks.append(Block("list_item", content))
            else:
                blocks.append(Block("paragraph", content))
        elif t in ("fence", "code_block"):
            if tok.content.strip():
                blocks.append(Block("paragraph", tok.content.strip()))
        elif t == "html_block":
            blocks.extend(fragment_blocks(tok.content))
    return tuple(blocks)
