"""Template filters of the compare pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def score(value) -> str:
    """A score with one decimal, or an en dash when there is none."""
    return "–" if value is None else f"{value:.1f}"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def signed(value) -> str:
    return "" if value is None else f"{value:+.1f}"
