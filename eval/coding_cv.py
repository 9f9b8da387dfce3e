#!/usr/bin/env python3
"""Cross-validation of the auto-coder on the gold passages, scored by the shared ``score_coding.py``.

usage: .venv/bin/python eval/coding_cv.py [--shared PATH] [--folds 5] [--seed 0] [--by-document]
                                          [--sets seeds|dev|seeds+dev] [--zero-shot] [--no-embeddings]
                                          [--inner-folds N] [--embedding-cache FILE]

Train on 4/5 of the passages, predict the rest, five times; the pooled predictions are scored against gold with
``shared/eval/score_coding.py``. The baseline is TF-IDF (word unigrams) + one logistic regression per code at
threshold 0.5 (C=1000; a class-balanced C=1 variant is printed too).

``--by-document`` holds out whole documents (GroupKFold on each passage's ``doc``, or the part of its id before the
last '-'), which is what coding a new document is like; it runs over the seed gold *and* the development gold
(``gold/dev``) unless ``--sets`` says otherwise. Without it the folds are shuffled passages of the seed gold (folds
share documents, so the score flatters). ``--zero-shot`` also scores definition-only coding (no training).
The training passages always tell the coder their documents, as ``migrahub code`` does. ``--embedding-cache FILE``
keeps the passages' embeddings in a file between runs (a hub keeps them in its database); the last line says how
long fitting and suggesting took.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.coding.autocode import VERSION, AutoCoder, passage_contexts  # noqa: E402
from migrahub.coding.codebook import load_yaml  # noqa: E402
from migrahub.coding.embed import FileCache, shared_encoder  # noqa: E402

GOLD_SETS = {"seeds": "gold", "dev": "gold/dev"}


def baseline(train_texts, train_labels, test_texts, codes, balanced=False):
    """TF-IDF + one logistic regression per code, threshold 0.5. Default: nearly unregularised (C=1000), which
    reproduces the reference baseline (0.51 micro / 0.35 macro); ``balanced``: class-weighted C=1 (stronger)."""
    vec = TfidfVectorizer()
    A = vec.fit_transform(train_texts)
    B = vec.transform(test_texts)
    out = [[] for _ in test_texts]
    for c in codes:
        y = np.array([c in labs for labs in train_labels], dtype=int)
        if y.sum() in (0, len(y)):
            continue
        lr = (
            LogisticRegression(max_iter=2000, class_weight="balanced")
            if balanced
            else LogisticRegression(C=1000, max_iter=2000)
        )
        p = lr.fit(A, y).predict_proba(B)[:, 1]
        for i in np.flatnonzero(p >= 0.5):
            out[i].append(c)
    return out


def document_of(passage: dict) -> str:
    """The document a gold passage belongs to: its ``doc``, else the part of its id before the last '-'."""
    return str(passage.get("doc") or passage["id"].rsplit("-", 1)[0])


def load_gold(shared: Path, sets: list[str]) -> tuple[list[dict], dict[str, list[str]]]:
    passages, gold = [], {}
    for name in sets:
        folder = shared / GOLD_SETS[name]
        ps = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
        codes = json.loads((folder / "codes.json").read_text(encoding="utf-8"))
        for p in ps:
            if p["id"] in gold:
                raise SystemExit(f"{folder / 'passages.json'}: passage id {p['id']!r} also in another gold set")
            gold[p["id"]] = codes.get(p["id"], [])
            passages.append({**p, "doc": f"{name}:{document_of(p)}"})
    return passages, gold


def score(shared: Path, gold: dict, pred: dict) -> str:
    """The shared scorer's last line for ``pred`` against ``gold`` (both passage id -> code ids)."""
    files = []
    try:
        for data in (gold, pred):
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
                json.dump(data, fh)
            files.append(fh.name)
        res = subprocess.run([sys.executable, str(shared / "eval" / "score_coding.py"), *files],
                             capture_output=True, text=True, check=True)
    finally:
        for f in files:
            os.unlink(f)
    return res.stdout.strip().splitlines()[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--by-document", action="store_true")
    ap.add_argument("--sets", choices=["seeds", "dev", "seeds+dev"], default=None,
                    help="gold sets to cross-validate (default: seeds+dev with --by-document, else seeds)")
    ap.add_argument("--zero-shot", action="store_true")
    ap.add_argument("--no-embeddings", action="store_true", help="leave the multilingual embeddings out")
    ap.add_argument("--context-weight", type=float, default=None)
    ap.add_argument("--inner-folds", type=int, default=None, help="the coder's held-out folds (default: its own)")
    ap.add_argument("--embedding-cache", type=Path, help="file keeping the passages' embeddings between runs")
    a = ap.parse_args(argv)
    shared = Path(a.shared)
    sets = (a.sets or ("seeds+dev" if a.by_document else "seeds")).split("+")
    passages, gold = load_gold(shared, sets)
    codebook = load_yaml(shared / "codebook" / "local-migration-governance.yaml")
    codes = [c.id for c in codebook.leaves()]
    texts = [p["text"] for p in passages]
    labels = [gold[p["id"]] for p in passages]
    docs = [p["doc"] for p in passages]
    ctx = passage_contexts(passages)
    opts = {} if a.context_weight is None else {"context_weight": a.context_weight}
    if a.inner_folds is not None:
        opts["inner_folds"] = a.inner_folds
    if a.no_embeddings:
        opts["embeddings"] = False
    elif a.embedding_cache and shared_encoder() is not None:
        opts["embeddings"] = FileCache(shared_encoder(), a.embedding_cache)
    if a.by_document:
        splits = list(GroupKFold(n_splits=min(a.folds, len(set(docs)))).split(texts, groups=docs))
    else:
        splits = list(KFold(a.folds, shuffle=True, random_state=a.seed).split(texts))
    ours, base, base_bal, zero = {}, {}, {}, {}
    t_fit = t_pred = 0.0
    n_pred = 0
    for tr, te in splits:
        t0 = time.perf_counter()
        coder = AutoCoder(codebook, seed=a.seed, **opts).fit(
            [texts[i] for i in tr],
            [labels[i] for i in tr],
            contexts=[ctx[i] for i in tr],
            unlabeled=[texts[i] for i in te],
            groups=[docs[i] for i in tr],
        )
        t1 = time.perf_counter()
        pred = coder.predict([texts[i] for i in te], [ctx[i] for i in te])
        t_pred += time.perf_counter() - t1
        t_fit += t1 - t0
        n_pred += len(te)
        for i, p in zip(te, pred, strict=True):
            ours[passages[i]["id"]] = p
        train_texts, train_labels = [texts[i] for i in tr], [labels[i] for i in tr]
        test_texts = [texts[i] for i in te]
        for i, p in zip(te, baseline(train_texts, train_labels, test_texts, codes), strict=True):
            base[passages[i]["id"]] = p
        for i, p in zip(te, baseline(train_texts, train_labels, test_texts, codes, balanced=True), strict=True):
            base_bal[passages[i]["id"]] = p
        if a.zero_shot:
            zs = AutoCoder(codebook, **opts).predict(test_texts)
            for i, p in zip(te, zs, strict=True):
                zero[passages[i]["id"]] = p
    kind = "by-document GroupKFold" if a.by_document else f"KFold(shuffle, seed={a.seed})"
    print(f"{len(splits)}-fold {kind} on {len(passages)} passages of {len(set(docs))} documents "
          f"({'+'.join(sets)}), {len(codes)} leaf codes")
    print(f"migrahub {VERSION} : {score(shared, gold, ours)}")
    print(f"tfidf+logreg base   : {score(shared, gold, base)}")
    print(f"  (balanced variant): {score(shared, gold, base_bal)}")
    if a.zero_shot:
        print(f"zero-shot (defs)    : {score(shared, gold, zero)}")
    if len(sets) > 1:
        for name in sets:
            part = {k: v for k, v in gold.items() if any(p["id"] == k and p["doc"].startswith(name + ":")
                                                          for p in passages)}
            print(f"  {name} part        : {score(shared, part, {k: ours.get(k, []) for k in part})}")
    print(f"fit {t_fit / len(splits):.1f} s/fold, suggest {n_pred / max(t_pred, 1e-9):.0f} passages/s "
          f"(embeddings included where not cached)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
