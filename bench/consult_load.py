"""Load benchmark of consultations: 10,000 submissions and 200,000 votes analysed (target ≤ 60 s on 2 cores), then
the consultation pages under 20 concurrent clients (target p95 ≤ 150 ms).

    .venv/bin/python bench/consult_load.py [--submissions 10000] [--votes 200000] [--requests 2000] [--clients 20]
                                           [--db bench/out/consult.sqlite3] [--skip-web]

Builds a hub with the demo codebook (demo/codebook.yaml) and one consultation of six questions (three free text, a
choice, a scale, 40 statements to vote on); the submissions' answers are synthetic sentences from a migration
vocabulary (most of them distinct), written through the store in large transactions (the service path, with
redaction, is timed separately on 200 submissions); the votes come from four planted opinion camps with noise.
Then times the whole analysis (``reports.generate``: segmentation, auto-coding with the codebook, links to the hub,
opinion groups, synthesis) and fetches the consultation pages (detail, submissions pages, report, opinion-groups
API) from 20 client processes against `migrahub serve`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from web_load import _free_port, by_kind, drive  # noqa: E402

from migrahub.coding.codebook import load_yaml  # noqa: E402
from migrahub.services.consult import consultations as service  # noqa: E402
from migrahub.services.consult import reports  # noqa: E402
from migrahub.store import codings  # noqa: E402
from migrahub.store import consult as store  # noqa: E402
from migrahub.store.database import connect, transaction  # noqa: E402

SUBJECTS = ("The city", "Our organisation", "The municipality", "Local authorities", "The mayor's office",
            "Civil society", "Our network", "The regional government", "Community groups", "Schools")
VERBS = ("should fund", "runs", "must improve", "needs to expand", "has opened", "could support", "offers",
         "recommends", "launched", "coordinates")
OBJECTS = ("housing for refugees", "language courses for newcomers", "a welcome desk", "legal advice",
           "access to health care", "job training for migrants", "a city card for all residents",
           "shelters for homeless families", "mentoring for unaccompanied minors", "intercultural mediation",
           "school enrolment support", "a migrant advisory council", "data on local integration",
           "partnerships with employers", "peer learning between cities")
TAILS = ("in {city}", "with {n} volunteers", "since {year}", "for {n} families", "across {n} neighbourhoods",
         "together with {org}", "despite budget cuts", "as a pilot", "every week", "in {n} districts")
CITIES = ("Ghent", "Utrecht", "Lisbon", "Athens", "Barcelona", "Malmö", "Bergen", "Nantes", "Leipzig", "Turin")
ORGS = [f"Network {i}" for i in range(200)]
TYPES = ("organisation", "organisation", "city", "individual", "anonymous")
COUNTRIES = ("BE", "NL", "PT", "GR", "ES", "SE", "NO", "FR", "DE", "IT", "US", "KE", "BR")


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(city=rng.choice(CITIES), n=rng.randint(2, 900), year=rng.randint(2005, 2025),
                                    org=rng.choice(ORGS))
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {tail}."


def build(db: Path, n_subs: int, n_votes: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    conn = connect(db)
    if not store.codebook_names(conn):
        codings.save_codebook(conn, load_yaml(REPO / "demo" / "codebook.yaml"))
    c = service.create(conn, "Load consultation", "bench", consent_text="")
    for kind, prompt, options in [("text", "What works?", ""), ("text", "What should mayors do?", ""),
                                  ("text", "Which resources help?", ""),
                                  ("choice", "Priority", "Housing\nJobs\nSchools"),
                                  ("scale", "Urgency", "1\n5")]:
        c = service.add_question(conn, c.id, kind, prompt, options)
    c = service.add_question(conn, c.id, "statements", "Vote", statements="\n".join(
        f"Statement {i}: {sentence(rng)}" for i in range(40)))
    c = service.set_phase(conn, c.id, "open")
    q = c.questions
    statements = [sid for sid, _ in q[5].statements]
    camps = [[rng.choice((1, -1)) for _ in statements] for _ in range(4)]
    per_person = max(1, n_votes // n_subs)
    stamp = "2026-01-01T00:00:00+00:00"
    with transaction(conn):
        for i in range(n_subs):
            stype = rng.choice(TYPES)
            org = rng.choice(ORGS) if stype in ("organisation", "city") else ""
            cur = conn.execute("INSERT INTO consult_submissions (consultation_id, receipt, status, submitter_type, "
                               "organisation, country, consent, created_at, submitted_at) VALUES "
                               "(?, ?, 'published', ?, ?, ?, 1, ?, ?)",
                               (c.id, f"bench-{i}", stype, org, rng.choice(COUNTRIES), stamp, stamp))
            sid = cur.lastrowid
            answers = []
            for qi in range(3):
                if rng.random() < 0.7:
                    text = " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))
                    answers.append((sid, q[qi].id, text, text, "null"))
            answers.append((sid, q[3].id, "", "", json.dumps(rng.choice(("Housing", "Jobs", "Schools")))))
            answers.append((sid, q[4].id, "", "", str(rng.randint(1, 5))))
            conn.executemany("INSERT INTO consult_answers (submission_id, question_id, original, redacted, value) "
                             "VALUES (?, ?, ?, ?, ?)", answers)
            camp = camps[i % 4]
            chosen = rng.sample(range(len(statements)), min(per_person, len(statements)))
            conn.executemany("INSERT INTO consult_votes (statement_id, participant, value, submission_id, created_at) "
                             "VALUES (?, ?, ?, ?, ?)",
                             [(statements[j], f"p{i}", camp[j] if rng.random() > 0.15 else rng.choice((0, -camp[j])),
                               sid, stamp) for j in chosen])
    return c.slug


def time_submits(db: Path, slug: str, n: int = 200) -> float:
    conn = connect(db)
    c = service.get(conn, slug)
    rng = random.Random(3)
    t = time.perf_counter()
    for i in range(n):
        fields = {"submitter_type": "organisation", "organisation": f"Bench org {i}",
                  f"q{c.questions[0].id}": sentence(rng) + " Write to someone@example.org.",
                  f"q{c.questions[1].id}": sentence(rng)}
        service.submit(conn, c.id, fields, final=True)
    return (time.perf_counter() - t) / n * 1000


def web(db: Path, slug: str, clients: int, requests: int) -> dict:
    port = _free_port()
    env = {**os.environ, "MIGRAHUB_DB": str(db)}
    exe = Path(sys.executable).with_name("migrahub")
    log = open(db.with_suffix(".serve.log"), "w")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    # an even mix of the consultation's pages (each kind as likely), submissions pages spread over the list
    kinds = [("detail", f"/consult/{slug}/"), ("report", f"/consult/{slug}/report"),
             ("opinion-api", f"/api/consult/consultations/{slug}/opinion-groups"),
             ("incidents", "/incidents/"), ("index", "/consult/")]
    plan = [k for k in kinds for _ in range(40)]
    plan += [("submissions", f"/consult/{slug}/submissions?page={p}") for p in range(1, 400, 10)]
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for _kind, path in [*kinds, *plan[-40:]] * 2:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", path)
            c.getresponse().read()
        single = {}
        for kind, path in [*kinds, plan[-1]]:  # one client alone: the time the server spends on each page
            times = []
            for _ in range(5):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                t = time.perf_counter()
                c.request("GET", path)
                c.getresponse().read()
                times.append((time.perf_counter() - t) * 1000)
            single[kind] = round(statistics.median(times), 1)
        results, wall = drive(port, plan, clients, requests)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    return {"single_client_median_ms": single, "load_average_1min": round(os.getloadavg()[0], 2),
            "clients": clients, "requests": len(results), "seconds": round(wall, 1),
            "errors": sum(1 for _, _, s in results if s != 200), "kinds": by_kind(results)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--submissions", type=int, default=10_000)
    ap.add_argument("--votes", type=int, default=200_000)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--db", type=Path, default=REPO / "bench" / "out" / "consult.sqlite3")
    ap.add_argument("--skip-web", action="store_true")
    args = ap.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(args.db) + suffix).unlink(missing_ok=True)
    t = time.perf_counter()
    slug = build(args.db, args.submissions, args.votes)
    built = time.perf_counter() - t
    conn = connect(args.db)
    n_votes = conn.execute("SELECT count(*) FROM consult_votes").fetchone()[0]
    t = time.perf_counter()
    report = reports.generate(conn, slug, "bench")
    analysed = time.perf_counter() - t
    result = {"submissions": args.submissions, "votes": n_votes, "build_s": round(built, 1),
              "analysis_s": round(analysed, 1), "target_analysis_s": 60, "report_blocks": len(report["blocks"]),
              "themes": report["themes_method"], "cpus": os.cpu_count(),
              "load_average_1min_after": round(os.getloadavg()[0], 2)}
    print(json.dumps(result), flush=True)
    result["submit_ms_each"] = round(time_submits(args.db, slug), 1)
    print(json.dumps({"submit_ms_each (service, with redaction)": result["submit_ms_each"]}), flush=True)
    service.set_phase(conn, slug, "published")  # the report page is public from now on
    if not args.skip_web:
        result["web"] = web(args.db, slug, args.clients, args.requests)
        print(json.dumps(result["web"], indent=1))


if __name__ == "__main__":
    main()
