"""Organisations and initiatives that the NER model proposes where the rules found nothing, kept when rules agree.

The rules (``organisations.py``) read names that carry a head noun, acronym pairs and acronyms named twice. A name
without any of these ("Europa Press", "New American Economy", "UNCTAD" named once, "European Commission" whose words
are all generic) is left to spaCy's small entity recognisers (English, French, Spanish: :mod:`.nlp`), which read only
the words around capitalised words and upper-case words that no rule candidate, person or URL covers. An entity
labelled ORG (or MISC with a head noun) becomes a candidate only when the rules agree that it is a name:

* an acronym that is no generic abbreviation, frequent word or place ("UNCTAD", "CIPPEC", "AFP");
* a name with an organisation or initiative head noun, or one of the nouns of media and parties
  (``data/org_model.yaml``: "Press", "Noticias", "Partido" …);
* a name of two to six capitalised words, not a place, that the model reads as a body at two places at least.

Its category and kind follow the rules' reading of the name and of the words around it (``_classify``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from . import names as nm
from . import nlp
from .budget import checkpoint
from .segments import add_window, as_spans

DATA = Path(__file__).with_name("data")
WINDOW = 20  # characters of context either side of an uncovered capitalised word
# capitalised words and upper-case words where a model may see a name the rules did not
TRIGGER_RE = re.compile(r"(?<![\w’'-])(?:[A-ZÀ-ÖØ-Þ][\w’'&-]*)(?: (?:[A-ZÀ-ÖØ-Þ][\w’'&-]*))*")
ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}(?:[- ][A-Z][a-z]+)?$|^[A-Z][a-z]?[A-Z][A-Z0-9]+$")
STRIP_LEAD_RE = re.compile(
    r"^(?:(?:the|The|THE|a|an|la|La|le|Le|les|Les|l’|l'|L’|L'|el|El|los|Los|las|Las|die|Die|der|Der|das|Das|des|"
    r"del|du|de)\s+|[lL][’'])+"
)
POSSESSIVE_RE = re.compile(r"[’']s?$")
BAD_CHARS_RE = re.compile(r"[\n\t|/:;@#{}\[\]<>=+*“”\"«»]|\s{2,}")


@lru_cache(maxsize=1)
def cues() -> dict:
    return yaml.safe_load((DATA / "org_model.yaml").read_text(encoding="utf-8"))


def _sentence_start(text: str, pos: int) -> bool:
    """``pos`` opens a sentence or a line (its capital says nothing)."""
    before = text[max(0, pos - 4) : pos]
    return pos == 0 or before.rstrip(" \t").endswith(("\n", ".", "!", "?", ":")) or not before.strip()


def model_spans(text: str, covered) -> list[tuple[int, int]]:
    """Windows (within a line) around runs of capitalised words that no rule candidate covers and that are no
    place, merged."""
    from .people import _all_common_words
    from .places import lookup

    covered = as_spans(covered)
    common = _all_common_words()
    spans: list[tuple[int, int]] = []
    for m in TRIGGER_RE.finditer(text):
        checkpoint()
        s, e = m.start(), m.end()
        if covered.inside(s, e) or lookup(m.group(0)) is not None:
            continue  # covered by a rule, or a place (which the rules below would refuse as a name anyway)
        words = m.group(0).split()
        upper = any(len(w) > 1 and w.isupper() for w in words)
        if len(words) == 1 and not upper:
            # one capitalised word: read it only mid-sentence and when it is no frequent word ("Podemos", "Deloitte")
            if _sentence_start(text, s) or words[0].lower() in common:
                continue
        add_window(spans, text, s, e, WINDOW)
    return spans


def proposals(text: str, language: str | None, covered, people_spans=()) -> list[tuple[int, int, str, str]]:
    """``(start, end, name, label)`` of names the model finds and the rules accept (see the module docstring)."""
    if not nlp.available(language):
        return []
    covered = as_spans(covered)
    people_spans = as_spans(people_spans)
    spans = model_spans(text, covered)
    found = []
    for ent in nlp.entities(text, spans, language):
        if ent.label not in ("organisation", "misc"):
            continue
        got = _clean(text, ent.start, ent.end)
        if got is None:
            continue
        s, e = got
        nxt = text[e : e + 20].split()[:1]
        if nxt and nxt[0].strip(".,;:)") in cues()["after_not_body"]:
            continue  # "the MDDCVA region"
        if not (covered.overlaps(s, e) or people_spans.overlaps(s, e)):
            found.append((s, e, text[s:e], ent.label))
    # a name without a head noun or an acronym counts when the model reads it as a body at two places at least
    times: dict[str, int] = {}
    for _s, _e, name, label in found:
        if label == "organisation":
            times[name] = times.get(name, 0) + 1
    return [f for f in found if accept(f[2], f[3], times.get(f[2], 0) >= 2, language)]


def _clean(text: str, s: int, e: int) -> tuple[int, int] | None:
    """The entity's span without leading articles, a trailing possessive or punctuation; None when it is no name."""
    t = text[s:e]
    m = STRIP_LEAD_RE.match(t)
    if m:
        s, t = s + m.end(), t[m.end() :]
    t2 = POSSESSIVE_RE.sub("", t).rstrip(" .,-–—()’'")
    e = s + len(t2)
    if not t2 or BAD_CHARS_RE.search(t2) or not t2[0].isupper():
        return None
    return s, e


