"""Organisations and initiatives stage: registry look-up, acronym pairs, head-noun name phrases, organisation lists.

Sources, strongest first:
1. the registry (``registry.py``): curated names, aliases in several languages and acronyms → registry id;
2. acronym pairs stated in the text ("Long Name (ACR)"), which also link every later bare "ACR";
3. capitalised name phrases with an organisation or initiative head noun (``names.py``);
4. items of lists introduced by a heading about organisations/partners/members/funders;
5. government patterns: "Government of X", "City of X", "X City Council", "Municipality of X".

Records are grouped per document by registry id, else by acronym, else by normalised name; every occurrence is
kept as a :class:`Mention`. The category (organisation vs initiative) comes from the registry, else from the
right-most head noun, else from the words around the first mention ("project", "programme" …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import names as nm
from .acronyms import AcronymPair, find_pairs
from .budget import checkpoint
from .gazetteer import fold, select_longest
from .records import Initiative, Mention, Organisation
from .registry import INITIATIVE_KINDS, ORG_KINDS, Entry, registry_gazetteer
from .segments import as_spans, inside, lines

STAGE = "extract/organisations@1"

LIST_HEADING_RE = re.compile(
    r"\b(organi[sz]ations?|partners?|members?|funders?|donors?|supporters?|support|sponsors?|signator(?:y|ies)|"
    r"participants?|partenaires|membres|bailleurs|socios|miembros|financiadores|organizaciones|organismes|"
    r"Partner|Mitglieder|Förderer|Organisationen|Unterstützer)\b",
    re.I,
)
LIST_STOP_RE = re.compile(
    r"\b(staff|team|board|publications?|resources?|contents|projects?|contact|find us|annex)\b", re.I
)
BULLET_RE = re.compile(r"^\s*(?:[-•*·▪–]\s*)+(?:·\s*)?")
# at most five capitalised words of a name on either side of the pattern, so that a failed attempt costs a bounded
# number of steps wherever it starts (a line of 5,000 capitalised words is read in one pass)
GOV_PATTERNS = [
    re.compile(
        r"\b(?:City|Municipality|Region|Province|Town|Commune|Ville|Ciudad|Stadt|Gemeinde|Ayuntamiento|Mairie|Canton|County|State|Government|Gouvernement|Gobierno|Regierung) (?:of|de|du|de la|der|von) (?:the )?[A-ZÀ-Þ][\w'’\-]++(?: [A-ZÀ-Þ][\w'’\-]++){0,5}"  # noqa: E501
    ),
    re.compile(
        r"\b[A-ZÀ-Þ][\w'’\-]++(?: [A-ZÀ-Þ][\w'’\-]++){0,5} (?:City Council|City Hall|Municipality|Municipal Council|County Council|Town Council|Government|Council)\b"  # noqa: E501
    ),
]
# "Stadt Ulm", "Landeshauptstadt Potsdam", "la mairie de Grande-Synthe": a municipal noun and a place's name
MUNICIPAL_RE = re.compile(
    r"(?<![\w-])(?:(?:Landeshauptstadt|Hansestadt|Stadt|Gemeinde|Marktgemeinde|Bezirksamt|Rathaus) |"
    r"(?:[Mm]airie|[Vv]ille|[Aa]yuntamiento|[Mm]unicipalidad|[Aa]lcaldía|[Ii]ntendencia) (?:de |d’|d')(?:la )?)"
    r"(?=[A-ZÀ-Þ])"
)
# a capitalised verb of a headline ends the name before it
HEADLINE_VERB_RE = re.compile(
    r"\b(?:Hosts|Votes|Launches|Announces|Calls|Joins|Welcomes|Opens|Signs|Adopts|Celebrates|Wins|Releases|"
    r"Presents|Publishes|Holds|Says|Urges|Commits|Marks|Receives|Approves|Lance|Annonce|Accueille|Lanza|Anuncia|"
    r"Presenta|Startet|Fordert)\b"
)
NOT_NAME_END_RE = re.compile(
    r"\b(?:Press Release|Press Conference|Press Kit|Newsletter|Communiqué de presse|Nota de prensa)$"
)
GOV_OF_RE = re.compile(
    r"^(?:City|Municipality|Town|Commune|Ville|Ciudad|Stadt|Gemeinde|County) (?:of|de|du|de la|der|von) (?:the )?(.+)$"
)
OWNER_TAIL_RE = re.compile(
    r" (?:of|de|du|der|des) (?:the |la |l’|l')?(?:City|Municipality|Town|County|Ville|Commune|Ciudad|Municipio|"
    r"Stadt|Gemeinde) (?:of|de|du|der|von) [A-ZÀ-Þ].*$"
)
MEDIA_NOUNS = {"newspaper", "paper", "daily", "agencia", "periódico", "diario", "journal", "zeitung", "magazine"}
ORG_NOUN_RE = re.compile(
    r"(?<![\w-])(?:[lL][’'])?(?P<noun>association|collectif|fondation|fédération|asociación|fundación|colectivo|"
    r"organización|entidad|charity|nonprofit|non-profit|NGO|ONG|newspaper|paper|daily|magazine|agencia|periódico|"
    r"diario|journal|Verein|Zeitung|Initiative|Organisation)\s+(?=[A-ZÀ-Þ])"
)
# "Brücken bauen e.V.": a registered German association, its name between an article (or Verein) and "e.V."
EV_RE = re.compile(
    r"(?:\b(?:Verein|der|die|den|dem|des|Der|Die)\s+)([A-ZÄÖÜ][\w-]*(?:\s+[\w-]+){0,4}?)\s+e\.\s?V\.(?!\w)"
)
BARE_ACRONYM_RE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,2}[A-Z][A-Z0-9]{0,6}(?:-[A-Z][a-z]+)?(?![\w-])")
# the words right around a name without a head noun ("the LoReMi project", "the programme … (ACR)") say whether it
# is an initiative; words further away describe its neighbours in a list or a sentence
CONTEXT_CHARS = 30
INIT_CONTEXT_WORDS = {"project", "programme", "program", "campaign", "projet", "proyecto", "programa", "projekt"}


@lru_cache(maxsize=1)
def generic_acronyms() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "generic_acronyms.txt"
    return frozenset(w for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
                     for w in line.split())


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    from .people import _all_common_words

    return _all_common_words()


UPPER_WORD_RE = re.compile(r"[A-ZÀ-Þ]{2,}")


def _upper_neighbour(text: str, start: int, end: int) -> bool:
    """Another upper-case word right before or after: an upper-case title ("HOW CITIES CAN"), not a name."""
    before = text[max(0, start - 30) : start].split()
    after = text[end : end + 30].split()
    prev = before[-1].strip(":,.;-–()") if before else ""
    nxt = after[0].strip(":,.;-–()") if after else ""
    return bool(UPPER_WORD_RE.fullmatch(prev) or UPPER_WORD_RE.fullmatch(nxt))


# "… Forum on Human Mobility, Migration and Development", "… for Safe, Orderly and Regular Migration": an enumeration
# of capitalised words closed by "and" goes on the name (at most six items, each of at most four words)
_CAPS = r"[A-ZÀ-Þ][\w’'-]*(?: [A-ZÀ-Þ][\w’'-]*){0,3}"
ENUMERATION_RE = re.compile(rf"(?:, {_CAPS}){{1,6}},? (?:and|et|y|und) {_CAPS}")
# "the Tourism, Equalities, Communities & Culture Committee": an enumeration of capitalised words after an article,
# closed by "&" or "and" inside the headed name, opens the name
LEADING_ENUMERATION_RE = re.compile(
    rf"(?:\b(?:the|The|la|La|le|Le|el|El|los|Los|der|Der|die|Die) )((?:{_CAPS}, ){{1,6}})$"
)
LEADING_ENUMERATION_AND_RE = re.compile(r"^[A-ZÀ-Þ][\w’'-]*(?: [A-ZÀ-Þ][\w’'-]*){0,3} (?:&|and|et|y|und) ")
TRAILING_PLACE_RE = re.compile(r"^(.+?) (?:in|à|en) ([A-ZÀ-Þ][\w’'-]*(?: [A-ZÀ-Þ][\w’'-]*){0,2})$")
HEAD_THEN_NAME_RE = re.compile(
    r"^(?:Programme|Program|Programa|Programm|Project|Projet|Proyecto|Projekt|Initiative|Iniciativa|Campaign|"
    r"Campagne|Campaña|Kampagne|Plataforma|Plateforme|Platform) ([A-ZÀ-Þ][\w’'-]+)$"
)


def _shape_phrase(text: str, p: nm.Phrase, exclude) -> nm.Phrase:
    """A name phrase with its closing enumeration, without a trailing "in <place>"."""
    if nm.init_head(p.text) or nm.org_head(p.text):
        m = ENUMERATION_RE.match(text, p.end)
        if m and not exclude.overlaps(m.start(), m.end()) and "\n" not in m.group(0):
            p = nm.Phrase(p.start, m.end(), text[p.start : m.end()])
    if (nm.init_head(p.text) or nm.org_head(p.text)) and LEADING_ENUMERATION_AND_RE.search(p.text):
        m = LEADING_ENUMERATION_RE.search(text, max(0, p.start - 160), p.start)
        if m and not exclude.overlaps(m.start(1), p.start) and "\n" not in m.group(1):
            p = nm.Phrase(m.start(1), p.end, text[m.start(1) : p.end])
    m = TRAILING_PLACE_RE.match(p.text)
    if m and _is_place_name(m.group(2)):  # "Declaration on Migration in Marrakesh", "Metro Government in Kentucky"
        p = nm.Phrase(p.start, p.start + len(m.group(1)), m.group(1))
    return p


GERMAN_ADJECTIVE_RE = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(?:e|en|er|es|em)$")


def _german_prose(name: str) -> bool:
    """Capitalised German nouns that are all frequent words ("Land und Bund"), or an adjective before them
    ("Bundesweite Initiative"): prose, not a name."""
    from .people import common_words as lang_words

    words = [w for w in nm.words_of(name) if not re.fullmatch(nm.CONN, w)]
    common = lang_words("de")
    if len(words) < 2:
        return False
    if any(_town_adjective(w) for w in words):  # "Kölner Netzwerk Willkommen", "Potsdamer Erklärung"
        return False
    adjective = len(words) == 2 and GERMAN_ADJECTIVE_RE.match(words[0])
    rest = words[1:] if adjective else words
    return all(w.lower() in common for w in rest)


def _town_adjective(word: str) -> bool:
    """ "Potsdamer", "Marburger": a town's adjective makes a proper name ("Potsdamer Erklärung")."""
    return word.endswith("er") and _is_place_name(word[:-2])


