"""`migrahub sources export --opml`: the watched sources as an OPML list that another reader (or hub) imports."""

from __future__ import annotations

from click.testing import CliRunner
from defusedxml import ElementTree

from migrahub.cli import main


def test_sources_export_opml_lists_every_watched_source(tmp_path):
    db = str(tmp_path / "hub.sqlite3")
    runner = CliRunner()
    for url in ("https://example.org/news.xml", "https://example.net/cities?lang=fr&x=1"):
        added = runner.invoke(main, ["--db", db, "watch", "add", url])
        assert added.exit_code == 0, added.output
    out = runner.invoke(main, ["--db", db, "sources", "export", "--opml"])
    assert out.exit_code == 0, out.output
    root = ElementTree.fromstring(out.output.encode("utf-8"))
    assert root.tag == "opml"
    urls = [o.get("xmlUrl") for o in root.iter("outline")]
    assert urls == ["https://example.org/news.xml", "https://example.net/cities?lang=fr&x=1"]
    listed = runner.invoke(main, ["--db", db, "sources", "--json"])  # the plain listing is unchanged
    assert listed.exit_code == 0 and listed.output.strip().startswith("[")


def test_sources_export_needs_a_format(tmp_path):
    out = CliRunner().invoke(main, ["--db", str(tmp_path / "hub.sqlite3"), "sources", "export"])
    assert out.exit_code == 2 and "--opml" in out.output
