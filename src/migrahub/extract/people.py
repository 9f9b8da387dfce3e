"""People stage: named persons with role and organisation when stated.

Evidence, any of: a title (Mr/Ms/Mrs/Dr/Prof, M./Mme, Sr./Sra., Herr/Frau), a role noun before the name ("Mayor
X Y", "Director-General X Y"), a role after it ("X Y, Director of Z", "X Y<TAB>Policy Analyst", "X Y (Milan)" in a
list of members), an authorship/chair cue ("drafted by", "chaired by", "together with"), a list of names after
"members"/"staff", or a common given name (``data/given_names.txt``) followed by a capitalised surname.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .budget import checkpoint
from .gazetteer import fold
from .names import INIT_HEADS, ORG_HEADS
from .records import Mention, Person
from .segments import add_window, as_spans, inside

STAGE = "extract/people@1"
DATA = Path(__file__).with_name("data")

NAME_TOKEN = r"[A-ZÀ-ÖØ-ÞŁŚŻĆ][a-zà-öø-ÿłśżćńğışçœ'’]+(?:-[A-ZÀ-Þ][a-zà-öø-ÿ'’]+)?"
PARTICLE = (
    r"(?:van der|van den|van de|van|von der|von|de la|de los|del|de|da|di|du|le|la|ter|ten|bin|ibn|al|el|dos|das)"
)
NAME = rf"{NAME_TOKEN}(?: (?:{PARTICLE} )?{NAME_TOKEN}){{1,2}}"
TITLE = r"(?:Mr|Ms|Mrs|Dr|Prof|Professor|Mme|Mlle|Sr|Sra|Herr|Frau|Dra|Doctor|Docteur|Monsieur|Madame|Señor|Señora)\.?"
ROLE_WORDS = (
    r"Director(?:-General)?|Director General|Deputy Director|Head|Chair(?:person|man|woman)?|President|"
    r"Vice-President|Mayor|Deputy Mayor|Minister|Secretary(?:-General)?|Secretary General|Commissioner|"
    r"Ambassador|Coordinator|Manager|Officer|Analyst|Editor|Strategist|Advisor|Adviser|Researcher|"
    r"Fellow|Lecturer|Professor|Expert|Specialist|Consultant|Representative|Treasurer|Founder|CEO|"
    r"Principal Investigator|Investigator|Assistant|Intern|Programme Manager|Project Manager|Rapporteur|"
    r"Directeur|Directrice|Maire|Ministre|Président|Présidente|Chargée?|Responsable|Conseill[eè]re?|"
    r"Directora?|Alcaldes?a?|Ministra?|Presidenta?|Coordinadora?|Jefe|Jefa|Responsable|"
    r"(?:Oberb|Erster B|Regierender B|B)ürgermeister(?:in)?|Bundeskanzler(?:in)?|"
    r"(?:Bundes|Landes|Staats)minister(?:in)?|"
    r"(?:Bundes|Minister)präsident(?:in)?|Staatssekretär(?:in)?|Leiter(?:in)?|Direktor(?:in)?|Minister(?:in)?|Präsident(?:in)?|Referent(?:in)?|"
    r"Koordinator(?:in)?|Geschäftsführer(?:in)?|Vorsitzende[r]?|support|Support"
)
ROLE_TOKEN_RE = re.compile(rf"(?:{ROLE_WORDS})")
TITLED_RE = re.compile(rf"\b{TITLE} ({NAME_TOKEN}(?: (?:{PARTICLE} )?{NAME_TOKEN}){{0,2}})")
ROLE_BEFORE_RE = re.compile(rf"\b(?:{ROLE_WORDS})(?: of [A-Z][\w-]+)?,? ({NAME})\b")
ROLE_AFTER_RE = re.compile(
    rf"(?<![\w-])({NAME}),? *\(?(?:the |a |an )?((?:[\w&-]+ ){{0,4}}(?:{ROLE_WORDS})\b[^;\n]{{0,140}})"
)
TAB_ROLE_RE = re.compile(rf"^({NAME})(?:\t+| \| )([^\t\n|]+)$", re.M)  # a table row: tab or " | "
CUE_RE = re.compile(
    rf"\b(?:drafted|written|chaired|edited|authored|led|presented|moderated|facilitated|coordinated|signed|interviewed) by ({NAME})\b|\btogether with ({NAME})\b|\bBy ({NAME})\b"  # noqa: E501
)
MEMBER_CUE_RE = re.compile(
    r"\b(?:members?|staff(?: members)?|team|speakers|participants|Mitglieder|membres|miembros)\b"
)
MEMBER_LEAD_RE = re.compile(r"[^.\n:]{0,40}?(?: are| were|:| include| including)?\s+")
LIST_SEP_RE = re.compile(r",|;| and| et| y| und")
PAREN_AFFIL_RE = re.compile(rf"(?<![\w-])({NAME}) \(([A-Z][^()\n]{{1,60}})\)")
GIVEN_RE_CACHE: dict = {}
NOT_NAME_WORDS = {
    "Migration",
    "Policy",
    "Development",
    "Report",
    "City",
    "Cities",
    "Network",
    "European",
    "Global",
    "International",
    "National",
    "Local",
    "Forum",
    "Summit",
    "Project",
    "Programme",
    "Initiative",
    "Council",
    "Union",
    "Agency",
    "Office",
    "Group",
    "Foundation",
    "University",
    "Institute",
    "Centre",
    "Center",
    "Ministry",
    "Government",
    "Day",
    "Week",
    "Research",
    "Social",
    "Platform",
    "Index",
    "Agenda",
    "Action",
    "Plan",
    "Partnership",
    "Fund",
    "Republic",
    "Kingdom",
    "States",
    "United",
    "Nations",
    "News",
    "Expert",
    "Voice",
    "Story",
    "The",
    "And",
    "Of",
    "For",
    "Annual",
    "Activities",
    "Contents",
    "Table",
    "Board",
    "Staff",
    "Team",
    "Support",
    "Management",
    "Message",
    "Vision",
    "Values",
    "Director",
    "Head",
    "Chair",
    "Mayor",
    "Minister",
    "President",
    "Secretary",
    "Summer",
    "School",
    "Training",
    "Workshop",
    "Conference",
    "Meeting",
    "Committee",
    "Commission",
    "Department",
    "Directorate",
    "Service",
    "Services",
    "Affairs",
    "Rights",
    "Human",
    "Mobility",
    "Law",
    "Review",
    "Sheet",
    "Guidance",
    "Municipalities",
    "Municipality",
    "Steering",
    "Working",
    "Coalition",
    "Alliance",
    "Association",
    "Federation",
    "Society",
    "Bank",
    "Court",
    "Parliament",
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Latin",
    "America",
    "Africa",
    "Asia",
    "Europe",
    "Sea",
    "Island",
    "Islands",
    "Coast",
    "Street",
    "Road",
    "Avenue",
    "Rue",
    "Box",
    "Part",
    "Annex",
    "Chapter",
    "Section",
    "Figure",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    "Civil",
    "Integration",
    "Refugee",
    "Refugees",
    "Migrants",
    "Migrant",
    "Asylum",
    "Welcome",
    "Welcoming",
    "Diaspora",
    "Campaign",
    "Coordinator",
    "Manager",
    "Analyst",
    "Editor",
    "Officer",
    "Strategist",
    "Content",
    "Legal",
    "Financial",
    "Communications",
    "Community",
    "Statistical",
    "Former",
    "Thanks",
    "Special",
    "Quito",
    "Mediterranean",
    "Grande",
}


@dataclass(frozen=True)
class PersonHit:
    start: int
    end: int
    name: str
    role: str | None
    organisation: str | None
    strength: int


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    words = []
    for line in (DATA / "given_names.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        words += line.split()
    return frozenset(words) | frozenset(fold(w) for w in words)


def _plausible(name: str) -> bool:
    toks = name.split()
    if len(toks) < 2 or len(toks) > 5:
        return False
    if any(t in NOT_NAME_WORDS or t in ORG_HEADS or t in INIT_HEADS for t in toks):
        return False
    if any(t.isupper() and len(t) > 1 for t in toks):
        return False
    return not any(ROLE_TOKEN_RE.fullmatch(t) for t in toks)  # "Potsdams Oberbürgermeister Mike"


def _place_like(name: str) -> bool:
    from .places import lookup

    return lookup(name) is not None


def find_people(text: str, exclude: list[tuple[int, int]] = ()) -> list[PersonHit]:
    hits: list[PersonHit] = []
    exclude = as_spans(exclude)

    def add(m: re.Match, group: int, strength: int, role: str | None = None, org: str | None = None) -> None:
        name = m.group(group)
        if not name:
            return
        s, e = m.start(group), m.end(group)
        title = TITLE_WORD_RE.match(name)  # "Ms Claudín", "Senator Ratna Omidvar": the title is not the name
        if title:
            name, s = name[title.end() :], s + title.end()
        possessive = POSSESSIVE_END_RE.search(name)  # "Donald Trump’s"
        if possessive:
            name, e = name[: possessive.start()], s + possessive.start()
        if inside(s, e, exclude) or not _plausible(name) or _place_like(name):
            return
        if any(ROLE_TOKEN_RE.fullmatch(t) for t in name.split()[1:]):  # "Potsdams Oberbürgermeister Mike"
            return
        hits.append(PersonHit(s, e, name, role, org, strength))

    for m in TITLED_RE.finditer(text):
        checkpoint()
        name = m.group(1)
        if len(name.split()) == 1:
            continue
        add(m, 1, 4)
    for m in TAB_ROLE_RE.finditer(text):
        add(m, 1, 3, m.group(2).strip(), None)
    for m in ROLE_BEFORE_RE.finditer(text):
        checkpoint()
        add(m, 1, 3, m.group(0)[: m.start(1) - m.start(0)].strip(" ,"), None)
    for m in ROLE_AFTER_RE.finditer(text):
        checkpoint()
        role, org = _split_role(m.group(2))
        add(m, 1, 3, role, org)
    for m in CUE_RE.finditer(text):
        for g in (1, 2, 3):
            if m.group(g):
                add(m, g, 3)
    for m in PAREN_AFFIL_RE.finditer(text):
        checkpoint()
        first = m.group(1).split()[0]
        if first in given_names() or re.search(
            r"\b(members?|chaired|steering|board|team)\b", text[max(0, m.start() - 300) : m.start()], re.I
        ):
            add(m, 1, 2, None, m.group(2).strip())
    for body_start, body in _member_lists(text):
        for part in re.finditer(r"[^,;]+", body):
            chunk = part.group(0)
            chunk_clean = re.sub(r"^\s*(?:and|et|y|und)\s+", "", chunk).strip()
            mm = re.match(rf"({NAME})\b", chunk_clean)
            if mm and len(chunk_clean) - len(mm.group(1)) < 40:
                s = body_start + part.start() + chunk.index(mm.group(1))
                name = mm.group(1)
                if not inside(s, s + len(name), exclude) and _plausible(name) and not _place_like(name):
                    hits.append(PersonHit(s, s + len(name), name, None, None, 2))
    given = given_names()
    for m in re.finditer(rf"(?<![\w-])({NAME})(?![\w-])", text):
        checkpoint()
        name = m.group(1)
        if name.split()[0] in given:
            add(m, 1, 1)
    # keep non-overlapping, strongest first
    out: list[PersonHit] = []
    occupied = bytearray(len(text) + 1)
    for h in sorted(hits, key=lambda h: (-h.strength, -(h.end - h.start))):
        if any(occupied[h.start : h.end]):
            continue
        occupied[h.start : h.end] = b"\x01" * (h.end - h.start)
        out.append(h)
    return sorted(out, key=lambda h: h.start)


def _member_lists(text: str) -> list[tuple[int, str]]:
    """Lists of names after "members"/"staff"/"speakers" …: (offset, body) of each, the body up to the sentence end.

    A body is two or more items separated by commas, semicolons or "and", each starting with a capital letter and
    4 to 61 characters long (an item may hold a comma or "and" when the part after it is not capitalised:
    "Ana Ruiz, director, and Luis Gil"). Between the cue and the list, up to 40 characters ("of the Board are").
    Checked in one pass per candidate start that stops at the first item that cannot be one, never by backtracking.
    """
    out: list[tuple[int, str]] = []
    covered = 0  # a cue inside a list already found adds nothing
    for cue in MEMBER_CUE_RE.finditer(text):
        checkpoint()
        if cue.start() < covered:
            continue
        stop = cue.end()
        while stop < len(text) and stop - cue.end() < 4_000 and text[stop] not in ".\n":
            stop += 1
        for k in range(cue.end() + 1, min(stop, cue.end() + 48)):
            if not (text[k - 1].isspace() and _upper(text[k]) and MEMBER_LEAD_RE.fullmatch(text, cue.end(), k)):
                continue
            if _list_shape(text, k, stop):
                out.append((k, text[k:stop]))
                covered = stop
                break
    return out


def _upper(ch: str) -> bool:
    return "A" <= ch <= "Z" or "À" <= ch <= "Þ"


def _list_shape(text: str, start: int, stop: int) -> bool:
    """``text[start:stop]`` is two or more items, each split off at a separator followed by a capital letter."""
    items = 0
    item_start = start
    for sep in LIST_SEP_RE.finditer(text, start, stop):
        nxt = sep.end()
        while nxt < stop and text[nxt].isspace():
            nxt += 1
        if nxt < stop and _upper(text[nxt]):
            if not _item_ok(text, item_start, sep.start()):
                return False
            items += 1
            item_start = nxt
        elif sep.start() - item_start > 61:
            return False
    return items >= 1 and _item_ok(text, item_start, stop)


def _item_ok(text: str, a: int, b: int) -> bool:
    return 4 <= b - a <= 61 and _upper(text[a]) and ";" not in text[a:b]


# two capitalised words in a row: where a model may find a person the rules did not
BIGRAM_RE = re.compile(r"(?<![\w’'-])([A-ZÀ-ÖØ-Þ][\w'’-]+)(?= ([A-ZÀ-ÖØ-Þ][\w'’-]+))")  # overlapping pairs
MODEL_TOKEN_RE = re.compile(
    rf"^(?:{NAME_TOKEN}|[A-Z]\.?|[A-Z][a-z]+[A-Z][a-z]+)$"  # a name, an initial, "EunSook"
)
TITLE_WORD_RE = re.compile(
    rf"^(?:(?:{TITLE}|{ROLE_WORDS}|Senator|Senadora?|Sénat(?:eur|rice)|Député[e]?|Diputad[oa])\s+)+"
)
POSSESSIVE_END_RE = re.compile(r"[’']s?$")


@lru_cache(maxsize=8)
def common_words(language: str) -> frozenset[str]:
    """Frequent words of a language, lower-cased (``data/common_words_LANG.txt``); empty for other languages."""
    path = DATA / f"common_words_{language}.txt"
    if not path.exists():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if not w.startswith("#"))


@lru_cache(maxsize=1)
def _all_common_words() -> frozenset[str]:
    return frozenset().union(*(common_words(lang) for lang in ("en", "fr", "es", "de")))


def _common_phrase(toks: list[str], language: str | None) -> bool:
    """ "General Conesa", "Ciudades Refugio", "Good Ideas": the first word is a frequent word, not a given name."""
    if any(t in given_names() for t in toks):
        return False
    return toks[0].lower() in _all_common_words()


WINDOW = 40  # characters of context either side of a pair of capitalised words


def model_people(text: str, language: str | None, found: list[PersonHit], exclude=()) -> list[PersonHit]:
    """Persons a statistical model finds in the sentences where the rules found none but two capitalised words stand
    together (French and Spanish names without a title or a listed given name); checked like the rules' names."""
    from . import nlp

    if not nlp.available(language):
        return []
    exclude = as_spans(exclude)
    have = as_spans([(h.start, h.end) for h in found])
    common = _all_common_words()
    spans: list[tuple[int, int]] = []
    for m in BIGRAM_RE.finditer(text):
        checkpoint()
        first, second, end = m.group(1), m.group(2), m.end(2)
        if have.overlaps(m.start(), end) or exclude.overlaps(m.start(), end):
            continue
        # a name starts with a given name or a word that is no frequent word ("Patxi López", "Élodie Marchand"):
        # the capitalised words of titles and names of bodies ("Local Action", "Gobiernos Locales") are not read
        if first.lower() in common and first not in given_names():
            continue
        if first in NOT_NAME_WORDS or first in ORG_HEADS or second in NOT_NAME_WORDS:
            continue
        # the model reads the words around the pair (within its line), enough to tell a name from a place
        add_window(spans, text, m.start(), end, WINDOW)
    out = []
    for e in nlp.entities(text, spans, language):
        if e.label != "person":
            continue
        name, start = e.text, e.start
        title = TITLE_WORD_RE.match(name)  # "Mayor R. T. Rybak" → "R. T. Rybak"
        if title:
            name, start = name[title.end() :], start + title.end()
        name = re.sub(r"[’']s$", "", name.strip())
        toks = name.split()
        if (
            "\n" in name
            or not 2 <= len(toks) <= 4
            or not all(MODEL_TOKEN_RE.match(t) for t in toks)
            or not toks[-1][-1].isalpha()
            or any(t in NOT_NAME_WORDS or t in ORG_HEADS or t in INIT_HEADS for t in toks)
            or _place_like(toks[0])
            or _place_like(name)
            or _common_phrase(toks, language)
            or have.overlaps(start, start + len(name))
            or exclude.overlaps(start, start + len(name))
        ):
            continue
        out.append(PersonHit(start, start + len(name), name, None, None, 1))
    return out


def _split_role(role_text: str) -> tuple[str | None, str | None]:
    role_text = role_text.strip(" ,()")
    m = re.match(r"(.+?)\s+(?:of|at|,)\s+(?:the\s+)?([A-Z].+)$", role_text)
    if m:
        return m.group(1).strip(), m.group(2).strip(" .,)")
    return role_text or None, None


def build_people(text: str, hits: list[PersonHit], orgs, inits, places) -> tuple[list[Person], list[Mention]]:
    """One record per distinct name; a bare surname later in the text links to the full name when unique."""
    people: dict[str, dict] = {}
    mentions = []
    for h in hits:
        key = "person:" + re.sub(r"[^a-z0-9]+", " ", fold(h.name).lower()).strip()
        rec = people.setdefault(key, {"name": h.name, "role": None, "organisation": None})
        rec["role"] = rec["role"] or h.role
        rec["organisation"] = rec["organisation"] or h.organisation
        mentions.append(Mention("people", key, h.start, h.end, h.name, STAGE))
    out = [Person(k, v["name"], v["role"], v["organisation"]) for k, v in people.items()]
    return out, mentions
