"""axe-core in the browser tests: the vendored axe.min.js (4.14.1 from the npm package `axe-core`, MPL-2.0, licence
beside it in tests/web/vendor/) run on a page with the rules the hub is held to."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
_RUN = ("tags => axe.run(document, {runOnly: tags}).then(r => r.violations.map(v => "
        "`${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`))")


def violations(pg) -> list[str]:
    """axe-core's violations on the current page, one line each (rule, impact, first targets)."""
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        pg.add_script_tag(path=str(AXE))
    return pg.evaluate(_RUN, AXE_TAGS)


def page_problems(pg, path: str) -> list[str]:
    """Open ``path`` and list its axe-core violations and a sideways scroll, each prefixed with the page and width."""
    pg.goto(path)
    where = f"{path} @{pg.viewport_size['width']}px"
    found = [f"{where}: {v}" for v in violations(pg)]
    if pg.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
        found.append(f"{where}: the page scrolls sideways")
    return found
