"""Initiatives stage (after organisations): names introduced by a common noun, and the initiatives' details.

The organisations stage finds initiatives whose own name carries a head noun ("… Programme", "… Forum"). This stage
adds the ones that a sentence introduces with a lower-case noun (EN/FR/ES/DE):

* quoted titles next to the noun: ``the project "On the Run"``, ``the “Open Doors” campaign``, ``le projet « X »``;
* a name after the noun, with or without "called/entitled/named": ``the initiative Open Kitchens``,
  ``a project called CITYLINK``, ``la iniciativa Puertas Abiertas``, ``das Projekt Neue Wege``;
* a code name before the noun: ``the CITYLINK project``, ``the VoteNow campaign``, ``el programa ALFA``;
* a name defined as one: ``CityData is a comprehensive database``, ``Open Doors, a network of …``,
  ``X est un réseau``, ``X es una plataforma``, ``X ist ein Netzwerk``.

Names that are already organisations, places or generic words are skipped. Then every initiative gets what its
sentences state: lead ("led/implemented/coordinated by X"), funders ("funded by X", "with the support of X"),
participants (cities listed after "member/partner/participating cities") and period ("2017-2019",
"from 2016 to 2018").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from functools import lru_cache

from . import names as nm
from .budget import checkpoint
from .organisations import norm_key
from .records import Initiative, Mention
from .segments import Segment, as_spans, inside

STAGE = "extract/initiatives@1"

HEADS: dict[str, str] = dict(nm._HEADS["introducing_heads"])  # data/name_heads.yaml
_LOWER_HEADS = sorted((h for h in HEADS if h[0].islower()), key=len, reverse=True)
_DE_HEADS = sorted((h for h in HEADS if h[0].isupper()), key=len, reverse=True)
# German heads with their endings: "Projekte", "Projekts", "Programmen", "des Bündnisses"
HEAD = r"(?:" + "|".join(_LOWER_HEADS) + r")s?|(?:" + "|".join(_DE_HEADS) + r")(?:e|s|es|en|ses)?"
HEAD_RE = re.compile(rf"(?<![\w-])(?P<head>{HEAD})(?![\w-])")
CALLED = (
    r"(?:called|named|entitled|titled|known as|dubbed|appelée?|intitulée?|nommée?|dénommée?|llamad[oa]|"
    r"denominad[oa]|titulad[oa]|conocid[oa] como|namens|genannt|mit dem Titel)"
)
QUOTE_OPEN = "“\"«„‘'"
QUOTE_CLOSE = {"“": "”", '"': '"', "«": "»", "„": "“", "‘": "’", "'": "'"}
QUOTED_RE = re.compile(r"(?:[“\"«„]|(?<!\w)[‘'])\s*([A-ZÀ-ÖØ-Þ0-9¿¡][^“”\"«»„\n]{1,120}?)\s*(?:[”\"»“]|[’'](?!\w))")
CAPW = r"(?:[A-ZÀ-ÖØ-Þ][\w’'+\-]*|[0-9]+[A-Za-z][\w\-]*)"
LINK = r"(?:of|for|on|and|the|in|to|de|la|le|les|des|du|pour|et|para|los|las|del|y|en|a|à|und|für|der|die|das|&)"
NAME_AFTER_RE = re.compile(rf"{CAPW}(?:\s+(?:{LINK}\s+){{0,2}}{CAPW})*")
# German: "Projekt Wohnen im Viertel" (not "Projekt Neue Wege im Rahmen des …")
GERMAN_LINK_RE = re.compile(
    r"\s+(?:" + "|".join(nm._HEADS["german_name_links"]) + r")\s+(?!(?:"
    + "|".join(nm._HEADS["german_not_after_link"]) + rf")(?![\w-])){CAPW}"
)
NAME_BEFORE_RE = re.compile(rf"(?:(?<=[\s(“\"«'*])|^)({CAPW}(?:(?:\s+|\s*[-–]\s*)(?:{LINK}\s+){{0,2}}{CAPW})*)\s*$")
CODE_RE = re.compile(r"^(?:[A-Z0-9][A-Z0-9&+\-]{1,}|[A-Za-z]+[a-z][A-Z][\w]*|[a-z]+[A-Z]{2,}[\w]*)$")
DEFINED_RE = re.compile(
    r"(?P<link>(?:(?<=\S)\s*,\s*|\s*[—–]\s*|\s+-\s+|\s+(?:is|was|est|était|es|era|ist|war)\s+)"
    r"(?:which is\s+|qui est\s+|que es\s+|das ist\s+)?)"
    r"(?:an?|the|one of the|un|une|l[ae]|el|una|ein|eine|einer|die|das)\s+(?:[\w’'-]+\s+){0,4}?$",
    re.I,
)
ARTICLE_MOD_RE = re.compile(
    r"\b(?:the|a|an|its|their|our|this|la|le|les|l’|l'|un|une|son|leur|el|los|una|su|die|der|das|ein|eine|einem|"
    r"einen|ihr|ihre|sein|seine)\s+(?:[\w’'-]+\s+){0,3}$",
    re.I,
)
PREP_END_RE = re.compile(
    r"\b(?:with|by|of|for|from|to|in|at|on|avec|par|de|pour|con|por|para|mit|von|für|bei)\s+$", re.I
)


class _Defined:
    """The link ("is", ", which is", "—") and the head noun of a definition."""

    def __init__(self, link: str, head: str) -> None:
        self._g = {"link": link, "head": head}

    def group(self, name: str) -> str:
        return self._g[name]


def copula_ok(dm: re.Match, text: str, st: int) -> bool:
    """An appositive (", a network …") names the phrase before it unless that phrase is a preposition's object."""
    link = dm.group("link").strip()
    if re.search(r"\b(?:which|qui|que|das)\b", link):
        return True
    if link.startswith((",", "—", "–", "-")):
        return not PREP_END_RE.search(text[max(0, st - 30) : st])
    return True


