"""Template helpers. Source text is always escaped here before any markup is added around it."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from migrahub.web.params import DOC_TYPES, language_name

register = template.Library()


def escape(value) -> str:
    """What ``django.utils.html.escape`` writes (``html.escape`` of the text), without its lazy-text wrapper: these
    helpers escape a few hundred values per page."""
    return html.escape(str(value))


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


@register.simple_tag
def facet_sections(facets, show_value_title: str = "source") -> str:
    """The ``<section>`` of each facet with its links (rendered here, not by template loops: a search page shows
    up to a few hundred facet values). Every label and URL goes through escape()."""
    out = []
    for facet in facets:
        name = escape(facet.name)
        out.append(f'<section class="facet" aria-labelledby="facet-{name}">\n'
                   f'<h3 id="facet-{name}">{escape(facet.title)}</h3>\n')
        if not facet.values:
            out.append('<p class="muted">None</p>\n</section>\n')
            continue
        out.append("<ul>\n")
        for v in facet.values:
            current = ' aria-current="true" class="selected"' if v.selected else ""
            remove = '<span class="visually-hidden">Remove filter: </span>' if v.selected else ""
            title = f' title="{escape(v.value)}"' if facet.name == show_value_title else ""
            key = f' data-key="{name}:{escape(v.value)}"'
            out.append(f'<li><a href="{escape(v.url)}"{key}{current}>{remove}<span class="facet-label"{title}>'
                       f'{escape(v.label)}</span> <span class="count">{v.count}'
                       f'<span class="visually-hidden"> documents</span></span></a></li>\n')
        out.append("</ul>\n</section>\n")
    return mark_safe("".join(out))  # every label, value and URL above went through escape()


@register.simple_tag(takes_context=True)
def main_nav(context) -> str:
    """The ``<li>`` of each item of the main navigation the visitor may see (``views.context.MENU``), the current
    page's marked (rendered here: 22 template conditions on every page cost more than the rest of base.html)."""
    from migrahub.web.views.context import menu

    request = context.get("request")
    if request is None:
        return ""
    here = ' aria-current="page"'
    return mark_safe("".join(  # paths and labels go through escape()
        f'      <li><a href="{escape(path)}"{here if current else ""}>{escape(label)}</a></li>\n'
        for path, label, current in menu(request)))


def _prefix(name: str) -> str:
    """A page's path without its trailing id ("/entities/"), to append ids to."""
    return reverse(name, args=[0])[:-1]


def group_by_document(hits) -> list[list]:
    """The hits of a page grouped by document, in the order of each document's best hit."""
    groups: dict[int, list] = {}
    for h in hits:
        groups.setdefault(h.document_id, []).append(h)
    return list(groups.values())


@register.simple_tag
def hit_items(hits) -> str:
    """The ``<li>`` of each document among the hits: its title linked to its best passage, that passage's
    highlighted snippet, type, language and date, then its other matching passages of the page, each linked
    (rendered here rather than by a template loop; every piece of text goes through escape())."""
    doc_url = _prefix("document")
    out = []
    for group in group_by_document(hits):
        h = group[0]
        lang = f' lang="{escape(h.language)}"' if h.language else ""
        meta = [escape(doctype(h.doc_type))]
        if h.language:
            meta.append(escape(language_name(h.language)))
        if h.published:
            when = escape(day(h.published))
            meta.append(f'<time datetime="{when}">{when}</time>')
        if len(group) > 1:
            meta.append(f"{len(group)} matching passages")
        more = "".join(f'<li><a href="{doc_url}{int(o.document_id)}#p-{int(o.passage_id)}" hx-boost="false"{lang}>'
                       f'{highlight(o.snippet, o.highlights)}</a></li>\n' for o in group[1:])
        more = (f'<ul class="more-passages" aria-label="Other matching passages of this document">\n{more}</ul>\n'
                if more else "")
        out.append(f'<li class="hit">\n<h3><a href="{doc_url}{int(h.document_id)}#p-{int(h.passage_id)}" '
                   f'hx-boost="false">{escape(h.title or "(untitled)")}</a></h3>\n'
                   f'<p class="snippet"{lang}>{highlight(h.snippet, h.highlights)}</p>\n'
                   f'<p class="meta">{" · ".join(meta)}</p>\n{more}</li>\n')
    return mark_safe("".join(out))  # titles, snippets and metadata above went through escape()


