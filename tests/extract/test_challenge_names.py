"""Names the hub has never seen: invented documents in four languages (data/challenge_names.yaml), registry emptied.

Scores organisations, initiatives and places by name (any name or surface of a record; accents, case, punctuation
and a leading article ignored, an initiative's trailing head noun optional) and holds each category's precision and
recall to floors at or just below what was measured. Print the table with
``.venv/bin/python tests/extract/test_challenge_names.py [--heldout] [--no-models]``: ``--heldout`` scores the
held-out documents (``data/challenge_names_heldout.yaml``), never used to shape the rules.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

DATA = Path(__file__).with_name("data") / "challenge_names.yaml"
HELDOUT = Path(__file__).with_name("data") / "challenge_names_heldout.yaml"
CATEGORIES = ("organisations", "initiatives", "places")
HEADS = r"(?:programme|program|project|campaign|index|projet|programa|proyecto|projekt|initiative)"
# floors (precision, recall) per category, with the models and without them
FLOORS = {
    True: {"organisations": (0.95, 0.95), "initiatives": (0.9, 0.95), "places": (0.95, 0.9)},
    False: {"organisations": (0.95, 0.95), "initiatives": (0.9, 0.95), "places": (0.95, 0.9)},
}


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[’'`]", "", s)
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    s = re.sub(r"^(?:the|la|le|el|les|los|l|die|der|das) ", "", s)
    return re.sub(rf" {HEADS}$", "", s)


def keys_of(record) -> set[str]:
    return {norm(x) for x in (record.name, getattr(record, "acronym", None) or "", *record.surface) if x}


def score(models: bool = True, path: Path = DATA) -> dict[str, dict]:
    """Per category: true positives, expected, predicted, and the misses and extras by document."""
    import os

    from migrahub.extract import extract, nlp
    from migrahub.extract.registry import use_shipped

    docs = yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]
    old = os.environ.get("MIGRAHUB_EXTRACT_MODELS")
    os.environ["MIGRAHUB_EXTRACT_MODELS"] = "1" if models else "0"
    nlp.model.cache_clear()
    use_shipped(False)
    out = {c: {"tp": 0, "gold": 0, "pred": 0, "missed": [], "extra": [], "country": []} for c in CATEGORIES}
    try:
        for d in docs:
            x = extract(d["text"], doc=d["id"], language=d["language"])
            for c in CATEGORIES:
                want = [{norm(a) for a in w.split("|")} for w in d.get(c, [])]
                got = list(getattr(x, c))
                used: set[int] = set()
                for w in want:
                    j = next((j for j, r in enumerate(got) if j not in used and keys_of(r) & w), None)
                    if j is None:
                        out[c]["missed"].append(f"{d['id']}: {sorted(w)[0]}")
                    else:
                        used.add(j)
                        wanted_country = (d.get("countries") or {}).get(got[j].name) if c == "places" else None
                        if wanted_country and got[j].country != wanted_country:
                            out[c]["country"].append(f"{d['id']}: {got[j].name} in {got[j].country}")
                out[c]["tp"] += len(used)
                out[c]["gold"] += len(want)
                out[c]["pred"] += len(got)
                out[c]["extra"] += [f"{d['id']}: {r.name}" for j, r in enumerate(got) if j not in used]
    finally:
        use_shipped(True)
        if old is None:
            os.environ.pop("MIGRAHUB_EXTRACT_MODELS", None)
        else:
            os.environ["MIGRAHUB_EXTRACT_MODELS"] = old
        nlp.model.cache_clear()
    for v in out.values():
        v["precision"] = v["tp"] / v["pred"] if v["pred"] else 0.0
        v["recall"] = v["tp"] / v["gold"] if v["gold"] else 0.0
    return out


def _check(models: bool) -> None:
    res = score(models)
    for c, (p_floor, r_floor) in FLOORS[models].items():
        v = res[c]
        assert v["precision"] >= p_floor and v["recall"] >= r_floor, (c, v)
    assert not res["places"]["country"], res["places"]["country"]


# the held-out documents, at what they measured when first read (their misses are known limits, not targets)
HELDOUT_FLOORS = {"organisations": (0.94, 0.94), "initiatives": (1.0, 0.6), "places": (1.0, 0.9)}


def test_heldout_names_at_their_first_reading():
    res = score(True, HELDOUT)
    for c, (p_floor, r_floor) in HELDOUT_FLOORS.items():
        assert res[c]["precision"] >= p_floor and res[c]["recall"] >= r_floor, (c, res[c])


def test_challenge_names_with_models():
    _check(True)


def test_challenge_names_without_models():
    _check(False)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    with_models = "--no-models" not in sys.argv
    for cat, v in score(with_models, HELDOUT if "--heldout" in sys.argv else DATA).items():
        f1 = 2 * v["precision"] * v["recall"] / (v["precision"] + v["recall"]) if v["tp"] else 0.0
        print(
            f"{cat:14s} P={v['precision']:.3f} R={v['recall']:.3f} F1={f1:.3f} (gold {v['gold']}, pred {v['pred']})"
        )
        for k in ("missed", "extra", "country"):
            if v[k]:
                print(f"  {k}: {'; '.join(v[k])}")
