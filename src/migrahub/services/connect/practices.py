"""The curated practice library: structured records created by cities and organisations or promoted from the
practices the extraction found, reviewed by curators (draft → submitted → published, versions and comments), and
the published library with its filters (theme, country → city, target group, evaluation status, year, words)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, replace

from migrahub.connect.practice import PracticeError, PracticeRecord, Source, next_state, parse, vocabulary
from migrahub.services.connect.places import country_name, country_names
from migrahub.store import connect as store
from migrahub.store.database import transaction

__all__ = ["PracticeError", "create", "update", "act", "comment", "view", "library", "promote", "form_choices"]


@dataclass
class Shown:
    """A practice record as a page shows it."""

    id: int
    state: str
    record: PracticeRecord
    owner: str
    version: int
    published_at: str | None
    updated_at: str
    city_id: int | None
    country_name: str
    theme_names: list[str]


def _codes(conn) -> dict[str, str]:
    return {code: name for code, name, _book in store.codes(conn)}


def _resolved(conn: sqlite3.Connection, record: PracticeRecord) -> PracticeRecord:
    """The record with its city linked to the hub's place record (and the country taken from it when not given)."""
    city = store.place(conn, record.city_id) if record.city_id else None
    if city is None and record.city:
        city = store.city_by_name(conn, record.city)
    if city is None:
        return replace(record, city_id=None)
    return replace(record, city_id=city["id"], city=record.city or city["name"],
                   country=record.country or (city["country"] or ""))


def _sources(conn, fields: dict) -> dict:
    """``source_passages`` (passage ids, as a list or text "12, 40") become the record's sources, each with the
    passage's document and text; other fields as given."""
    given = fields.get("source_passages")
    if given is None:
        return fields
    ids = re.findall(r"\S+", given) if isinstance(given, str) else [str(g) for g in given]
    sources, wrong = [], []
    for pid in dict.fromkeys(i.strip(",;") for i in ids):
        found = store.passage(conn, int(pid)) if pid.isdigit() else None
        if found is None:
            wrong.append(pid)
        else:
            sources.append(Source(found["document_id"], found["id"], found["text"][:2000]))
    if wrong:
        raise PracticeError({"source_passages": f"no passage {', '.join(wrong)} in the hub"})
    return {**fields, "sources": tuple(sources)}


def _parse(conn, fields: dict) -> PracticeRecord:
    codes = _codes(conn)
    return _resolved(conn, parse(_sources(conn, fields), codes=set(codes) if codes else None,
                                 countries=set(country_names())))


def create(conn: sqlite3.Connection, fields: dict, actor: str, *, submit: bool = False) -> int:
    """A new record (a draft, or submitted for review at once)."""
    record = _parse(conn, fields)
    with transaction(conn):
        rid = store.save_practice(conn, None, record.as_dict(), "draft", actor, "create")
        if submit:
            store.save_practice(conn, rid, record.as_dict(), "submitted", actor, "submit")
    return rid


def _row(conn, record_id: int) -> dict:
    row = store.practice_row(conn, record_id)
    if row is None:
        raise PracticeError({"record": f"no practice record {record_id}"})
    return row


def _role(row: dict, actor: str, curator: bool) -> str:
    if curator:
        return "curator"
    if row["owner"] == actor:
        return "author"
    raise PracticeError({"record": "only its author or a curator may change this record"})


def update(conn: sqlite3.Connection, record_id: int, fields: dict, actor: str, *, curator: bool) -> int:
    """A new version of the record's fields (its author while it is a draft; a curator at any time). Its sources
    stay unless ``sources`` or ``source_passages`` is given."""
    if "sources" not in fields and "source_passages" not in fields:
        current = _row(conn, record_id)["data"].get("sources") or ()
        fields = {**fields, "sources": tuple(Source(**s) for s in current)}
    record = _parse(conn, fields)
    with transaction(conn):
        row = _row(conn, record_id)
        role = _role(row, actor, curator)
        if role == "author" and row["state"] != "draft":
            raise PracticeError({"record": f"a {row['state']} record is edited by curators; ask for it back"})
        keep = row["data"].get("extracted_from")
        store.save_practice(conn, record_id, replace(record, extracted_from=keep).as_dict(), row["state"], actor,
                            "edit")
    return record_id


