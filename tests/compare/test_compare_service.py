"""The compare service over a real hub: definitions and answers stored in one transaction (bad rows refused naming
row and field, nothing stored lost), every change in the action log, answers with evidence passages, suggested
evidence confirmed by a person, profiles with peer ranks, editions and practices from higher-scoring peers."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from click.testing import CliRunner

from migrahub.cli import main
from migrahub.compare.model import CompareError
from migrahub.services import compare as service
from migrahub.store.database import connect
from tests.backends.postgresql import copy_hub

EXAMPLES = resources.files("migrahub.compare") / "data" / "examples"
DOCS = {
    "bilbao.md": "# Bilbao communication report\n\n## Anti-rumour strategy\n\nThe City of Bilbao runs an anti-rumour "
                 "campaign that trains volunteer agents to answer prejudice about newcomers in neighbourhood "
                 "associations and schools. The programme started in 2013 and now reaches every district of Bilbao.\n",
    "ghent.md": "# Ghent newcomers policy\n\n## Legal aid\n\nThe city of Ghent funds free legal advice for newly "
                "arrived residents through a legal aid desk in the city centre, open to every newcomer.\n",
}


@pytest.fixture(scope="module")
def hub_template(tmp_path_factory):
    from migrahub.services.ingest import ingest

    folder = tmp_path_factory.mktemp("comparehub")
    docs = folder / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    db = folder / "template.sqlite3"
    summary = ingest([str(docs)], db)
    assert summary.added == 2
    return db


@pytest.fixture()
def conn(hub_template, tmp_path):
    db = tmp_path / "hub.sqlite3"
    copy_hub(hub_template, db)
    c = connect(db)
    service.load_file(c, EXAMPLES / "cities_demo.yaml", "curator1")
    service.import_file(c, "cities-demo", EXAMPLES / "cities_demo_answers.csv", "curator1")
    yield c
    c.close()


def _answers(conn):
    return conn.execute("SELECT count(*) FROM compare_answers").fetchone()[0]


def test_answer_outside_options_refused_and_nothing_lost(conn, tmp_path):
    before = _answers(conn)
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,unit_name,edition,indicator,answer\nGHENT,Ghent,2025,SERV1,no\n"
                   "GHENT,Ghent,2025,SERV2,maybe\n", encoding="utf-8")
    with pytest.raises(CompareError, match=r"bad.csv: row 3, answer: answer 'maybe' is not an option of SERV2 "
                                           r"\(options: yes, partly, no\)"):
        service.import_file(conn, "cities-demo", bad, "curator1")
    assert _answers(conn) == before
    assert service.scores_json(conn, "cities-demo")["scores"]["GHENT"]["SERV1"] == 100  # the good row not applied


def test_indicator_outside_the_edition_is_refused(conn, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,edition,indicator,answer\nGHENT,2025,PART3,all\n", encoding="utf-8")
    with pytest.raises(CompareError, match=r"row 2, indicator: 'PART3' is not an indicator of edition 2025"):
        service.import_file(conn, "cities-demo", bad, "curator1")


def test_bad_unit_code_refused(conn):
    with pytest.raises(CompareError, match=r"unit code '<b>x</b>' may hold letters, digits"):
        service.set_answers(conn, "cities-demo", "2025", "<b>x</b>", {"SERV1": {"answer": "yes"}}, "curator1")


def test_malformed_xlsx_answers_refused(conn, tmp_path):
    bad = tmp_path / "answers.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(CompareError, match="answers.xlsx: not a readable XLSX workbook"):
        service.import_file(conn, "cities-demo", bad, "curator1")


def test_redefinition_with_a_cycle_is_refused_and_keeps_the_index(conn, tmp_path):
    bad = tmp_path / "cycle.yaml"
    bad.write_text("code: cities-demo\nnodes:\n  - {code: A, parent: B}\n  - {code: B, parent: A}\n  - {code: q, "
                   "parent: A}\n", encoding="utf-8")
    with pytest.raises(CompareError, match="cycle in the hierarchy"):
        service.load_file(conn, bad, "curator1")
    assert len(service.get_index(conn, "cities-demo").indicators) == 8


def test_every_change_is_logged(conn):
    service.set_answers(conn, "cities-demo", "2025", "LEUVEN", {"COMM1": {"answer": "yes", "comment": "new plan"}},
                        "curator2")
    rows = conn.execute("SELECT actor, verb, object_id, payload FROM actions WHERE verb LIKE 'compare.%' "
                        "ORDER BY id").fetchall()
    verbs = [r["verb"] for r in rows]
    assert verbs[0] == "compare.index.save" and verbs.count("compare.answer") == 57
    last = json.loads(rows[-1]["payload"])
    assert rows[-1]["actor"] == "curator2" and last["answer"] == "yes" and last["previous"]["answer"] == "past"
    history = service.history(conn, "cities-demo", "LEUVEN", "COMM1", "2025")
    assert [h["payload"]["answer"] for h in history] == ["yes", "past"]


def test_answer_with_evidence_and_suggestions(conn):
    pid = conn.execute("SELECT id FROM passages WHERE text LIKE '%legal aid desk%'").fetchone()[0]
    service.set_answers(conn, "cities-demo", "2025", "GHENT", {"SERV1": {"answer": "yes", "source": "city report",
                                                                        "evidence": [pid]}}, "curator1")
    q = service.questionnaire(conn, "cities-demo", "GHENT", "2025")
    item = next(i for i in q["items"] if i["node"].code == "SERV1")
    assert item["answer"]["source"] == "city report" and item["evidence"][0]["id"] == pid
    with pytest.raises(CompareError, match="no passage 999999"):
        service.set_answers(conn, "cities-demo", "2025", "GHENT", {"SERV1": {"answer": "yes", "evidence": [999999]}},
                            "curator1")
    made = service.suggest(conn, "cities-demo", "GHENT", "2025", "curator1")
    assert made["suggestions"] >= 1
    q = service.questionnaire(conn, "cities-demo", "GHENT", "2025")
    sug = next(i for i in q["items"] if i["node"].code == "SERV1")["suggestions"]
    assert sug and "legal" in sug[0]["text"] and sug[0]["status"] == "suggested"
    item = next(i for i in q["items"] if i["node"].code == "SERV1")
    assert item["suggested_answer"] is None  # Ghent already answered SERV1
    service.set_answers(conn, "cities-demo", "2025", "GHENT", {"SERV1": {"answer": ""}}, "curator1")
    q = service.questionnaire(conn, "cities-demo", "GHENT", "2025")
    assert next(i for i in q["items"] if i["node"].code == "SERV1")["suggested_answer"].key == "yes"
    assert service.decide(conn, sug[0]["id"], False, "curator1")["status"] == "rejected"
    service.suggest(conn, "cities-demo", "BILBAO", "2025", "curator1")
    q = service.questionnaire(conn, "cities-demo", "BILBAO", "2025")
    used = next(i for i in q["items"] if i["node"].code == "COMM1")["suggestions"][0]
    service.set_answers(conn, "cities-demo", "2025", "BILBAO", {"COMM1": {"answer": "yes",
                                                                         "evidence": [used["passage_id"]]}}, "cur3")
    q = service.questionnaire(conn, "cities-demo", "BILBAO", "2025")
    item = next(i for i in q["items"] if i["node"].code == "COMM1")
    assert item["suggestions"][0]["status"] == "confirmed" and item["evidence"][0]["id"] == used["passage_id"]


def test_profile_ranks_series_and_peer_practice(conn):
    p = service.profile(conn, "cities-demo", "GHENT")
    assert p["score"] == pytest.approx(93.75)
    assert str(p["ranks"][0]) == "1st of 4"
    groups = {r.group.split(":")[0]: str(r) for r in p["ranks"]}
    assert groups["country"] == "1st of 2" and groups["size"] == "1st of 3"  # Ghent, Malmö, Bilbao are large
    assert [s["edition"] for s in p["series"]] == ["2022", "2025"] and p["series"][1]["core"] == 6
    practice = p["peer_practices"]
    assert practice["area"] == "COMM" and practice["practices"][0]["peer"] == "BILBAO"
    assert "nti-rumour" in practice["practices"][0]["title"]
    assert "<svg" in p["chart"] and "Public communication" in p["chart"]
    chart = p["series_chart"]
    assert chart.count("<circle") == 2 and "<polyline" in chart and ">2025<" in chart
    # Ghent scores 100 everywhere but multilingual information, where its 50 is the mean: no gap below the mean
    assert p["gaps"] == [] and "SERV1" in [x["code"] for x in p["strengths"]]
    leuven = service.profile(conn, "cities-demo", "LEUVEN")
    assert leuven["gaps"][0]["code"] == "COMM2" and leuven["gaps"][0]["mean"] == pytest.approx(50.0)


def test_indicator_view_compare_and_exports(conn):
    v = service.indicator_view(conn, "cities-demo", "COMM2")
    assert v["counts"] == {"partly": 2, "no": 1, "yes": 1} and v["values"][0] == ("BILBAO", 100.0)
    side = service.compare_units(conn, "cities-demo", ["GHENT", "LEUVEN"], "2022")
    # Leuven 2022: services (50 + 0 + 50)/3, participation (50 + 50 + 0)/3, communication 0; weights .4/.35/.25
    assert side["rows"][0]["code"] == "OVERALL" and side["rows"][0]["scores"] == [87.5, pytest.approx(25.0)]
    body, media, _ = service.export(conn, "cities-demo", "xlsx")
    assert body[:2] == b"PK" and "spreadsheetml" in media
    assert b"GHENT" in service.export(conn, "cities-demo", "csv")[0]
    meta = service.export(conn, "cities-demo", "imeta")[0].decode()
    assert meta.startswith("iCode,iName,Level,Parent,Direction,Weight,Type")


def test_cli_load_scores_compare_export(tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()
    run = runner.invoke(main, ["--db", db, "index", "load", str(EXAMPLES / "cities_demo.yaml"), "--answers",
                               str(EXAMPLES / "cities_demo_answers.csv")])
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["answers"]["answers"] == 56
    run = runner.invoke(main, ["--db", db, "index", "compare", "cities-demo", "GHENT", "MALMO"])
    assert run.exit_code == 0, run.output
    assert "GHENT: all 1st of 4" in run.output and "change on 6 common indicators: +40.0" in run.output
    out = tmp_path / "scores.json"
    run = runner.invoke(main, ["--db", db, "index", "export", "cities-demo", str(out)])
    assert run.exit_code == 0 and json.loads(out.read_text())["ranks"]["GHENT"] == 1
    run = runner.invoke(main, ["--db", db, "index", "sensitivity", "cities-demo", "--runs", "50", "--seed", "3"])
    assert run.exit_code == 0 and len(json.loads(run.output)["monte_carlo"]) == 4
    run = runner.invoke(main, ["--db", db, "index", "whatif", "cities-demo", "LEUVEN", "COMM1=yes"])
    assert run.exit_code == 0 and json.loads(run.output)["after"]["scores"]["OVERALL"] == 50.0
    run = runner.invoke(main, ["--db", db, "index", "whatif", "cities-demo", "LEUVEN", "COMM1=often"])
    assert run.exit_code == 2 and "not an option of COMM1" in run.output
    run = runner.invoke(main, ["--db", db, "index", "list"])
    assert json.loads(run.output)[0]["units"] == 4
    run = runner.invoke(main, ["--db", db, "index", "load", "--answers", str(EXAMPLES / "cities_demo_answers.csv")])
    assert run.exit_code == 2 and "--index CODE" in run.output


def test_what_if_changes_nothing_stored(conn):
    before = _answers(conn)
    w = service.what_if(conn, "cities-demo", "LEUVEN", {"COMM1": "yes", "COMM2": "yes"})
    # communication 25 → 100 (weight .25): overall 43.75 → 62.5, still under Malmö's 66.25
    assert w["before"]["scores"]["OVERALL"] == pytest.approx(43.75)
    assert w["after"]["scores"]["OVERALL"] == pytest.approx(62.5) and w["after"]["rank"] == 4
    w = service.what_if(conn, "cities-demo", "LEUVEN", {"SERV1": "yes", "SERV2": "yes", "SERV3": "yes",
                                                         "PART1": "yes", "PART2": "3"})
    assert w["after"]["scores"]["OVERALL"] == pytest.approx(81.25)  # .4 × 100 + .35 × 100 + .25 × 25
    assert w["after"]["rank"] == 3 and w["before"]["rank"] == 4
    w = service.what_if(conn, "cities-demo", "MALMO", {"SERV1": "na"})  # not applicable: left out, not imputed
    assert w["after"]["scores"]["SERV"] == 50.0
    with pytest.raises(CompareError, match="not an option of COMM1"):
        service.what_if(conn, "cities-demo", "LEUVEN", {"COMM1": "often"})
    assert _answers(conn) == before


def test_practices_of_the_unit_are_suggested(conn):
    made = service.suggest(conn, "cities-demo", "BILBAO", "2025", "curator1")
    assert made["suggestions"] >= 1
    q = service.questionnaire(conn, "cities-demo", "BILBAO", "2025")
    reasons = [s["reason"] for s in next(i for i in q["items"] if i["node"].code == "COMM1")["suggestions"]]
    assert any(r.startswith("practice: Anti-rumour campaign") for r in reasons), reasons


def test_xlsx_round_trip_and_custom_peer_groups(conn, tmp_path):
    body, _media, _name = service.export(conn, "cities-demo", "xlsx", "2022")
    book = tmp_path / "answers.xlsx"
    book.write_bytes(body)
    before = _answers(conn)
    done = service.import_file(conn, "cities-demo", book, "curator1")
    assert done["answers"] == 28 and done["changed"] == 0 and _answers(conn) == before  # same answers back
    groups = tmp_path / "groups.csv"
    groups.write_text("unit,edition,indicator,answer,groups\nGHENT,2025,SERV1,yes,foreign_born=21;list=Demo\n"
                      "LEUVEN,2025,SERV1,partly,foreign_born=12;list=Demo\nBILBAO,2025,SERV1,partly,list=Demo\n",
                      encoding="utf-8")
    service.import_file(conn, "cities-demo", groups, "curator1")
    p = service.profile(conn, "cities-demo", "LEUVEN")
    ranks = {r.group: str(r) for r in p["ranks"]}
    assert ranks["list: Demo"] == "3rd of 3" and ranks["foreign_born: mid"] == "1st of 1"
    assert p["unit"]["groups"]["foreign_born"] == "mid"
