"""Capitalised name phrases and their classification as organisation / initiative by head nouns (EN/FR/ES/DE).

A name phrase is a run of capitalised words joined by at most three connector words ("of the", "pour la",
"für", "y"): "International Centre for Migration Policy Development", "Comisión Argentina para los Refugiados".
The head nouns decide the category: Ministry/Agency/University/Foundation/Fundación/Stiftung … make an
organisation; Programme/Project/Process/Index/Campaign/Declaration … make an initiative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .budget import checkpoint

# the vocabulary of names (head nouns, stop words), in data/name_heads.yaml
_HEADS = yaml.safe_load((Path(__file__).with_name("data") / "name_heads.yaml").read_text(encoding="utf-8"))

CAP = r"(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w’'\-\.&]*[\w](?:(?<=s)[’'](?= +[A-ZÀ-Þ]))?|[A-ZÀ-ÖØ-Þ]|[0-9][0-9.]*[0-9]?)"
CONN = r"(?:of|for|on|and|the|in|de|la|le|les|des|du|d'|d’|pour|et|para|los|las|del|al|por|y|en|entre|und|für|der|die|das|&|to|against|with|aux|au|sur|zur|zum|von|e|di|per|ng|mga|at(?= [A-Z][a-z]+ [A-Z]))"  # noqa: E501
# a name may follow an elided article ("l'Agence …", "d'Office …"), never another word's apostrophe
PHRASE_START = r"(?:(?<![\w’'\-])|(?<=(?<![\w’'])[lLdD][’']))"
PHRASE_RE = re.compile(
    rf"{PHRASE_START}{CAP}(?:(?: +|(?<=[’'])){CAP})*"
    rf"(?:(?: +(?:{CONN}))+ +{CAP}(?: +{CAP})*| +d[’']{CAP}(?: +{CAP})*)*"
)

LEADING_STOP = frozenset(_HEADS["leading_stop"])
# the first word of the next sentence when its full stop is missing ("… Council of Sanctuary This is …")
TRAILING_STOP = frozenset(_HEADS["trailing_stop"])

ORG_HEADS = frozenset(_HEADS["org_heads"])
ORG_SUFFIXES = tuple(_HEADS["org_suffixes"])
# one German compound that names a body by itself ("Bundesregierung", "Integrationsbeauftragte", "Jugendamt")
GERMAN_BODY_RE = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]{3,}(?:" + "|".join(_HEADS["german_body_suffixes"]) + r")$")
NOT_GERMAN_BODIES = frozenset(_HEADS["not_german_bodies"])
INIT_HEADS: dict[str, str] = dict(_HEADS["init_heads"])
GENERIC = frozenset(_HEADS["generic"])
EVENT_HEADS = frozenset(_HEADS["event_heads"])


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
    r"\s+(?:and|et|y|und)\s+(?=(?:The|La|Le|Les|El|Los|Las|Der|Die|Das) [A-ZÀ-Þ])|"
    r"\s+and the\s+|\s+et la\s+|\s+y la\s+|\s+y el\s+|\s+und (?:die|der|das|den|dem)\s+|"
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
    # "… Development in 2013." at a sentence's end: the full stop does not keep the year on the name
    while i < j and (YEAR_WORD_RE.fullmatch(word(j - 1).rstrip(".,:;")) or CONN_RE.fullmatch(word(j - 1))):
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


TRAILING_CONN_RE = re.compile(rf"(?:\s+(?:{CONN}))+$")
COMPLEMENT_HEADS = frozenset(_HEADS["complement_heads"])
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
        m = TRAILING_CONN_RE.search(p.text, a, b)  # "Ausländerbeirat und [der Seniorenrat der Stadt]"
        if m and m.start() > a:
            b = m.start()
        out.append(Phrase(p.start + a, p.start + b, p.text[a:b]))
    return out


def words_of(name: str) -> list[str]:
    return re.findall(r"[\w’'\-\.&]+", name)


def org_head(name: str) -> bool:
    ws = [w.strip(".,") for w in words_of(name)]
    if any(w in ORG_HEADS for w in ws) or any(w in SCHOOL_HEADS and _school(ws, i) for i, w in enumerate(ws)):
        return True
    return any(len(w) > 8 and w[0].isupper() and w.lower().endswith(ORG_SUFFIXES) for w in ws)


WEAK_INIT_HEADS = frozenset(_HEADS["weak_init_heads"])


def weak_head_only(name: str) -> bool:
    """A name whose head is a weak initiative noun (plan, strategy) with fewer than two other major words."""
    words = [w.strip(".,") for w in words_of(name) if not re.fullmatch(CONN, w)]
    if not words or words[-1] not in WEAK_INIT_HEADS or org_head(name):
        return False
    return len(words) < 3


def german_compound_body(word: str) -> bool:
    return GERMAN_BODY_RE.match(word) is not None and word not in NOT_GERMAN_BODIES


def init_head(name: str) -> str | None:
    """The initiative kind implied by the last initiative head noun of ``name``, if any."""
    ws = [w.strip(".,") for w in words_of(name)]
    kind = None
    for i, w in enumerate(ws):
        if w in INIT_HEADS and not (w in SCHOOL_HEADS and _school(ws, i)):
            kind = INIT_HEADS[w]
    return kind


def last_head_is_org(name: str) -> bool:
    """True when the right-most head noun is an organisation head (e.g. "Programme Office" → org)."""
    ws = [w.strip(".,") for w in words_of(name)]
    for i in range(len(ws) - 1, -1, -1):
        if ws[i] in SCHOOL_HEADS and _school(ws, i):
            return True
        if ws[i] in INIT_HEADS:
            return False
        if ws[i] in ORG_HEADS:
            return True
    return False


SCHOOL_HEADS = frozenset(_HEADS["school_heads"])
SEASON_WORDS = frozenset(_HEADS["season_words"])


def _school(ws: list[str], i: int) -> bool:
    """ "Intercultural School of Professions", "École de la deuxième chance": a school of something is a body; a
    "Summer School" or a school named by an adjective ("Open School") is a programme."""
    return (
        ws[i] in SCHOOL_HEADS
        and i + 1 < len(ws)
        and ws[i + 1] in SCHOOL_COMPLEMENTS
        and not (i and ws[i - 1] in SEASON_WORDS)
    )


SCHOOL_COMPLEMENTS = frozenset({"of", "for", "de", "des", "du", "del", "für", "der", "d", "d’", "d'"})


def is_generic(name: str) -> bool:
    ws = [w for w in words_of(name) if not re.fullmatch(CONN, w)]
    return all(w in GENERIC or w.isdigit() for w in ws)


def has_event_head(name: str) -> bool:
    return any(w in EVENT_HEADS for w in words_of(name))
