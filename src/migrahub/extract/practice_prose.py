"""Practices described in prose (EN/FR/ES/DE), whatever the genre: news, profile, FAQ, press release, report.

Cue lexicons are in ``data/practices_cues.yaml``; noun phrases come from :mod:`.phrases`. A paragraph describes a
practice when one of its sentences says
- that a local actor (a city or region, a municipal body, an association, a city network, "the city / la ville / el
  ayuntamiento / die Stadt") sets up, runs or offers something: actor, verb (any tense; in German the participle may
  close the clause) and the noun phrase of the thing — a programme, service, centre, office, card, plan… or, after a
  verb of creating ("launched", "a mis en place", "puso en marcha", "eingerichtet"), any thing but an event, a
  document or an appeal ("Barcelona launched a municipal identity card");
- that a named service helps people, or that people can use it ("The Welcome Desk in Ghent helps newcomers…",
  "newcomers can use the Toronto Newcomer Office", "The Newcomer Language Café is a project of …");
- that a local actor works with a named programme ("Mit dem Projekt „Ankommen in Leipzig“ unterstützt die Stadt…",
  "el programa «Zaragoza Acoge»");
- or an example cue names a local actor's thing ("For instance, Riga's … centre …").
Entries of practice listings (a title, a "Purpose:" teaser, "Read more") are practices too, unless the entry reports
an event (a date line under its title).

One record per practice per document: a paragraph whose actor and thing repeat a practice already found nearby adds
nothing. The title says what and where ("Municipal identity card – Barcelona", "Guichet unique pour les personnes
exilées – Strasbourg"); places and actors are those named in the passage; the summary is the sentence that says
it; the evidence the passage's first words.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .dates import find_dates
from .phrases import Tok, capitalise, complement, guess_language, tokens, word_class
from .prose import QUOTE_RE, alternation, cards, cues, word_re
from .records import Practice
from .segments import Segment, clean_inline, heading_text, paragraphs, sentences

C = cues("practices")
ACTOR_RE = word_re(C["actors"])
VERB_RE = word_re(C["verbs"])
STRONG_RE = re.compile(rf"(?:{alternation(C['strong_verbs'])})", re.I)
OBJECT_RE = re.compile(rf"(?:{alternation(C['objects'])})", re.I)
NOT_OBJECT_RE = re.compile(rf"(?:{alternation(C['not_objects'])})", re.I)
COMPOUND_HEAD_RE = re.compile(rf"[A-ZÄÖÜ]\w+(?:{'|'.join(C['german_object_heads'])})", re.I)
HELP_RE = word_re(C["help_verbs"])
USE_RE = word_re(C["use_cues"])
EXAMPLE_RE = word_re(C["example_cues"])
PURPOSE_RE = re.compile(r"^\W*(?:" + "|".join(C["purpose_labels"]) + r")\s*:", re.I)
INSTRUMENT_RE = re.compile(rf"(?<![\w’-]){alternation(C['instruments'])}\s+(?:\w+\s+){{0,2}}$", re.I)
SERVICE_NOUN = alternation(C["service_nouns"])
SERVICE_NOUN_RE = re.compile(SERVICE_NOUN)
NAME_WORD = r"(?:[A-ZÀ-Þ][\w’'&.-]*|[0-9]+)"
NAME_LINK = r"(?:of|for|on|and|de|del|des|du|la|le|el|für|für die|für den|et|y|und|d['’])"
SERVICE_RE = re.compile(
    rf"(?<![\w’-])((?:{NAME_WORD}\s+(?:{NAME_LINK}\s+)?){{0,4}}{SERVICE_NOUN}(?![\w’-])"
    rf"(?:\s+(?:{NAME_LINK}\s+)?{NAME_WORD}){{0,3}})"
)
# "X is a project / programme / service of Y", "X est un dispositif de", "X es un programa de", "X ist ein Projekt"
DEFINED_RE = re.compile(
    r"^\s*(?:,\s*)?(?:is|was|est|es|ist|war)\s+(?:an?|the|un|une|una|ein|eine|der|die|das)\s+(?:\w+\s+){0,2}?"
    rf"(?:{alternation(C['objects'])})\b",
    re.I,
)
LEAD_WORDS = {"the", "a", "an", "le", "la", "les", "l", "el", "los", "las", "der", "die", "das", "den", "dem", "des"}
LOCAL_KINDS = {"local_government", "city_network"}
DOER_KINDS = LOCAL_KINDS | {"ngo", "foundation", "religious", "research", "other"}
FOREIGN_KINDS = {"un", "eu", "intergovernmental", "government"}
POSSESSIVES = set(C["possessives"])
COMMIT_RE = re.compile(rf"(?:{alternation(C['commit_verbs'])})\s+(?:\w+\s+)?(?:to|à|de|a|zu)\s*$", re.I)
DATE_LINE_RE = re.compile(r"^\W*(?:[0-3]?[0-9][ .]+)?[A-Za-zéû]+\.?\s+(?:[0-3]?[0-9],?\s+)?(?:19|20)[0-9]{2}\b")
PRONOUNS = {"it", "them", "this", "that", "these", "those", "one", "ce", "cela", "ceci", "lo", "la", "esto", "eso",
            "es", "ihn", "sie", "dies", "das", "its", "their", "his", "her"}  # fmt: skip
CUE_RE = re.compile(
    rf"{VERB_RE.pattern}|{HELP_RE.pattern}|{USE_RE.pattern}|{EXAMPLE_RE.pattern}", re.I
)


@dataclass(frozen=True)
class Hit:
    """Where a sentence says a practice: the thing (its title words) and the place it belongs to."""

    sentence: Segment
    what: str
    where: str | None


class _Ctx:
    """The document's places, entities and dates, and what of them one sentence or paragraph holds."""

    def __init__(self, text, place_mentions, place_recs, ne_mentions, orgs, inits, language):
        self.text = text
        self.lang = language if language in ("en", "fr", "es", "de") else guess_language(text)
        self.place_by_key = {p.key: p for p in place_recs}
        self.ent_by_key = {e.key: e for e in list(orgs) + list(inits)}
        self.org_kind = {o.key: o.kind for o in orgs}
        self.pm = sorted((m for m in place_mentions if m.key in self.place_by_key), key=lambda m: m.start)
        self.pm_starts = [m.start for m in self.pm]
        self.ne = sorted(ne_mentions, key=lambda m: m.start)
        self.ne_starts = [m.start for m in self.ne]
        self.entity_names = {m.surface for m in self.ne}
        self.place_surfaces = sorted(
            {(s, p.name) for p in place_recs if p.type in ("city", "region") for s in p.surface},
            key=lambda x: -len(x[0]),
        )
        self._dates = None

    def dates(self, sent: Segment) -> list[tuple[int, int]]:
        """Spans (in the sentence) of the dates it states."""
        if self._dates is None:
            self._dates = find_dates(self.text)
            self._date_starts = [d.start for d in self._dates]
        i, j = bisect_left(self._date_starts, sent.start), bisect_left(self._date_starts, sent.end)
        return [(d.start - sent.start, d.end - sent.start) for d in self._dates[i:j]]

    def _pm(self, s: int, e: int):
        return self.pm[bisect_left(self.pm_starts, s) : bisect_left(self.pm_starts, e)]

    def _ne(self, s: int, e: int):
        return self.ne[bisect_left(self.ne_starts, s) : bisect_left(self.ne_starts, e)]

    def places_in(self, s: int, e: int) -> list[str]:
        return list(dict.fromkeys(self.place_by_key[m.key].name for m in self._pm(s, e)))

    def actors_in(self, s: int, e: int) -> list[str]:
        names = [
            self.ent_by_key[m.key].acronym or self.ent_by_key[m.key].name
            for m in self._ne(s, e)
            if m.key in self.ent_by_key
        ]
        return list(dict.fromkeys(names))

    def actors(self, sent: Segment) -> list[tuple[int, int, str | None]]:
        """Actors of a sentence as (start, end, place surface or None), offsets in the sentence."""
        out = []
        for m in self._pm(sent.start, sent.end):
            if self.place_by_key[m.key].type in ("city", "region"):
                out.append((m.start - sent.start, m.end - sent.start, m.surface))
        for m in self._ne(sent.start, sent.end):
            if self.org_kind.get(m.key) in DOER_KINDS:
                out.append((m.start - sent.start, m.end - sent.start, self.place_within(m.surface)))
        for a in ACTOR_RE.finditer(sent.text):
            out.append((a.start(), a.end(), None))
        return sorted(out)

    def place_within(self, name: str) -> str | None:
        """A city or region named inside an organisation's name ("Ayuntamiento de Madrid" -> "Madrid")."""
        for surface, _ in self.place_surfaces:
            if surface in name and re.search(rf"(?<!\w){re.escape(surface)}(?!\w)", name):
                return surface
        return None

    def where(self, sent: Segment, para: Segment, actor_place: str | None) -> str | None:
        """The place a practice belongs to: its actor's, else the first city or region of its sentence, its
        paragraph, or the document's opening lines ("Report of the … Committee, Sheffield City Council")."""
        if actor_place:
            return actor_place
        for seg in (sent, para, Segment(0, 400, "")):
            for m in self._pm(seg.start, seg.end):
                if self.place_by_key[m.key].type in ("city", "region"):
                    return m.surface
        if para.start > 0:
            for m in self._ne(0, 400):
                if self.org_kind.get(m.key) in LOCAL_KINDS:
                    return self.place_within(m.surface)
        return None

    def foreign_body(self, s: int, e: int) -> bool:
        """``text[s:e]`` is (inside) a national or international body's name ("Home Office"), not a local service
        (a government office named after its city is local: "Toronto Newcomer Office")."""
        for m in self._ne(max(0, s - 200), e):
            kind = self.org_kind.get(m.key)
            if m.start < e and s < m.end and kind in FOREIGN_KINDS:
                if kind != "government" or not self.place_within(m.surface):
                    return True
        return False


