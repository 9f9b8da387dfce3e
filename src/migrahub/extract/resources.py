"""Resources stage: cited publications, documents and websites (title, author_or_org, year, url).

Sources: feed items ("Title https://link …"), quoted titles with a year or a link nearby ('Org, 2016, "Title",
available at: URL'), typed citations ("Working Paper: Title", "Policy Brief", "Report"), numbered link lists
("1) Title, May 26th 2019, https://…"), named websites ("X, website, accessible at: URL") and lines of a list under
a "Publications" heading.
"""

from __future__ import annotations

import re

from .records import Resource
from .resources_prose import prose_resources
from .segments import URL_RE, clean_inline, lines, paragraphs

STAGE = "extract/resources@2"

RSS_DATE_RE = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4} [\d:]+ [+-]\d{4}\s*")
QUOTED_RE = re.compile(r"[“\"]([^”\"\n]{8,250})[”\"]")
TYPED_RE = re.compile(
    r"\b(?:Working Paper|Policy Brief|Briefing Paper|Research Paper|Discussion Paper|Report|"
    r"Toolkit|Handbook|Guide|monograph(?:y)?|book|study|article|Rapport|Informe|Bericht|Studie)"
    r"(?: monography| monograph)?:?\s+([A-Z][^()\n]{10,200}?)(?=\s*\(https?://|, under |, forthcoming|"
    r" \(Palgrave|\.\s+The |\s*$|\. [A-Z][a-z]+ )"
)
NUMBERED_RE = re.compile(
    r"^\s*\d+[).]\s+(.{8,250}?),\s+(?:[A-Z][a-z]+ \d{1,2}(?:st|nd|rd|th)? \d{4}|\d{4}),\s+(https?://\S+)", re.M
)
WEBSITE_RE = re.compile(
    r"^(?:La |The )?([A-ZÀ-Þ'‘][^,\n]{2,80}), (?:website|article|web page|site web|sitio web)\b", re.M
)
PUBLIST_HEAD_RE = re.compile(
    r"\b(publications?|Publikationen|publicaciones|Veröffentlichungen|outputs|reports)\b", re.I
)
YEAR_RE = re.compile(r"\b((?:19|20)[0-9]{2})\b")


def _url_after(text: str, pos: int, limit: int = 400) -> str | None:
    m = URL_RE.search(text, pos, min(len(text), pos + limit))
    if not m:
        return None
    return m.group(0).rstrip(".,;>)\"'").replace("\\_", "_")


def _table_row(line: str) -> bool:
    """A row of a table (cells split by tabs, or by " | " once normalised), e.g. a contents line with its page."""
    return "\t" in line or " | " in line