ARTICLE_RE = re.compile(
    r"(?:\b(?:the|a|an|its|their|our|this|la|le|les|l’|l'|un|une|son|leur|el|los|un|una|su|die|der|das|ein|eine|"
    r"einem|einen|ihr|ihre|sein|seine)\s+)$",
    re.I,
)
BOLD_RE = re.compile(r"(?<=[\s(])\*\*([A-ZÀ-ÖØ-Þ][^*\n]{3,150}?)\*\*(?=[\s,;.—–)])")
SKIP_FIRST = nm.LEADING_STOP | {"I", "He", "She", "They", "Which", "What", "How", "Who", "Read", "More", "See"}
LEADING_FUNCTION_RE = re.compile(
    rf"(?:(?:{'|'.join(map(re.escape, sorted(SKIP_FIRST, key=len, reverse=True)))}|{LINK})\s+)+"
)
LINK_WORD_RE = re.compile(rf"(?:^|\s)(?:{LINK})\s+")
LEAD_RE = re.compile(
    r"\b(?:led|implemented|coordinated|managed|run|facilitated|chaired|hosted|initiated|carried out|"
    r"mis en (?:œuvre|oeuvre)|coordonnée?|pilotée?|dirigée?|portée?|implementad[oa]|coordinad[oa]|liderad[oa]|"
    r"gestionad[oa]|durchgeführt|koordiniert|geleitet|getragen)\s+(?:by|par|por|von)\s+(?:the\s+|la\s+|le\s+|l'|el\s+|der\s+|dem\s+)?$",
    re.I,
)
FUND_RE = re.compile(
    r"\b(?:funded|financed|co-funded|supported|sponsored|financée?|cofinancée?|soutenue?|financiad[oa]|"
    r"cofinanciad[oa]|apoyad[oa]|gefördert|finanziert|unterstützt)\s+(?:by|par|por|von|durch)\s+"
    r"(?:the\s+|la\s+|le\s+|l'|el\s+|der\s+|dem\s+|die\s+)?$|"
    r"\b(?:with the (?:financial )?support of|avec le soutien d[eu']|con el apoyo d[e]l?|mit (?:der )?Unterstützung)\s+"
    r"(?:the\s+|la\s+|le\s+|l'|el\s+|der\s+|dem\s+)?$",
    re.I,
)
PERIOD_RE = re.compile(
    r"\b((?:19|20)[0-9]{2})\s*[-–—/]\s*((?:19|20)?[0-9]{2})\b|"
    r"\b(?:from|between|de|du|desde|entre|von)\s+((?:19|20)[0-9]{2})\s+(?:to|and|until|à|au|a|hasta|y|bis)\s+"
    r"((?:19|20)[0-9]{2})\b"
)
MEMBERS_RE = re.compile(
    r"\b(?:member|partner|participating|pilot|associate)\s+(?:cities|municipalities|towns)\b|"
    r"\bpartners include\b|\bvilles (?:membres|partenaires|participantes)\b|"
    r"\bciudades (?:miembros?|socias|participantes)\b|\b(?:Mitglieds|Partner)städte\b",
    re.I,
)


