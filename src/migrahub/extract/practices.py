"""Practices stage: good-practice examples and case descriptions.

Sources: blocks labelled "EXAMPLE OF …:" (also EXEMPLE/EJEMPLO/BEISPIEL), paragraphs with an example cue ("for
example", "an innovative example", "a case in point", "good/best practice", "practices such as X and Y", "par
exemple", "por ejemplo", "zum Beispiel" …), case stories under a "…'s Story" heading, descriptions of entries in
annotated resource lists (annexes), and long paragraphs that describe what a named initiative did.
Evidence is the first ~12 words of the passage, verbatim; ``start`` is its offset.
"""

from __future__ import annotations

import re

from .records import Practice
from .segments import clean_inline, heading_text, paragraphs, sentences

STAGE = "extract/practices@1"

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
    r"zum Beispiel|ein Beispiel|gute Praxis|Best Practice)\b",
    re.I,
)
SUCH_AS_RE = re.compile(r"practices such as (.+?)(?:\.|$)", re.I)
STORY_RE = re.compile(r"^[A-ZÀ-Þ][\w’'-]*[’']s Story$")
RESOURCE_SECTION_RE = re.compile(
    r"\b(annex|resources|ressources|recursos|further reading|bibliograph|Literatur)\b", re.I
)
ACTION_RE = re.compile(
    r"\b(launched|created|developed|contributed|introduced|established|set up|piloted|coordinated|"
    r"implemented|runs?|organises|organizes|matches|provides|trains|connects|mobilised|built|"
    r"a lancé|a créé|mis en place|lanzó|creó|puso en marcha|gegründet|initiiert|entwickelt)\b",
    re.I,
)


def _evidence(text: str) -> str:
    return " ".join(clean_inline(text).split()[:12])


def extract_practices(text, place_mentions, place_recs, ne_mentions, orgs, inits) -> list[Practice]:
    place_by_key = {p.key: p for p in place_recs}
    ent_by_key = {e.key: e for e in list(orgs) + list(inits)}
    init_keys = {i.key for i in inits}
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
    prev_was_citation = False
    for i, p in enumerate(paras):
        h = heading_text(p.text)
        if h is not None:
            section = h
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
        if RESOURCE_SECTION_RE.search(section) and not has_url and words >= 8 and prev_was_citation:
            add(p.start, p.end, plain[:80], p.text)
        prev_was_citation = has_url or bool(re.search(r"\b(?:19|20)[0-9]{2}\b.*[\"“]", plain))
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
        else:
            # a long paragraph describing what a named initiative did
            if words >= 50:
                head_end = p.start + len(" ".join(p.text.split()[:25]))
                first = [m for m in ne_mentions if p.start <= m.start < head_end and m.key in init_keys]
                if first and ACTION_RE.search(p.text[:400]):
                    e = ent_by_key[first[0].key]
                    add(p.start, p.end, e.name, p.text)
    return out