def extract_resources(text, orgs, inits, ne_mentions=(), language=None) -> list[Resource]:
    out: list[Resource] = []
    seen: set[str] = set()
    main_org = None
    if orgs:
        main_org = max(orgs, key=lambda o: len(o.surface) * 0 + text.count(o.acronym or o.name)).name

    def add(title: str, author: str | None, year: int | None, url: str | None, fuzzy: bool = False) -> None:
        title = clean_inline(title).strip(" .,:;\"“”'‘’*")
        if len(title.split()) < 2 or len(title) > 300:
            return
        k = re.sub(r"\W+", " ", title.lower()).strip()
        if k in seen or fuzzy and _repeats(k, seen):
            return
        seen.add(k)
        out.append(Resource(f"resource:{len(out)}", title, author, year, url))

    # feed items: "Title https://link teaser…"
    for seg in lines(text):
        line = RSS_DATE_RE.sub("", seg.text)
        m = re.match(r"(.{12,250}?)\s+(https?://\S+)", line)
        if (
            m
            and not _table_row(line)
            and not re.search(r"(?:available|accessible|see|at):?\s*<?$", m.group(1), re.I)
            and not m.group(1).startswith(("<", "See", "see", "www", "http"))
            and len(m.group(1).split()) >= 3
            and not re.search(r"\.\s", m.group(1))
            and not QUOTED_RE.fullmatch(m.group(1).strip())
        ):
            ym = RSS_DATE_RE.match(seg.text)
            year = int(YEAR_RE.search(seg.text).group(1)) if ym else None
            add(m.group(1), main_org, year, m.group(2).rstrip(".,;"))
    for m in NUMBERED_RE.finditer(text):
        ym = YEAR_RE.search(m.group(0))
        add(
            m.group(1),
            None,
            int(ym.group(1)) if ym else None,
            m.group(2).rstrip("/.,;") + ("/" if m.group(2).endswith("/") else ""),
        )
    for p in paragraphs(text):
        ptext = p.text
        for m in QUOTED_RE.finditer(ptext):
            title = m.group(1)
            after = ptext[m.end() : m.end() + 120]
            before = ptext[max(0, m.start() - 150) : m.start()]
            cited = re.search(r"(?:available|accessible) at|https?://|\b(?:19|20)\d{2}\b", after + before)
            linked = re.search(r"(?:available|accessible|disponible) (?:at|en|sur)|https?://", after)
            if not cited or len(title.split()) < 3 or title[0].islower() or _sentence(title) and not linked:
                continue
            ym = YEAR_RE.search(before[-40:] + after[:40])
            auth = re.search(r"([A-ZÀ-Þ][^,\"“\n]{2,120}),\s*(?:(?:19|20)\d{2},\s*)?$", before)
            add(
                title,
                auth.group(1).strip() if auth else None,
                int(ym.group(1)) if ym else None,
                _url_after(text, p.start + m.end()),
            )
        for m in TYPED_RE.finditer(ptext):
            add(m.group(1), None, None, _url_after(text, p.start + m.end(), 40))
    for m in WEBSITE_RE.finditer(text):
        add(m.group(1).strip("'‘’") + " website", m.group(1), None, _url_after(text, m.end(), 200))
    # lines under a "Publications" heading
    active = False
    for seg in lines(text):
        t = seg.text.lstrip("#").replace("*", "").strip()
        words = t.split()
        if len(words) <= 6 and PUBLIST_HEAD_RE.search(t) and not t.endswith("."):
            active = True
            continue
        if not active:
            continue
        if _table_row(seg.text) or "http" in t or "www." in t or len(words) > 30 or t.endswith(".") and len(words) > 15:
            active = False
            continue
        if len(words) <= 2 and re.search(r"\b(projects?|contact|find us|web)\b", t, re.I):
            active = False
            continue
        years = YEAR_RE.findall(t)
        m = re.match(r"(.*?)\s+((?:19|20)\d{2})\s*&\s*((?:19|20)\d{2})$", t)
        if m:
            add(f"{m.group(1)} {m.group(2)}", main_org, int(m.group(2)), None)
            seen.discard(re.sub(r"\W+", " ", m.group(1).lower()).strip())
            add(f"{m.group(1)} {m.group(3)}", main_org, int(m.group(3)), None)
            continue
        add(t, main_org, int(years[0]) if years else None, None)
    # reports, brochures, videos, letters… cited in running prose
    for title, author, year in prose_resources(text, list(orgs) + list(inits), ne_mentions, language):
        add(title, author, year, None, fuzzy=True)
    return out


def _sentence(quoted: str) -> bool:
    """A quoted sentence, not a title: "We will continue to play our part in …" (a pronoun first, or a dozen words
    and more with few capitals)."""
    words = quoted.split()
    if words[0].lower() in ("we", "i", "you", "our", "nous", "je", "nosotros", "wir", "ich"):
        return True
    return len(words) >= 12 and sum(w[:1].isupper() for w in words) / len(words) < 0.25


def _repeats(key: str, seen: set[str]) -> bool:
    """A title whose words mostly repeat one already recorded ("Integrating Cities Report" after "6th Integrating
    Cities Report")."""
    ws = set(key.split())
    return any(len(ws & set(k.split())) / max(1, min(len(ws), len(k.split()))) >= 0.6 for k in seen)
