"""Job status in the web for curators (and not for anonymous visitors or readers), background ingests from the
jobs page, cancel and retry from the page, and the same through the API. Django runs in a child process with
the hub's real settings and URLs (see jobkit)."""

from __future__ import annotations

from jobkit import PASSWORD, django_run

SCRIPT = f"""
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from migrahub.jobs.worker import HubWorker
from migrahub.web.accounts import create_token, create_user

users = {{r: create_user(f"{{r}}1", r, {PASSWORD!r}, actor="test") for r in ("reader", "curator")}}
watch = jobs.submit("watch", {{"extract": False}}, "curator1")
anon, reader, cur = Client(), Client(), Client()
reader.force_login(users["reader"])
cur.force_login(users["curator"])

def page(client, url):
    r = client.get(url)
    return [r.status_code, r.get("Location", ""), r.content.decode() if r.status_code == 200 else ""]

out({{"anon": page(anon, "/jobs/"), "anon_detail": page(anon, f"/jobs/{{watch.id}}/"),
      "reader": page(reader, "/jobs/")[0], "reader_detail": page(reader, f"/jobs/{{watch.id}}/")[0],
      "list": page(cur, "/jobs/"), "detail": page(cur, f"/jobs/{{watch.id}}/"),
      "missing": page(cur, "/jobs/0b5f0000-0000-4000-8000-000000000000/")[0], "health": jobs.health()}})

upload = SimpleUploadedFile("background-note.html", b"<html><body><h1>Background note</h1><p>Language cafes for "
                            b"newcomers in the old town, run by volunteers every week.</p></body></html>",
                            content_type="text/html")
r = cur.post("/jobs/ingest", {{"file": upload}})
ingest_id = r["Location"].strip("/").split("/")[-1]
curate = cur.post("/curate/ingest", {{"file": SimpleUploadedFile("queued-from-curate.txt", b"Night shelter run with "
                                                                 b"the city's social services.",
                                                                 content_type="text/plain"), "background": "on"}})
curate_id = curate["Location"].strip("/").split("/")[-1]
anon_post = anon.post("/jobs/watch")
HubWorker(policy=jobs.policy(), batch=True, interval=0.05).run()
out({{"submitted": [r.status_code, r["Location"]], "anon_post": [anon_post.status_code, anon_post["Location"]],
      "ingest": jobs.get(ingest_id).as_dict(), "ingest_page": page(cur, f"/jobs/{{ingest_id}}/"),
      "curate": [curate.status_code, curate["Location"], jobs.get(curate_id).as_dict()],
      "reader_post": reader.post("/jobs/watch").status_code}})

queued = jobs.submit("watch", {{}}, "curator1")
cancel = cur.post(f"/jobs/{{queued.id}}/cancel")
retry = cur.post(f"/jobs/{{queued.id}}/retry")
out({{"cancel": [cancel.status_code, jobs.get(queued.id).status], "retry": [retry.status_code, retry["Location"]],
      "retried": [j.retry_of for j in jobs.listing(status="queued")]}})

cur_token, reader_token = create_token("curator1", "t", actor="test"), create_token("reader1", "t", actor="test")
api = Client()
bearer = {{"HTTP_AUTHORIZATION": f"Bearer {{cur_token}}"}}
listing = api.get("/api/jobs?status=succeeded", **bearer)
submitted = api.post("/api/jobs/watch", data={{"extract": False}}, content_type="application/json", **bearer)
new_id = submitted.json()["id"]
one = api.get(f"/api/jobs/{{new_id}}", **bearer)
cancelled = api.post(f"/api/jobs/{{new_id}}/cancel", **bearer)
again = api.post(f"/api/jobs/{{new_id}}/cancel", **bearer)
upload = SimpleUploadedFile("api-note.txt", b"Mentoring programme for refugee doctors in the regional hospital.",
                            content_type="text/plain")
uploaded = api.post("/api/jobs/ingest/upload", {{"file": upload}}, **bearer)
out({{"anon": api.get("/api/jobs").status_code, "anon_post": api.post("/api/jobs/watch").status_code,
      "reader": api.get("/api/jobs", HTTP_AUTHORIZATION=f"Bearer {{reader_token}}").status_code,
      "list": [listing.status_code, listing.json()], "submitted": [submitted.status_code, submitted.json()],
      "one": one.json(), "cancelled": cancelled.json(), "again": [again.status_code, again.json()],
      "missing": api.get("/api/jobs/0b5f0000-0000-4000-8000-000000000000", **bearer).status_code,
      "not_an_id": api.get("/api/jobs/12", **bearer).status_code,
      "bad_status": api.get("/api/jobs?status=lost", **bearer).status_code,
      "uploaded": [uploaded.status_code, uploaded.json()]}})
"""


