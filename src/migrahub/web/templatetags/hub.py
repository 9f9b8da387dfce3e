"""Template helpers. Source text is always escaped here before any markup is added around it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from migrahub.web.params import DOC_TYPES, language_name

register = template.Library()


@register.simple_tag
def highlight(text: str, spans) -> str:
    """``text`` escaped, with each ``(start, end)`` code-point span wrapped in ``<mark>``."""
    text = text or ""
    out, pos = [], 0
    for start, end in sorted(spans or ()):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(escape(text[pos:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # every piece of source text above went through escape()


@register.filter
def web_url(value: str | None) -> str:
    """The value if it is an http(s) URL (safe to put in href), else an empty string."""
    if not value:
        return ""
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return ""
    return value.strip() if scheme in ("http", "https") else ""


@register.filter
def language(code: str | None) -> str:
    return language_name(code)


@register.filter
def doctype(code: str | None) -> str:
    return DOC_TYPES.get(code or "", code or "")


@register.filter
def day(value: str | None) -> str:
    return (value or "")[:10]


@register.filter
def heading_level(section) -> int:
    """The HTML heading level for a heading passage under ``section`` (the page title is the h1)."""
    return min(6, len(section or ()) + 2)


@register.filter
def joined(values, sep: str = " › ") -> str:
    return sep.join(str(v) for v in values or ())


ENTITY_LABEL = {"places": "place", "organisations": "organisation", "initiatives": "initiative", "people": "person"}


@register.simple_tag
def linked(text: str, mentions) -> str:
    """``text`` escaped, each ``(start, end, entity_id, category)`` mention made a link to its entity page."""
    text = text or ""
    out, pos = [], 0
    for start, end, entity_id, category in mentions or ():
        if start < pos or end > len(text):
            continue
        out.append(escape(text[pos:start]))
        out.append(format_html('<a class="entity entity-{}" href="{}" title="{}">{}</a>', category,
                               reverse("entity", args=[entity_id]), ENTITY_LABEL.get(category, category),
                               text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # source text went through escape() / format_html() above


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, key)
