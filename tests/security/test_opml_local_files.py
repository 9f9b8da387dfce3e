"""OPML children are URLs, never paths: no list and no feed makes the hub read a file of its own disk.

A local list may name local feed files only where the person at the command line asked for local files
(``allow_local_files``); the web doors and every list fetched from the web get http(s) URLs only. Each refused
outline is a failure of its own, whose reason is the same whether the path exists or not. An audit hook watches
every file the process opens while the hostile lists and feeds are ingested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from migrahub.services import hub
from migrahub.services.ingest import ingest
from tests.backends.postgresql import open_hub

ALLOW = "MIGRAHUB_EGRESS_ALLOW_HOSTS"
BAIT = "Quokkabait secret line of a file that no list may publish."
LOCAL_REFUSED = "refused: a list may name only http(s) URLs here, not files of the hub's disk"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def bait(tmp_path) -> Path:
    """A private file of the server's disk, beside and above the lists that will name it."""
    secret = tmp_path / "private" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(BAIT + "\n")
    (tmp_path / "private" / "feed.rss").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>{BAIT}</title>'
        "<description>inside a private feed</description></item></channel></rss>")
    return secret


def opml(*refs: str, include: str | None = None) -> str:
    outlines = "".join(f'<outline type="rss" text="o{i}" xmlUrl="{ref}"/>' for i, ref in enumerate(refs))
    if include:
        outlines += f'<outline type="include" text="more" url="{include}"/>'
    return f'<?xml version="1.0"?><opml version="2.0"><head><title>l</title></head><body>{outlines}</body></opml>'


def hostile_refs(bait: Path) -> list[str]:
    return ["/etc/passwd", "../../../../../../etc/hostname", "file:///etc/passwd", "file://localhost/etc/passwd",
            str(bait), "../private/secret.txt", "private/feed.rss", f"file://{bait}", str(bait.parent / "feed.rss"),
            "/no/such/file.rss"]


def _texts(db: Path) -> str:

    conn = open_hub(db)
    try:
        return "\n".join(row[0] for row in conn.execute("SELECT text FROM documents"))
    finally:
        conn.close()


def test_an_uploaded_list_names_no_file_of_the_disk(tmp_path, bait, opened):
    """What the web doors do: the curator's uploaded list is a local file, ingested without local files allowed."""
    upload = tmp_path / "uploads" / "subs.opml"
    upload.parent.mkdir()
    upload.write_text(opml(*hostile_refs(bait)))
    db = tmp_path / "hub.sqlite3"
    with opened.watch():
        summary = ingest([str(upload)], db, workers=1)
    assert opened.outside([upload]) == []
    assert {f["reason"] for f in summary.failed} == {LOCAL_REFUSED}  # the same whether the path exists or not
    assert {"/etc/passwd", "/etc/hostname", "file:///etc/passwd", str(bait), f"file://{bait}",
            "/no/such/file.rss"} <= {f["locator"] for f in summary.failed}
    assert summary.added == 0 and "root:" not in _texts(db) and BAIT not in _texts(db)
    assert hub.search("Quokkabait", db) == [] and hub.search("root", db) == []


def test_refusals_do_not_tell_whether_a_path_exists(tmp_path, bait):
    listing = tmp_path / "l.opml"
    listing.write_text(opml(str(bait), str(bait) + ".missing", "/etc", "/etc/nothing-here"))
    summary = ingest([str(listing)], tmp_path / "hub.sqlite3", workers=1)
    assert [f["reason"] for f in summary.failed] == [LOCAL_REFUSED] * 4


def test_a_list_fetched_from_the_web_names_only_urls_even_from_the_command_line(tmp_path, bait, listener,
                                                                                 monkeypatch, opened):
    """``migrahub ingest URL`` allows local files for its own targets, never for what a remote list names: its
    relative entries are URLs on the list's server, and ``file:`` entries are refused."""
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    listener.routes["/lists/subs.opml"] = ("text/x-opml", opml(*hostile_refs(bait)).encode())
    db = tmp_path / "hub.sqlite3"
    with opened.watch():
        summary = ingest([listener.url("/lists/subs.opml")], db, workers=1, allow_local_files=True)
    assert opened.outside([]) == []
    assert BAIT not in _texts(db) and "root:" not in _texts(db)
    refused = {f["locator"]: f["reason"] for f in summary.failed if f["stage"] == "source/opml"}
    assert refused == {"file:///etc/passwd": LOCAL_REFUSED, "file://localhost/etc/passwd": LOCAL_REFUSED,
                       f"file://{bait}": LOCAL_REFUSED}
    asked = sorted(line.split()[1] for line in listener.connections[1:])
    assert asked == sorted(["/etc/passwd", "/etc/hostname", str(bait), "/private/secret.txt",
                            "/lists/private/feed.rss", str(bait.parent / "feed.rss"), "/no/such/file.rss"])


