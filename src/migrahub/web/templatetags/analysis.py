"""The analysis tables (:class:`migrahub.coding.analysis.Table`) as accessible HTML tables: a caption, column and row
headers with the codes' names. Every label goes through escape()."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def analysis_table(table, labels: dict, caption: str, rows_are_codes: bool = True, columns_are_codes: bool = True):
    name = lambda v, codes: labels.get(v, v) if codes else v  # noqa: E731
    head = [f'<th scope="col">{escape(table.columns[0])}</th>']
    for c in table.columns[1:]:
        is_code = columns_are_codes and c in labels
        title = f' title="{escape(c)}"' if is_code and labels.get(c) != c else ""
        head.append(f'<th scope="col"{title}>{escape(name(c, is_code))}</th>')
    body = []
    for r in table.rows:
        cells = "".join(f"<td>{'–' if v is None else escape(v)}</td>" for v in r[1:])
        label = name(r[0], rows_are_codes and r[0] in labels) if r[0] != "*" else "All codes"
        body.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    if not body:
        body.append(f'<tr><td colspan="{len(table.columns)}">Nothing coded yet.</td></tr>')
    return mark_safe(f'<table class="analysis"><caption>{escape(caption)}</caption><thead><tr>{"".join(head)}</tr>'
                     f'</thead><tbody>{"".join(body)}</tbody></table>')  # every label went through escape()
