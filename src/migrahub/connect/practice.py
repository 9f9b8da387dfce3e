"""The curated practice record and its review workflow (draft → submitted → published, with versions and comments).

:func:`parse` turns a form's or an API call's fields into a :class:`PracticeRecord`, or raises
:class:`PracticeError` listing every field that is wrong and why. :func:`next_state` says where an action leads.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources

import yaml

STATES = ("draft", "submitted", "published")
MAX_TEXT = 10_000


@cache
def vocabulary() -> dict:
    path = resources.files("migrahub.connect") / "data" / "practice_vocabulary.yaml"
    return yaml.safe_load(path.read_text("utf-8"))


class PracticeError(ValueError):
    """Fields that cannot make a practice record: ``errors`` maps each field to its reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Source:
    """A passage of a hub document that describes the practice (code-point offsets into the stored text)."""

    document_id: int
    passage_id: int | None = None
    quote: str = ""


@dataclass(frozen=True)
class PracticeRecord:
    title: str
    city: str = ""
    city_id: int | None = None          # the place record of the city
    country: str = ""                   # ISO 3166-1 alpha-2
    organisations: tuple[str, ...] = ()
    period_start: int | None = None
    period_end: int | None = None
    target_groups: tuple[str, ...] = ()
    legal_status: tuple[str, ...] = ()
    policy_areas: tuple[str, ...] = ()  # codebook code ids
    summary: str = ""
    goals: str = ""
    activities: str = ""
    outcomes: str = ""
    evaluation: str = "not-evaluated"
    resources: str = ""
    responsible_office: str = ""
    sources: tuple[Source, ...] = ()
    licence: str = "CC-BY-4.0"
    extracted_from: int | None = None   # the extracted practice record it was promoted from

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PracticeRecord:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for k in ("organisations", "target_groups", "legal_status", "policy_areas"):
            values[k] = tuple(values.get(k) or ())
        values["sources"] = tuple(Source(**s) for s in values.get("sources") or ())
        return cls(**values)

    def text(self) -> str:
        """The words of the record, for search and matching."""
        return " ".join([self.title, self.city, self.summary, self.goals, self.activities, self.outcomes,
                         " ".join(self.organisations), self.responsible_office,
                         *(s.quote for s in self.sources)])


def _list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\n;,]", value)
    return [str(v).strip() for v in value if str(v).strip()]


def _year(value, field: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not re.fullmatch(r"(19|20)\d\d", text):
        errors[field] = f"{text[:20]!r} is not a year (e.g. 2019)"
        return None
    return int(text)


def parse(fields: dict, *, codes: set[str] | None = None, countries: set[str] | None = None) -> PracticeRecord:
    """A record from submitted fields; ``codes``: the codebook codes a policy area may take, ``countries``: the
    ISO codes a country may take (None: not checked)."""
    vocab = vocabulary()
    errors: dict[str, str] = {}
    title = str(fields.get("title") or "").strip()
    if not title:
        errors["title"] = "a practice needs a title"
    elif len(title) > 300:
        errors["title"] = "at most 300 characters"
    texts = {}
    for name in ("city", "summary", "goals", "activities", "outcomes", "resources", "responsible_office"):
        texts[name] = str(fields.get(name) or "").strip()
        if len(texts[name]) > MAX_TEXT:
            errors[name] = f"at most {MAX_TEXT:,} characters"
    country = str(fields.get("country") or "").strip().upper()
    if country and (not re.fullmatch(r"[A-Z]{2}", country) or (countries is not None and country not in countries)):
        errors["country"] = f"{country[:20]!r} is not a country"
    start = _year(fields.get("period_start"), "period_start", errors)
    end = _year(fields.get("period_end"), "period_end", errors)
    if start and end and end < start:
        errors["period_end"] = "the period ends before it starts"
    chosen = {}
    for name, vocab_key in (("target_groups", "target_groups"), ("legal_status", "legal_status")):
        chosen[name] = _list(fields.get(name))
        wrong = [v for v in chosen[name] if v not in vocab[vocab_key]]
        if wrong:
            errors[name] = f"unknown value(s) {', '.join(wrong)}; choose among {', '.join(vocab[vocab_key])}"
    areas = _list(fields.get("policy_areas"))
    if codes is not None and [a for a in areas if a not in codes]:
        errors["policy_areas"] = f"unknown code(s) {', '.join(a for a in areas if a not in codes)}"
    evaluation = str(fields.get("evaluation") or "not-evaluated").strip()
    if evaluation not in vocab["evaluation"]:
        errors["evaluation"] = f"choose among {', '.join(vocab['evaluation'])}"
    licence = str(fields.get("licence") or "CC-BY-4.0").strip()
    if licence not in vocab["licences"]:
        errors["licence"] = f"choose among {', '.join(vocab['licences'])}"
    if errors:
        raise PracticeError(errors)
    sources = tuple(s if isinstance(s, Source) else Source(**s) for s in fields.get("sources") or ())
    city_id = fields.get("city_id")
    return PracticeRecord(title=title, city_id=int(city_id) if city_id else None, country=country,
                          organisations=tuple(_list(fields.get("organisations"))), period_start=start,
                          period_end=end, target_groups=tuple(chosen["target_groups"]),
                          legal_status=tuple(chosen["legal_status"]), policy_areas=tuple(areas),
                          evaluation=evaluation, licence=licence, sources=sources,
                          extracted_from=fields.get("extracted_from"), **texts)


def next_state(state: str, action: str, role: str) -> str:
    """The state an action leads to, or :class:`PracticeError` naming why it is not allowed (``role``: ``author``
    or ``curator``)."""
    rule = vocabulary()["transitions"].get(action)
    if rule is None:
        raise PracticeError({"action": f"unknown action {action!r}"})
    if state not in rule["from"]:
        raise PracticeError({"action": f"a {state} record cannot be {action}ed" if not action.endswith("e")
                             else f"a {state} record cannot be {action}d"})
    if role not in rule["by"]:
        raise PracticeError({"action": f"only a curator may {action} a record"})
    return rule["to"]
