"""Passage embeddings kept in the hub: stored once per passage and model, read back in order, kept by a stopped run."""

from __future__ import annotations

import numpy as np
import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.services.coding import EMBED_BATCH, passage_vectors
from migrahub.sources import SourceResult
from migrahub.store import documents as store
from migrahub.store import vectors
from migrahub.store.database import connect

PARAGRAPHS = [f"Paragraph {i}: the city opened a welcome desk number {i} for newcomers in its district office."
              for i in range(75)]


@pytest.fixture
def hub(tmp_path):
    conn = connect(tmp_path / "hub.sqlite3")
    sid = store.upsert_source(conn, SourceResult(source="notes.txt", kind="file", status="ok"))
    doc = normalize(Extracted(locator="notes.txt", source="notes.txt", source_kind="file", content_type="text/plain",
                              blocks=tuple(Block("paragraph", p) for p in PARAGRAPHS), title="Notes"))
    store.save_document(conn, doc, sid)
    ids = [r[0] for r in conn.execute("SELECT id FROM passages ORDER BY seq")]
    yield conn, ids
    conn.close()


def unit_rows(n: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def test_vectors_round_trip_in_order_at_float16_precision(hub):
    conn, ids = hub
    v = unit_rows(3, 8)
    assert vectors.write_vectors(conn, "model-a/1", ids[:3], v) == 3
    got, found = vectors.read_vectors(conn, "model-a/1", [ids[2], ids[5], ids[0], ids[2]], 8)
    assert found.tolist() == [True, False, True, True]
    assert np.array_equal(got[[0, 2, 3]], v[[2, 0, 2]].astype(np.float16).astype(np.float32))
    assert not got[1].any()
    assert np.abs(got[0] - v[2]).max() < 1e-3
    assert vectors.count_vectors(conn, "model-a/1") == 3
    # another model's name has its own rows
    assert not vectors.read_vectors(conn, "model-b/1", ids[:3], 8)[1].any()


def test_a_stored_vector_is_kept_and_bad_vectors_are_refused(hub):
    conn, ids = hub
    first, second = unit_rows(1, 4, 1), unit_rows(1, 4, 2)
    vectors.write_vectors(conn, "m", ids[:1], first)
    vectors.write_vectors(conn, "m", ids[:1], second)
    assert np.array_equal(vectors.read_vectors(conn, "m", ids[:1], 4)[0], first.astype(np.float16).astype(np.float32))
    with pytest.raises(ValueError, match="2 passage ids but vectors of shape"):
        vectors.write_vectors(conn, "m", ids[:2], first)
    with pytest.raises(ValueError, match="finite"):
        vectors.write_vectors(conn, "m", ids[1:2], np.full((1, 4), np.nan))
    with pytest.raises(ValueError, match=rf"passage {ids[0]} for model 'm' is not 8 float16 values"):
        vectors.read_vectors(conn, "m", ids[:1], 8)


class CountingEncoder:
    """A stand-in embedding model: a text's vector is drawn from its hash; ``fail_after`` batches it stops."""

    name, dim = "stand-in/1", 16

    def __init__(self, fail_after: int | None = None) -> None:
        self.batches, self.texts, self.fail_after = 0, 0, fail_after

    def encode(self, texts):
        if self.fail_after is not None and self.batches >= self.fail_after:
            raise KeyboardInterrupt("stopped")
        self.batches += 1
        self.texts += len(texts)
        return np.stack([unit_rows(1, self.dim, abs(hash(t)) % 2**32)[0] for t in texts])


def test_passages_are_embedded_once_in_batches_and_a_stopped_run_keeps_its_batches(hub):
    conn, ids = hub
    passages = [{"id": str(i), "text": t} for i, t in zip(ids, PARAGRAPHS, strict=True)]
    stopped = CountingEncoder(fail_after=1)
    with pytest.raises(KeyboardInterrupt):
        passage_vectors(conn, stopped, passages)
    assert vectors.count_vectors(conn, "stand-in/1") == EMBED_BATCH  # the first batch's transaction committed
    again = CountingEncoder()
    v, computed = passage_vectors(conn, again, passages)
    assert computed == again.texts == len(passages) - EMBED_BATCH
    assert again.batches == -(-computed // EMBED_BATCH)
    later = CountingEncoder()
    v2, computed2 = passage_vectors(conn, later, passages[::-1])
    assert computed2 == later.texts == 0 and np.array_equal(v2, v[::-1])  # the same numbers, read back
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-2)
