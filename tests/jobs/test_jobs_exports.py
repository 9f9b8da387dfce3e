"""Export jobs: a REFI-QDA project written where the command line says, or for the web into the hub's export
folder and downloaded by a curator from the job's page."""

from __future__ import annotations

import zipfile

from jobkit import PASSWORD, django_run, write_docs

CODEBOOK = """name: jobs-test
codes:
  - id: HOUSING
    name: Housing
    description: Housing of newcomers and refugees
  - id: LANGUAGE
    name: Language courses
    description: Language learning for newcomers
"""

SCRIPT = f"""
from pathlib import Path
from django.test import Client
from migrahub.services import coding
from migrahub.web.accounts import create_user

here = Path(sys.argv[1]).parent
ingest = jobs.submit("ingest", {{"targets": [str(here / "docs")], "extract": False}}, "tester", trusted=True)
out(jobs.run_inline(ingest.id).as_dict())
coding.load_codebook_file(jobs.hub_db(), here / "book.yaml", "jobs-test", actor="tester")
cli = jobs.submit("qdpx-export", {{"codebook": "jobs-test", "out": str(here / "project.qdpx")}}, "tester",
                  trusted=True)
out(jobs.run_inline(cli.id).as_dict())
web = jobs.submit("qdpx-export", {{"codebook": "jobs-test"}}, "curator1")
out(jobs.run_inline(web.id).as_dict())
curator = Client()
curator.force_login(create_user("curator1", "curator", {PASSWORD!r}, actor="test"))
r = curator.get(f"/jobs/{{web.id}}/file")
out([r.status_code, r.get("Content-Disposition", ""), len(b"".join(r.streaming_content))])
out(curator.get(f"/jobs/{{ingest.id}}/file").status_code)  # an ingest wrote no file
"""


def test_export_jobs_write_their_file_and_curators_download_it(tmp_path):
    write_docs(tmp_path / "docs", 3, tag="export")
    (tmp_path / "book.yaml").write_text(CODEBOOK, encoding="utf-8")
    ingest, cli, web, download, no_file = django_run(tmp_path / "hub.sqlite3", SCRIPT)
    assert ingest["status"] == "succeeded" and ingest["result"]["added"] == 3
    assert cli["status"] == "succeeded" and cli["result"]["file"] == str(tmp_path / "project.qdpx")
    with zipfile.ZipFile(tmp_path / "project.qdpx") as project:
        qde = project.read("project.qde").decode("utf-8")
    assert 'name="Housing"' in qde and 'name="Language courses"' in qde  # the codebook went out with the project
    assert web["status"] == "succeeded"
    assert web["result"]["file"].endswith(f"job-exports/job-{web['id']}.qdpx")
    status, disposition, size = download
    assert status == 200 and f'filename="job-{web["id"]}.qdpx"' in disposition and size > 0
    assert no_file == 404
