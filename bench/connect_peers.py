#!/usr/bin/env python3
"""Timing of peer matching: a hub of N invented documents (one city and one topic each, written from templates
here), then requests ranked by evidence — the first one (embedding model loaded, candidate passages embedded and
kept in the hub), the same one again (vectors read back), and other requests. Also checks that each request's first
city is one whose documents are about the topic asked for.

usage: .venv/bin/python bench/connect_peers.py [--documents 500]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("MIGRAHUB_EXTRACT_MODELS", "0")  # the gazetteer finds the cities; no language model needed

from migrahub.services.connect import peers  # noqa: E402
from migrahub.services.ingest import ingest  # noqa: E402
from migrahub.store.database import connect  # noqa: E402

CITIES = ["Bologna", "Ghent", "Malmö", "Utrecht", "Valencia", "Zurich", "Lyon", "Porto", "Leipzig", "Graz",
          "Aarhus", "Bilbao", "Nantes", "Turin", "Tampere", "Bergen", "Brno", "Ljubljana", "Cork", "Krakow"]
TOPICS = {
    "card": "{c} introduced a municipal identity card that every resident can get, undocumented residents included; "
            "the registry office issues it and the local police accept it.",
    "housing": "{c} rents shared flats where young refugees live with local students, with a social worker.",
    "language": "{c}'s libraries run weekly language cafés where newcomers practise the local language.",
    "jobs": "{c} pairs newcomers with local employers for paid internships and recognises foreign diplomas faster.",
    "health": "{c} opened a health desk where people without insurance see a doctor and an interpreter.",
}
REQUESTS = {"card": "set up a municipal identity card open to undocumented residents",
            "housing": "housing for young refugees together with students",
            "language": "language learning for newcomers with volunteers",
            "health": "health care for people without insurance"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    args = parser.parse_args()
    topics = list(TOPICS)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for i in range(args.documents):
            city, topic = CITIES[i % len(CITIES)], topics[(i // len(CITIES) + i) % len(topics)]
            (docs / f"doc{i}.md").write_text(f"# {city}: note {i}\n\n{TOPICS[topic].format(c=city)} Report {i}.\n",
                                             encoding="utf-8")
        started = time.perf_counter()
        ingest([str(docs)], Path(tmp) / "hub.sqlite3")
        ingested = time.perf_counter() - started
        conn = connect(Path(tmp) / "hub.sqlite3")
        timings, firsts = {}, {}
        for label, (topic, challenge) in [("first (model load, vectors computed)", ("card", REQUESTS["card"])),
                                          ("same request again (vectors read back)", ("card", REQUESTS["card"])),
                                          *[(f"request: {t}", (t, c)) for t, c in REQUESTS.items() if t != "card"]]:
            started = time.perf_counter()
            matches = peers.match(conn, peers.parse_request({"challenge": challenge}))
            timings[label] = round(time.perf_counter() - started, 2)
            city = next((m for m in matches if m.target.kind == "city"), None)
            said = TOPICS[topic].format(c="").strip()[:40]
            firsts[topic] = {"first": city.target.name if city else None,
                             "its_evidence_is_about_it": bool(city) and said in city.evidence[0].text}
    print(json.dumps({"documents": args.documents, "ingest_s": round(ingested, 1), "match_s": timings,
                      "first_city": firsts}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
