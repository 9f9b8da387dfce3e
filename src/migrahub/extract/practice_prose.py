"""Practices described in prose (EN/FR/ES/DE), whatever the genre: news, profile, FAQ, press release, report.

Cue lexicons are in ``data/practices_cues.yaml``. A paragraph describes a practice when one of its sentences has a
local actor (a city or region named in it, a municipal body, a city network, "the city / la ville / el ayuntamiento /
die Stadt"), a verb of doing ("launched, runs, set up, provides, a mis en place, puso en marcha, eingerichtet…") and
the thing done (a programme, service, centre, office, network, campaign, plan…) — or an example cue ("For instance,
Riga's … centre …"). Entries of practice listings (a title, a "Purpose:" teaser, "Read more") are practices too,
unless the entry reports an event (a date line under its title).

One record per practice per document: a paragraph whose actor and thing repeat a practice already found nearby adds
nothing. The title says what and where ("Support Centre for Ukrainian Residents – Riga"); places and actors are the
places and organisations named in the passage; the summary is its first sentence; the evidence its first words.
"""

from __future__ import annotations

import re

from .prose import cards, cues, word_re
from .records import Practice
from .segments import clean_inline, heading_text, paragraphs, sentences

C = cues("practices")
ACTOR_RE = word_re(C["actors"])
VERB_RE = word_re(C["verbs"])
OBJECT_RE = word_re(C["objects"])
EXAMPLE_RE = word_re(C["example_cues"])
PURPOSE_RE = re.compile(r"^\W*(?:" + "|".join(C["purpose_labels"]) + r")\s*:", re.I)
LOCAL_KINDS = {"local_government", "city_network"}
DATE_LINE_RE = re.compile(r"^\W*(?:[0-3]?[0-9][ .]+)?[A-Za-zéû]+\.?\s+(?:[0-3]?[0-9],?\s+)?(?:19|20)[0-9]{2}\b")
CLAUSE_END_RE = re.compile(r"\s*(?:[,;.]|$)")
FUNCTION = {
    "the",
    "a",
    "an",
    "its",
    "their",
    "of",
    "to",
    "and",
    "for",
    "in",
    "on",
    "with",
    "la",
    "le",
    "les",
    "el",
    "los",
    "las",
    "de",
    "des",
    "du",
    "der",
    "die",
    "das",
    "und",
    "y",
    "et",
    "new",
    "is",
    "are",
    "was",
    "has",
    "have",
}


def prose_practices(
    text, place_mentions, place_recs, ne_mentions, orgs, inits, found: list[Practice]
) -> list[Practice]:
    place_by_key = {p.key: p for p in place_recs}
    ent_by_key = {e.key: e for e in list(orgs) + list(inits)}
    local_keys = {o.key for o in orgs if o.kind in LOCAL_KINDS}
    out: list[Practice] = []
    taken = [(p.start, set(p.places) | set(p.actors)) for p in found]

    def places_in(s: int, e: int) -> list[str]:
        names = [place_by_key[m.key].name for m in place_mentions if s <= m.start < e and m.key in place_by_key]
        return list(dict.fromkeys(names))

    def actors_in(s: int, e: int) -> list[str]:
        names = [
            ent_by_key[m.key].acronym or ent_by_key[m.key].name
            for m in ne_mentions
            if s <= m.start < e and m.key in ent_by_key
        ]
        return list(dict.fromkeys(names))

    def add(start: int, end: int, title: str, body: str, entry: bool = False) -> None:
        where = set(places_in(start, end)) | set(actors_in(start, end))
        for s0, w0 in taken:
            # each entry of a listing is a practice of its own; a paragraph near one about the same place is not
            if not entry and abs(s0 - start) <= 400 and (not where or not w0 or where & w0):
                return
        taken.append((start, where))
        sents = sentences(body)
        summary = clean_inline(sents[0].text if sents else body)
        out.append(
            Practice(
                "practice:p",
                clean_inline(title).strip()[:160],
                tuple(places_in(start, end))[:12],
                tuple(actors_in(start, end))[:8],
                summary[:300],
                " ".join(clean_inline(body).split()[:12]),
                start,
            )
        )

    # entries of practice listings
    for c in cards(text):
        title = clean_inline(c.title.text).strip()
        first = c.body[0].text if c.body else ""
        if DATE_LINE_RE.match(first) and not PURPOSE_RE.match(c.body[-1].text):
            continue  # a news or event entry: "20 June 2017" under its title
        if "http" not in title:
            add(c.title.start, c.end, title, " ".join(b.text for b in c.body), entry=True)
    # paragraphs of prose
    for p in paragraphs(text):
        if heading_text(p.text) is not None or len(p.text.split()) < 12:
            continue
        hit = _describes(text, p, place_mentions, place_by_key, ne_mentions, local_keys)
        if hit is None:
            continue
        add(p.start, p.end, _title(hit, places_in(p.start, p.end), actors_in(p.start, p.end)), p.text)
    return out


def _describes(text, p, place_mentions, place_by_key, ne_mentions, local_keys) -> str | None:
    """The sentence of the paragraph where a local actor does the thing (actor, then verb, then the thing within a
    few words), or an example cue names a local actor's thing ("For instance, Riga's … Centre …"); else None."""
    for s in sentences(text, p.start, p.end):
        objs = list(OBJECT_RE.finditer(s.text))
        if not objs:
            continue
        actors = [
            m.start - s.start
            for m in place_mentions
            if s.start <= m.start < s.end and m.key in place_by_key and place_by_key[m.key].type in ("city", "region")
        ] + [m.start - s.start for m in ne_mentions if s.start <= m.start < s.end and m.key in local_keys]
        actors += [m.start() for m in ACTOR_RE.finditer(s.text)]
        if not actors:
            continue
        if EXAMPLE_RE.search(s.text[:40]):
            return s.text
        for v in VERB_RE.finditer(s.text):
            # the thing after the verb, or before it when the verb ends the clause ("… eine Beratungsstelle
            # eingerichtet")
            for a in actors:
                if 0 <= v.start() - a <= 150 and any(
                    0 <= o.start() - v.end() <= 80
                    or a < o.start() < v.start()
                    and re.match(r"\s*(?:[,;.]|$)", s.text[v.end() :])
                    for o in objs
                ):
                    return s.text
    return None


def _title(sentence: str, places: list[str], actors: list[str]) -> str:
    """What + where: the thing done (a capitalised name around it, else the noun and the words before it) and the
    first place (else actor) of the passage."""
    obj = OBJECT_RE.search(sentence)
    what = obj.group(0)
    name = re.search(
        r"((?:[A-ZÀ-Þ][\w’'-]*\s+(?:(?:of|for|de|del|des|für|la|los)\s+)?){0,4})"
        + re.escape(what)
        + r"((?:\s+(?:of|for|de|del|des|für|la|los|para)?\s*[A-ZÀ-Þ“„«][\w’'”“»-]*){0,5})",
        sentence,
    )
    if name and (name.group(1).strip() or name.group(2).strip()):
        what = (name.group(1) + what + name.group(2)).strip()
    else:
        before = sentence[: obj.start()].split()[-3:]
        while before and (before[0].lower() in FUNCTION or VERB_RE.fullmatch(before[0])):
            before.pop(0)
        what = " ".join([*before, what])
    where = places[0] if places else actors[0] if actors else None
    what = what[:1].upper() + what[1:]
    return f"{what} – {where}" if where and where not in what else what
