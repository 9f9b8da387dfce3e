"""The page extractor's rules (``sources/data/page_rules.yaml``) compiled into attribute matchers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

_SEEN_MAX = 50_000
RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "page_rules.yaml"


def _regex(patterns: list[str] | None, what: str) -> re.Pattern | None:
    if not patterns:
        return None
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        raise ValueError(f"{RULES_FILE}: '{what}' must be a list of non-empty regular expressions")
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error as exc:
        raise ValueError(f"{RULES_FILE}: '{what}': invalid regular expression ({exc})") from exc


@dataclass(frozen=True)
class AttrRule:
    """Matches an element by tag and by patterns over its id, class and role (``both`` tests id and class;
    ``first`` the id, or the class when there is no id; ``any`` every one of id, class and role)."""

    tags: frozenset[str] | None
    always: frozenset[str]
    equals: tuple[tuple[str, frozenset[str]], ...]
    id: re.Pattern | None
    cls: re.Pattern | None
    role: re.Pattern | None
    both: re.Pattern | None
    first: re.Pattern | None
    any: re.Pattern | None
    style: re.Pattern | None
    plain: bool  # tags only: every element with one of the tags matches

    @classmethod
    def parse(cls, spec: dict, what: str) -> AttrRule:
        if not isinstance(spec, dict):
            raise ValueError(f"{RULES_FILE}: '{what}' must be a mapping")
        tags = spec.get("tags")
        equals = spec.get("equals") or {}
        keys = ("equals", "id", "class", "role", "both", "first", "any", "style")
        return cls(
            frozenset(tags) if tags else None,
            frozenset(spec.get("always") or ()),
            tuple((k, frozenset(v)) for k, v in equals.items()),
            _regex(spec.get("id"), f"{what}.id"),
            _regex(spec.get("class"), f"{what}.class"),
            _regex(spec.get("role"), f"{what}.role"),
            _regex(spec.get("both"), f"{what}.both"),
            _regex(spec.get("first"), f"{what}.first"),
            _regex(spec.get("any"), f"{what}.any"),
            _regex(spec.get("style"), f"{what}.style"),
            not any(spec.get(k) for k in keys),
        )

    def match(self, tag: str, el) -> bool:
        """``el`` is the element (anything with ``get``); ``tag`` its lower-case tag name."""
        if tag in self.always:
            return True
        if self.tags is not None and tag not in self.tags:
            return False
        if self.plain:
            return True
        get = el.get
        for name, values in self.equals:
            if get(name) in values:
                return True
        ident = get("id")
        klass = get("class")
        if ident and self._on_id is not None and _hit(self._on_id, ident):
            return True
        if klass and self._on_class is not None and _hit(self._on_class, klass):
            return True
        if self.first is not None:
            first = ident or klass
            if first and _hit((self.first, self._seen_first), first):
                return True
        if self._on_role is not None:
            role = get("role")
            if role and _hit(self._on_role, role):
                return True
        if self.style is not None:
            style = get("style")
            if style and _hit((self.style, self._seen_style), style):
                return True
        return False

    def __post_init__(self) -> None:
        # one pattern per attribute (its own, `both`, `any`), each with the verdicts already reached for a value
        def on(*patterns):
            present = [p.pattern for p in patterns if p is not None]
            return (re.compile("|".join(f"(?:{p})" for p in present)), {}) if present else None

        object.__setattr__(self, "_on_id", on(self.id, self.both, self.any))
        object.__setattr__(self, "_on_class", on(self.cls, self.both, self.any))
        object.__setattr__(self, "_on_role", on(self.role, self.any))
        object.__setattr__(self, "_seen_first", {})
        object.__setattr__(self, "_seen_style", {})


def _hit(test: tuple[re.Pattern, dict], value: str) -> bool:
    pattern, seen = test
    verdict = seen.get(value)
    if verdict is None:
        if len(seen) > _SEEN_MAX:
            seen.clear()
        verdict = seen[value] = pattern.search(value) is not None
    return verdict


@dataclass(frozen=True)
class DensityRules:
    min_paragraph: int
    tags: dict[str, int]
    positive: re.Pattern
    negative: re.Pattern
    unlikely: re.Pattern
    maybe: re.Pattern

    @classmethod
    def parse(cls, spec: dict) -> DensityRules:
        def ci(key: str) -> re.Pattern:
            return re.compile(_regex(spec[key], f"density.{key}").pattern, re.IGNORECASE)

        return cls(int(spec["min_paragraph"]), {str(k): int(v) for k, v in spec["tags"].items()}, ci("positive"),
                   ci("negative"), ci("unlikely"), ci("maybe"))


COMMENTS, DISCARD, HIDDEN, TEASER, CAPTIONS = 1, 2, 4, 8, 16
TIER = 32  # TIER << i: the element is a content container of tier i


@dataclass(frozen=True)
class Rules:
    drop_tags: frozenset[str]
    wrapper_share: float
    tiers: tuple[AttrRule, ...]
    comments: AttrRule
    discard: AttrRule
    hidden: AttrRule
    teaser: AttrRule
    captions: AttrRule
    consent: re.Pattern
    button_line: re.Pattern
    min_text: int
    div_text_factor: int
    min_duplicate: int
    density: DensityRules

    def verdicts(self, el) -> int:
        """Which attribute rules the element meets, as bits (COMMENTS, DISCARD, HIDDEN, TEASER, CAPTIONS, TIER << i);
        remembered by tag and attribute values, which pages repeat from element to element."""
        key = (el.tag, *[pair for pair in el.items() if pair[0] in _ATTRIBUTES])  # one call beats five lookups
        known = _VERDICTS.get(key)
        if known is None:
            if len(_VERDICTS) > _SEEN_MAX:
                _VERDICTS.clear()
            tag = el.tag
            known = 0
            for bit, rule in ((COMMENTS, self.comments), (DISCARD, self.discard), (HIDDEN, self.hidden),
                              (TEASER, self.teaser), (CAPTIONS, self.captions)):
                if rule.match(tag, el):
                    known |= bit
            for i, tier in enumerate(self.tiers):
                if not tier.plain and tier.match(tag, el):
                    known |= TIER << i
            _VERDICTS[key] = known
        return known


_VERDICTS: dict[tuple, int] = {}
_ATTRIBUTES = frozenset({"id", "class", "role", "style", "itemprop"})  # what the rules read


@cache
def rules() -> Rules:
    """The rules from the data file, compiled once per process."""
    try:
        data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{RULES_FILE}: cannot read the page extractor's rules ({exc})") from exc
    try:
        tiers = tuple(AttrRule.parse(t, f"content_tiers[{i}]") for i, t in enumerate(data["content_tiers"]))
        buttons = _regex(data["button_lines"], "button_lines")
        return Rules(
            drop_tags=frozenset(data["drop_tags"]),
            wrapper_share=float(data["wrapper_share"]),
            tiers=tiers,
            comments=AttrRule.parse(data["comments"], "comments"),
            discard=AttrRule.parse(data["discard"], "discard"),
            hidden=AttrRule.parse(data["hidden"], "hidden"),
            teaser=AttrRule.parse(data["teaser"], "teaser"),
            captions=AttrRule.parse(data["captions"], "captions"),
            consent=_regex(data["consent"], "consent"),
            button_line=re.compile(r"\W*(?:" + buttons.pattern + r")\W*", re.IGNORECASE),
            min_text=int(data["min_text"]),
            div_text_factor=int(data["div_text_factor"]),
            min_duplicate=int(data["min_duplicate"]),
            density=DensityRules.parse(data["density"]),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{RULES_FILE}: missing or malformed entry {exc}") from exc
