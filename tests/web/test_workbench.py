"""The workbench without a browser: search grouped by document with matching records above, possible duplicates
and their merge, the ingest report without server paths, the admin's mention counts."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from webhelpers import FIXTURES, assert_inert, sql


def test_search_groups_hits_by_document_and_keeps_each_passage_reachable(client, hub):
    html = client.get("/", {"q": "city"}).content.decode()
    hits = re.findall(r'<li class="hit">(.*?)</li>\n(?=<li class="hit">|</ol>)', html, re.S)
    assert hits
    documents = [re.search(r'<h3><a href="/documents/(\d+)#p-\d+"', h).group(1) for h in hits]
    assert len(documents) == len(set(documents))  # one entry per document
    from migrahub.services import documents as docs

    found = docs.search(docs.reader(hub.db), docs.Query(q="city"), limit=20)
    for h in found:  # every passage of the page is still linked
        assert f'href="/documents/{h.document_id}#p-{h.passage_id}"' in html
    several = {d for d in documents if sum(1 for h in found if str(h.document_id) == d) > 1}
    assert several  # the fixture corpus has documents with several passages about cities
    # a document with several matching passages lists the others under its best one
    assert 'class="more-passages"' in html and "matching passages" in html
    assert_inert(html)


def test_records_named_like_the_query_are_shown_above_the_documents(client, hub):
    ghent = sql(hub, "SELECT id, name FROM entities WHERE category = 'places' AND name IN ('Ghent', 'Gent')")[0]
    html = client.get("/", {"q": ghent["name"]}).content.decode()
    assert "Records named like" in html and f'href="/entities/{ghent["id"]}"' in html
    assert html.index("matching-title") < html.index('class="hit-list"')
    assert "Records named like" not in client.get("/", {"q": ghent["name"], "page": 2}).content.decode()


def test_possible_duplicates_and_merge(login, hub, tmp_path):
    from migrahub.services import curation
    from migrahub.services.documents import reader
    from migrahub.services.ingest import ingest

    folder = tmp_path / "dups"
    folder.mkdir()
    (folder / "dups.md").write_text(
        "# Duplicates\n\nThe International Organization for Migration (IOM) met in Ghent. The IOM and the city of "
        "Ghent agreed on a welcome plan. The International Organisation for Migration will report.\n",
        encoding="utf-8")
    assert ingest([str(folder)], hub.db).added == 1
    assert curation.normalised_name("L'Organisation  de la Ville") == "organisation ville"
    assert curation.acronym_of("International Organization for Migration") == "IOM"
    pairs = curation.possible_duplicates(reader(hub.db))
    assert all(p.reasons and p.a["id"] != p.b["id"] for p in pairs)
    assert not [p for p in pairs if p.a["country"] and p.b["country"] and p.a["country"] != p.b["country"]]
    c = login("curator")
    html = c.get("/curate/duplicates").content.decode()
    assert "Possible duplicates" in html and f"{len(pairs)} possible duplicate" in html
    assert_inert(html)
    assert login("coder").get("/curate/duplicates").status_code == 403
    a, b = sql(hub, "SELECT id FROM entities WHERE category = 'organisations' AND merged_into IS NULL "
                    "ORDER BY id LIMIT 2")
    r = c.post("/curate/merge", {"source": b["id"], "into": a["id"], "next": "/curate/duplicates"})
    assert r.status_code == 302
    assert "Merged “" in c.get(r["Location"]).content.decode()
    assert sql(hub, "SELECT merged_into FROM entities WHERE id = ?", (b["id"],))[0][0] == a["id"]
    again = c.post("/curate/merge", {"source": b["id"], "into": a["id"]})
    assert "Not merged: " in c.get(again["Location"]).content.decode()
    assert login("coder").post("/curate/merge", {"source": 1, "into": 2}).status_code == 403
    # the admin lists show each record's documents and mentions
    admin = login("curator").get("/admin/web/entity/").content.decode()
    assert "column-documents" in admin and "column-mentions" in admin


def test_an_organisation_and_an_initiative_merge_across_kinds_but_a_place_does_not(login, hub, tmp_path):
    from migrahub.services.ingest import ingest

    (tmp_path / "icc.txt").write_text("The Intercultural Cities programme (ICC) helps cities in Bergamo and Lisbon "
                                      "review their policies. The Council of Europe runs it.", encoding="utf-8")
    assert ingest([str(tmp_path / "icc.txt")], hub.db).added == 1
    c = login("curator")
    org = sql(hub, "SELECT id FROM entities WHERE category = 'organisations' AND merged_into IS NULL "
                   "ORDER BY id DESC LIMIT 1")[0]["id"]
    initiative = sql(hub, "SELECT id FROM entities WHERE category = 'initiatives' AND merged_into IS NULL "
                          "ORDER BY id DESC LIMIT 1")[0]["id"]
    place = sql(hub, "SELECT id FROM entities WHERE category = 'places' AND merged_into IS NULL "
                     "ORDER BY id DESC LIMIT 1")[0]["id"]
    refused = c.post("/curate/merge", {"source": place, "into": initiative, "next": "/curate/duplicates"})
    assert "Not merged: cannot merge a places record into a initiatives record" in \
        c.get(refused["Location"]).content.decode()
    done = c.post("/curate/merge", {"source": org, "into": initiative, "next": "/curate/duplicates"})
    assert "Merged “" in c.get(done["Location"]).content.decode()
    assert sql(hub, "SELECT merged_into FROM entities WHERE id = ?", (org,))[0][0] == initiative


def test_ingest_report_lists_new_documents_their_records_and_no_server_path(login, hub):
    c = login("curator")
    note = b"# Plimsollburg desk\n\nPlimsollburg opened a welcome desk with the city of Ghent.\n"
    r = c.post("/curate/ingest", {"file": SimpleUploadedFile("desk-note.md", note, content_type="text/markdown")})
    assert r.status_code == 302
    page = c.get("/curate/ingest").content.decode()
    assert "What the last ingest brought" in page
    did = sql(hub, "SELECT id FROM documents WHERE instr(title, 'Plimsollburg desk') > 0")[0][0]
    assert f'href="/documents/{did}"' in page
    upload_dir = str(hub.folder / "uploads")
    for url in (f"/documents/{did}", "/sources", "/stats", "/curate/ingest", "/?q=city", "/?q=Plimsollburg",
                "/export.csv?q=city", "/export.json?q=city", "/search"):
        html = c.get(url).content.decode()
        assert upload_dir not in html and str(hub.folder) not in html and str(FIXTURES) not in html, url
    assert "upload: desk-note.md" in c.get(f"/documents/{did}").content.decode()
    assert "Plimsollburg desk" in c.get("/", {"source": "desk-note.md"}).content.decode()  # the sources page's link


def test_public_locator_never_shows_a_server_path(tmp_path):
    from migrahub.services.curation import public_locator

    uploads = tmp_path / "uploads"
    assert public_locator(str(uploads / "ab12" / "note.md"), uploads) == "upload: note.md"
    assert public_locator("/srv/hub/corpus/report.pdf", uploads) == "report.pdf"
    assert public_locator("https://example.org/a/b.html", uploads) == "https://example.org/a/b.html"
    assert public_locator("upload:project.qdpx", None) == "upload:project.qdpx"


def test_search_finds_equivalent_terms_across_languages_and_says_so(login, client, hub, tmp_path):
    from migrahub.services.ingest import ingest

    folder = tmp_path / "terms"
    folder.mkdir()
    (folder / "ausweis.md").write_text("# Quokkastadt\n\nQuokkastadt führt einen Stadtausweis für alle Bewohner ein.\n",
                                       encoding="utf-8")
    (folder / "tarjeta.md").write_text("# Quokkavilla\n\nQuokkavilla aprueba la tarjeta de vecindad para todos.\n",
                                       encoding="utf-8")
    assert ingest([str(folder)], hub.db).added == 2
    html = client.get("/", {"q": "municipal ID card"}).content.decode()
    assert "Quokkastadt" in html and "Quokkavilla" in html
    assert "Also searched for equivalent terms" in html and "Stadtausweis" in html
    literal = client.get("/", {"q": "municipal ID card", "literal": "1"}).content.decode()
    assert "Quokkastadt" not in literal and "Searched only the words typed" in literal
    api = client.get("/api/search", {"q": "municipal ID card"}).json()  # the API finds the same
    assert "Stadtausweis" in api["equivalents"]["municipal ID card"]
    assert {"Quokkastadt", "Quokkavilla"} <= {h["title"] for h in api["items"]}
    plain = client.get("/api/search", {"q": "municipal ID card", "literal": "true"}).json()
    assert plain["equivalents"] == {} and "Quokkastadt" not in {h["title"] for h in plain["items"]}
    exact = client.get("/", {"q": '"municipal ID card"'}).content.decode()  # search syntax is taken as written
    assert "Quokkastadt" not in exact and "Also searched" not in exact
    # an acronym only in capitals: "who" is a word, "IOM" the organisation
    from migrahub.services import synonyms
    from migrahub.services.documents import reader

    assert synonyms.expand(reader(hub.db), "who helps").used == ()
    assert "International Organization for Migration" in synonyms.expand(reader(hub.db), "IOM report").query
    # a curator's own group
    c = login("curator")
    r = c.post("/curate/synonyms", {"terms": "quokka pass\nZyxel Ticket"})
    assert r.status_code == 302
    assert "quokka pass · Zyxel Ticket" in c.get("/curate/synonyms").content.decode()
    assert synonyms.expand(reader(hub.db), "zyxel ticket").used[0][1] == ("quokka pass",)
    bad = c.post("/curate/synonyms", {"terms": "alone"})
    assert bad.status_code == 400 and "two or more equivalent terms" in bad.content.decode()
    gid = sql(hub, "SELECT id FROM search_synonyms ORDER BY id DESC LIMIT 1")[0][0]
    c.post("/curate/synonyms", {"remove": gid})
    assert synonyms.expand(reader(hub.db), "zyxel ticket").used == ()
    assert login("coder").get("/curate/synonyms").status_code == 403
