"""The monitor commands, run through click against a hub file."""

from __future__ import annotations

import json

from click.testing import CliRunner
from monitorkit import news, rss

from migrahub.cli import main


def cli(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def test_watch_commands(feeds, tmp_path):
    db = tmp_path / "hub.sqlite3"
    url = feeds.serve("/cli.rss", rss("CLI", news(2)))
    assert cli(db, "watch", "add", url, "--every", "30m").exit_code == 0
    bad = cli(db, "watch", "add", "ftp://x.example.org/", "--every", "30m")
    assert bad.exit_code == 2 and "http(s) URL" in bad.output
    run = cli(db, "watch", "run", "--once", "--no-extract", "--json")
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["new_documents"] == 2
    listed = json.loads(cli(db, "watch", "list", "--json").output)
    assert listed[0]["status"] == "ok" and listed[0]["items"] == 2 and listed[0]["kind"] == "feed"
    assert "cli.rss" in cli(db, "watch", "health").output
    assert f'xmlUrl="{url}"' in cli(db, "watch", "export", "--opml").output
    assert "paused" in cli(db, "watch", "pause", "1").output
    assert "resumed" in cli(db, "watch", "pause", "1", "--resume").output
    assert "no longer watching" in cli(db, "watch", "remove", url).output
    assert cli(db, "watch", "remove", "1").exit_code == 2


def test_alert_commands(tmp_path):
    db = tmp_path / "hub.sqlite3"
    made = cli(db, "alerts", "add", "Ghent + housing", "--user", "ana", "--entity", "Ghent", "--theme", "housing",
               "--frequency", "off")
    assert made.exit_code == 0, made.output
    assert "/monitor/feeds/alert/" in made.output and "Gand" in made.output
    listed = json.loads(cli(db, "alerts", "list", "--json").output)
    assert listed[0]["query"]["themes"] == ["SERV.HOUSING"] and listed[0]["owner"] == "ana"
    assert "/monitor/feeds/alert/" in cli(db, "alerts", "revoke", "1").output
    assert cli(db, "alerts", "send").output.strip() == "0 e-mails sent"
    bad = cli(db, "alerts", "add", "x", "--user", "ana", "--country", "Belgium", "--frequency", "off")
    assert bad.exit_code == 2 and "two-letter" in bad.output
    assert "deleted" in cli(db, "alerts", "remove", "1").output
    assert cli(db, "alerts", "remove", "1").exit_code == 2