def prose_practices(
    text, place_mentions, place_recs, ne_mentions, orgs, inits, found: list[Practice], language=None
) -> list[Practice]:
    ctx = _Ctx(text, place_mentions, place_recs, ne_mentions, orgs, inits, language)
    out: list[Practice] = []
    taken = [(p.start, set(p.places) | set(p.actors)) for p in found]

    def add(start: int, end: int, title: str, body: str, entry: bool = False, summary: str | None = None) -> None:
        where = set(ctx.places_in(start, end)) | set(ctx.actors_in(start, end))
        for s0, w0 in taken:
            # each entry of a listing is a practice of its own; a paragraph near one about the same place is not
            if not entry and abs(s0 - start) <= 400 and (not where or not w0 or where & w0):
                return
        taken.append((start, where))
        sents = sentences(body)
        summary = clean_inline(summary or (sents[0].text if sents else body))
        out.append(
            Practice(
                "practice:p",
                clean_inline(title).strip()[:160],
                tuple(ctx.places_in(start, end))[:12],
                tuple(ctx.actors_in(start, end))[:8],
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
        if heading_text(p.text) is not None or len(p.text.split()) < 8 or not CUE_RE.search(p.text):
            continue
        hit = _describes(ctx, p)
        if hit is None:
            continue
        title = capitalise(hit.what)
        if hit.where and hit.where.lower() not in title.lower():
            title = f"{title} – {hit.where}"
        add(p.start, p.end, title, p.text, summary=hit.sentence.text)
    return out


def _describes(ctx: _Ctx, p: Segment) -> Hit | None:
    """The first sentence of the paragraph that says a practice (see the module's description), else None."""
    for s in sentences(ctx.text, p.start, p.end):
        if s.text.rstrip().endswith("?"):
            continue  # a question (an FAQ's) asks, it does not describe
        if not CUE_RE.search(s.text) and not QUOTE_RE.search(s.text):
            continue
        lang = ctx.lang
        actors = ctx.actors(s)
        hit = _service(ctx, s, p, lang) or _example(ctx, s, p, lang, actors)
        if hit is None and actors:
            hit = _named_programme(ctx, s, p, lang, actors)
        if hit is None and actors:
            hit = (
                _actor_verb_object(ctx, s, p, lang, actors)
                or _passive(ctx, s, p, lang, actors)
                or _owned(ctx, s, p, lang, actors)
            )
        if hit is not None:
            return hit
    return None


# --- actor + verb + the thing done ---------------------------------------------------------------------------------


def _actor_verb_object(ctx: _Ctx, s: Segment, p: Segment, lang, actors) -> Hit | None:
    blocked = ctx.dates(s)
    quotes = [(q.start(), q.end()) for q in QUOTE_RE.finditer(s.text)]
    for v in VERB_RE.finditer(s.text):
        if any(a <= v.start() < b for a, b in quotes):
            continue  # a cited title or a quoted sentence
        if re.search(r"\b(?:to|pour|para|zu)\s+$", s.text[: v.start()]) and not COMMIT_RE.search(s.text[: v.start()]):
            continue  # "its ability to provide …" says what could be done, "agreed to extend" what will be
        before = [a for a in actors if a[1] <= v.start() and v.start() - a[1] <= 150]
        after = [a for a in actors if 0 <= a[0] - v.end() <= 25]  # "betreibt die Stadt Nürnberg eine …"
        strong = bool(STRONG_RE.fullmatch(v.group(0)))
        for actor in [*reversed(before), *after]:
            obj = _object_after(s.text, v.end(), lang, blocked, strong, actors)
            if obj is None and _clause_end(s.text, v.end()) and actor[1] <= v.start():
                # "… hat 2015 ein Beratungszentrum für Geflüchtete eingerichtet"
                obj = _object_before(s.text, actor[1], v.start(), lang, blocked, strong)
            if obj is not None:
                return Hit(s, obj, ctx.where(s, p, actor[2]))
    return None


def _passive(ctx: _Ctx, s: Segment, p: Segment, lang, actors) -> Hit | None:
    """ "Depuis 2022, un service d'aide juridique … est proposé par la mairie de Lille": the thing stands before the
    verb, its actor after "par / by / por / von"."""
    blocked = ctx.dates(s)
    for v in VERB_RE.finditer(s.text):
        agent = re.match(rf"\s+{alternation(C['agents'])}\s+", s.text[v.end() :], re.I)
        if agent is None:
            continue
        actor = next((a for a in actors if 0 <= a[0] - (v.end() + agent.end()) <= 12), None)
        if actor is None:
            continue
        lo = max(0, v.start() - 300)
        toks = tokens(s.text[lo : v.start()])
        for i, t in enumerate(toks):
            if t.low in word_class("determiners", lang):
                run = _run(toks, i + 1, lang, lo, blocked)
                what = _thing(s.text, run, lang, lo, blocked, False) if run else None
                if what:
                    return Hit(s, what, ctx.where(s, p, actor[2]))
    return None


def _owned(ctx: _Ctx, s: Segment, p: Segment, lang, actors) -> Hit | None:
    """A local actor's own programme or service: "Dayton's Welcome Dayton plan", "la ville de Briançon a présenté son
    refuge solidaire", "el Ayuntamiento de Castellón explicó su programa de viviendas puente"."""
    blocked = ctx.dates(s)
    for a in actors:
        rest = s.text[a[1] : a[1] + 120]
        m = re.match(r"[’']s\s", rest) or re.match(r"(?:\s+[\w’'-]+){0,4}?\s+(\w+)\s", rest)
        if m is None or m.lastindex and m.group(1).lower() not in POSSESSIVES:
            continue
        pos = a[1] + m.end()
        run = _run(tokens(s.text[pos : pos + 200]), 0, lang, pos, blocked)
        if run and (OBJECT_RE.fullmatch(run[-1 if lang not in ("fr", "es") else 0].text) or _compound(run)):
            what = _thing(s.text, run, lang, pos, blocked, False)
            if what:
                return Hit(s, what, ctx.where(s, p, a[2]))
    return None


def _compound(run: list[Tok]) -> bool:
    return any(COMPOUND_HEAD_RE.fullmatch(t.text) for t in run)


def _clause_end(s: str, pos: int) -> bool:
    return re.match(r"\s*(?:[,.;:!?)]|$)", s[pos:]) is not None


def _object_after(s: str, pos: int, lang, blocked, strong: bool, actors=()) -> str | None:
    """The noun phrase right after ``pos`` when it is a practice's thing (an actor's name before it is passed over:
    "betreibt die Stadt Nürnberg eine Clearingstelle …")."""
    toks = tokens(s[pos : pos + 240])
    i = 0
    while i < len(toks):
        run = _run(toks, i, lang, pos, blocked)
        if not run:
            return None
        if any(a[0] <= run[0].start + pos < a[1] for a in actors):
            i = toks.index(run[-1]) + 1
            continue
        return _thing(s, run, lang, pos, blocked, strong)
    return None


def _object_before(s: str, lo: int, hi: int, lang, blocked, strong: bool) -> str | None:
    """German verb-final clauses: the noun phrase a determiner opens between the actor and the participle ("hat 2015
    ein Beratungszentrum für Geflüchtete eingerichtet")."""
    toks = tokens(s[lo:hi])
    for i, t in enumerate(toks):
        if t.low in word_class("determiners", lang) and i + 1 < len(toks):
            run = _run(toks, i + 1, lang, lo, blocked)
            what = _thing(s, run, lang, lo, blocked, strong) if run else None
            if what:
                return what
    return None


def _run(toks: list[Tok], i: int, lang, offset: int, blocked) -> list[Tok]:
    """The content words of the noun phrase that starts at ``toks[i]`` (its modifiers and head), after what may open
    it — articles, adverbs, a date ("in 2018", "depuis 2018"); empty when something else comes first."""
    run: list[Tok] = []
    j = i
    while j < len(toks) and not run:
        t = toks[j]
        dated = _dated(t, offset, blocked)
        ahead = toks[j + 1] if j + 1 < len(toks) else None
        if t.low in word_class("determiners", lang) or dated or _adverb(t):
            j += 1
        elif t.low in word_class("place_preps") | word_class("stops") and ahead and _dated(ahead, offset, blocked):
            j += 1  # "in 2018", "seit 2016"
        else:
            break
    if j + 2 < len(toks) and toks[j].low in word_class("quantities") and toks[j + 1].low in ("of", "de", "d", "von"):
        j += 2  # "a variety of (different) services"
        while j < len(toks) and (toks[j].low in word_class("determiners", lang) or _adverb(toks[j])):
            j += 1
    for t in toks[j:]:
        k = t.low
        if not t.word or _dated(t, offset, blocked) or k in word_class("adverbs") or k in word_class("verbs"):
            break
        if any(k in word_class(c, lang) for c in ("linkers", "determiners")) or k in word_class("stops"):
            break
        if k in word_class("place_preps") or k in word_class("connectors") or k in word_class("prepositions"):
            break
        run.append(t)
        if lang in ("fr", "es") or len(run) >= 5:
            break  # French and Spanish nouns come first; their adjectives are complements
    return run


def _dated(t: Tok, offset: int, blocked) -> bool:
    return any(a < t.end + offset and t.start + offset < b for a, b in blocked)


def _adverb(t: Tok) -> bool:
    """An adverb ("also", "locally") before a noun phrase — not a noun or adjective in -ly ("family", "weekly")."""
    if t.low in word_class("adverbs"):
        return True
    return len(t.low) > 4 and t.low.endswith("ly") and t.text.islower() and t.low not in word_class("ly_words")


def _thing(s: str, run: list[Tok], lang, offset: int, blocked, strong: bool) -> str | None:
    """The title words of a practice's thing whose noun phrase holds ``run`` — or None when the phrase names no
    programme, service or measure."""
    head = run[-1]
    if lang == "de":
        # German nouns are capitalised: the head is the last capitalised word of the run
        caps = [t for t in run if t.text[:1].isupper()]
        head = caps[-1] if caps else head
        run = run[: run.index(head) + 1]
    known = _known(s, run, head, offset)
    if not known:
        if not strong or head.low in PRONOUNS or NOT_OBJECT_RE.fullmatch(head.text) or not head.text.isalpha():
            return None
        if len(head.text) < 3 or head.text[:1].isupper() and lang != "de":
            return None  # a name after "launched" is a campaign or a publication, not said to be a practice here
    a, b = run[0].start + offset, head.end + offset
    end = complement(s, b, lang, blocked, practice=True)
    if end == b and len(run) == 1:
        end = _relative(s, b, lang, blocked)  # "a programme that offers housing and language classes …"
    return s[a:end]


def _known(s: str, run: list[Tok], head: Tok, offset: int) -> bool:
    """The head names a programme, service or measure: alone, with the words before it ("one-stop shop") or after
    it ("intervención social"), or as the end of a German compound ("Beratungszentrum")."""
    if COMPOUND_HEAD_RE.fullmatch(head.text):
        return True
    upto = run[: run.index(head) + 1]
    for k in range(1, min(3, len(upto)) + 1):
        if OBJECT_RE.fullmatch(s[upto[-k].start + offset : head.end + offset]):
            return True
    m = OBJECT_RE.match(s, head.start + offset)
    return m is not None and m.end() >= head.end + offset and not s[m.end() : m.end() + 1].isalnum()


def _relative(s: str, pos: int, lang, blocked) -> int:
    """End of "that offers … / qui propose … / que ofrece …" after a bare noun (its verb and object)."""
    toks = tokens(s[pos : pos + 200])
    if len(toks) < 3 or toks[0].low not in set(C["relative"]) or not toks[1].word:
        return pos
    start = pos + toks[1].end
    run = _run(tokens(s[start : start + 200]), 0, lang, start, blocked)
    if not run:
        return pos
    return complement(s, start + run[-1].end, lang, blocked, practice=True)


def _example(ctx: _Ctx, s: Segment, p: Segment, lang, actors) -> Hit | None:
    """ "For instance, Riga’s innovative Support Centre for Ukrainian Residents combines …", "Similarly, Helsinki’s
    programmes target …": an example cue, a local actor and a programme, service or measure named after it."""
    if not actors or not EXAMPLE_RE.search(s.text[:40]):
        return None
    for m in SERVICE_RE.finditer(s.text):
        name = _name(ctx, m.group(1))
        if name is not None and not ctx.foreign_body(s.start + m.start(1), s.start + m.end(1)):
            return Hit(s, name, ctx.where(s, p, actors[0][2]))
    blocked = ctx.dates(s)
    for o in OBJECT_RE.finditer(s.text):
        if not re.fullmatch(r"\w[\w ’'-]*", o.group(0)) or o.start() and s.text[o.start() - 1].isalnum():
            continue
        run = tokens(s.text[o.start() : o.end()])
        if run:
            run = [Tok(t.start + o.start(), t.end + o.start(), t.text, t.low) for t in run]
            what = _thing(s.text, run, lang, 0, blocked, True)
            if what:
                return Hit(s, what, ctx.where(s, p, actors[0][2]))
    return None


# --- named services and programmes -----------------------------------------------------------------------------


def _service(ctx: _Ctx, s: Segment, p: Segment, lang) -> Hit | None:
    """A named service that helps people or that people can use: "The Welcome Desk in Ghent helps …", "newcomers can
    use the Toronto Newcomer Office", "The Newcomer Language Café is a project of …"."""
    for m in SERVICE_RE.finditer(s.text):
        name = _name(ctx, m.group(1))
        if name is None or ctx.foreign_body(s.start + m.start(1), s.start + m.end(1)):
            continue
        after = s.text[m.end() : m.end() + 90]
        helps = HELP_RE.search(after)
        used = USE_RE.search(s.text[max(0, m.start() - 40) : m.start()])
        defined = DEFINED_RE.match(after)
        if helps and not re.search(r"[.;]", after[: helps.start()]) or used or defined:
            return Hit(s, name, ctx.where(s, p, None))
    return None


def _name(ctx: _Ctx, run: str) -> str | None:
    """A service's name without the article before it; None unless two or more words, all but linking words
    capitalised, the service noun closing it or followed by a linked name or a place ("Welcome Desk", "Casa del
    Mundo", "Toronto Newcomer Office", "Welcome Center Hamburg" — not "Project News")."""
    words = run.split()
    while words and words[0].lower() in LEAD_WORDS:
        words.pop(0)
    caps = [w for w in words if w[:1].isupper() or w[:1].isdigit()]
    if len(caps) < 2:
        return None
    noun = max(i for i, w in enumerate(words) if SERVICE_NOUN_RE.fullmatch(w))
    tail, name = words[noun + 1 :], " ".join(words)
    if tail and not re.fullmatch(NAME_LINK, tail[0]) and ctx.place_within(" ".join(tail)) != " ".join(tail):
        if name not in ctx.entity_names:
            return None  # "Project News"; but "Welcome Center Hamburg" is a name the document gives
    return name


def _named_programme(ctx: _Ctx, s: Segment, p: Segment, lang, actors) -> Hit | None:
    """A programme noun and its quoted name in a sentence where a local actor acts: "el programa «Zaragoza Acoge»",
    "Mit dem Projekt „Ankommen in Leipzig“ unterstützt die Stadt …", "le dispositif « École pour tous »"."""
    for q in QUOTE_RE.finditer(s.text):
        before = s.text[max(0, q.start() - 40) : q.start()]
        noun = re.search(r"([\w’'-]+)\s*$", before)
        if noun is None or not (OBJECT_RE.fullmatch(noun.group(1)) or COMPOUND_HEAD_RE.fullmatch(noun.group(1))):
            continue
        if NOT_OBJECT_RE.fullmatch(noun.group(1)):
            continue
        actor = next((a for a in actors if not (q.start() <= a[0] < q.end())), None)
        if actor is None:
            continue
        what = f"{noun.group(1)} {q.group(0)}"
        return Hit(s, what, ctx.where(s, p, actor[2]))
    return None