@lru_cache(maxsize=65536)
def _nk(s: str) -> str:
    return norm_key(s)


LOWER_WORD_BEFORE_RE = re.compile(r"\b[a-zà-öø-ÿß][\w-]*e[nrs]?\s+$")  # a German adjective: "bundesweite", "neuen"


def _quote_after(text: str, pos: int) -> bool:
    return re.match(r"\s+[“\"«„]", text[pos : pos + 4]) is not None


def _german_name_end(text: str, end: int) -> int:
    """A German name goes on over "im", "am", "zum" … and the capitalised words after them."""
    while (m := GERMAN_LINK_RE.match(text, end)) is not None:
        n = NAME_AFTER_RE.match(text, m.end() - len(m.group(0).split()[-1]))
        end = n.end() if n else m.end()
    return end


def _kind(head: str) -> str:
    for h in (head, head.rstrip("s"), *(re.sub(rf"{e}$", "", head) for e in ("ses", "es", "en", "e", "s"))):
        if h in HEADS or h.lower() in HEADS:
            return HEADS.get(h) or HEADS[h.lower()]
    return "other"


def find_initiatives(
    text, orgs, inits, mentions, exclude=(), language: str | None = None
) -> tuple[list[Initiative], list[Mention]]:
    """Add initiatives introduced by a common noun; return (all initiatives, their new mentions).

    ``language`` "de": every noun is capitalised, so "Initiative „Sichere Häfen“" at a line's start is the noun and
    its quoted title as "die Initiative „Sichere Häfen“" is."""
    from .places import lookup

    exclude = as_spans(exclude)
    org_keys = set()
    for o in orgs:
        org_keys.update(_nk(s) for s in (o.name, o.acronym or "", *o.surface) if s)
    known = {}
    for i in inits:
        for s in (i.name, i.acronym or "", *i.surface):
            if s:
                known.setdefault(_nk(s), i.key)
    taken = bytearray(len(text) + 1)  # offsets already inside an organisation/initiative mention
    for m in mentions:
        taken[m.start : m.end] = b"\x01" * (m.end - m.start)
    found: dict[str, dict] = {}

    compact = {k.replace(" ", "") for k in known}

    def add(start: int, end: int, name: str, head: str, bare: str | None = None, quoted: str | None = None) -> None:
        name = name.strip(" ,;:.*-–")
        acr = None
        pa = re.match(r"^(.{6,}?)\s*\(([A-Z][\w\-]{1,15})\)$", name)
        if pa:  # "Long Name (ACR)"
            name, acr = pa.group(1), pa.group(2)
        if not name or not name[0].isupper() and not name[0].isdigit() or len(name) > 160 or len(name.split()) > 16:
            return
        end = start + len(name)
        k = norm_key(name)
        first = name.split()[0].strip("“\"'")
        if (
            not k
            or k in org_keys
            or (bare and norm_key(bare) in org_keys)
            or (acr and norm_key(acr) in org_keys)
            or (first in SKIP_FIRST and quoted is None)
            or nm.is_generic(name)
            or lookup(name) is not None
            or inside(start, end, exclude)
        ):
            return
        if any(x and (norm_key(x) in known or norm_key(x).replace(" ", "") in compact) for x in (name, bare, acr)):
            return
        # one record per name whatever its spacing or head: "VoteNow", "Vote Now", "VoteNow campaign"
        ck = norm_key(bare or name).replace(" ", "")
        rec = found.setdefault(ck, {"name": bare or name, "kind": _kind(head), "surfaces": [], "spans": [], "acr": acr})
        rec["surfaces"].append(name)
        rec["spans"].append((start, end))
        if quoted:
            rec["surfaces"].append(quoted)
        if bare and bare != name:
            rec["surfaces"].append(bare)
            if CODE_RE.match(bare) and bare.upper() == bare:
                rec["acr"] = bare

    heads = list(HEAD_RE.finditer(text))
    for hm in heads:
        checkpoint()
        head = hm.group("head")
        # sentence-initial English "Project …" is not a lower-case noun; German capitalises every noun: after a
        # lower-case word ("die bundesweite Initiative") a capitalised head is one
        german = LOWER_WORD_BEFORE_RE.search(text, max(0, hm.start() - 30), hm.start()) is not None
        german = german or language == "de" and _quote_after(text, hm.end())
        # "The Programme “Zambujal Gets Better”": a capitalised noun after an article, its quoted title after it
        quoted = _quote_after(text, hm.end()) and ARTICLE_RE.search(text, max(0, hm.start() - 8), hm.start())
        if head[0].isupper() and head.lower() in HEADS and not (german or quoted):
            continue
        hs, he = hm.start(), hm.end()
        if taken[hs]:
            continue
        after = text[he : he + 200]
        before = text[max(0, hs - 120) : hs]
        # 1. the noun, then (called …) a quoted title or a name
        m = re.match(rf"\s+(?:{CALLED}\s+)?(?:(?P<q>[“\"«„‘'])|(?=[A-ZÀ-ÖØ-Þ0-9]))", after)
        if m and m.group("q") and (ARTICLE_MOD_RE.search(before) or language == "de" and head[0].isupper()):
            q = QUOTED_RE.match(text, he + m.end() - 1)
            if q:
                add(q.start(1), q.end(1), q.group(1), head, quoted=q.group(1))
                continue
        called = m is not None and re.match(rf"\s+{CALLED}", after) is not None
        if m and not m.group("q") and (ARTICLE_MOD_RE if called else ARTICLE_RE).search(before):
            n = NAME_AFTER_RE.match(text, he + m.end())
            end = (_german_name_end(text, n.end()) if head[0].isupper() else n.end()) if n else 0
            if n and (called or len(text[n.start() : end].split()) >= 2 or CODE_RE.match(n.group(0))):
                add(n.start(), end, text[n.start() : end], head)
                continue
        # 2. a quoted title or a code name right before the noun: “Open Doors” campaign, the CITYLINK project
        qb = re.search(r"[”\"»’']\s*$", before)
        if qb:
            q = list(QUOTED_RE.finditer(before))
            if q and q[-1].end() == len(before.rstrip()):
                s = hs - len(before) + q[-1].start(1)
                qt = q[-1].group(1)
                add(s, s + len(qt), qt, head, quoted=f"{before[q[-1].start() :].strip()} {head}")
                continue
        nb = NAME_BEFORE_RE.search(before)
        mod = ""
        if not nb:  # one lower-case modifier between the code name and the noun: "the M4D Net online platform"
            mm = re.search(r"\s([a-z][\w-]{2,})\s+$", before)
            if mm:
                nb = NAME_BEFORE_RE.search(before, 0, mm.start() + 1)
                mod = mm.group(1) + " " if nb else ""
        if nb and head[0].islower():
            name = nb.group(1)
            left = before[: nb.start(1)]
            # "The CITYLINK project" at the start of a sentence, "Later the CITYLINK project": leading function words
            # belong to the context, not to the name
            art = LEADING_FUNCTION_RE.match(name)
            if art:
                left, name = left + art.group(0), name[art.end() :]
            # a name of capitalised words right after an article ("the Bridges to Work project") keeps its linking
            # words; a code name has none: keep the tokens after the last one ("Later the CITYLINK")
            toks = name.split()
            whole = ARTICLE_RE.search(left) and not any(CODE_RE.match(t) for t in toks)
            lk = list(LINK_WORD_RE.finditer(name))
            if lk and not (whole and sum(t[:1].isupper() for t in toks) >= 2):
                left, name = left + name[: lk[-1].end()], name[lk[-1].end() :]
            toks = name.split()
            codes = [t for t in toks if CODE_RE.match(t)]
            named = codes or sum(t[:1].isupper() for t in toks) >= 2 and not nm.org_head(name)
            if named and (ARTICLE_RE.search(left) or left.endswith(("’s ", "'s "))):
                s = hs - len(before) + len(left)
                add(s, s + len(name), f"{name} {mod}{head}", head, bare=name)
                continue
    # 3. a bold name with an initiative noun in running text: "**European network of legal experts**"
    for bm in BOLD_RE.finditer(text) if "**" in text else ():
        name = bm.group(1).strip()
        hm = HEAD_RE.search(name) or re.search(
            r"\b(?:Programme|Program|Project|Network|Campaign|Platform|Database)\b", name
        )
        if hm and not nm.last_head_is_org(name) and " " in name and not name.endswith((".", ":")):
            add(bm.start(1), bm.start(1) + len(name), name, hm.group(0).lower())
    # 4. "X is a … network", "X, a … campaign", "X — which is a … platform" (looked up behind each noun)
    for hm in heads:
        checkpoint()
        if taken[hm.start()]:
            continue
        lo = max(0, hm.start() - 90)
        dm = DEFINED_RE.search(text, lo, hm.start())
        if dm is None:
            continue
        s = dm.start()
        dm = _Defined(dm.group("link"), hm.group("head"))
        left = text[max(0, s - 160) : s]
        if left.endswith("**"):
            b = left.rfind("**", 0, len(left) - 2)
            if b >= 0 and "\n" not in left[b:]:
                name = left[b + 2 : -2]
                st = s - len(left) + b + 2
                add(st, st + len(name), name, dm.group("head"))
                continue
        nb = NAME_BEFORE_RE.search(left)
        if not nb:
            continue
        name = nb.group(1)
        st = s - len(left) + nb.start(1)
        if not copula_ok(dm, text, st):
            continue
        copula = dm.group("link").strip() not in (",", "—", "–", "-") and not dm.group("link").strip().startswith(
            (",", "—", "–")
        )
        if copula:
            # the subject must open the sentence ("Cross-Data is a database …", "The X Network is a network …")
            pre = text[max(0, st - 6) : st]
            if not (
                st == 0 or re.search(r"(?:[.!?:]\s+|\n|^)(?:The\s+|La\s+|Le\s+|El\s+|Die\s+|Das\s+|Der\s+)?$", pre)
            ):
                continue
        if len(name.split()) == 1 and not CODE_RE.match(name) and "-" not in name:
            continue
        add(st, st + len(name), name, dm.group("head"))

    new_inits = list(inits)
    new_mentions: list[Mention] = []
    for rec in found.values():
        key = f"init:{norm_key(rec['name'])}"
        surfaces = tuple(dict.fromkeys(rec["surfaces"]))
        new_inits.append(Initiative(key, rec["name"], rec["acr"], rec["kind"], (), (), (), None, surfaces))
        for a, b in rec["spans"]:
            new_mentions.append(Mention("initiatives", key, a, b, text[a:b], STAGE))
    return new_inits, new_mentions