def test_a_local_list_on_the_command_line_may_name_local_feeds_but_not_through_a_remote_list(tmp_path, listener,
                                                                                             monkeypatch):
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "city.rss").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item>'
                                     "<title>Welcome desk opens in Ghent</title><description>A desk for newcomers."
                                     "</description><guid>c-1</guid></item></channel></rss>")
    listener.routes["/remote.opml"] = ("text/x-opml", opml("/etc/passwd", "file:///etc/passwd").encode())
    (folder / "subs.opml").write_text(opml("city.rss", include=listener.url("/remote.opml")))
    db = tmp_path / "hub.sqlite3"
    summary = ingest([str(folder / "subs.opml")], db, workers=1, allow_local_files=True)
    assert summary.added >= 1 and hub.search("welcome desk Ghent", db)
    assert [(f["locator"], f["reason"]) for f in summary.failed] == [("file:///etc/passwd", LOCAL_REFUSED)]
    assert "root:" not in _texts(db)
    # the same list where local files were not asked for: its local feed is refused too
    again = ingest([str(folder / "subs.opml")], tmp_path / "other.sqlite3", workers=1)
    assert [f["reason"] for f in again.failed if f["locator"].endswith("city.rss")] == [LOCAL_REFUSED]


@pytest.mark.parametrize("ref", ["ftp://example.org/feed.xml", "gopher://127.0.0.1:70/1", "javascript:alert(1)",
                                 "data:text/plain,hello", "dict://127.0.0.1:11211/"])
def test_other_schemes_named_by_a_list_are_refused_by_name(tmp_path, ref):
    listing = tmp_path / "l.opml"
    listing.write_text(opml(ref))
    summary = ingest([str(listing)], tmp_path / "hub.sqlite3", workers=1, allow_local_files=True)
    scheme = ref.split(":")[0]
    assert [f["reason"] for f in summary.failed] == [f"unsupported URL scheme '{scheme}:' (http and https only)"]


def test_cli_ingest_of_a_remote_list_reads_no_local_file(tmp_path, bait, listener):
    listener.routes["/subs.opml"] = ("text/x-opml", opml(*hostile_refs(bait)).encode())
    db = tmp_path / "hub.sqlite3"
    env = {**__import__("os").environ, ALLOW: "127.0.0.1"}
    proc = subprocess.run([sys.executable, "-m", "migrahub", "--db", str(db), "ingest", "--json",
                           listener.url("/subs.opml")], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1, proc.stderr
    failed = [f for f in json.loads(proc.stdout)["failed"] if f["stage"] == "source/opml"]
    assert {f["reason"] for f in failed} == {LOCAL_REFUSED} and len(failed) == 3
    assert BAIT not in _texts(db) and "root:" not in _texts(db)


def test_hostile_feeds_read_no_local_file(tmp_path, bait, opened):
    folder = tmp_path / "feeds"
    folder.mkdir()
    uri = f"file://{bait}"
    (folder / "xxe.rss").write_text(f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{uri}">]>'
                                    "<rss version='2.0'><channel><title>x</title><item><title>&x;</title></item>"
                                    "</channel></rss>")
    (folder / "links.rss").write_text(
        f'<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>l</title>'
        f'<atom:link rel="self" href="{uri}"/><item><title>Shelter report</title><link>{uri}</link>'
        f'<enclosure url="{uri}" type="text/plain" length="10"/><source url="{uri}">s</source>'
        f"<description>&lt;img src='{uri}'&gt; The shelter opened.</description><guid>l-1</guid></item>"
        "</channel></rss>")
    (folder / "base.atom").write_text(
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="file://{bait.parent}/">'
        '<title>b</title><id>urn:b</id><entry><id>urn:b:1</id><title>Housing note</title>'
        '<link href="secret.txt"/><content type="xhtml" xml:base="secret.txt"><div xmlns="http://www.w3.org/1999/xhtml">'
        '<p>Housing <a href="secret.txt">note</a>.</p></div></content></entry></feed>')
    (folder / "include.opml").write_text(opml(include=uri))
    db = tmp_path / "hub.sqlite3"
    with opened.watch():
        summary = ingest([str(folder)], db, workers=1)
    assert opened.outside([folder]) == []
    assert BAIT not in _texts(db)
    assert {f["locator"]: f["reason"] for f in summary.failed if f["stage"] != "source/feed"} == {uri: LOCAL_REFUSED}


def test_the_demo_list_still_brings_its_local_feeds_from_the_command_line(tmp_path):
    db = tmp_path / "hub.sqlite3"
    proc = subprocess.run([sys.executable, "-m", "migrahub", "--db", str(db), "ingest", "--json",
                           str(REPO / "demo" / "corpus" / "feeds.opml")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["units"] == 3 and summary["added"] >= 2 and summary["failed"] == []