@register.simple_tag
def record_items(records, count: str, category: bool = False) -> str:
    """``<li>`` links to records (``id``, ``name``) with their ``count`` field, and their category when asked
    (rendered here, not by a template loop: a country lists hundreds of cities). Names go through escape()."""
    base = _prefix("entity")
    out = []
    for r in records:
        note = (f'<span class="muted">({escape(r["category"])}, {int(r[count])})</span>' if category
                else f'<span class="count">({int(r[count])})</span>')
        out.append(f'<li><a href="{base}{int(r["id"])}">{escape(r["name"])}</a> {note}</li>')
    return mark_safe("".join(out))  # names and categories went through escape()


@register.simple_tag
def record_rows(records, count: str) -> str:
    """Table rows: a link to each record and its ``count`` field. Names go through escape()."""
    base = _prefix("entity")
    return mark_safe("".join(f'<tr><td><a href="{base}{int(r["id"])}">{escape(r["name"])}</a></td>'
                             f'<td>{int(r[count])}</td></tr>' for r in records))  # names escaped


@register.simple_tag
def value_rows(pairs) -> str:
    """Table rows of ``(label, number)`` pairs. Labels go through escape()."""
    return mark_safe("".join(f"<tr><td>{escape(label)}</td><td>{int(n)}</td></tr>" for label, n in pairs))


@register.simple_tag
def mentioning_documents(documents) -> str:
    """Each document mentioning a record: its title linked, mentions, date and up to three passages with the mention
    highlighted, each linked to its place in the document. Every piece of text goes through escape()."""
    base = _prefix("document")
    out = []
    for d in documents:
        n = int(d["mentions"])
        when = f' · {escape(day(d["published"]))}' if d.get("published") else ""
        lang = f' lang="{escape(d["language"])}"' if d.get("language") else ""
        out.append(f'<div class="hit">\n  <h3><a href="{base}{int(d["id"])}">{escape(d["title"] or "(untitled)")}'
                   f'</a> <span class="muted">{n} mention{"" if n == 1 else "s"}{when}</span></h3>\n')
        for p in d["passages"][:3]:
            out.append(f'  <p class="snippet"{lang}><a href="{base}{int(d["id"])}#p-{int(p["id"])}" class="muted">¶'
                       f'</a> {highlight(p["text"], p["spans"])}</p>\n')
        out.append("</div>\n")
    return mark_safe("".join(out))  # titles, dates, languages and passages went through escape()


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


def linked(text: str, mentions, entity_path: str) -> str:
    """``text`` escaped, each ``(start, end, entity_id, category)`` mention made a link to its entity page (the
    entity pages' path prefix ``entity_path`` followed by its id)."""
    text = text or ""
    out, pos = [], 0
    for start, end, entity_id, category in mentions or ():
        if start < pos or end > len(text):
            continue
        category = escape(category)
        out.append(f'{escape(text[pos:start])}<a class="entity entity-{category}" href="{entity_path}{int(entity_id)}" '
                   f'title="{ENTITY_LABEL.get(category, category)}">{escape(text[start:end])}</a>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


@register.simple_tag
def passage_items(passages, codes) -> str:
    """Each passage of a document page as its element (a heading at its section's level, a list item or a
    paragraph) with its mentions linked to their entity pages, then its code labels (``coding_labels``). Rendered
    here rather than by a template loop: a report has hundreds of passages. Text goes through escape()."""
    from migrahub.web.templatetags.coding_labels import passage_codes

    entity_path = _prefix("entity")
    labelled = (codes or {}).get("passages") or {}
    out = []
    for p in passages:
        pid, text = int(p["id"]), linked(p["text"], p.get("mentions"), entity_path)
        if p["kind"] == "heading":
            level = heading_level(p["section"])
            out.append(f'<h{level} id="p-{pid}" class="passage heading">{text}</h{level}>\n')
        elif p["kind"] == "list_item":
            out.append(f'<p id="p-{pid}" class="passage list-item"><span aria-hidden="true">• </span>{text}</p>\n')
        else:
            out.append(f'<p id="p-{pid}" class="passage">{text}</p>\n')
        if p["id"] in labelled:
            out.append(passage_codes(codes, p["id"]))
    return mark_safe("".join(out))  # passage text went through escape() in linked(); labels are a template's


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, key)


@register.filter
def public_locator(value: str | None) -> str:
    """A locator as visitors may see it: URLs whole, an uploaded file as ``upload: NAME``, another local file by
    its name (never a server path)."""
    from django.conf import settings

    from migrahub.services.curation import public_locator as public

    return public(value or "", settings.MIGRAHUB_UPLOAD_DIR) if value else ""


@register.filter
def locator_filter(value: str | None) -> str:
    """The part of a locator to filter the search by: the URL, or a local file's name."""
    shown = public_locator(value)
    return shown.removeprefix("upload: ")


@register.filter
def public_locators(values) -> list[str]:
    return [public_locator(v) for v in values or ()]
