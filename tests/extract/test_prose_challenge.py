"""The challenge set of the prose stages (tests/extract/data/challenge_prose.yaml): invented documents in four
languages and many genres, with the events, practices and resources a reader expects.

Without ../shared: the set is well formed, its tune half is read (each expected record found, titled with most of
its expected words) and its documents without records yield none. With ../shared: eval/score_challenge.py --check
scores both halves with the shared scorer and the title check against the floors the set records."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from migrahub.extract import extract

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

REPO = Path(__file__).resolve().parents[2]
CATS = ("events", "practices", "resources")


def _scorer():
    spec = importlib.util.spec_from_file_location("score_challenge", REPO / "eval" / "score_challenge.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


DOCS = _scorer().load()


def _words(title: str) -> set[str]:
    return {w for w in re.findall(r"\w+", title.lower()) if len(w) > 2}


def test_the_set_is_large_balanced_and_well_formed():
    assert len(DOCS) >= 60
    per = Counter((d["lang"], d["split"]) for d in DOCS)
    for lang in ("en", "fr", "es", "de"):
        assert per[(lang, "tune")] >= 8 and per[(lang, "held-out")] >= 8
    assert len({d["genre"] for d in DOCS}) >= 8
    for c in CATS:
        assert sum(len(d.get(c) or []) for d in DOCS if d["split"] == "held-out") >= 10


def test_a_malformed_document_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("documents:\n- id: x1\n  lang: en\n  genre: news\n  split: later\n  text: Some text.\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml: document 'x1': split must be one of"):
        _scorer().load(bad)


@pytest.mark.parametrize("doc", [d for d in DOCS if d["split"] == "tune" and not any(d.get(c) for c in CATS)],
                         ids=lambda d: d["id"])
def test_tune_documents_without_records_yield_none(doc):
    x = extract(doc["text"], doc=doc["id"] + ".txt")
    assert (x.events, x.practices, x.resources) == ((), (), ())


@pytest.mark.parametrize("cat", CATS)
def test_tune_records_are_found_and_named(cat):
    """Nine in ten expected records of the tune half have an extracted record sharing most of their title's
    words (the other tenth are known gaps: a commitment read as a practice, a title stated in another clause)."""
    expected = found = 0
    for doc in (d for d in DOCS if d["split"] == "tune" and d.get(cat)):
        got = [_words(r.title) for r in getattr(extract(doc["text"], doc=doc["id"] + ".txt"), cat)]
        for rec in doc[cat]:
            want = _words(rec["title"])
            expected += 1
            found += any(len(want & g) / len(want) >= 0.6 for g in got)
    assert found / expected >= 0.9, f"{found} of {expected}"


@pytest.mark.shared
def test_challenge_scores_meet_their_floors(shared_dir):
    r = subprocess.run(
        [sys.executable, str(REPO / "eval" / "score_challenge.py"), "--shared", str(shared_dir), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "challenge held-out" in r.stdout
