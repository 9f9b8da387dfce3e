"""Multilingual cue words per code (``data/lexicon.yaml``): which codes' vocabulary a passage uses, in any of the
languages the lexicon lists (English, French, Spanish, German).

A term matches at the start of a word, case- and accent-insensitively; ``term*`` is a prefix, ``term`` a whole word.
The lexicon is a signal for the auto-coder, not a rule: it says how many distinct cue terms of each code a passage
contains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import numpy as np
import yaml

from .codebook import CodebookError

DEFAULT_PATH = Path(__file__).with_name("data") / "lexicon.yaml"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "‐": "-", "‑": "-", "–": "-"})


def fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes and hyphens made plain (lengths may change)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> str:
    """Folded text, padded, with every run of characters other than letters, digits and hyphens made one space and
    an apostrophe kept as the end of its word ("d'accueil" -> "d' accueil"), so elided articles do not hide words."""
    return " " + " ".join(_SPLIT.split(fold(text).replace("'", "' "))) + " "


_SPLIT = re.compile(r"[^\w'-]+|(?<=')")


@dataclass(frozen=True)
class Lexicon:
    """Cue terms per code id (all languages together)."""

    terms: Mapping[str, tuple[str, ...]]

    def counts(self, texts: Sequence[str], codes: Sequence[str]) -> np.ndarray:
        """Distinct cue terms of each code (columns follow ``codes``; a code without terms counts 0) per text."""
        automaton, phrases = _matchers(tuple((c, self.terms.get(c, ())) for c in codes))
        out = np.zeros((len(texts), len(codes)))
        for i, text in enumerate(texts):
            padded = _words(text)
            hits: set[tuple[int, str]] = set()
            for end, entries in automaton.iter(padded) if automaton is not None else ():
                for j, key, prefix in entries:
                    if padded[end - len(key)] == " " and (prefix or padded[end + 1] == " "):
                        hits.add((j, key))
            hits.update((j, rx.pattern) for j, rx in phrases if rx.search(padded))
            for j, _ in hits:
                out[i, j] += 1
        return out


@lru_cache(maxsize=16)
def _matchers(terms: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[ahocorasick.Automaton | None, list]:
    """One Aho-Corasick automaton over every code's plain terms (each key maps to its (column, key, prefix)
    entries; None when no code has a plain term) and a regular expression for each phrase with a prefix word
    inside ("demandeur* d'asile")."""
    entries: dict[str, list[tuple[int, str, bool]]] = {}
    phrases: list[tuple[int, re.Pattern]] = []
    for j, (_, items) in enumerate(terms):
        for term in items:
            if "*" in term.rstrip("*"):
                phrases.append((j, _phrase(term)))
                continue
            key, prefix = _words(term.rstrip("*")).strip(), term.endswith("*")
            if key:
                entries.setdefault(key, []).append((j, key, prefix))
    if not entries:
        return None, phrases
    automaton = ahocorasick.Automaton()
    for key, value in entries.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton, phrases


def _phrase(term: str) -> re.Pattern:
    parts = [(_words(w.rstrip("*")).strip(), w.endswith("*")) for w in term.split()]
    body = " ".join(re.escape(w) + (r"[\w'-]*" if star else "") for w, star in parts)
    return re.compile(" " + body + " ")


def lexicon_from_mapping(data: object, source: str = "<lexicon>") -> Lexicon:
    """``{codes: {CODE: {lang: [terms]}}}`` → a Lexicon; bad structure raises CodebookError naming the field."""
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise CodebookError(f"{source}: top level must be a mapping with a 'codes' mapping of code id -> languages")
    terms: dict[str, tuple[str, ...]] = {}
    for code, langs in data["codes"].items():
        if not isinstance(langs, dict):
            raise CodebookError(f"{source}: codes.{code} must map language codes to lists of terms")
        found: list[str] = []
        for lang, items in langs.items():
            if not isinstance(items, list) or not all(isinstance(t, str) and t.strip("* ") for t in items):
                raise CodebookError(f"{source}: codes.{code}.{lang} must be a list of non-empty terms")
            found.extend(t.strip() for t in items)
        terms[str(code)] = tuple(dict.fromkeys(found))
    return Lexicon(terms)


@lru_cache(maxsize=8)
def load_lexicon(path: str | Path = DEFAULT_PATH) -> Lexicon:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodebookError(f"{path}: lexicon file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: not readable as UTF-8 YAML: {exc}") from None
    return lexicon_from_mapping(data, source=str(path))