def act(conn: sqlite3.Connection, record_id: int, action: str, actor: str, *, curator: bool,
        note: str = "") -> str:
    """Submit, publish, return or withdraw a record (with an optional comment); returns its new state."""
    with transaction(conn):
        row = _row(conn, record_id)
        state = next_state(row["state"], action, _role(row, actor, curator))
        store.save_practice(conn, record_id, row["data"], state, actor, action)
        if note.strip():
            store.add_comment(conn, record_id, actor, note.strip()[:5000])
    return state


def comment(conn: sqlite3.Connection, record_id: int, actor: str, text: str, *, curator: bool) -> int:
    if not text.strip():
        raise PracticeError({"comment": "write something"})
    with transaction(conn):
        _role(_row(conn, record_id), actor, curator)
        return store.add_comment(conn, record_id, actor, text.strip()[:5000])


def visible(row: dict, actor: str | None, curator: bool) -> bool:
    return row["state"] == "published" or curator or (actor is not None and row["owner"] == actor)


def _shown(conn, row: dict, codes: dict[str, str]) -> Shown:
    record = PracticeRecord.from_dict(row["data"])
    return Shown(row["id"], row["state"], record, row["owner"], row["version"], row["published_at"],
                 row["updated_at"], row["city_id"], country_name(record.country),
                 [codes.get(c, c) for c in record.policy_areas])


def view(conn: sqlite3.Connection, record_id: int, actor: str | None, curator: bool) -> dict:
    """A record with its versions and comments, for its author, curators, or anyone once published."""
    row = _row(conn, record_id)
    if not visible(row, actor, curator):
        raise PracticeError({"record": f"no practice record {record_id}"})
    sources = []
    for s in PracticeRecord.from_dict(row["data"]).sources:
        found = store.passage(conn, s.passage_id) if s.passage_id else None
        sources.append({"document_id": s.document_id, "passage_id": s.passage_id,
                        "text": (found or {}).get("text") or s.quote, "document_title": (found or {}).get("title")})
    can_edit = curator or (actor == row["owner"] and row["state"] == "draft")
    return {"practice": _shown(conn, row, _codes(conn)), "versions": store.practice_versions(conn, record_id),
            "comments": store.comments(conn, record_id), "sources": sources, "can_edit": can_edit,
            "actions": _actions(row, actor, curator)}


def _actions(row: dict, actor: str | None, curator: bool) -> list[str]:
    out = []
    for action in vocabulary()["transitions"]:
        try:
            next_state(row["state"], action, "curator" if curator else "author")
        except PracticeError:
            continue
        if curator or row["owner"] == actor:
            out.append(action)
    return out


def queue(conn: sqlite3.Connection, actor: str, curator: bool) -> dict:
    """What waits for review (curators) and the actor's own records."""
    codes = _codes(conn)
    return {"submitted": [_shown(conn, r, codes) for r in store.practice_rows(conn, states=("submitted",))]
            if curator else [],
            "mine": [_shown(conn, r, codes) for r in store.practice_rows(conn, states=("draft", "submitted",
                                                                                          "published"), owner=actor)]}


def _words(text: str) -> list[str]:
    return [store.fold(w) for w in re.findall(r"\w+", text or "")][:20]