def _shouting_line(text: str, pos: int) -> bool:
    """The line around ``pos`` is mostly upper case (a heading or a menu), where upper case says nothing."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    line = text[a : b if b >= 0 else len(text)][:400]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


JOB_TITLE_END_RE = re.compile(
    r"\b(?:Officer|Manager|Coordinator|Assistant|Director|Adviser|Advisor|Specialist|Analyst|Consultant|Intern|"
    r"Officers|Managers|Coordinators|Chargée?|Responsable|Coordinadora?|Referent(?:in)?|Koordinator(?:in)?)$"
)
PROSE_INSIDE_RE = re.compile(r"\b(?:in|an|auf) (?:die|den|das)\b")
CONTEXT_INIT_RE = re.compile(
    r"\b(project|programme|program|initiative|campaign|platform|network|process|index|tool|"
    r"projet|programme|proyecto|programa|campaña|Projekt|Programm|Kampagne)\b",
    re.I,
)
GERUND_RE = re.compile(
    r"^(?:Supporting|Strengthening|Enhancing|Building|Promoting|Improving|Developing|Fostering|"
    r"Facilitating|Harnessing|Mainstreaming|Reinforcing|Integrated|Evidence-\w+|Towards|Local Responses|"
    r"Migration Policy in)\b"
)
ACR_PLURAL_RE = re.compile(r"^[A-Z]+s$")


@dataclass
class Cand:
    start: int
    end: int
    surface: str
    category: str  # organisations | initiatives
    key: str
    name: str
    acronym: str | None = None
    kind: str | None = None
    country: str | None = None
    entry: Entry | None = None
    strength: int = 0
    extra: dict = field(default_factory=dict)


@lru_cache(maxsize=65536)
def norm_key(name: str) -> str:
    s = fold(name).lower()
    s = re.sub(r"[’'`]", "", s)
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    s = re.sub(r"^(the|la|le|el|les|los) ", "", s)
    return s


def org_kind(name: str, context: str = "") -> str:
    n = name
    low = n.lower()
    if re.search(r"\b(United Nations|UN)\b", n):
        return "un"
    if re.search(r"\b(European|EU)\b", n) and re.search(
        r"\b(Commission|Parliament|Council|Agency|Directorate|Office|Union|Court|Committee)\b", n
    ):
        return "eu"
    if re.search(
        r"\b(univers|institut|research|studies|centre for|center for|observator|académ|academ|school|college|hochschule|think)",  # noqa: E501
        low,
    ):
        return "research"
    if re.search(r"\b(foundation|fondation|fundaci[oó]n|fundacao|stiftung|trust|fund)\b", low):
        return "foundation"
    if re.search(
        r"\b(church|catholic|archdiocese|diocese|caritas|methodist|faith|islamic|jewish|muslim|christian|parish|religious|église|iglesia|kirche|diakonie|menonita|mennonite)\b",
        low,
    ):
        return "religious"
    if re.search(
        r"\b(city|municipal|municipality|municipalité|mairie|ayuntamiento|town|commune|region of|county|stadt|gemeinde|mayor)\b",  # noqa: E501
        low,
    ):
        return "local_government"
    if re.search(
        r"\b(ministry|ministère|ministerio|ministerium|government|gouvernement|gobierno|regierung|directorate|department|embassy|mission|agency|office|bundesamt|amt|court|police|commission on|high commission)\b",  # noqa: E501
        low,
    ):
        return "government"
    if re.search(r"\b(cities|mayors|eurocities|local governments)\b", low):
        return "city_network"
    if re.search(r"\b(news|times|post|media|tv|radio|journal|press)\b", low) or re.search(
        r"(zeitung|rundschau|anzeiger|kurier|blatt)\b", low
    ):
        return "media"
    if re.search(r"\b(ltd|inc|gmbh|plc|company|corporation|legal services|consulting|bank)\b", low):
        return "business"
    return "ngo"


def _classify(name: str, context: str) -> tuple[str, str]:
    """(category, kind) of an unregistered name."""
    ik = nm.init_head(name)
    if nm.last_head_is_org(name) or (nm.org_head(name) and ik is None):
        if re.match(r"^(United Nations|UN)\b", name) or ik is None or nm.last_head_is_org(name):
            return "organisations", org_kind(name)
    if ik is not None:
        return "initiatives", ik
    if GERUND_RE.match(name):
        return "initiatives", "project"
    m = CONTEXT_INIT_RE.search(context)
    if m:
        word = m.group(1).lower()
        kind = {
            "programme": "programme",
            "program": "programme",
            "programa": "programme",
            "initiative": "programme",
            "campaign": "campaign",
            "campaña": "campaign",
            "kampagne": "campaign",
            "platform": "platform",
            "network": "network",
            "process": "process",
            "index": "index",
            "tool": "platform",
        }.get(word, "project")
        return "initiatives", kind
    return "organisations", org_kind(name)


def find_candidates(
    text: str,
    pairs: list[AcronymPair] | None = None,
    registry_paths: tuple = (),
    exclude: list[tuple[int, int]] = (),
    language: str | None = None,
) -> list[Cand]:
    """All organisation/initiative candidate occurrences (overlapping; resolve with :func:`build_records`).

    ``language`` "de": German capitalises every noun, so a run of capitalised frequent words ("Bund und Ländern die
    Bedingungen") is no name, while one compound with a body's suffix is ("Bundesregierung", "Integrationsbeauftragte").
    """
    pairs = find_pairs(text) if pairs is None else pairs
    exclude = as_spans(exclude)
    reg, gaz, ambiguous = registry_gazetteer(registry_paths)
    cands: list[Cand] = []
    # 1. registry (also where the text writes a name with other accents: "Métropolis")
    reg_hits = _registry_hits(gaz, text)
    for h in reg_hits:
        checkpoint()
        if inside(h.start, h.end, exclude):
            continue
        entries = list(dict.fromkeys(h.payloads))
        if h.surface in ambiguous or len(entries) != 1:
            continue
        if entries[0].type == "initiative" and DOC_OR_MEETING_AFTER_RE.match(text, h.end):
            continue  # "the Integrating Cities Report", "the 11th Integrating Cities Conference": another thing
        e = entries[0]
        cat = "organisations" if e.type == "organisation" else "initiatives"
        cands.append(
            Cand(h.start, h.end, h.surface, cat, f"registry:{e.id}", e.name, e.acronym, e.kind, e.country, e, 3)
        )
    reg_by_surface = _surface_index(reg)
    # 2. acronym pairs
    acr_key: dict[str, tuple[str, str, str, str | None, Entry | None]] = {}
    for p in pairs:
        checkpoint()
        if ACR_PLURAL_RE.match(p.acronym) and norm_key(p.expansion) not in reg_by_surface:
            continue
        e = reg_by_surface.get(norm_key(p.expansion)) or (
            reg_by_surface.get(norm_key(p.acronym)) if p.acronym not in ambiguous else None
        )
        if (
            e is not None
            and norm_key(p.expansion) not in {norm_key(s) for s in e.surfaces()}
            and e.acronym != p.acronym
        ):
            e = None
        if e is not None:
            cat = "organisations" if e.type == "organisation" else "initiatives"
            info = (cat, f"registry:{e.id}", e.name, e.kind, e)
        else:
            ctx = text[max(0, p.exp_start - CONTEXT_CHARS) : p.acr_end + CONTEXT_CHARS]
            cat, kind = _classify(p.expansion, ctx)
            info = (cat, f"acr:{p.acronym}", p.expansion, kind, None)
        if _is_place_name(p.expansion):
            continue
        acr_key.setdefault(p.acronym, info)
        cat, key, name, kind, e = acr_key[p.acronym]
        acr = p.acronym
        cands.append(
            Cand(p.exp_start, p.exp_end, p.expansion, cat, key, name, acr, kind, e.country if e else None, e, 2)
        )
        cands.append(Cand(p.acr_start, p.acr_end, p.acronym, cat, key, name, acr, kind, e.country if e else None, e, 2))
    # later bare acronyms
    if acr_key:
        acr_re = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(a) for a in sorted(acr_key, key=len, reverse=True)) + r")(?![\w-])"
        )
        for m in acr_re.finditer(text):
            if inside(m.start(), m.end(), exclude):
                continue
            cat, key, name, kind, e = acr_key[m.group(1)]
            cands.append(
                Cand(m.start(), m.end(), m.group(1), cat, key, name, m.group(1), kind, e.country if e else None, e, 1)
            )
    # 3. name phrases with heads
    for p in nm.phrases(text):
        checkpoint()
        cut = exclude.first_start_within(p.start, p.end)
        if cut is not None:
            t = re.sub(r"(?:\s+(?:and|et|y|und|,))*\s*$", "", text[p.start : cut])
            p = nm.Phrase(p.start, p.start + len(t), t)
            if not t:
                continue
        pm = PLURAL_HEAD_RE.match(p.text)
        if pm:
            head = SINGULAR[pm.group(1)]
            surf = pm.group(0)
            for part in (pm.group(2), pm.group(3)):
                name = f"{head} of {part}"
                cands.append(
                    Cand(
                        p.start,
                        p.start + len(surf),
                        surf,
                        "organisations",
                        f"name:{norm_key(name)}",
                        name,
                        None,
                        org_kind(name),
                        None,
                        None,
                        1,
                        {"split": True},
                    )
                )
            continue
        p = _shape_phrase(text, p, exclude)
        verb = HEADLINE_VERB_RE.search(p.text)  # "Mayor’s Office of Immigrant Affairs Hosts Conference with …"
        if verb and verb.start() > 0:
            p = nm.Phrase(p.start, p.start + verb.start() - 1, p.text[: verb.start() - 1])
        if NOT_NAME_END_RE.search(p.text) or _is_place_name(p.text):  # "… Press Release", "Brooklyn Center"
            continue
        owner = OWNER_TAIL_RE.search(p.text)  # "Office of New Residents of the City of Leeds": two bodies
        if owner and owner.start() > 0:
            p = nm.Phrase(p.start, p.start + owner.start(), p.text[: owner.start()])
        if inside(p.start, p.end, exclude) or nm.is_generic(p.text):
            continue
        if len(p.text.split()) < 2 and not (language == "de" and nm.german_compound_body(p.text)):
            continue
        if nm.weak_head_only(p.text):  # "Corporate Plan", "Connect and Plan": a plan needs a name of its own
            continue
        if language == "de" and _german_prose(p.text):
            continue
        if not (nm.org_head(p.text) or nm.init_head(p.text)) or p.text.isupper():
            continue
        # "Programme Officer", "Project Manager": a job title; "Menschen in die Gesellschaft": German prose
        if JOB_TITLE_END_RE.search(p.text) or PROSE_INSIDE_RE.search(p.text):
            continue
        ctx = text[max(0, p.start - CONTEXT_CHARS) : p.end + CONTEXT_CHARS]
        cat, kind = _classify(p.text, ctx)
        e = reg_by_surface.get(norm_key(p.text))
        if e is not None:
            cat = "organisations" if e.type == "organisation" else "initiatives"
            cands.append(
                Cand(p.start, p.end, p.text, cat, f"registry:{e.id}", e.name, e.acronym, e.kind, e.country, e, 3)
            )
            continue
        # "Portuguese Network of Intercultural Cities", "EU Fundamental Rights Agency", "UCLG World Council": a body
        # named after a registered one, its own head noun outside the registered name, is that longer name
        strength = 4 if _holds_registered(p, reg_hits) else 0
        extra = {}
        bare = HEAD_THEN_NAME_RE.match(p.text)  # "Programa Migraciudades", "Initiative Seebrücke": also the name alone
        if bare and cat == "initiatives":
            extra = {"bare": bare.group(1)}
        key = f"name:{norm_key(p.text)}"
        cands.append(Cand(p.start, p.end, p.text, cat, key, p.text, None, kind, None, None, strength, extra))
    # 3b. a name after a lower-case noun that says what it is: "l'association Terre d'Accueil", "the charity Open
    # Arms", "la agencia Noticias del Sur", "der Verein Brücken bauen e.V."
    for m in ORG_NOUN_RE.finditer(text):
        checkpoint()
        p = nm.PHRASE_RE.match(text, m.end())
        if p is None:
            continue
        name = re.sub(r"(?:\s+(?:and|et|y|und|,))*\s*$", "", nm.AND_THE_RE.split(p.group(0))[0])
        s_, e_ = p.start(), p.start() + len(name)
        if inside(s_, e_, exclude) or _is_place_name(name) or nm.is_generic(name) or name.split()[0] in nm.LEADING_STOP:
            continue
        if " " not in name and name.lower() in common_words():
            continue
        if m.group("noun")[0].isupper():  # German: the noun is part of the name ("Initiative Seebrücke")
            s_, name = m.start("noun"), text[m.start("noun") : e_]
        kind = "media" if m.group("noun").lower() in MEDIA_NOUNS else org_kind(name)
        cands.append(Cand(s_, e_, name, "organisations", f"name:{norm_key(name)}", name, None, kind, None, None, 1))
    if language in ("fr", "es"):
        cands += _sentence_case_names(text, exclude)
    for m in EV_RE.finditer(text):
        if not inside(m.start(1), m.end(), exclude):
            t = m.group(0)[m.start(1) - m.start() :]
            cands.append(Cand(m.start(1), m.end(), t, "organisations", f"name:{norm_key(t)}", t, None, "ngo", None,
                              None, 2))
    # 4. organisation lists
    list_items = []
    for item_start, item in _list_items(text):
        pos = 0
        for part in re.split(r" / ", item):
            list_items.append((item_start + item.index(part, pos), part))
            pos = item.index(part, pos) + len(part)
    for item_start, item in list_items:
        checkpoint()
        m = re.match(r"(?:The )?([^,(]+?)\s*(?:\(([^)]+)\))?\s*(?:,|$)", item)
        if not m:
            continue
        name = m.group(1).strip(" .;:")
        if len(name) < 3 or not name[0].isupper() or len(name.split()) > 14:
            continue
        if not _name_like(name, bool(m.group(2))) or _is_place_name(name):
            continue
        s = item_start + item.index(name)
        e_ = reg_by_surface.get(norm_key(name))
        if e_ is not None:
            cat = "organisations" if e_.type == "organisation" else "initiatives"
            cands.append(
                Cand(s, s + len(name), name, cat, f"registry:{e_.id}", e_.name, e_.acronym, e_.kind, e_.country, e_, 3)
            )
            continue
        acr = m.group(2).strip() if m.group(2) and re.fullmatch(r"[A-Z][\w\- ]{1,15}", m.group(2).strip()) else None
        key = f"acr:{acr}" if acr and acr in acr_key else f"name:{norm_key(name)}"
        kind = org_kind(name)
        cands.append(
            Cand(s, s + len(name), name, "organisations", key, name, acr, kind, None, None, 2, {"listed": True})
        )
    # 5. bare acronyms stated nowhere else ("IOM", "ANVITA", "NAKASEC"): an upper-case word of running text is the
    # short name of a body (or of an initiative when the words around it say so), unless it is a generic
    # abbreviation (``data/generic_acronyms.txt``), a place or part of an upper-case line
    generic = generic_acronyms()
    bare = list(BARE_ACRONYM_RE.finditer(text))
    seen: dict[str, int] = {}
    for m in bare:
        seen[m.group(0)] = seen.get(m.group(0), 0) + 1
    for m in bare:
        if seen[m.group(0)] < 2:  # named once, an upper-case word is as often a concept, a law or a code
            continue
        checkpoint()
        acr = m.group(0)
        if acr in generic or acr in acr_key or inside(m.start(), m.end(), exclude) or _is_place_name(acr):
            continue
        if acr.lower() in common_words() or _shouting_line(text, m.start()):
            continue
        if _upper_neighbour(text, m.start(), m.end()):
            continue
        ctx = text[max(0, m.start() - 60) : m.end() + 60]
        m2 = CONTEXT_INIT_RE.search(ctx)
        cat, kind = ("initiatives", "project") if m2 and m2.group(1).lower() in INIT_CONTEXT_WORDS else (
            "organisations", "other"
        )
        cands.append(Cand(m.start(), m.end(), acr, cat, f"acr:{acr}", acr, acr, kind, None, None, -1))
    # "OIM Argentina", "ICMC Europe": a registered body's acronym and a place name its office there
    for h in reg_hits:
        if not (h.surface.isupper() and len(h.surface) <= 8) or len(set(h.payloads)) != 1:
            continue
        m = OFFICE_PLACE_RE.match(text, h.end)
        if m and _is_place_name(m.group(1)) and not inside(h.start, m.end(), exclude):
            t = text[h.start : m.end()]
            e = h.payloads[0]
            if e.type == "organisation":
                cands.append(Cand(h.start, m.end(), t, "organisations", f"name:{norm_key(t)}", t, None, e.kind,
                                  None, None, 4))
    # 6. government patterns
    for m in MUNICIPAL_RE.finditer(text):
        checkpoint()
        place = _place_after(text, m.end())
        if place is None or inside(m.start(), place, exclude):
            continue
        t = text[m.start() : place]
        name = t[0].upper() + t[1:]
        cands.append(
            Cand(m.start(), place, t, "organisations", f"name:{norm_key(name)}", name, None, "local_government", None,
                 None, 1)
        )
    for rx in GOV_PATTERNS:
        for m in rx.finditer(text):
            checkpoint()
            t = m.group(0)
            if t.startswith(("The ", "the ")) or t.split()[0] in nm.LEADING_STOP or nm.is_generic(t):
                continue  # "That Full Council", "Full Council"
            of = GOV_OF_RE.match(t)  # "City of Sanctuary" names no territory: not a government
            if of and _place_after(of.group(1), 0) is None:
                continue
            if inside(m.start(), m.end(), exclude):
                continue
            cands.append(
                Cand(m.start(), m.end(), t, "organisations", f"name:{norm_key(t)}", t, None, org_kind(t), None, None, 1)
            )
    return cands


_SURFACE_INDEX: dict[int, dict[str, Entry]] = {}

_ADJ = (
    r"[a-zà-ÿ][\w-]*(?:al|ale|ales|aux|el|elle|aire|aires|if|ive|ifs|ives|ien|ienne|ier|ière|ais|aise|ois|oise|"
    r"ico|ica|icos|icas|ario|aria|arios|arias|ivo|iva|ano|ana|ense)"
)
_OF = r"(?:de la|de los|de las|del|des|du|de|pour les|pour la|para la|para el|para los|para)"
# the article before the head, checked on the few characters before each head found
ARTICLE_BEFORE_RE = re.compile(r"(?:\b(?:[lL]a|[lL]e|[eE]l|del|al|du|au|à la|une|un|una) |\b[lL][’'])$")
SENTENCE_CASE_RE = re.compile(
    r"(?<![\w’'-])(?P<head>" + "|".join(nm._HEADS["sentence_case_heads"]) + r")"
    rf"(?P<rest>(?:\s{_ADJ}(?![\w’'-]))?(?:\s{_OF}\s(?:l[’']|d[’'])?[a-zà-ÿ][\w-]{{2,}}(?:\s{_ADJ}(?![\w’'-]))?|\s"
    rf"d[’'][a-zà-ÿ][\w-]{{2,}}(?:\s{_ADJ}(?![\w’'-]))?|\s{_OF}\sl[’'][a-zà-ÿ][\w-]{{2,}}){{0,2}})"
    r"(?![\w’'-])"
)
OF_PLACE_RE = re.compile(r" (?:de|d’|d'|du) (?=[A-ZÀ-Þ])")
GENERIC_COMPLEMENTS = frozenset(nm._HEADS["generic_complements"])


def _sentence_case_names(text: str, exclude) -> list[Cand]:
    """French and Spanish bodies written in sentence case: "la Maison des familles", "la Mission locale de Caen",
    "le Centre communal d'action sociale": a head capitalised mid-sentence after an article, and its lower-case
    complement (``data/name_heads.yaml``: sentence_case_heads)."""
    out = []
    for m in SENTENCE_CASE_RE.finditer(text):
        checkpoint()
        if not ARTICLE_BEFORE_RE.search(text, max(0, m.start() - 6), m.start()):
            continue
        rest = m.group("rest")
        words = re.findall(r"[a-zà-ÿ][\w-]+", rest.replace("’", " ").replace("'", " "))
        content = [w for w in words if not re.fullmatch(r"(?:de|la|los|las|del|des|du|pour|les|para|el|l|d)", w)]
        if not content or GENERIC_COMPLEMENTS.intersection(content):
            continue
        end = m.end()
        of = OF_PLACE_RE.match(text, end)
        if of:  # "la Mission locale de Caen": the place it serves is part of the name
            place_end = _place_after(text, of.end())
            end = place_end if place_end is not None else end
        if inside(m.start(), end, exclude):
            continue
        surface = text[m.start() : end]
        name = " ".join(surface.split())
        out.append(Cand(m.start(), end, surface, "organisations", f"name:{norm_key(name)}", name, None,
                        org_kind(name), None, None, 1))
    return out


DOC_OR_MEETING_AFTER_RE = re.compile(
    r" (?:Report|Reports|Conference|Summit|Toolkit|Guide|Handbook|Award|Awards|Rapport|Conférence|Informe|"
    r"Conferencia|Bericht|Konferenz|Tagung)\b"
)
OFFICE_PLACE_RE = re.compile(r" ([A-ZÀ-Þ][\w’'-]+(?: [A-ZÀ-Þ][\w’'-]+)?)(?![\w-])")


def _registry_hits(gaz, text: str) -> list:
    hits = gaz.find(text, overlapping=True)
    folded = fold(text)
    if folded != text and len(folded) == len(text):
        hits += [type(h)(h.start, h.end, text[h.start : h.end], h.payloads) for h in gaz.find(folded, overlapping=True)]
    return select_longest(list({(h.start, h.end): h for h in hits}.values()))


def _holds_registered(p: nm.Phrase, reg_hits) -> bool:
    """The phrase is a body of its own named after a registered name: the registered acronym and a name with an
    organisation head ("UCLG World Council", "EU Fundamental Rights Agency"), or a headed name "of" the registered
    one ("Portuguese Network of Intercultural Cities")."""
    if "," in p.text:
        return False
    for h in reg_hits:
        if h.start >= p.end:
            break
        if not (p.start <= h.start and h.end <= p.end and (h.end - h.start) < (p.end - p.start)):
            continue
        before, rest = p.text[: h.start - p.start], p.text[h.end - p.start :]
        if not before and h.surface.isupper() and h.payloads[0].type == "organisation":
            words = [w for w in nm.words_of(rest) if not re.fullmatch(nm.CONN, w)]
            return (
                bool(words)
                and nm.last_head_is_org(rest)
                and not nm.is_generic(rest)
                and not nm.has_event_head(rest)
                and not re.search(r"\b(?:in|at|à|en)\b", rest)
            )
        if not rest and re.search(r"\s(?:of|for|de|des|du|del|für|der)(?: the| la| los| las| les)?\s$", before):
            head = re.sub(r"\s+\S+(?: the| la| los| las| les)?\s$", "", before)
            return nm.last_head_is_org(head) and not nm.is_generic(head) and not nm.has_event_head(head)
    return False


def _surface_index(reg) -> dict[str, Entry]:
    idx = _SURFACE_INDEX.get(id(reg))
    if idx is None:
        idx = {}
        for e in reg.entries:
            for s in e.surfaces():
                idx.setdefault(norm_key(s), e)
        _SURFACE_INDEX.clear()
        _SURFACE_INDEX[id(reg)] = idx
    return idx


def _name_like(name: str, has_acronym: bool) -> bool:
    """A list item that names something (not "Provide reliable information")."""
    if has_acronym or nm.org_head(name):
        return True
    major = [w for w in nm.words_of(name) if not re.fullmatch(nm.CONN, w)]
    caps = sum(1 for w in major if w[:1].isupper())
    return len(major) >= 2 and caps / len(major) >= 0.6 or len(major) == 1 and major[0][:1].isupper()


PLURAL_HEAD_RE = re.compile(
    r"^(Universities|Ministries|Cities|Municipalities|Governments) of ([A-Z][\w-]+) and ([A-Z][\w-]+)"
)
SINGULAR = {
    "Universities": "University",
    "Ministries": "Ministry",
    "Cities": "City",
    "Municipalities": "Municipality",
    "Governments": "Government",
}


def _is_place_name(name: str) -> bool:
    from .places import lookup

    return lookup(name) is not None


PLACE_WORDS_RE = re.compile(r"[A-ZÀ-Þ][\w’'-]*(?:[ -](?:[A-ZÀ-Þ][\w’'-]*|am|an der|bei|im|sur|de|del|la)){0,4}")


def _place_after(text: str, pos: int) -> int | None:
    """End of the longest run of capitalised words at ``pos`` that the gazetteer knows as a place."""
    m = PLACE_WORDS_RE.match(text, pos)
    if m is None:
        return None
    words = list(re.finditer(r"\S+", m.group(0)))
    for w in reversed(words):
        end = pos + w.end()
        if _is_place_name(text[pos:end]):
            return end
    return None


def _list_items(text: str) -> list[tuple[int, str]]:
    """Items of lists under a heading about organisations/partners/members/funders (bulleted or one per line)."""
    out = []
    ls = lines(text)
    active = False
    prev_end = 0
    for seg in ls:
        gap = text.count("\n", prev_end, seg.start)
        prev_end = seg.end
        raw = seg.text
        heading = raw.lstrip("#").replace("*", "").strip()
        is_bullet = bool(BULLET_RE.match(raw))
        short = len(heading.split()) <= 12 and not heading.endswith((".", ":", ";")) or heading.endswith(":")
        if not is_bullet and short and LIST_HEADING_RE.search(heading) and not LIST_STOP_RE.search(heading):
            active = True
            continue
        if not active:
            continue
        if is_bullet:
            body = BULLET_RE.sub("", raw)
            out.append((seg.start + raw.index(body), body))
            continue
        if gap > 1 and out and not is_bullet:
            # blank line then a non-bullet line: the list is over unless the list had no bullets at all
            if any(BULLET_RE.match(text[s - 2 : s]) for s, _ in out[-1:]):
                active = False
                continue
        # a stop word ends the list only in a heading-like line ("Staff", "## Resources"), not inside an item's
        # name ("Economic Resource Center for …")
        heading_like = raw.lstrip().startswith("#") or len(heading.split()) <= 3
        if short and heading[:1].isupper() and not (heading_like and LIST_STOP_RE.search(heading)) \
                and "http" not in heading:
            out.append((seg.start, raw))
        else:
            active = False
    return out


def _merge_bare_acronyms(groups: dict[str, list[Cand]]) -> None:
    """An acronym the text never expands joins the body or initiative of the document whose name it abbreviates:
    "ANVITA" and "Association Nationale des Villes et Territoires Accueillants", "CNDH" and "CNDH Romeurope"."""
    from .acronyms import _covers

    named = [(k, cs) for k, cs in groups.items() if not k.startswith("acr:") and cs[0].entry is None]
    for key in [k for k in groups if k.startswith("acr:")]:
        cs = groups[key]
        acr = key[4:]
        if any(c.entry is not None or c.surface != acr for c in cs):
            continue
        for other, ocs in named:
            name = max((c.surface for c in ocs), key=len)
            words = [w for w in name.split() if w[:1].isupper()]
            if name.startswith(acr + " ") or len(words) >= 2 and _covers(acr, name.split()):
                for c in cs:
                    c.key, c.category = other, ocs[0].category
                ocs.extend(cs)
                del groups[key]
                break


def _without_town(name: str, surfaces: tuple[str, ...]) -> tuple[str, ...]:
    """ "Maison des Solidarités de Lille" is also "Maison des Solidarités": a headed name that the town it serves
    closes is known without it too (a name of a municipality, "Mairie de Lille", is not)."""
    from .places import OF_TOWN_RE, lookup

    m = OF_TOWN_RE.search(name)
    if m is None or m.start() == 0 or MUNICIPAL_RE.match(name) or GOV_OF_RE.match(name):
        return ()
    short = name[: m.start()]
    place = lookup(m.group(1))
    if place is None or place.type != "city" or not nm.org_head(short) or nm.is_generic(short) or short in surfaces:
        return ()
    return (short,)


def build_records(text: str, cands: list[Cand]) -> tuple[list[Organisation], list[Initiative], list[Mention]]:
    """Choose non-overlapping candidates (strongest, then longest) and group them into records by key."""
    chosen: list[Cand] = []
    occupied = bytearray(len(text) + 1)
    split_spans = set()
    for c in sorted(cands, key=lambda c: (-c.strength, -(c.end - c.start), c.start)):
        checkpoint()
        if c.extra.get("split") and (c.start, c.end) in split_spans:
            chosen.append(c)
            continue
        if any(occupied[c.start : c.end]):
            continue
        if c.extra.get("split"):
            split_spans.add((c.start, c.end))
        occupied[c.start : c.end] = b"\x01" * (c.end - c.start)
        chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    # unify name-keys with registry/acronym keys sharing a normalised surface
    alias: dict[str, str] = {}
    for c in chosen:
        if not c.key.startswith("name:"):
            alias.setdefault(norm_key(c.surface), c.key)
            alias.setdefault(norm_key(c.name), c.key)
    for c in chosen:
        if c.key.startswith("name:") and norm_key(c.surface) in alias:
            c.key = alias[norm_key(c.surface)]
    groups: dict[str, list[Cand]] = {}
    for c in chosen:
        groups.setdefault(c.key, []).append(c)
    _merge_bare_acronyms(groups)
    orgs, inits, mentions = [], [], []
    for key, cs in groups.items():
        checkpoint()
        first = cs[0]
        reg = next((c.entry for c in cs if c.entry), None)
        cat = "organisations" if reg is None and any(c.extra.get("listed") for c in cs) else first.category
        if reg is not None:
            cat = "organisations" if reg.type == "organisation" else "initiatives"
        acronym = reg.acronym if reg else next((c.acronym for c in cs if c.acronym), None)
        if reg:
            name = reg.name
        elif any(c.extra.get("split") for c in cs):
            name = first.name
        else:
            full = [c.surface for c in cs if c.surface != acronym]
            name = max(full, key=len) if full else first.name
        surfaces = tuple(dict.fromkeys([c.surface for c in cs] + [c.extra["bare"] for c in cs if "bare" in c.extra]))
        if reg is None and cat == "organisations":
            surfaces += _without_town(name, surfaces)
        kind = reg.kind if reg else first.kind or (org_kind(name) if cat == "organisations" else "other")
        if cat == "organisations" and kind not in ORG_KINDS:
            kind = org_kind(name)
        if cat == "initiatives" and kind not in INITIATIVE_KINDS:
            kind = nm.init_head(name) or "other"
        country = reg.country if reg else None
        if cat == "organisations":
            orgs.append(
                Organisation(
                    key, name, acronym, kind, country, surfaces, reg.id if reg else None, reg.aliases if reg else ()
                )
            )
        else:
            inits.append(
                Initiative(
                    key,
                    name,
                    acronym,
                    kind,
                    (),
                    (),
                    (),
                    None,
                    surfaces,
                    reg.id if reg else None,
                    reg.aliases if reg else (),
                )
            )
        for c in cs:
            mentions.append(Mention(cat, key, c.start, c.end, c.surface, STAGE))
    return orgs, inits, mentions
