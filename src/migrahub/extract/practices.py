"""Practices stage: good-practice examples and case descriptions.

Sources: blocks labelled "EXAMPLE OF …:" (also EXEMPLE/EJEMPLO/BEISPIEL), paragraphs with an example cue ("for
example", "an innovative example", "a case in point", "good/best practice", "practices such as X and Y", "par
exemple", "por ejemplo", "zum Beispiel" …), case stories under a "…'s Story" heading, descriptions of entries in
annotated resource lists (annexes), and long paragraphs that describe what a named initiative did.
Evidence is the first ~12 words of the passage, verbatim; ``start`` is its offset.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .practice_prose import prose_practices
from .records import Practice
from .segments import clean_inline, heading_text, paragraphs, sentences

STAGE = "extract/practices@2"

LABEL_RE = re.compile(
    r"^\W*(?:EXAMPLES? OF|EXEMPLES? D[E']|EJEMPLOS? DE|BEISPIELE? F[ÜU]R|GOOD PRACTICE|BONNE PRATIQUE|"
    r"BUENA PR[AÁ]CTICA|CASE STUDY|[ÉE]TUDE DE CAS|ESTUDIO DE CASO|FALLBEISPIEL)\b([^:\n]*):?",
    re.I,
)
CUE_RE = re.compile(
    r"\b(?:an? (?:\w+ )?example (?:of|is)|for an? example|examples? (?:concerned|include)|"
    r"a case in point|good practices? (?:is|are|include)|best practices? (?:is|are|include)|"
    r"practices such as|this is an example|in this example|for example, (?:in|the)|"
    r"par exemple|un exemple|une bonne pratique|por ejemplo|un ejemplo|una buena práctica|"
    r"zum Beispiel|ein Beispiel|gute Praxis|Praxisbeispiel|Best-Practice-Beispiel)\b",
    re.I,
)
SUCH_AS_RE = re.compile(r"practices such as (.+?)(?:\.|$)", re.I)
STORY_RE = re.compile(r"^[A-ZÀ-Þ][\w’'-]*[’']s Story$")
RESOURCE_SECTION_RE = re.compile(
    r"\b(annex|resources|ressources|recursos|further reading|bibliograph|Literatur)\b", re.I
)
DOER_KINDS = {"ngo", "local_government", "city_network", "religious", "foundation", "research", "other"}
ANNEX_RE = re.compile(r"^\W*(?:annex|annexe|anexo|anhang|appendix)\b", re.I)
DEFINITION_RE = re.compile(
    r"\s*(?:\([^)]{1,40}\)\s*)?(?:,\s*)?(?:is|was|est|es|ist|war)\s+(?:an?|the|un|une|una|ein|eine|der|die|das)\b", re.I
)
ACTION_RE = re.compile(
    r"\b(launch(?:ed)?|create[ds]?|developed|contribute[ds]?|introduced|established|set up|piloted|coordinated|"
    r"took part|implemented|runs?|organises|organizes|matches|provides|trains|connects|mobilised|built|"
    r"a lancé|a créé|mis en place|lanzó|creó|puso en marcha|gegründet|initiiert|entwickelt)\b",
    re.I,
)


# a passage that opens with a link ("See <url> for an example of …") is quoted from its first words of prose
LEAD_LINK_RE = re.compile(
    r"^\s*(?:(?:see|voir|ver|siehe)\s*:?\s*)?(?:[<(\[]\s*)*(?:(?:<a\s[^>]*>[^<]*</a>|https?://\S+|www\.\S+|<[^>]+>)\s*[>)\]]*\s*)+",
    re.I,
)


def _evidence(text: str) -> str:
    m = LEAD_LINK_RE.match(text)
    if m and len(text) - m.end() > 20:
        text = text[m.end() :]
    return " ".join(clean_inline(text).split()[:12])


# annotations in resource lists that describe a concrete initiative or example (not a publication's contents)
ANNOT_EXAMPLE_RE = re.compile(
    r"\bfor (?:an |one )?examples? (?:of|in which|where)\b|\bfor information on\b|\bdescribes? (?:how|its)\b|"
    r"\bpour (?:un |des )?exemples? d[e']|\bpara (?:un |unos )?ejemplos? de\b|\bfür (?:ein )?Beispiele? (?:für|von)\b",
    re.I,
)
ANNOT_VAGUE_RE = re.compile(
    r"\b(?:various|several|a number of|many|numerous|divers|varios|mehrere)\s+examples?\b", re.I
)
INIT_NOUN_RE = re.compile(
    r"\b(?:initiatives?|projects?|campaigns?|programmes?|programs?|platforms?|networks?|caravans?|schemes?|"
    r"projets?|campagnes?|plateformes?|réseaux?|iniciativas?|proyectos?|campañas?|programas?|plataformas?|"
    r"caravanas?|redes|Projekte?|Kampagnen?|Initiativen?|Netzwerke?)\b",
    re.I,
)


_STOP = {
    "the",
    "of",
    "and",
    "for",
    "in",
    "on",
    "to",
    "a",
    "an",
    "with",
    "by",
    "at",
    "from",
    "all",
    "see",
    "information",
    "example",
    "examples",
    "which",
    "that",
    "this",
    "de",
    "la",
    "le",
    "el",
    "en",
    "des",
    "los",
    "las",
    "der",
    "die",
}


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2 and w not in _STOP}


def _repeats(evidence: str, done: list[Practice]) -> bool:
    """An annotation that repeats a practice already recorded (same words as its evidence or summary)."""
    ws = _content(evidence)
    if not ws:
        return False
    return any(len(ws & _content(p.evidence + " " + p.summary)) / len(ws) >= 0.5 for p in done)


def extract_practices(text, place_mentions, place_recs, ne_mentions, orgs, inits, language=None) -> list[Practice]:
    place_by_key = {p.key: p for p in place_recs}
    ent_by_key = {e.key: e for e in list(orgs) + list(inits)}
    init_keys = {i.key for i in inits}
    doer_keys = {o.key for o in orgs if o.kind in DOER_KINDS}
    init_ms = [m for m in ne_mentions if m.key in init_keys]
    city_keys = {p.key for p in place_recs if p.type == "city"}
    out: list[Practice] = []

    def add(start: int, end: int, title: str, body: str, force: bool = False) -> None:
        if not force and any(abs(p.start - start) <= 400 for p in out):
            return
        places = tuple(dict.fromkeys(place_by_key[m.key].name for m in place_mentions if start <= m.start < end))
        actors = tuple(
            dict.fromkeys(
                (ent_by_key[m.key].acronym or ent_by_key[m.key].name)
                for m in ne_mentions
                if start <= m.start < end and m.key in ent_by_key
            )
        )
        sents = sentences(body)
        summary = clean_inline(sents[0].text) if sents else clean_inline(body)[:200]
        out.append(
            Practice(
                f"practice:{len(out)}",
                clean_inline(title).strip()[:160],
                places[:12],
                actors[:8],
                summary[:300],
                _evidence(body),
                start,
            )
        )

    paras = paragraphs(text)
    section = ""
    in_annex = False  # annexes run to the end of the document, whatever their sub-headings
    prev_was_citation = False
    for i, p in enumerate(paras):
        h = heading_text(p.text)
        if h is None and len(p.text) < 120 and ANNEX_RE.match(clean_inline(p.text)):
            in_annex = True
        if h is not None:
            section = h
            in_annex = in_annex or bool(ANNEX_RE.match(h))
            prev_was_citation = False
            if STORY_RE.match(h) and i + 1 < len(paras):
                nxt = paras[i + 1]
                add(nxt.start, nxt.end, h, nxt.text)
            continue
        plain = clean_inline(p.text)
        lab = LABEL_RE.match(plain)
        if lab:
            body_start = p.start + p.text.find(":") + 1 if ":" in p.text[:200] else p.start
            title = lab.group(1).strip(" *:") or plain[:80]
            add(p.start, p.end, title, text[body_start : p.end], force=True)
            continue
        if STORY_RE.match(plain.strip()) and i + 1 < len(paras):
            nxt = paras[i + 1]
            add(nxt.start, nxt.end, plain.strip(), nxt.text)
            continue
        words = len(plain.split())
        has_url = "http" in p.text or "www." in p.text
        if (in_annex or RESOURCE_SECTION_RE.search(section)) and words >= 6:
            # an annotated resource list: the annotation of an entry is a practice when it describes an initiative
            # or points to an example ("See <url> for an example of …", "Describes how X …", "Campaign to …")
            head = " ".join(_evidence(p.text).split()[:10])
            annot = (prev_was_citation and not has_url) or LEAD_LINK_RE.match(p.text) is not None
            if (
                annot
                and not ANNOT_VAGUE_RE.search(plain)
                and (ANNOT_EXAMPLE_RE.search(plain[:200]) or INIT_NOUN_RE.search(head))
            ):
                m = LEAD_LINK_RE.match(p.text)
                st = p.start + (m.end() if m and p.end - p.start - m.end() > 20 else 0)
                if not _repeats(_evidence(p.text), out):
                    add(st, p.end, _evidence(p.text)[:80], text[st : p.end], force=True)
                prev_was_citation = has_url or bool(re.search(r"\b(?:19|20)[0-9]{2}\b.*[\"“]", plain))
                continue
        prev_was_citation = has_url or bool(re.search(r"\b(?:19|20)[0-9]{2}\b.*[\"“]", plain))
        if words >= 50 and not in_annex and not RESOURCE_SECTION_RE.search(section):
            # a long paragraph telling what a named initiative did (or what an organisation did with it), in one
            # sentence; a definition ("X (ACR) is a forum …") presents the initiative, not an example of practice
            # the doer must be a city or a civil-society body named before the verb, the initiative after it
            hit = None
            in_para = ACTION_RE.search(p.text) and any(
                p.start <= m.start < p.end and m.key in init_keys for m in init_ms
            )
            for s in sentences(text, p.start, p.end) if in_para else ():
                act = ACTION_RE.search(s.text)
                if not act:
                    continue
                a = s.start + act.start()
                named = [m for m in ne_mentions if a < m.start < s.end and m.key in init_keys]
                doers = [m for m in ne_mentions if s.start <= m.start < a and m.key in doer_keys] + [
                    m for m in place_mentions if s.start <= m.start < a and m.key in city_keys
                ]
                if named and doers and not any(DEFINITION_RE.match(text, m.end) for m in named):
                    hit = named[0]
                    break
            if hit is not None:
                add(p.start, p.end, ent_by_key[hit.key].name, p.text)
                continue
        for s in sentences(text, p.start, p.end):
            if SUCH_AS_RE.search(s.text):
                items = re.split(r",\s*|\s+and\s+", SUCH_AS_RE.search(s.text).group(1))
                named = [it for it in items if it[:1].isupper()]
                for it in named[:4]:
                    add(p.start, p.end, it.strip(), p.text, force=True)
                break
            if CUE_RE.search(s.text) and words >= 12 and not s.text.rstrip().endswith("?"):
                add(s.start, p.end, s.text[:100], text[s.start : p.end])
                break
    # programmes and services of cities described in running prose, and entries of practice listings
    out += prose_practices(text, place_mentions, place_recs, ne_mentions, orgs, inits, out, language)
    return [replace(p, key=f"practice:{i}") for i, p in enumerate(out)]