def library(conn: sqlite3.Connection, *, theme: str | None = None, country: str | None = None,
            city: int | None = None, group: str | None = None, evaluation: str | None = None,
            year: int | None = None, q: str = "") -> dict:
    """Published records under the filters, with the counts of each filter's values under the other filters."""
    codes = _codes(conn)
    everything = [_shown(conn, r, codes) for r in store.practice_rows(conn)]
    words = _words(q)

    def keep(p: Shown, skip: str = "") -> bool:
        r = p.record
        checks = {
            "theme": not theme or theme in r.policy_areas,
            "country": not country or r.country == country,
            "city": not city or p.city_id == city,
            "group": not group or group in r.target_groups or group in r.legal_status,
            "evaluation": not evaluation or r.evaluation == evaluation,
            "year": not year or (r.period_start or 0) <= year <= (r.period_end or r.period_start or 9999),
            "q": all(w in store.fold(r.text()) for w in words),
        }
        return all(ok for name, ok in checks.items() if name != skip and not (skip == "country" and name == "city"))

    counts: dict[str, dict] = {k: {} for k in ("theme", "country", "city", "group", "evaluation", "year")}
    for p in everything:
        r = p.record
        values = {"theme": r.policy_areas, "country": [r.country] if r.country else [],
                  "city": [(p.city_id, r.city)] if p.city_id and (not country or r.country == country) else [],
                  "group": [*r.target_groups, *r.legal_status], "evaluation": [r.evaluation],
                  "year": [r.period_start] if r.period_start else []}
        for facet, vals in values.items():
            if keep(p, facet):
                for v in vals:
                    counts[facet][v] = counts[facet].get(v, 0) + 1
    vocab = vocabulary()
    labels = {**vocab["target_groups"], **vocab["legal_status"]}
    order = lambda d: sorted(d.items(), key=lambda kv: (-kv[1], str(kv[0])))  # noqa: E731
    return {
        "practices": [p for p in everything if keep(p)],
        "facets": {
            "theme": [(c, codes.get(c, c), n) for c, n in order(counts["theme"])],
            "country": [(c, country_name(c), n) for c, n in order(counts["country"])],
            "city": [(cid, name, n) for (cid, name), n in order(counts["city"])],
            "group": [(g, labels.get(g, g), n) for g, n in order(counts["group"])],
            "evaluation": [(e, vocab["evaluation"].get(e, e), n) for e, n in order(counts["evaluation"])],
            "year": sorted(counts["year"].items(), reverse=True),
        }}


def city_practices(conn: sqlite3.Connection, city_id: int) -> list[Shown]:
    codes = _codes(conn)
    return [_shown(conn, r, codes) for r in store.practice_rows(conn, city_id=city_id)]


def promote(conn: sqlite3.Connection, entity_id: int, actor: str) -> int:
    """A draft curated record made from a practice the extraction found: its title, summary, places, actors and
    the passages that state it (the curator completes and publishes it)."""
    copies = store.extracted_practice(conn, entity_id)
    if not copies:
        raise PracticeError({"practice": f"no extracted practice record {entity_id}"})
    data = copies[0]["data"]
    city = None
    for name in data.get("places") or ():
        city = store.city_by_name(conn, str(name))
        if city and city.get("type") != "country":
            break
    sources = tuple(Source(document_id=c["document_id"], passage_id=c["passage_id"],
                           quote=str(c["own"].get("evidence") or "")[:2000]) for c in copies)
    fields = {"title": str(data.get("title") or f"Practice {entity_id}")[:300], "summary": data.get("summary") or "",
              "organisations": list(data.get("actors") or ()), "city": city["name"] if city else "",
              "city_id": city["id"] if city else None, "sources": sources, "extracted_from": entity_id}
    record = _resolved(conn, parse(fields))
    with transaction(conn):
        return store.save_practice(conn, None, record.as_dict(), "draft", actor, "create")


def form_choices(conn: sqlite3.Connection) -> dict:
    vocab = vocabulary()
    return {"codes": store.codes(conn), "countries": sorted(country_names().items(), key=lambda kv: kv[1]),
            "evaluation": list(vocab["evaluation"].items()), "legal_status": list(vocab["legal_status"].items()),
            "target_groups": list(vocab["target_groups"].items()), "licences": list(vocab["licences"].items())}


def listing(conn: sqlite3.Connection, state: str = "published") -> list[Shown]:
    codes = _codes(conn)
    return [_shown(conn, r, codes) for r in store.practice_rows(conn, states=(state,))]
