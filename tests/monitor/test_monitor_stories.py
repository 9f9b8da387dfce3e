"""Story clustering: the clusterer's rules on hand-made signals, and the evaluation door on items written here in
four languages (the real multilingual e5 model)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from migrahub.monitor.stories import Clusterer, StoryItem, StoryParams, cluster

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

DAY = 86400.0


def unit(*xs):
    v = np.zeros(384, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def item(i, at, vec=None, ents=(), sig=b""):
    return StoryItem(i, at, sig, vec, frozenset(ents))


def test_translation_with_a_shared_place_joins_and_another_event_in_that_city_does_not():
    p = StoryParams(embed_alone=0.99, embed_with_entities=0.9)
    items = [item("en", 0.0, unit(1, 0.1), {"place:gent"}),
             item("fr", 3600.0, unit(1, 0.3), {"place:gent"}),  # cos 0.96: joins through the shared city
             item("other", 7200.0, unit(1, 1.5), {"place:gent"}),  # cos 0.77: the same city, another story
             item("far", 30 * DAY, unit(1, 0.1), {"place:gent"})]  # the same words a month later: a new story
    assert cluster(items, p) == {"en": "en", "fr": "en", "other": "other", "far": "far"}


def test_close_text_without_a_shared_actor_needs_the_higher_threshold():
    p = StoryParams(embed_alone=0.99, embed_with_entities=0.9)
    assert cluster([item("a", 0.0, unit(1, 0.1)), item("b", 10.0, unit(1, 0.3))], p) == {"a": "a", "b": "b"}
    assert cluster([item("a", 0.0, unit(1, 0.1)), item("b", 10.0, unit(1, 0.11))], p) == {"a": "a", "b": "a"}


def test_items_about_two_countries_never_join_by_embedding():
    p = StoryParams(embed_alone=0.9, embed_with_entities=0.9)
    a = item("a", 0.0, unit(1, 0.1), {"country:AU"})
    b = item("b", 10.0, unit(1, 0.1), {"country:CN"})
    assert cluster([a, b], p) == {"a": "a", "b": "b"}


def test_near_duplicate_text_joins_without_embeddings():
    from migrahub.pipeline.fingerprint import minhash

    text = ("The regional office announced that the reception centre in the north of the city will double its "
            "capacity before the winter, with new staff and a school for the children living there.")
    a = item("a", None, None, (), minhash(text))
    b = item("b", None, None, (), minhash(text.replace("winter", "winter season")))
    c = item("c", None, None, (), minhash("An entirely different text about a football match and its "
                                          "spectators, the weather and the ticket prices in the stadium."))
    assert cluster([a, b, c]) == {"a": "a", "b": "a", "c": "c"}


def test_clusterer_grows_past_its_first_capacity():
    c = Clusterer(StoryParams(embed_alone=0.999, embed_with_entities=0.999))
    for i in range(600):
        c.add(item(i, float(i), unit(*([0] * (i % 7)), 1)))
    assert len(c.stories) == 600 and len(set(c.stories)) == 7


WRITTEN = [
    {"id": "en", "language": "en", "published": "2026-03-02T09:00:00Z", "title": "Tampere opens a welcome office",
     "text": "The city of Tampere has opened a welcome office for newly arrived families. Staff help them register, "
             "find a school for the children and rent a flat."},
    {"id": "de", "language": "de", "published": "2026-03-02T15:00:00Z",
     "title": "Tampere eröffnet ein Willkommensbüro",
     "text": "Die Stadt Tampere hat ein Willkommensbüro für neu angekommene Familien eröffnet. Die Mitarbeitenden "
             "helfen bei der Anmeldung, bei der Suche nach einer Schule für die Kinder und einer Mietwohnung."},
    {"id": "es", "language": "es", "published": 1772470000,
     "title": "Tampere abre una oficina de bienvenida",
     "text": "La ciudad de Tampere ha abierto una oficina de bienvenida para familias recién llegadas. El personal "
             "les ayuda a empadronarse, a encontrar escuela para los niños y a alquilar un piso."},
    {"id": "other", "language": "en", "published": "2026-03-03T09:00:00Z",
     "title": "Porto trains bus drivers in sign language",
     "text": "Porto's transport company trained its bus drivers in basic sign language so that deaf passengers can "
             "ask for help on every line."},
]


def test_the_evaluation_door_groups_translations(tmp_path, monkeypatch):
    from migrahub.cli import main

    monkeypatch.setenv("MIGRAHUB_EXTRACT_MODELS", "0")  # the place names are read by the rules alone
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in WRITTEN), encoding="utf-8")
    out = CliRunner().invoke(main, ["stories", "cluster", str(path), "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"en": "en", "de": "en", "es": "en", "other": "other"}


@pytest.mark.parametrize("line, message", [
    ('{"id": "a"}', "line 1: field 'text' is missing"),
    ("not json", "line 1: not JSON"),
    ('{"id": "a", "text": "x", "published": "last tuesday"}', "line 1: field 'published'"),
    ('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}', "line 2: id 'a' appears twice"),
])
def test_the_evaluation_door_names_bad_lines(tmp_path, line, message):
    from migrahub.cli import main

    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["stories", "cluster", str(path), "--json"])
    assert out.exit_code == 2 and message in out.output and "bad.jsonl" in out.output
