"""Personal data out of public text (stage ``consult/redact@1``): e-mail addresses, phone numbers (international
and several national formats), street addresses and the names of private persons are replaced by a label;
organisations and public officials (a mayor, a minister, a councillor…) keep their names.

Patterns and word lists live in ``data/redaction.yaml``; names are found by ``extract.people`` (titles, roles,
lists, given names) and by cue phrases ("my name is …", "contact …"). What to redact is configurable
(``MIGRAHUB_CONSULT_REDACT``: a comma-separated subset of ``email,phone,address,name``; all by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from migrahub import config

STAGE = "consult/redact@1"
KINDS = ("email", "phone", "address", "name")
DATA = Path(__file__).with_name("data") / "redaction.yaml"
NAME_WORD = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’\-]+"
PARTICLE = r"(?:de|da|di|do|dos|das|del|della|van|von|der|den|ter|le|la|bin|ben|al|el|ibn)"
FULL_NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)*{NAME_WORD}){{1,3}}"


@dataclass(frozen=True)
class Redaction:
    """Redacted text and the spans replaced (code-point offsets into the original, end exclusive)."""

    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, kind)
    stage: str = STAGE


@lru_cache(maxsize=1)
def _rules() -> dict:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    flags = re.IGNORECASE | re.UNICODE
    after = "|".join(data["street_words_after"])
    before = "|".join(data["street_words_before"])
    suffix = "|".join(data["street_suffixes_de_nl"])
    town = data["postcode_town"]
    number = r"\d{1,5}[a-zA-Z]?(?:[\-/]\d{1,4})?"
    street_name = r"(?:[A-ZÀ-Þ0-9][\w'’\-.]*\s){0,3}"
    address = [
        re.compile(rf"(?<!\w){number},?\s+{street_name}(?i:{after})\.?(?!\w)(?:{town})", re.UNICODE),
        re.compile(rf"(?<!\w){number},?\s+(?:{before})\.?\s+"
                   rf"(?:(?:de|del|de la|des|du|della|di|do|da|dos|das|d'|l')\s*)?"
                   rf"{street_name}?[A-ZÀ-Þ][\w'’\-]+(?:{town})", flags),
        re.compile(rf"(?<!\w)(?i:{before})\.?\s+(?:(?:de|del|de la|des|du|della|di|do|da|d'|l')\s*)?"
                   rf"(?:[A-ZÀ-Þ][\w'’\-]*\s){{0,3}}[A-ZÀ-Þ][\w'’\-]*,?\s+(?:n[º°o.]\s*)?{number}(?!\w)(?:{town})",
                   re.UNICODE),
        re.compile(rf"(?<!\w)[A-ZÄÖÜ][\wäöüß\-]*(?:{suffix})\.?\s+{number}(?!\w)(?:{town})", re.UNICODE),
        re.compile(rf"(?<!\w)[A-ZÄÖÜ][\wäöüß\-]*\s(?:{suffix.replace('straße|', '')})\.?\s+{number}(?!\w)(?:{town})",
                   re.UNICODE),
    ]
    cues = "|".join(data["name_cues"])
    return {
        "labels": data["labels"],
        "email": re.compile(data["email"], flags),
        "phone": [re.compile(p) for p in data["phone"]],
        "address": address,
        "cue_name": re.compile(rf"(?i:\b(?:{cues}))[:,]?\s+({FULL_NAME})"),
        "full_name": re.compile(rf"(?<![\w-])({FULL_NAME})"),
        "public": re.compile(rf"\b(?:{'|'.join(data['public_roles'])})\b", flags),
        # a role right before the name: "Mayor ", "the minister, ", "Deputy Mayor of Lyon "
        "public_before": re.compile(rf"\b(?:{'|'.join(data['public_roles'])})\b(?:\s+(?:of|de|von)\s+[A-ZÀ-Þ][\w\-]+)?"
                                    rf"[\s,:]*$", flags),
    }


def enabled_kinds() -> tuple[str, ...]:
    chosen = config.get("MIGRAHUB_CONSULT_REDACT")
    if chosen is None:
        return KINDS
    return tuple(k for k in (p.lower() for p in chosen) if k in KINDS)


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def find_personal(text: str, kinds: tuple[str, ...] | None = None,
                  keep: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
    """Spans of personal data in ``text`` (sorted, not overlapping); names in ``keep`` are never spans."""
    kinds = enabled_kinds() if kinds is None else kinds
    rules = _rules()
    spans: list[tuple[int, int, str]] = []
    if "email" in kinds:
        spans += [(m.start(), m.end(), "email") for m in rules["email"].finditer(text)]
    if "address" in kinds:
        for rx in rules["address"]:
            spans += [(m.start(), m.end(), "address") for m in rx.finditer(text)]
    if "phone" in kinds:
        for rx in rules["phone"]:
            spans += [(m.start(), m.end(), "phone") for m in rx.finditer(text) if 8 <= _digits(m.group()) <= 15]
    if "name" in kinds:
        spans += _private_names(text, {k.casefold() for k in keep if k})
    return _merge(spans, text)


def _private_names(text: str, keep: set[str]) -> list[tuple[int, int, str]]:
    from migrahub.extract.people import find_people

    rules = _rules()
    out = []
    for hit in find_people(text):
        before = text[max(0, hit.start - 40):hit.start]
        if hit.role and rules["public"].search(hit.role) or rules["public_before"].search(before):
            continue
        if hit.name.casefold() in keep or hit.organisation and rules["public"].search(hit.organisation):
            continue
        out.append((hit.start, hit.end, "name"))
    out += _given_name_phrases(text, keep)
    for m in rules["cue_name"].finditer(text):
        name = m.group(1)
        if name.casefold() not in keep and not rules["public_before"].search(text[max(0, m.start() - 40):m.start(1)]):
            out.append((m.start(1), m.end(1), "name"))
    return out


def _given_name_phrases(text: str, keep: set[str]) -> list[tuple[int, int, str]]:
    """A listed given name followed by capitalised words (and name particles: "Pieter de Vries"), unless a word is
    the head of an organisation's name ("Maria Gonzalez Foundation") or a public role comes right before."""
    from migrahub.extract.names import INIT_HEADS, ORG_HEADS
    from migrahub.extract.people import given_names

    rules, given, out = _rules(), given_names(), []
    for m in rules["full_name"].finditer(text):
        words = m.group(1).split()
        if words[0] not in given or m.group(1).casefold() in keep:
            continue
        after = text[m.end():m.end() + 40].split()
        if any(w in ORG_HEADS or w in INIT_HEADS for w in words[1:] + after[:1]):
            continue
        if rules["public_before"].search(text[max(0, m.start() - 40):m.start()]):
            continue
        out.append((m.start(1), m.end(1), "name"))
    return out


def _merge(spans: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    spans = [(s, s + len(text[s:e].rstrip()), kind) for s, e, kind in spans]
    for s, e, kind in sorted(spans, key=lambda x: (x[0], -x[1])):
        if merged and s < merged[-1][1]:
            ps, pe, pk = merged[-1]
            merged[-1] = (ps, max(pe, e), pk)
        else:
            merged.append((s, e, kind))
    return merged


def redact(text: str, kinds: tuple[str, ...] | None = None, keep: tuple[str, ...] = ()) -> Redaction:
    """``text`` with its personal data replaced by labels (``[e-mail removed]`` …)."""
    if not text:
        return Redaction(text or "", ())
    spans = find_personal(text, kinds, keep)
    labels = _rules()["labels"]
    parts, last = [], 0
    for s, e, kind in spans:
        parts += [text[last:s], labels[kind]]
        last = e
    parts.append(text[last:])
    return Redaction("".join(parts), tuple(spans))