_SENT_END_RE = re.compile(r"[.!?]\s+(?=[\"'“‘«(]*[A-ZÀ-ÖØ-Þ0-9¿¡])|\n")


def _sentence_at(text: str, start: int, end: int) -> Segment:
    """The sentence around ``text[start:end]``, found locally (at most ~600 characters either side)."""
    lo = max(0, start - 600)
    ends = [m.end() for m in _SENT_END_RE.finditer(text, lo, start)]
    s = ends[-1] if ends else lo
    r = _SENT_END_RE.search(text, end, min(len(text), end + 600))
    e = r.start() + 1 if r is not None else min(len(text), end + 600)
    return Segment(s, e, text[s:e])


POSSESSIVE_RE = re.compile(r"^([A-ZÀ-Þ][\w-]+)[’']s\s+(.{6,})$")


def possessive_surfaces(inits) -> list[Initiative]:
    """ "Chicago's Welcoming City Ordinance" is also known as "Welcoming City Ordinance" (owner's name dropped)."""
    out = []
    for i in inits:
        extra = []
        for s in i.surface:
            m = POSSESSIVE_RE.match(s)
            if m and m.group(2)[0].isupper() and len(m.group(2).split()) >= 2:
                extra.append(m.group(2))
        out.append(replace(i, surface=tuple(dict.fromkeys(i.surface + tuple(extra)))) if extra else i)
    return out


