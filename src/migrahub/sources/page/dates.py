"""Publication dates of pages and files, from what they declare; ``None`` ("unknown") when they declare none that
can be believed — never the day the hub read them.

A page's date comes, in this order, from its ``<meta>`` tags (``article:published_time``, Dublin Core, citation
tags, ...), its JSON-LD ``datePublished``, elements marked as the publication date (``itemprop="datePublished"``,
``<time pubdate>``), and last from ``htmldate`` (trafilatura's date finder, without its search of the text), which
also reads dates in the page's URL. A date before ``earliest`` in ``sources/data/dates.yaml`` (clock placeholders)
or after tomorrow is not believed; neither is a date only ``htmldate`` found that is the very day of reading.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path

import yaml

DATES_FILE = Path(__file__).resolve().parents[1] / "data" / "dates.yaml"

_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLASHED = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True)
class DateRules:
    page_meta: tuple[str, ...]
    article_types: frozenset[str]
    earliest: date
    future_tolerance: timedelta


@cache
def date_rules() -> DateRules:
    try:
        data = yaml.safe_load(DATES_FILE.read_text(encoding="utf-8"))
        earliest = data["earliest"]
        if not isinstance(earliest, date):
            earliest = date.fromisoformat(str(earliest))
        return DateRules(tuple(str(k).lower() for k in data["page_meta"]), frozenset(data["article_types"]),
                         earliest, timedelta(days=int(data["future_tolerance_days"])))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{DATES_FILE}: cannot read the date rules ({exc})") from exc


def iso_date(value: str | None) -> str | None:
    """An ISO 8601 date or datetime from what pages and feeds write, or ``None``."""
    if not value:
        return None
    value = value.strip()
    if _DATE_ONLY.match(value):
        return _day(value)
    m = _COMPACT.match(value)
    if m:
        return _compact(m)
    m = _SLASHED.match(value)
    if m:
        return _day("{}-{:0>2}-{:0>2}".format(*m.groups()))
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    m = _DAY.search(value)
    return _day(m.group(0)) if m else None


def _day(text: str) -> str | None:
    m = _DAY.search(text)
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except (ValueError, AttributeError):
        return None


def _compact(m: re.Match) -> str | None:
    year, month, day, hour, minute, second, zone = m.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day)).isoformat()
        stamp = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}{_zone(zone)}"
        return datetime.fromisoformat(stamp).isoformat()
    except ValueError:
        return None


def _zone(zone: str | None) -> str:
    if not zone:
        return ""
    if zone == "Z":
        return "+00:00"
    return zone if ":" in zone else zone[:3] + ":" + zone[3:]


def plausible(value: str | None, now: datetime | None = None) -> str | None:
    """``value`` (ISO) when it is neither a placeholder (before ``earliest``) nor in the future, else ``None``."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    rules = date_rules()
    today = (now or datetime.now(UTC)).date()
    if day < rules.earliest or day > today + rules.future_tolerance:
        return None
    return value


def plausible_datetime(stamp: datetime | None, now: datetime | None = None) -> str | None:
    """A file's own date (PDF information, XMP) as an ISO day when it is plausible."""
    if stamp is None:
        return None
    return plausible(stamp.date().isoformat(), now)


def page_published(root, html: str | None = None, url: str | None = None, now: datetime | None = None,
                   metas: dict[str, str] | None = None) -> str | None:
    """When a parsed page says it was published (ISO date or datetime), or ``None``. ``metas``: the page's
    :func:`meta_tags`, when the caller has them."""
    metas = meta_tags(root) if metas is None else metas
    rules = date_rules()
    for key in rules.page_meta:
        value = plausible(iso_date(metas.get(key)), now)
        if value:
            return value
    value = plausible(iso_date(_json_ld_date(root, rules)), now)
    if value:
        return value
    for el in root.xpath("//*[@itemprop='datePublished'] | //time[@pubdate] | //time[@datetime][contains(@class, "
                         "'publish') or contains(@class, 'entry-date') or contains(@class, 'pubdate')]"):
        value = plausible(iso_date(el.get("content") or el.get("datetime") or "".join(el.itertext())), now)
        if value:
            return value
    return _guessed(html, url, now)


def meta_tags(root) -> dict[str, str]:
    """The page's ``<meta>`` tags: lower-cased property, name, itemprop or http-equiv to content (first wins)."""
    metas: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if key and content and key not in metas:
            metas[key] = content
    return metas


def _json_ld_date(root, rules: DateRules) -> str | None:
    found: list[tuple[bool, str]] = []
    for script in root.iter("script"):
        text = script.text
        if not text or "datePublished" not in text:
            continue
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            _walk(json.loads(text, strict=False), rules, found, 0)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser's stack
            continue
    for own, value in found:
        if own:
            return value
    return found[0][1] if found else None


def _walk(node, rules: DateRules, found: list, depth: int) -> None:
    if depth > 6:
        return
    for item in node if isinstance(node, list) else [node]:
        if not isinstance(item, dict):
            continue
        value = item.get("datePublished")
        if isinstance(value, str) and value.strip():
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            found.append((any(isinstance(k, str) and k in rules.article_types for k in kinds), value))
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(item.get(key), (dict, list)):
                _walk(item[key], rules, found, depth + 1)


def _guessed(html: str | None, url: str | None, now: datetime | None) -> str | None:
    """htmldate's reading of the page's other date markers and of its URL; a guess that is today is not believed."""
    if not html and not url:
        return None
    today = (now or datetime.now(UTC)).date()
    try:
        from htmldate import find_date

        value = find_date(html or "<html></html>", extensive_search=False, original_date=True, url=url,
                          max_date=(today + date_rules().future_tolerance).isoformat(),
                          min_date=date_rules().earliest.isoformat())
    except Exception:  # noqa: BLE001 - a third-party guesser failing only costs the guess
        return None
    value = plausible(iso_date(value), now)
    if value is None or value[:10] == today.isoformat():
        return None
    return value
