"""Entity extraction ("Structure"): places, organisations, initiatives, events, practices, people, resources.

Public API::

    from migrahub.extract import extract
    x = extract(text, doc="report.txt", language="en")   # -> Extraction (frozen)
    x.to_schema()        # the shared/gold/SCHEMA.md JSON, "doc" = doc
    x.mentions           # Mention(category, key, start, end, surface, stage); text[start:end] == surface

All stages are pure functions of the text (plus the registry, see ``registry.py``); each records its versioned
name in ``Extraction.provenance``. Cross-document linking: :mod:`migrahub.extract.resolve`.
"""

from __future__ import annotations

from pathlib import Path

from .records import CATEGORIES, Event, Extraction, Initiative, Mention, Organisation, Person, Place, Practice, Resource

__all__ = [
    "extract",
    "Extraction",
    "Mention",
    "Place",
    "Organisation",
    "Initiative",
    "Event",
    "Practice",
    "Person",
    "Resource",
    "CATEGORIES",
    "STAGES",
]

STAGES = (
    "extract/acronyms@1",
    "extract/organisations@1",
    "extract/initiatives@1",
    "extract/people@1",
    "extract/places@1",
    "extract/dates@1",
    "extract/events@1",
    "extract/practices@1",
    "extract/resources@1",
)


def extract(
    text: str, doc: str, language: str | None = None, registry_paths: tuple[str | Path, ...] = ()
) -> Extraction:
    """Run every extraction stage over ``text`` (NFC-normalised document text) and return the records + mentions.

    ``language`` (ISO 639-1, e.g. "en", "fr", "es", "de") is a hint; the rules cover all four languages anyway.
    ``registry_paths`` adds user registry YAML files to the shipped one (as does ``$MIGRAHUB_REGISTRY``).
    """
    from . import events, initiatives, organisations, people, places, practices, resources
    from .acronyms import find_pairs
    from .segments import url_spans

    urls = url_spans(text)
    pairs = find_pairs(text)
    person_hits = people.find_people(text, exclude=urls)
    person_spans = [(p.start, p.end) for p in person_hits]
    cands = organisations.find_candidates(text, pairs, tuple(registry_paths), exclude=urls + person_spans)
    orgs, inits, ne_mentions = organisations.build_records(text, cands)
    inits, init_mentions = initiatives.find_initiatives(text, orgs, inits, ne_mentions, exclude=urls + person_spans)
    ne_mentions = sorted(ne_mentions + init_mentions, key=lambda m: (m.start, m.end))
    org_spans = [(m.start, m.end) for m in ne_mentions]
    gov_spans = [
        (m.start, m.end)
        for m in ne_mentions
        if m.category == "organisations"
        and next((o.kind for o in orgs if o.key == m.key), "") in ("government", "local_government")
    ]
    place_recs, place_mentions = places.extract_places(
        text, exclude=urls + org_spans + person_spans, government_spans=gov_spans
    )
    # acronyms of places ("Latin America and the Caribbean (LAC)") become place surfaces
    place_recs, extra_mentions = places.link_place_acronyms(text, pairs, place_recs)
    person_recs, person_mentions = people.build_people(text, person_hits, orgs, inits, place_recs)
    event_recs = events.extract_events(text, place_recs, place_mentions, orgs + inits, ne_mentions)
    inits, ne_mentions = initiatives.drop_dated_days(text, inits, ne_mentions)
    inits = initiatives.possessive_surfaces(inits)
    inits = initiatives.add_details(text, inits, orgs, ne_mentions, place_recs, place_mentions)
    practice_recs = practices.extract_practices(text, place_mentions, place_recs, ne_mentions, orgs, inits)
    resource_recs = resources.extract_resources(text, orgs, inits)
    mentions = tuple(
        sorted(ne_mentions + place_mentions + extra_mentions + person_mentions, key=lambda m: (m.start, m.end))
    )
    return Extraction(
        doc=doc,
        language=language,
        places=tuple(place_recs),
        organisations=tuple(orgs),
        initiatives=tuple(inits),
        events=tuple(event_recs),
        practices=tuple(practice_recs),
        people=tuple(person_recs),
        resources=tuple(resource_recs),
        mentions=mentions,
        provenance=STAGES,
    )