def add_details(text, inits, orgs, mentions, place_recs, place_mentions) -> list[Initiative]:
    """Fill lead, funders, participants and period from the sentences that mention each initiative."""
    if not inits:
        return list(inits)
    ent_label = {o.key: (o.acronym or o.name) for o in list(orgs) + list(inits)}
    place_by_key = {p.key: p for p in place_recs}
    by_init: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.category == "initiatives":
            by_init.setdefault(m.key, []).append(m)
    org_ms = sorted((m for m in mentions if m.key in ent_label), key=lambda m: m.start)
    org_starts = [m.start for m in org_ms]
    pm_sorted = sorted(place_mentions, key=lambda m: m.start)
    pm_starts = [m.start for m in pm_sorted]

    out = []
    for init in inits:
        checkpoint()
        lead, funders, parts, period = [], [], [], init.period
        for m in by_init.get(init.key, [])[:20]:
            sent = _sentence_at(text, m.start, m.end)
            for om in org_ms[bisect_left(org_starts, sent.start) : bisect_left(org_starts, sent.end)]:
                if om.key == init.key:
                    continue
                pre = text[max(sent.start, om.start - 60) : om.start]
                label = ent_label[om.key]
                if LEAD_RE.search(pre) and label not in lead:
                    lead.append(label)
                elif FUND_RE.search(pre) and label not in funders:
                    funders.append(label)
            if period is None:
                p = PERIOD_RE.search(sent.text)
                if p:
                    a, b = (p.group(1), p.group(2)) if p.group(1) else (p.group(3), p.group(4))
                    b = b if len(b) == 4 else a[:2] + b
                    if a < b:
                        period = f"{a}-{b}"
            mm = MEMBERS_RE.search(sent.text)
            if mm:
                for pm in pm_sorted[bisect_left(pm_starts, sent.start + mm.end()) : bisect_left(pm_starts, sent.end)]:
                    if True:
                        pl = place_by_key.get(pm.key)
                        if pl is not None and pl.type == "city" and pl.name not in parts:
                            parts.append(pl.name)
        out.append(
            replace(
                init,
                lead=init.lead or tuple(lead[:6]),
                funders=init.funders or tuple(funders[:6]),
                participants=init.participants or tuple(parts[:40]),
                period=period,
            )
        )
    return out


