"""Stage ``language``: detect a document's language among those the hub serves.

Two steps. Function words first: in running text of a few dozen words, the share of each language's most common
function words separates en, fr, es, de, pt, it and nl reliably and costs microseconds. Only when that vote is close
or the text is short does Lingua (restricted to the same languages; a full model set costs ~1 GB of memory) decide.
A source's own declaration (``<html lang>``, a feed's ``<language>``) is used when neither is confident.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

LANGUAGES = ("en", "fr", "es", "de", "pt", "it", "nl")
STAGE = "language/1"
MIN_CONFIDENCE = 0.5
_SAMPLE = 2000  # characters looked at
_FUNCTION_WORDS = {
    "en": "the of and to in is that for with as are on by this was be from have it an which their not or at",
    "fr": "le la les des et du un une est dans pour que qui en sur au aux par avec ce sont ont pas plus leur",
    "es": "el la los las de del y en que por un una con para es se al como sus más fue lo son entre también",
    "de": "der die das und den des ist nicht mit von zu im ein eine für auf dem sich auch werden wird wurde sind",
    "pt": "o a os as de do da dos das e em que para um uma com não por se no na mais é foi são ao pelo",
    "it": "il lo la gli le di del della dei e che per un una con non è sono nel alla anche più come questo",
    "nl": "de het een van en in is dat op te voor met zijn niet aan er ook als bij door worden wordt naar",
}
_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _word in _words.split():
        _LANGS_OF[_word] = (*_LANGS_OF.get(_word, ()), _lang)
_TOKEN = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def _hint_code(hint: str | None) -> str | None:
    if not hint:
        return None
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None


def _function_word_vote(tokens: list[str]) -> str | None:
    """The language whose function words clearly dominate, or ``None`` when the vote is close or thin."""
    counts = {lang: 0 for lang in LANGUAGES}
    seen = Counter(tokens)
    for word in seen.keys() & _LANGS_OF.keys():  # the few function words present, each once
        for lang in _LANGS_OF[word]:
            counts[lang] += seen[word]
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    (best, n1), (_, n2) = ranked[0], ranked[1]
    if n1 >= 8 and n1 >= 1.6 * n2 and n1 >= 0.12 * len(tokens):
        return best
    return None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``'s language, the hint when detection is unsure, else ``None``."""
    hinted = _hint_code(hint)
    sample = text[:_SAMPLE]
    if len(sample.strip()) < 20:
        return hinted
    voted = _function_word_vote(_TOKEN.findall(sample.lower()))
    if voted:
        return voted
    values = _detector().compute_language_confidence_values(sample[:600])
    if values and values[0].value >= MIN_CONFIDENCE:
        return values[0].language.iso_code_639_1.name.lower()
    return hinted or (values[0].language.iso_code_639_1.name.lower() if values else None)
