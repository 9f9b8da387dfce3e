"""Capitalised name phrases and their classification as organisation / initiative by head nouns (EN/FR/ES/DE).

A name phrase is a run of capitalised words joined by at most three connector words ("of the", "pour la",
"für", "y"): "International Centre for Migration Policy Development", "Comisión Argentina para los Refugiados".
The head nouns decide the category: Ministry/Agency/University/Foundation/Fundación/Stiftung … make an
organisation; Programme/Project/Process/Index/Campaign/Declaration … make an initiative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .budget import checkpoint

CAP = r"(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w’'\-\.&]*[\w](?:(?<=s)[’'](?= +[A-ZÀ-Þ]))?|[A-ZÀ-ÖØ-Þ]|[0-9][0-9.]*[0-9]?)"
CONN = r"(?:of|for|on|and|the|in|de|la|le|les|des|du|d'|d’|pour|et|para|los|las|del|al|por|y|en|und|für|der|die|das|&|to|against|with|aux|au|sur|zur|zum|von|e|di|per|ng|mga|at(?= [A-Z][a-z]+ [A-Z]))"  # noqa: E501
# a name may follow an elided article ("l'Agence …", "d'Office …"), never another word's apostrophe
PHRASE_START = r"(?:(?<![\w’'\-])|(?<=(?<![\w’'])[lLdD][’']))"
PHRASE_RE = re.compile(
    rf"{PHRASE_START}{CAP}(?:(?: +|(?<=[’'])){CAP})*"
    rf"(?:(?: +(?:{CONN}))+ +{CAP}(?: +{CAP})*| +d[’']{CAP}(?: +{CAP})*)*"
)

LEADING_STOP = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "For",
    "At",
    "This",
    "These",
    "That",
    "Those",
    "Our",
    "We",
    "It",
    "As",
    "By",
    "From",
    "With",
    "To",
    "La",
    "Le",
    "Les",
    "El",
    "Los",
    "Las",
    "Die",
    "Der",
    "Das",
    "Un",
    "Une",
    "Des",
    "Its",
    "Their",
    "His",
    "Her",
    "Under",
    "Through",
    "Since",
    "During",
    "Both",
    "Also",
    "And",
    "Or",
    "Of",
    "All",
    "Each",
    "Every",
    "Some",
    "Many",
    "Most",
    "When",
    "While",
    "Where",
    "If",
    "See",
    "Mr",
    "Ms",
    "Mrs",
    "Dr",
    "Mr.",
    "Ms.",
    "Dr.",
    "Prof.",
    "Special",
    "Finally",
    "Moreover",
    "However",
    "Thanks",
    "Via",
    "Other",
    "Dear",
    "Contact",
    "Find",
    "Former",
    "Current",
    "Upcoming",
    "Annual",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Next",
    "Last",
    "Previous",
    "Joint",
    "Expert",
    "Project",
    "News",
    "Project News",
    "Coordinated",
    "Supported",
    "Funded",
    "Led",
    "Hosted",
    "Organised",
    "Organized",
    "Chaired",
    "Together",
    "Along",
    "Yet",
    "But",
    "So",
    "Then",
    "Thus",
    "Hence",
    "Il",
    "Elle",
    "Ce",
    "Cette",
    "Ces",
    "Lo",
    "Este",
    "Esta",
    "Estos",
    "Estas",
    "Dieser",
    "Diese",
    "Dieses",
    "Im",
    "Am",
    "Beim",
    "Zum",
    "Zur",
    "Dans",
    "Avec",
    "Sur",
    "Pour",
    "Par",
    "Con",
    "Por",
    "Para",
    "Mit",
    "Für",
    "Bei",
    "Nach",
    "Aus",
    # words of web pages' menus and links: "Read More", "About the Mayor's Office"
    "About",
    "Read",
    "More",
    "Home",
    "Share",
    "Menu",
    "Click",
    "Download",
    "Follow",
    "Subscribe",
    "Latest",
    "Related",
    "According",
    "Selon",
    "Según",
    "Laut",
}
# the first word of the next sentence when its full stop is missing ("… Council of Sanctuary This is …")
TRAILING_STOP = {"The", "A", "An", "This", "That", "These", "Those", "It", "We", "Our", "Their", "He", "She", "They"}

ORG_HEADS = {
    # English
    "Organisation",
    "Organization",
    "Organisations",
    "Organizations",
    "Agency",
    "Office",
    "Ministry",
    "Ministries",
    "Department",
    "Directorate",
    "Directorate-General",
    "Commission",
    "Committee",
    "Council",
    "Centre",
    "Center",
    "Institute",
    "Institution",
    "University",
    "Universities",
    "College",
    "Foundation",
    "Foundations",
    "Association",
    "Associations",
    "Federation",
    "Confederation",
    "Union",
    "Coalition",
    "Alliance",
    "Society",
    "Societies",
    "Bank",
    "Court",
    "Parliament",
    "Assembly",
    "Government",
    "Municipality",
    "Church",
    "Archdiocese",
    "Diocese",
    "Mission",
    "Embassy",
    "Consulate",
    "Secretariat",
    "Authority",
    "Board",
    "Services",
    "Group",
    "Partners",
    "Associates",
    "Trust",
    "League",
    "Cross",
    "Crescent",
    "Network",
    "Watch",
    "Collaborative",
    "Consortium",
    "Chamber",
    "Observatory",
    "Administration",
    "Bureau",
    "Corporation",
    "Company",
    "Ltd",
    "Inc",
    "Tribunal",
    "Police",
    "Guard",
    "Red",
    "Ombudsman",
    "Caritas",
    "Internationalis",
    "Congress",
    "Ministers",
    "Parish",
    # French
    "Agence",
    "Ministère",
    "Direction",
    "Comité",
    "Conseil",
    "Institut",
    "Université",
    "Fondation",
    "Fédération",
    "Société",
    "Banque",
    "Cour",
    "Parlement",
    "Gouvernement",
    "Municipalité",
    "Mairie",
    "Commune",
    "Préfecture",
    "Église",
    "Ambassade",
    "Secrétariat",
    "Autorité",
    "Groupe",
    "Réseau",
    "Coordination",
    "Observatoire",
    "Collectif",
    "Cimade",
    "Délégation",
    # Spanish
    "Organización",
    "Agencia",
    "Oficina",
    "Ministerio",
    "Dirección",
    "Comisión",
    "Comision",
    "Consejo",
    "Centro",
    "Instituto",
    "Universidad",
    "Fundación",
    "Fundacion",
    "Asociación",
    "Asociation",
    "Asociacion",
    "Federación",
    "Unión",
    "Coalición",
    "Alianza",
    "Sociedad",
    "Banco",
    "Parlamento",
    "Gobierno",
    "Ayuntamiento",
    "Municipalidad",
    "Municipio",
    "Iglesia",
    "Embajada",
    "Secretaría",
    "Autoridad",
    "Grupo",
    "Coordinadora",
    "Observatorio",
    "Defensoría",
    "Generalitat",
    "Junta",
    "Diputación",
    "Cabildo",
    "Presidencia",
    "Présidence",
    "Presidency",
    # parties and news agencies
    "Party",
    "Parti",
    "Partido",
    "Partei",
    "Press",
    "Presse",
    "Prensa",
    # German
    "Agentur",
    "Amt",
    "Bundesamt",
    "Ministerium",
    "Bundesministerium",
    "Kommission",
    "Ausschuss",
    "Rat",
    "Zentrum",
    "Universität",
    "Hochschule",
    "Stiftung",
    "Verein",
    "Verband",
    "Bund",
    "Koalition",
    "Allianz",
    "Gesellschaft",
    "Gericht",
    "Regierung",
    "Stadt",
    "Gemeinde",
    "Kirche",
    "Botschaft",
    "Sekretariat",
    "Behörde",
    "Dienst",
    "Gruppe",
    "Netzwerk",
    "Beirat",
    "Senat",
    "Landkreis",
    "Diakonie",
    "Werk",
    "Beauftragte",
    "Beauftragter",
    "Städtetag",
    "Landkreistag",
    "Gemeindetag",
}
ORG_SUFFIXES = (
    "amt",
    "ministerium",
    "stiftung",
    "verein",
    "verband",
    "zentrum",
    "institut",
    "netzwerk",
    "behörde",
    "rat",
    "gesellschaft",
    "werk",
    "beauftragte",
    "beauftragter",
    "städtetag",
    "regierung",
)
# one German compound that names a body by itself ("Bundesregierung", "Integrationsbeauftragte", "Ausländeramt")
GERMAN_BODY_RE = re.compile(
    r"^[A-ZÄÖÜ][a-zäöüß]{3,}(?:regierung|ministerium|beauftragte|beauftragter|städtetag|gemeindetag|landkreistag|"
    r"bundesamt|landesamt)$"
)
INIT_HEADS = {
    "Programme": "programme",
    "Program": "programme",
    "Programmes": "programme",
    "Programa": "programme",
    "Programm": "programme",
    "Project": "project",
    "Projects": "project",
    "Projet": "project",
    "Proyecto": "project",
    "Projekt": "project",
    "Initiative": "programme",
    "Iniciativa": "programme",
    "Initiatives": "programme",
    "Process": "process",
    "Processus": "process",
    "Proceso": "process",
    "Prozess": "process",
    "Index": "index",
    "Índice": "index",
    "Indice": "index",
    "Platform": "platform",
    "Plateforme": "platform",
    "Plataforma": "platform",
    "Plattform": "platform",
    "Campaign": "campaign",
    "Campagne": "campaign",
    "Campaña": "campaign",
    "Kampagne": "campaign",
    "Agenda": "other",
    "Declaration": "other",
    "Déclaration": "other",
    "Declaración": "other",
    "Erklärung": "other",
    "Compact": "other",
    "Compacts": "other",
    "Pacte": "other",
    "Pacto": "other",
    "Pakt": "other",
    "Convention": "other",
    "Convención": "other",
    "Goals": "other",
    "Charter": "other",
    "Charte": "other",
    "Scheme": "programme",
    "Week": "campaign",
    "Day": "campaign",
    "Dialogue": "process",
    "Mechanism": "project",
    "Forum": "forum",
    "Foro": "forum",
    "Fora": "forum",
    "School": "programme",
    "Academy": "programme",
    "Marketplace": "programme",
    "Fund": "programme",
    "Fonds": "programme",
    "Fondo": "programme",
    "Action Plan": "other",
    "Plan": "other",
    "Strategy": "other",
    "Stratégie": "other",
    "Estrategia": "other",
    "Strategie": "other",
    "Partnership": "project",
    "Database": "database",
    "Observatory": "platform",
    "Hub": "platform",
    "Portal": "platform",
    "Review": "publication",
    "Sheet": "publication",
    "Monitor": "index",
    "Barometer": "index",
    "Award": "programme",
    "Ordinance": "other",
    "Directive": "other",
    "Regulation": "other",
    "Pilot": "project",
    "Tool": "platform",
    "Carta": "other",
    "Charta": "other",
    "Outil": "platform",
    "Herramienta": "platform",
    "Werkzeug": "platform",
}
GENERIC = {
    "Steering",
    "Working",
    "Advisory",
    "Expert",
    "Group",
    "Board",
    "Team",
    "Staff",
    "Management",
    "Support",
    "Office",
    "Centre",
    "Center",
    "Department",
    "Committee",
    "Council",
    "Network",
    "Platform",
    "Initiative",
    "Project",
    "Programme",
    "Program",
    "Fund",
    "Forum",
    "Process",
    "Agenda",
    "Service",
    "Services",
    "International",
    "National",
    "Regional",
    "Local",
    "Global",
    "European",
    "Federal",
    "Municipal",
    "Annual",
    "New",
    "First",
    "Second",
    "Third",
    "Executive",
    "General",
    "Central",
    "Main",
    "Joint",
    "Research",
    "Government",
    "Ministry",
    "City",
    "Town",
    "Municipality",
    "University",
    "Institute",
    "Foundation",
    "Association",
    "Union",
    "Coalition",
    "Commission",
    "Agency",
    "The",
    "Day",
    "Week",
    "Plan",
    "Action",
    "Summer",
    "School",
    "Academy",
    "Index",
    "Campaign",
    "Partners",
    "Member",
    "Members",
    "States",
    "State",
    "Partnership",
    "Mechanism",
    "Strategy",
    "Review",
    "Dialogue",
    "Goals",
    "Declaration",
    "Pilot",
    "Communications",
    "Community",
    "Social",
    "Policy",
    "Civil",
    "Society",
    "Public",
    "Private",
    "Sector",
    "Director",
    "Head",
    "Chair",
    "Chairperson",
    "Coordinator",
    "Manager",
    "President",
    "Mayor",
    "Minister",
    "Assembly",
    "Parliament",
    "Court",
    "Bank",
    "Church",
    "Mission",
    "Authority",
    "Red",
    "Cross",
    "Crescent",
    "Round-table",
    "Roundtable",
    "Table",
    "Session",
    "Sessions",
    "Part",
    "Annex",
    "Chapter",
    "Section",
    "Report",
    "Reports",
    "Activities",
    "Activity",
    "Contents",
    "Message",
    "Vision",
    "Values",
    "Programs",
    "Projects",
    "Initiatives",
    "Organisations",
    "Organizations",
    "Cities",
}
EVENT_HEADS = {
    "Summit",
    "Conference",
    "Workshop",
    "Meeting",
    "Seminar",
    "Webinar",
    "Congress",
    "Symposium",
    "Roundtable",
    "Round-table",
    "Training",
    "Consultation",
    "Hearing",
    "Retreat",
    "Conférence",
    "Atelier",
    "Réunion",
    "Sommet",
    "Séminaire",
    "Conferencia",
    "Taller",
    "Reunión",
    "Cumbre",
    "Seminario",
    "Encuentro",
    "Jornada",
    "Konferenz",
    "Tagung",
    "Treffen",
    "Gipfel",
    "Sitzung",
    "Fachtag",
}


@dataclass(frozen=True)
class Phrase:
    start: int
    end: int
    text: str


YEAR_WORD_RE = re.compile(r"(?:19|20)[0-9]{2}")
NUMBER_WORD_RE = re.compile(r"[0-9][0-9.,:+]*")
CONN_RE = re.compile(CONN)
AND_THE_RE = re.compile(
    # "en Madrid la Carta de …": an article right after a name (not after "de", "of") opens another phrase
    r"((?<!\bde)(?<!\bof)(?<!\bdu)(?<!\bdel)(?<!\bpor)(?<!\bpour)(?<!\bpara)(?<!\bfor)(?<!\bon)(?<!\bin)"
    r"(?<!\b[a-zà-ÿ]{2})(?<!\b[a-zà-ÿ]{3})(?<!\b[a-zà-ÿ]{4})(?<=[^\W\d_])\s+(?:la|le|les|el|los|las|the)\s+|"
    r"\s+and the\s+|\s+et la\s+|\s+y la\s+|\s+y el\s+|\s+und die\s+|"
    r"\s+(?:and|et|y|und) (?:with|for|to|avec|pour|con|para|mit|für)(?: the| la| le| el| die| der)?\s+)"
)
MAX_PHRASE_WORDS = 40  # longer runs of capitalised words are headings or lists, read in pieces of this size


def phrases(text: str) -> list[Phrase]:
    """Capitalised name phrases, leading function words and trailing connectors stripped (linear time)."""
    out = []
    for m in PHRASE_RE.finditer(text):
        checkpoint()
        ws = [(w.start(), w.end(), w.group(0)) for w in re.finditer(r"\S+", text[m.start() : m.end()])]
        base = m.start()
        for k in range(0, len(ws), MAX_PHRASE_WORDS):
            _phrase_words(text, base, ws[k : k + MAX_PHRASE_WORDS], out)
    return out


def _hague(ws: list[tuple[int, int, str]], i: int) -> bool:
    return ws[i + 1][2] == "Hague"


def _phrase_words(text: str, base: int, ws: list[tuple[int, int, str]], out: list[Phrase]) -> None:
    i, j = 0, len(ws)  # the phrase is ws[i:j]

    def word(k: int) -> str:
        return ws[k][2]

    # strip leading stop words ("The International …" → "International …"), keep "The Hague"
    while i < j and word(i).strip(".,") in LEADING_STOP and not (word(i) == "The" and i + 1 < j and _hague(ws, i)):
        i += 1
    # "According to the Associated Press": a name never opens with a connector left behind by a stop word
    while i < j and i > 0 and CONN_RE.fullmatch(word(i)) and word(i)[:1].islower():
        i += 1
    # German prose before a name: "Auch die Beauftragte …", "Heute das Bündnis …" (an article never opens a name
    # after another word; the genitive "der" may: "Rat der Stadt")
    while i + 2 < j and word(i + 1) in ("die", "das", "den", "dem"):
        i += 2
    while i < j and (word(j - 1).strip(".,:") in TRAILING_STOP or CONN_RE.fullmatch(word(j - 1))):
        j -= 1
    if i >= j:
        return
    # leading numbers ("17 Sustainable Development Goals"), trailing years ("… Action Plan 2018", "of 2016")
    while i < j and NUMBER_WORD_RE.fullmatch(word(i)):
        i += 1
        # "+0200 Project News": the stop words behind a number go too
        while i + 1 < j and word(i).strip(".,") in LEADING_STOP and word(i + 1) != "Hague":
            i += 1
    while i < j and (YEAR_WORD_RE.fullmatch(word(j - 1)) or CONN_RE.fullmatch(word(j - 1))):
        j -= 1
    if i >= j:
        return
    s, e = base + ws[i][0], base + ws[j - 1][1]
    t = text[s:e].rstrip(".,:;")
    if not t:
        return
    pos = 0
    for k, part in enumerate(AND_THE_RE.split(t)):
        if part and k % 2 == 0:  # odd pieces are the separators
            ps = s + pos
            out.extend(split_phrase(Phrase(ps, ps + len(part), part)))
        pos += len(part)


COMPLEMENT_HEADS = {"Beauftragte", "Beauftragter", "Bevollmächtigte", "Bevollmächtigter"}
SPLIT_RE = re.compile(r"\s+(?:of the|of|in the|at the|at|de la|de los|de las|du|des|del|von der|von|der)\s+")


def split_phrase(p: Phrase) -> list[Phrase]:
    """Split "Director of the X Directorate of the Y Ministry" into its headed parts ("X Directorate", "Y Ministry").

    Segments between "of"/"in"/"at" connectors: a leading segment without a head noun is dropped when a later one has
    a head; two consecutive headed segments become two names; a head-less segment after a headed one stays attached
    ("Government of Ecuador", "Office of the High Commissioner for Human Rights").
    """
    cuts = [(m.start(), m.end()) for m in SPLIT_RE.finditer(p.text)]
    if not cuts:
        return [p]
    segs = []
    pos = 0
    for a, b in cuts:
        segs.append((pos, a))
        pos = b
    segs.append((pos, len(p.text)))
    headed = [org_head(p.text[a:b]) or init_head(p.text[a:b]) is not None for a, b in segs]
    # "Beauftragte der Bundesregierung": a head named by whom it serves keeps its complement
    texts = [p.text[a:b] for a, b in segs]
    headed = [h and not (i and texts[i - 1].split()[-1] in COMPLEMENT_HEADS) for i, h in enumerate(headed)]
    if not any(headed):
        return [p]
    groups: list[list[int]] = []
    for i, h in enumerate(headed):
        if h:
            groups.append([i])
        elif groups:
            groups[-1].append(i)
    out = []
    for g in groups:
        a, b = segs[g[0]][0], segs[g[-1]][1]
        m = re.match(r"(?:[0-9][0-9.,:]*\s+|the\s+)+", p.text[a:b])
        if m:
            a += m.end()
        out.append(Phrase(p.start + a, p.start + b, p.text[a:b]))
    return out


def words_of(name: str) -> list[str]:
    return re.findall(r"[\w’'\-\.&]+", name)


def org_head(name: str) -> bool:
    ws = [w.strip(".,") for w in words_of(name)]
    if any(w in ORG_HEADS for w in ws):
        return True
    return any(len(w) > 8 and w[0].isupper() and w.lower().endswith(ORG_SUFFIXES) for w in ws)


WEAK_INIT_HEADS = {"Plan", "Plans", "Strategy", "Stratégie", "Estrategia", "Strategie", "Fora"}


def weak_head_only(name: str) -> bool:
    """A name whose head is a weak initiative noun (plan, strategy) with fewer than two other major words."""
    words = [w.strip(".,") for w in words_of(name) if not re.fullmatch(CONN, w)]
    if not words or words[-1] not in WEAK_INIT_HEADS or org_head(name):
        return False
    return len(words) < 3


def german_compound_body(word: str) -> bool:
    return GERMAN_BODY_RE.match(word) is not None


def init_head(name: str) -> str | None:
    """The initiative kind implied by the last initiative head noun of ``name``, if any."""
    ws = [w.strip(".,") for w in words_of(name)]
    kind = None
    for w in ws:
        if w in INIT_HEADS:
            kind = INIT_HEADS[w]
    return kind


def last_head_is_org(name: str) -> bool:
    """True when the right-most head noun is an organisation head (e.g. "Programme Office" → org)."""
    ws = [w.strip(".,") for w in words_of(name)]
    for w in reversed(ws):
        if w in INIT_HEADS:
            return False
        if w in ORG_HEADS:
            return True
    return False


def is_generic(name: str) -> bool:
    ws = [w for w in words_of(name) if not re.fullmatch(CONN, w)]
    return all(w in GENERIC or w.isdigit() for w in ws)


def has_event_head(name: str) -> bool:
    return any(w in EVENT_HEADS for w in words_of(name))
