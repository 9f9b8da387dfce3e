"""Peer exchange: a city officer's request ranks the cities, organisations and opted-in experts that have done what
it needs, each with its evidence (passages, practices, events, profiles); messages are relayed through the hub to
the recipients' contacts (never shown without their consent); curators record outcomes (peer visits, reviews).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import asdict

from migrahub.connect.matching import Evidence, Match, PeerRequest, Target, content_words, rank
from migrahub.connect.practice import PracticeRecord
from migrahub.services.connect.places import country_name, country_names
from migrahub.store import connect as store
from migrahub.store import vectors as vectors_store
from migrahub.store.database import transaction

OUTCOMES = {"peer-visit": "Peer visit", "peer-review": "Peer review", "mentoring": "Mentoring",
            "exchange": "Exchange of documents or advice", "no-follow-up": "No follow-up"}
LANGUAGES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian", "nl": "Dutch",
             "pt": "Portuguese", "sv": "Swedish", "pl": "Polish", "el": "Greek", "ar": "Arabic", "tr": "Turkish"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PeerError(ValueError):
    """A request, profile, message or outcome that cannot be taken; the message names the field."""


def _encoder():
    from migrahub.coding.embed import shared_encoder

    return shared_encoder()


def parse_request(fields: dict, conn: sqlite3.Connection | None = None) -> PeerRequest:
    """A request from its fields; with ``conn``, the requester's ``city`` (a name) is resolved to the hub's city."""
    challenge = str(fields.get("challenge") or "").strip()
    if len(content_words(challenge)) < 1:
        raise PeerError("challenge: say what you want to do (a sentence or two)")
    if len(challenge) > 5000:
        raise PeerError("challenge: at most 5,000 characters")
    country = str(fields.get("country") or "").strip().upper()
    if country and country not in country_names():
        raise PeerError(f"country: {country[:20]!r} is not a country")
    themes = _list(fields.get("themes"))
    languages = [lang.lower() for lang in _list(fields.get("languages"))]
    wrong = [lang for lang in languages if not re.fullmatch(r"[a-z]{2}", lang)]
    if wrong:
        raise PeerError(f"languages: {', '.join(wrong)} are not two-letter language codes")
    city_id = None
    city = str(fields.get("city") or "").strip()
    if city and conn is not None:
        found = store.city_by_name(conn, city)
        if found is None or found.get("type") != "city":
            raise PeerError(f"city: no city named {city[:100]!r} in the hub")
        city_id = found["id"]
        country = country or (found.get("country") or "")
    return PeerRequest(challenge, tuple(themes), tuple(languages), country, city_id)


def _list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,;\n]", value)
    return [str(v).strip() for v in value if str(v).strip()]


def _semantic(request: PeerRequest, texts: list[str]) -> list[float | None]:
    encoder = _encoder()
    if encoder is None or not texts:
        return [None] * len(texts)
    vectors = encoder.encode([request.challenge, *texts])
    return [float(v) for v in vectors[1:] @ vectors[0]]


def _passage_semantic(conn: sqlite3.Connection, request: PeerRequest, rows: list[dict]) -> list[float | None]:
    """Cosines of the challenge and each passage; passage vectors are read from the hub (``passage_vectors``, shared
    with the auto-coder) and the missing ones computed once and kept."""
    encoder = _encoder()
    if encoder is None or not rows:
        return [None] * len(rows)
    ids = [r["id"] for r in rows]
    vectors, found = vectors_store.read_vectors(conn, encoder.name, ids, encoder.dim)
    missing = [i for i, ok in enumerate(found) if not ok]
    if missing:
        fresh = encoder.encode([rows[i]["text"] for i in missing])
        vectors[missing] = vectors_store.as_stored(fresh)
        vectors_store.write_vectors(conn, encoder.name, [ids[i] for i in missing], fresh)
    query = encoder.encode([request.challenge])[0]
    return [float(v) for v in vectors @ query]


def gather(conn: sqlite3.Connection, request: PeerRequest) -> tuple[list[Evidence], dict]:
    """Every piece of evidence that could answer the request, and the targets it speaks for."""
    words = content_words(request.challenge)
    rows = store.candidate_passages(conn, words)
    best = min((r["rank"] for r in rows), default=-1.0) or -1.0
    mentioned = store.passage_entities(conn, [r["id"] for r in rows])
    main_city = store.document_cities(conn, sorted({r["document_id"] for r in rows}))
    themes = store.passage_themes(conn, [r["id"] for r in rows])
    targets: dict[tuple[str, int], Target] = {}
    evidence: list[Evidence] = []
    semantic = _passage_semantic(conn, request, rows)
    for row, sem in zip(rows, semantic, strict=True):
        entities = mentioned.get(row["id"], [])
        cities = [e for e in entities if e["category"] == "places"] or (
            [main_city[row["document_id"]]] if row["document_id"] in main_city else [])
        kind = "event" if any(e["category"] == "events" for e in entities) else "passage"
        speakers = [("city", c) for c in cities] + [("organisation", e) for e in entities
                                                    if e["category"] == "organisations"]
        for target_kind, entity in speakers:
            key = (target_kind, entity["id"])
            targets.setdefault(key, Target(target_kind, entity["id"], entity["name"], entity.get("country") or ""))
            evidence.append(Evidence(kind, key, row["text"], row["document_id"], row["id"],
                                     themes=tuple(themes.get(row["id"], ())), language=row["language"] or "",
                                     semantic=sem, lexical=min(1.0, row["rank"] / best) if best else 0.0,
                                     source=row["title"] or ""))
    _practices(conn, request, evidence, targets)
    _experts(conn, request, evidence, targets)
    _index_strengths(conn, request, evidence, targets)
    for key, target in list(targets.items()):
        languages = {e.language for e in evidence if e.target == key and e.language}
        if languages and not target.languages:
            targets[key] = Target(target.kind, target.id, target.name, target.country, tuple(sorted(languages)))
    return evidence, targets


def _practices(conn, request, evidence, targets) -> None:
    rows = [r for r in store.practice_rows(conn) if r["city_id"]]
    records = [PracticeRecord.from_dict(r["data"]) for r in rows]
    semantic = _semantic(request, [rec.text() for rec in records])
    for row, record, sem in zip(rows, records, semantic, strict=True):
        key = ("city", row["city_id"])
        targets.setdefault(key, Target("city", row["city_id"], record.city, record.country))
        text = " — ".join(t for t in (record.title, record.summary or record.goals, record.activities) if t)
        evidence.append(Evidence("practice", key, text, practice_id=row["id"], themes=record.policy_areas,
                                 semantic=sem, source=record.title))


def _experts(conn, request, evidence, targets) -> None:
    people = store.experts(conn)
    semantic = _semantic(request, [p["bio"] for p in people])
    for person, sem in zip(people, semantic, strict=True):
        key = ("expert", person["id"])
        targets[key] = Target("expert", person["id"], person["display_name"], person["country"] or "",
                              tuple(person["languages"]))
        evidence.append(Evidence("profile", key, person["bio"], themes=tuple(person["themes"]), semantic=sem))


def _index_strengths(conn, request, evidence, targets) -> None:
    """Indicators of the hub's policy indices (``migrahub index``) on which a city scores above the mean of the
    index's units: each is evidence of what the city does (its name and the index's, with the two scores)."""
    from migrahub.compare.model import CompareError
    from migrahub.services import compare

    cities = store.cities(conn)
    by_geonames = {c["geonames_id"]: c for c in cities if c["geonames_id"]}
    by_name = {(store.fold(c["name"]), c["country"]): c for c in cities}
    items = []
    for listed in compare.list_indices(conn):
        try:
            r = compare.results(conn, listed["code"])
        except CompareError:
            continue
        if r["result"] is None:
            continue
        indicators = r["index"].edition(r["edition"].code).indicators
        for code, unit in r["units"].items():
            city = by_geonames.get(unit.get("geonames_id")) or by_name.get((store.fold(unit.get("name") or ""),
                                                                            unit.get("country")))
            if city is None or code not in r["data"].units:
                continue
            strengths, _gaps = compare.strengths_and_gaps(r["index"], r["result"], code, indicators, n=5)
            items += [(city, f"{r['index'].name}: {s['name']} — {s['score']:.0f}, above the mean of "
                             f"{s['mean']:.0f}") for s in strengths]
    semantic = _semantic(request, [text for _city, text in items])
    for (city, text), sem in zip(items, semantic, strict=True):
        key = ("city", city["id"])
        targets.setdefault(key, Target("city", city["id"], city["name"], city["country"] or ""))
        evidence.append(Evidence("index", key, text, semantic=sem))


def match(conn: sqlite3.Connection, request: PeerRequest, limit: int = 10) -> list[Match]:
    evidence, targets = gather(conn, request)
    return rank(request, evidence, targets, limit)


def _as_row(m: Match) -> dict:
    return {"kind": m.target.kind, "id": m.target.id, "name": m.target.name, "score": m.score,
            "data": {"reasons": list(m.reasons), "country": m.target.country,
                     "evidence": [{k: v for k, v in asdict(e).items() if k != "target"} for e in m.evidence]}}


def create_request(conn: sqlite3.Connection, fields: dict, requester: str, limit: int = 10) -> int:
    """Store a request with the matches found now (curators see what was proposed, even as the hub grows)."""
    request = parse_request(fields, conn)
    matches = match(conn, request, limit)
    with transaction(conn):
        return store.save_request(conn, requester, {"challenge": request.challenge, "themes": list(request.themes),
                                                    "languages": list(request.languages),
                                                    "country": request.country, "city_id": request.city_id},
                                  [_as_row(m) for m in matches])


def view_request(conn: sqlite3.Connection, request_id: int, viewer: str | None, curator: bool) -> dict:
    """A request with its matches, messages and outcomes: for its requester and curators."""
    found = store.peer_request(conn, request_id)
    if found is None or not (curator or found["requester"] == viewer):
        raise PeerError(f"request: no peer request {request_id}")
    found["country_name"] = country_name(found["country"])
    names = {(m["target_kind"], m["target_id"]): m["name"] for m in found["matches"]}
    for item in (*found["messages"], *found["outcomes"]):
        item["target_name"] = names.get((item["target_kind"], item["target_id"]), item["target_kind"])
    for m in found["matches"]:
        m["country_name"] = country_name(m["data"].get("country"))
        m["contact"] = public_contact(conn, m["target_kind"], m["target_id"])
    return found


def requests(conn: sqlite3.Connection, viewer: str, curator: bool) -> list[dict]:
    return store.peer_requests(conn, None if curator else viewer)


def public_contact(conn: sqlite3.Connection, kind: str, target_id: int) -> str | None:
    """The e-mail address a recipient agreed to show, or None (messages are then relayed only)."""
    if kind == "expert":
        person = store.expert(conn, target_id)
        return person["email"] if person and person["share_contact"] else None
    shared = [c["email"] for c in store.contacts(conn, target_id) if c["share_contact"]]
    return shared[0] if shared else None


def _recipients(conn, kind: str, target_id: int) -> list[str]:
    if kind == "expert":
        person = store.expert(conn, target_id)
        return [person["email"]] if person and person["active"] else []
    return [c["email"] for c in store.contacts(conn, target_id)]


def send_message(conn: sqlite3.Connection, request_id: int, kind: str, target_id: int, body: str, sender: str,
                 mailer: Callable[[str, str, list[str], list[str]], int], link: str = "",
                 reply_to: str | None = None) -> dict:
    """Relay a message from the requester (or a curator) to a match: mailed to the recipient's contacts by the
    hub, their addresses never shown to the sender. ``reply_to``: the sender's own address, when they choose to
    give it to the recipient (the mail's Reply-To). ``mailer(subject, text, recipients, reply_to)`` sends it
    (Django's mail in the web door). Recorded with its status: sent, no-contact (curators forward it) or failed."""
    found = store.peer_request(conn, request_id)
    if found is None:
        raise PeerError(f"request: no peer request {request_id}")
    target = next((m for m in found["matches"] if m["target_kind"] == kind and m["target_id"] == target_id), None)
    if target is None:
        raise PeerError("recipient: not a match of this request")
    body = body.strip()
    if not body:
        raise PeerError("message: write a message")
    if len(body) > 10_000:
        raise PeerError("message: at most 10,000 characters")
    to = _recipients(conn, kind, target_id)
    status, error = ("no-contact", None) if not to else ("sent", None)
    if to:
        subject = f"MigraHub: a peer-exchange request for {target['name']}"
        answer = (f"Reply to this e-mail to answer {sender}, who chose to give you their address." if reply_to else
                  f"{sender} did not give their address: the hub's curators can put you in touch.")
        text = (f"{sender} asks, through MigraHub:\n\n{found['challenge']}\n\nTheir message:\n\n{body}\n\n"
                f"MigraHub matched {target['name']} to this request by what its documents and practices show"
                f"{' (' + link + ')' if link else ''}. {answer} Your address is not shown to {sender} unless you "
                "answer or chose to show it.\n")
        try:
            mailer(subject, text, to, [reply_to] if reply_to else [])
        except Exception as exc:  # an unreachable mail server is recorded, not raised at the sender
            status, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
    with transaction(conn):
        mid = store.save_message(conn, request_id, sender, kind, target_id, body, status, len(to), error)
    return {"id": mid, "status": status, "recipients": len(to)}


def record_outcome(conn: sqlite3.Connection, request_id: int, kind: str, target_id: int, outcome: str, note: str,
                   happened_on: str | None, actor: str) -> int:
    if outcome not in OUTCOMES:
        raise PeerError(f"outcome: choose among {', '.join(OUTCOMES)}")
    if happened_on and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", happened_on):
        raise PeerError("date: write it as YYYY-MM-DD")
    found = store.peer_request(conn, request_id)
    if found is None:
        raise PeerError(f"request: no peer request {request_id}")
    if not any(m["target_kind"] == kind and m["target_id"] == target_id for m in found["matches"]):
        raise PeerError("peer: not a match of this request")
    with transaction(conn):
        return store.save_outcome(conn, request_id, kind, target_id, outcome, note.strip()[:5000],
                                  happened_on or None, actor)


def save_expert(conn: sqlite3.Connection, username: str, fields: dict) -> int:
    """Opt in (or update one's profile) as an expert others may be matched with."""
    email = str(fields.get("email") or "").strip()
    if not EMAIL_RE.match(email):
        raise PeerError("email: an address the hub can relay messages to")
    name = str(fields.get("display_name") or "").strip()
    bio = str(fields.get("bio") or "").strip()
    if not name:
        raise PeerError("display_name: the name others see")
    if len(content_words(bio)) < 3:
        raise PeerError("bio: say what you have done and know (a few sentences)")
    country = str(fields.get("country") or "").strip().upper()
    if country and country not in country_names():
        raise PeerError(f"country: {country[:20]!r} is not a country")
    values = {"display_name": name[:200], "email": email, "bio": bio[:5000], "themes": _list(fields.get("themes")),
              "languages": [lang.lower() for lang in _list(fields.get("languages"))], "country": country,
              "share_contact": bool(fields.get("share_contact")), "active": fields.get("active", True) not in
              (False, "0", "", None)}
    with transaction(conn):
        return store.save_expert(conn, username, values)


def expert_profile(conn: sqlite3.Connection, username: str) -> dict | None:
    return store.expert_by_username(conn, username)


def public_experts(conn: sqlite3.Connection) -> list[dict]:
    """Opted-in experts as others see them: the address only where its owner agreed to show it."""
    return [{"id": p["id"], "display_name": p["display_name"], "bio": p["bio"], "themes": p["themes"],
             "languages": p["languages"], "country": country_name(p["country"]),
             "email": p["email"] if p["share_contact"] else None} for p in store.experts(conn)]


def add_contact(conn: sqlite3.Connection, entity_id: int, name: str, email: str, share: bool, actor: str) -> int:
    if not EMAIL_RE.match(email.strip()):
        raise PeerError("email: not an e-mail address")
    if not store.entity_names(conn, [entity_id]):
        raise PeerError(f"entity: no record {entity_id}")
    with transaction(conn):
        return store.add_contact(conn, entity_id, name.strip()[:200] or "Contact", email.strip(), share, actor)


def outcome_links(conn: sqlite3.Connection) -> list[dict]:
    """Outcomes as links of the network: the requester's city (``city_id``, when the request named it) and the
    peer (``target_kind`` city / organisation / expert, ``target_id``), with the outcome's kind and date."""
    return store.all_outcomes(conn)