EDITION_RE = re.compile(r"\b(?:Day|Week|Journée|Semaine|Día|Semana|Tag|Woche)\b")
MEETING_RE = re.compile(r"\b(?:Forum|Fora|Foro|Summit|Sommet|Cumbre|Gipfel|Congress|Congrès|Congreso|Kongress)\b")
ORDINAL_BEFORE_RE = re.compile(
    r"(?:\b[0-9]{1,3}(?:st|nd|rd|th|e|ème|er|º|ª|\.)|\b(?:First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|"
    r"Ninth|Tenth|Premier|Première|Deuxième|Troisième|Primer|Primera|Segundo|Segunda|Tercer|Tercera|Erste[nrs]?|"
    r"Zweite[nrs]?|Dritte[nrs]?))\s+(?:the\s+)?$",
    re.I,
)
MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|janvier|février|mars|"
    r"avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|"
    r"agosto|septiembre|octubre|noviembre|diciembre|Januar|Februar|März|Juni|Juli|Oktober|Dezember"
)
DATED_AFTER_RE = re.compile(
    rf"^[^\n.;]{{0,50}}?(?:\b(?:19|20)[0-9]{{2}}\b|\b[0-9]{{1,2}}\.?\s*(?:de\s+)?(?:{MONTHS})\b)", re.I
)


def drop_dated_days(text: str, inits, mentions) -> tuple[list[Initiative], list[Mention]]:
    """ "World Day against X 2019" named with its year is an occurrence (an event), not an initiative; so is a forum or
    a summit every mention of which is an edition: an ordinal before it ("4th World Forum on …") or a date right after
    it ("World Urban Forum, Kuala Lumpur, 7-13 February 2017", "Foro Mundial …, del 19 al 21 de abril")."""
    by: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.category == "initiatives":
            by.setdefault(m.key, []).append(m)
    drop = set()
    for i in inits:
        ms = by.get(i.key, [])
        if (
            ms
            and i.registry_id is None
            and EDITION_RE.search(i.name)
            and any(re.match(r" (?:19|20)[0-9]{2}(?![\w/-])", text[m.end : m.end + 6]) for m in ms)
        ):
            drop.add(i.key)
        elif ms and MEETING_RE.search(i.name) and all(_edition(text, m) for m in ms):
            drop.add(i.key)
    return [i for i in inits if i.key not in drop], [m for m in mentions if m.key not in drop]


def _edition(text: str, m: Mention) -> bool:
    return bool(
        ORDINAL_BEFORE_RE.search(text[max(0, m.start - 20) : m.start]) or DATED_AFTER_RE.match(text[m.end : m.end + 80])
    )
