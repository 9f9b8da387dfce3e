"""Main-text extraction for whole web pages: content containers, boilerplate pruning and fallbacks.

``extract_blocks(root)`` turns a parsed page into headings, paragraphs and list items; the rules (content markers,
boilerplate names, sizes) are in ``sources/data/page_rules.yaml``.
"""

from migrahub.sources.page.extract import VERSION, extract_blocks

__all__ = ["VERSION", "extract_blocks"]
