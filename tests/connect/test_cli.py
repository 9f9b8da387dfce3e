"""The connect commands (in-process through click's runner): practice, peers, cities, declarations."""

from __future__ import annotations

import json

from click.testing import CliRunner

from migrahub.cli import main
from tests.backends.postgresql import hub_rows


def _run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result


def test_peers_find_prints_the_card_cities_first_with_evidence(hub_copy):
    out = _run(hub_copy, "peers", "find", "set up a municipal identity card open to undocumented residents",
               "--limit", "3")
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].startswith("1. Bologna (city")
    assert "municipal identity card for all residents of Bologna" in lines[1]
    data = json.loads(_run(hub_copy, "peers", "find", "housing for young refugees and students", "--json").output)
    assert data[0]["target"]["name"] == "Utrecht" and data[0]["evidence"][0]["passage_id"]
    bad = _run(hub_copy, "peers", "find", "the of and")
    assert bad.exit_code == 2 and "challenge" in bad.output


def test_practice_promote_review_list(hub_copy):

    entity = hub_rows(hub_copy, "SELECT id FROM entities WHERE category = 'practices' AND name LIKE "
                                "'%Malmö%'")[0][0]
    made = _run(hub_copy, "practice", "promote", str(entity))
    assert made.exit_code == 0, made.output
    rid = made.output.split()[3]
    assert "is now published" in _run(hub_copy, "practice", "review", rid, "publish", "--note", "ok").output
    listed = json.loads(_run(hub_copy, "practice", "list", "--json").output)
    assert listed[0]["city"] == "Malmö" and listed[0]["country_name"] == "Sweden"
    again = _run(hub_copy, "practice", "review", rid, "publish")
    assert again.exit_code == 2 and "a published record cannot be published" in again.output


def test_cities_like_and_declarations(hub_copy):
    out = _run(hub_copy, "cities", "like", "Bologna")
    assert out.exit_code == 0 and "same size: large city" in out.output
    assert _run(hub_copy, "cities", "like", "Atlantis").exit_code == 2
    out = _run(hub_copy, "declarations", "sync")
    assert out.exit_code == 0 and "declarations" in out.output