def test_curators_follow_and_run_jobs_in_the_web_and_the_api(tmp_path):
    pages, submitted, acts, api = django_run(tmp_path / "hub.sqlite3", SCRIPT)

    # pages: anonymous visitors are sent to sign in, readers are refused, curators see the queue
    assert pages["anon"][0] == 302 and pages["anon"][1].startswith("/accounts/login/")
    assert pages["anon_detail"][0] == 302
    assert pages["reader"] == 403 and pages["reader_detail"] == 403
    status, _, html = pages["list"]
    assert status == 200
    assert "poll the watched feeds and pages that are due" in html and ">queued<" in html
    assert "No worker is running" in html
    status, _, html = pages["detail"]
    assert status == 200 and ">queued<" in html and "Cancel this job" in html
    assert 'http-equiv="refresh"' in html  # a job that is not finished reloads itself
    assert pages["missing"] == 404
    health = pages["health"]  # what a health check reports of the queue
    assert health["workers"] == 0 and health["jobs"]["queued"] == 1 and health["oldest_waiting_seconds"] >= 0

    # an upload ingested in the background, then shown with its result
    assert submitted["submitted"][0] == 302
    assert submitted["anon_post"][0] == 302 and submitted["anon_post"][1].startswith("/accounts/login/")
    assert submitted["reader_post"] == 403
    job = submitted["ingest"]
    assert job["status"] == "succeeded" and job["submitted_by"] == "curator1"
    assert job["label"] == "ingest upload background-note.html"
    assert job["result"]["added"] == 1 and job["result"]["failed_count"] == 0
    status, _, html = submitted["ingest_page"]
    assert status == 200 and ">succeeded<" in html and "http-equiv" not in html
    # the curators' ingest page queues the same job when asked to run it in the background
    status, location, queued = submitted["curate"]
    assert status == 302 and location.startswith("/jobs/") and queued["kind"] == "ingest"
    assert queued["label"] == "ingest upload queued-from-curate.txt" and queued["status"] == "succeeded"

    # cancel and retry from the page
    assert acts["cancel"] == [302, "cancelled"]
    assert acts["retry"][0] == 302 and acts["retry"][1].startswith("/jobs/")
    assert len(acts["retried"]) == 1 and acts["retried"][0] is not None

    # the API: curators only
    assert api["anon"] == 401 and api["anon_post"] == 401 and api["reader"] == 403
    status, listing = api["list"]
    assert status == 200 and listing["counts"]["succeeded"] >= 1
    assert {j["status"] for j in listing["items"]} == {"succeeded"}
    assert any(j["kind"] == "ingest" for j in listing["items"])
    assert api["submitted"][0] == 200 and api["submitted"][1]["status"] == "queued"
    assert api["submitted"][1]["params"] == {"extract": False}
    assert api["one"]["id"] == api["submitted"][1]["id"] and api["one"]["status"] == "queued"
    assert api["cancelled"]["status"] == "cancelled"
    assert api["again"][0] == 400 and "already finished" in api["again"][1]["detail"]
    assert api["missing"] == 404 and api["not_an_id"] == 404 and api["bad_status"] == 400
    assert api["uploaded"][0] == 200 and api["uploaded"][1]["kind"] == "ingest"
    assert api["uploaded"][1]["label"] == "ingest upload api-note.txt"
