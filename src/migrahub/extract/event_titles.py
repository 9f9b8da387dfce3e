"""Titles of events: the event's own name or the noun phrase around its noun, never a sentence's opening words.

- a quoted title after the noun: "Fachtagung „Kommunen als Orte der Integration“", "colloque intitulé « … »";
- else the noun phrase around the noun (:mod:`.phrases`): its modifiers and complements up to a clause boundary, a
  date or a place — "Workshop on reception of newcomers", "Housing forum", "5th Global Mayoral Forum on Human
  Mobility, Migration and Development", "Encuentro sobre vivienda para personas refugiadas", "Dritte
  Integrationskonferenz der Metropolregion Rhein-Neckar";
- a bare noun owned by its organiser ("its annual conference", "in seiner Sitzung") names the organiser too:
  "Annual conference – Eurocities".

Each title comes with its span in the sentence, so that the organisers named inside it (the forum itself) are not
taken for its organisers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .phrases import capitalise, guess_language, phrase, premodifiers, tokens, word_class
from .prose import QUOTE_RE, quoted

POSSESSIVES = {
    "its", "their", "his", "her", "our", "son", "sa", "ses", "leur", "leurs", "notre", "nos", "su", "sus", "nuestro",
    "nuestra", "sein", "seine", "seinen", "seinem", "seiner", "ihr", "ihre", "ihren", "ihrem", "ihrer", "unser",
    "unsere", "unseren", "unserem", "unserer",
}  # fmt: skip


@dataclass(frozen=True)
class Title:
    text: str
    start: int  # span in the sentence
    end: int
    owned: bool = False  # the phrase stands after a possessive ("its annual conference")


def event_title(s: str, noun: tuple[int, int], lang: str | None, blocked=(), places=()) -> Title:
    """The title of the event whose noun is ``s[noun[0]:noun[1]]``; ``blocked`` = spans of dates, ``places`` = spans
    of places (in ``s``)."""
    lang = lang or guess_language(s)
    q = quoted_after(s, noun, lang, blocked)
    if q is not None:
        return q
    a, b = phrase(s, noun, lang, blocked, places=places)
    before = tokens(s[:a])
    owned = bool(before) and before[-1].low in POSSESSIVES
    return Title(capitalise(s[a:b]), a, b, owned)


def quoted_after(s: str, noun: tuple[int, int], lang: str | None, blocked=()) -> Title | None:
    """ "Workshop „Interkulturelle Öffnung der Verwaltung“", "Colloque intitulé « Les territoires … »": the noun,
    its modifiers and the quoted title that follows it within a few words."""
    for q in QUOTE_RE.finditer(s, noun[1]):
        gap = s[noun[1] : q.start()]
        if q.start() - noun[1] > 40 or re.search(r"[.;:!?]", gap) or len(quoted(q).split()) < 2:
            return None
        if any(w.low in word_class("verbs") for w in tokens(gap)):
            return None
        a = premodifiers(s, noun[0], lang, blocked)
        # "Colloque intitulé « … »", "Workshop on “…”": the noun and its quoted name
        return Title(capitalise(f"{s[a : noun[1]]} {s[q.start() : q.end()]}"), a, q.end())
    return None


def is_name(title: str) -> bool:
    """A title that names the event (capitalised words besides its first, or a quoted title)."""
    if re.search(r"[“„«\"]", title):
        return True
    return sum(w[:1].isupper() for w in title.split()[1:]) >= 1 and " in " not in title


def owned_by(title: Title, owner: str | None) -> str:
    """ "Annual conference – Eurocities": a bare owned noun names its owner."""
    if not title.owned or not owner or owner.lower() in title.text.lower():
        return title.text
    return f"{title.text} – {owner}"
