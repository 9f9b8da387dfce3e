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

from dataclasses import replace
from pathlib import Path

from .budget import Budget, Deadline, OutOfTime, Prepared, prepare, running
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
    "Budget",
]

STAGES = (
    "extract/acronyms@1",
    "extract/organisations@1",
    "extract/initiatives@1",
    "extract/people@1",
    "extract/places@1",
    "extract/dates@1",
    "extract/events@3",
    "extract/practices@2",
    "extract/resources@2",
)


def extract(
    text: str,
    doc: str,
    language: str | None = None,
    registry_paths: tuple[str | Path, ...] = (),
    budget: Budget | None = None,
) -> Extraction:
    """Run every extraction stage over ``text`` (NFC-normalised document text) and return the records + mentions.

    ``language`` (ISO 639-1, e.g. "en", "fr", "es", "de") is a hint; the rules cover all four languages anyway.
    ``registry_paths`` adds user registry YAML files to the shipped one (as does ``$MIGRAHUB_REGISTRY``).
    ``budget`` bounds the work (:mod:`migrahub.extract.budget`; default :meth:`Budget.from_env`): what was left out
    is said in ``Extraction.notes``.
    """
    from . import events, initiatives, nlp, org_model, organisations, people, places, practices, resources
    from .acronyms import find_pairs
    from .segments import url_spans

    budget = budget or Budget.from_env()
    nlp.model(language)  # models and reference data are loaded once per process, before the clock starts
    _warm(tuple(registry_paths))
    prepared = prepare(text, budget)
    notes = list(prepared.notes)
    original, text = text, prepared.text
    orgs, inits, ne_mentions, place_recs, place_mentions, extra_mentions = [], [], [], [], [], []
    person_recs, person_mentions, event_recs, practice_recs, resource_recs = [], [], [], [], []
    done: list[str] = []

    clock = Deadline(budget.seconds)

    def finished(*stages: str) -> None:
        done.extend(stages)
        if clock.passed():
            raise OutOfTime

    # each stage's result is assigned only once the stage has finished, so what a deadline interrupts is left out
    # whole and everything assigned before stays consistent
    with running(clock):
        try:
            urls = url_spans(text)
            pairs = find_pairs(text)
            finished("extract/acronyms@1")
            person_hits = people.find_people(text, exclude=urls)
            person_hits = sorted(
                person_hits + people.model_people(text, language, person_hits, exclude=urls), key=lambda h: h.start
            )
            person_spans = [(p.start, p.end) for p in person_hits]
            cands = organisations.find_candidates(
                text, pairs, tuple(registry_paths), exclude=urls + person_spans, language=language
            )
            cands += org_model.candidates(text, language, cands, exclude=urls + person_spans)
            orgs, inits, ne_mentions = organisations.build_records(text, cands)
            finished("extract/organisations@1")
            inits, init_mentions = initiatives.find_initiatives(
                text, orgs, inits, ne_mentions, exclude=urls + person_spans, language=language
            )
            ne_mentions = sorted(ne_mentions + init_mentions, key=lambda m: (m.start, m.end))
            finished("extract/initiatives@1")
            org_spans = [(m.start, m.end) for m in ne_mentions]
            org_kind = {o.key: o.kind for o in orgs}
            gov_spans = [
                (m.start, m.end)
                for m in ne_mentions
                if m.category == "organisations"
                and (org_kind.get(m.key) in ("government", "local_government") or places.government_body(m.surface))
            ]
            place_recs, place_mentions = places.extract_places(
                text, exclude=urls + org_spans + person_spans, government_spans=gov_spans, language=language
            )
            # acronyms of places ("Latin America and the Caribbean (LAC)") become place surfaces
            place_recs, extra_mentions = places.link_place_acronyms(text, pairs, place_recs)
            finished("extract/places@1")
            person_recs, person_mentions = people.build_people(text, person_hits, orgs, inits, place_recs)
            finished("extract/people@1")
            event_recs = events.extract_events(text, place_recs, place_mentions, orgs + inits, ne_mentions, language)
            finished("extract/dates@1", "extract/events@3")
            inits, ne_mentions = initiatives.drop_dated_days(text, inits, ne_mentions)
            inits = initiatives.possessive_surfaces(inits)
            inits = initiatives.add_details(text, inits, orgs, ne_mentions, place_recs, place_mentions)
            practice_recs = practices.extract_practices(
                text, place_mentions, place_recs, ne_mentions, orgs, inits, language
            )
            finished("extract/practices@2")
            resource_recs = resources.extract_resources(text, orgs, inits, ne_mentions, language)
            done.append("extract/resources@2")
        except OutOfTime:
            left = [st for st in STAGES if st not in done]
            notes.append(f"time budget of {budget.seconds:g} s used up: left out {', '.join(left)}")
    mentions = sorted(ne_mentions + place_mentions + extra_mentions + person_mentions, key=lambda m: (m.start, m.end))
    if prepared.text is not original:
        mentions, event_recs, practice_recs = _to_original(prepared, original, mentions, event_recs, practice_recs)
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
        mentions=tuple(mentions),
        provenance=tuple(st for st in STAGES if st in done),
        notes=tuple(notes),
    )


def _warm(registry_paths: tuple) -> None:
    """Build the gazetteers and word lists (cached): a document's time budget is spent on reading it."""
    from . import people, places
    from .registry import registry_gazetteer

    places.gazetteer()
    registry_gazetteer(registry_paths)
    people._all_common_words()
    people.given_names()


def _to_original(prepared: Prepared, original: str, mentions, events, practices):
    """Offsets into the text the stages read → offsets into the document's text (see :mod:`.budget`)."""
    out = []
    for m in mentions:
        span = prepared.original(m.start, m.end)
        if span is not None:  # a mention across a left-out run has no place in the document
            out.append(replace(m, start=span[0], end=span[1], surface=original[span[0] : span[1]]))
    events = [replace(e, start=(prepared.original(e.start, e.start) or (e.start,))[0]) for e in events]
    practices = [replace(p, start=(prepared.original(p.start, p.start) or (p.start,))[0]) for p in practices]
    return out, events, practices