def accept(name: str, label: str, repeated: bool = False, language: str | None = None) -> bool:
    """The rules agree that a model's entity is the name of an organisation or an initiative."""
    from .organisations import JOB_TITLE_END_RE, _is_place_name, generic_acronyms
    from .places import us_states

    c = cues()
    words = name.split()
    if len(words) > 8 or any(w.isdigit() for w in words) or re.fullmatch(nm.CONN, words[-1]):
        return False
    if _is_place_name(name) or name in c["not_names"] or JOB_TITLE_END_RE.search(name):
        return False
    if any(w.strip(".,") in c["not_heads"] for w in words):
        return False
    first = words[0].strip(".,")
    if first in nm.LEADING_STOP or first in c["not_first"] or nm.has_event_head(name):
        return False
    if ACRONYM_RE.match(name):
        acr = words[0].split("-")[0]
        return (
            acr not in generic_acronyms()
            # frequency lists hold "afp", "psoe", "eu" too (acronyms lower-cased): the model's label decides
            and acr not in us_states()
            and not _is_place_name(acr)
        )
    last = words[-1]
    if last.endswith("s") and (last[:-1] in nm.ORG_HEADS or last[:-1] in nm.INIT_HEADS):
        return False  # "City Networks", "Ministerial Declarations": a kind of thing, not a name
    head = nm.org_head(name) or nm.init_head(name) is not None or any(w in c["heads"] for w in words)
    if head:
        proper = any(w in c["proper_adjectives"] for w in words) and label == "organisation"
        return len(words) >= 2 and (proper or not nm.is_generic(name))
    if label == "misc":
        return False
    major = [w for w in words if not re.fullmatch(nm.CONN, w)]
    if not 2 <= len(major) <= 6 or not all(w[:1].isupper() for w in major) or "," in name:
        return False
    if any(_is_place_name(w) for w in major) and len(major) == 2:
        return False  # "Madrid Norte", "Across Europe": a place and a word
    return repeated


def candidates(text: str, language: str | None, cands, exclude=()) -> list:
    """The model's accepted names as organisation/initiative candidates (weaker than every rule's)."""
    from .organisations import Cand, _classify, norm_key

    covered = [(c.start, c.end) for c in cands] + list(exclude)
    out = []
    for s, e, name, _label in proposals(text, language, covered):
        # the model says it is a body: an initiative only when its own head noun says so
        cat, kind = _classify(name, "")
        acr = name if ACRONYM_RE.match(name) and " " not in name else None
        key = f"acr:{acr}" if acr else f"name:{norm_key(name)}"
        out.append(Cand(s, e, name, cat, key, name, acr, kind, None, None, -2, {"model": True}))
    return out
