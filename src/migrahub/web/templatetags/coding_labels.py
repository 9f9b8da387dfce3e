"""Read-only code labels on the document page: ``{% document_codes doc.id as codes %}`` once, then
``{% passage_codes codes p.id %}`` after each passage and ``{% code_styles codes %}`` for their colours."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import get_template

from migrahub.services import documents as docs
from migrahub.services import workspace

register = template.Library()


@register.simple_tag
def document_codes(document_id: int) -> dict:
    return workspace.passage_labels(docs.reader(settings.MIGRAHUB_DB), document_id)


@register.simple_tag
def passage_codes(codes: dict, passage_id: int) -> str:
    """The passage's labels (``web/coding/_labels.html``); nothing, without rendering that template, for a passage
    without codes (most of a page's passages)."""
    labels = (codes or {}).get("passages", {}).get(passage_id, ())
    return get_template("web/coding/_labels.html").render({"labels": labels}) if labels else ""


@register.inclusion_tag("web/coding/_label_styles.html")
def code_styles(codes: dict) -> dict:
    return {"codebooks": (codes or {}).get("codebooks", ())}
