"""Passage embeddings kept in the hub (``passage_vectors``): computed once per passage and embedding model, read by
every later auto-coding run of any door; and the embeddings of other texts (a code's definition) by the hash of the
text (``text_vectors``).

A vector is stored as little-endian float16 bytes: 768 bytes for a 384-dimension model, 77 MB for 100,000 passages.
Rows are keyed by the model's versioned name, so a new model simply starts its own rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from .database import transaction, tuples

DTYPE = np.dtype("<f2")
CHUNK = 5000  # passage ids per query (SQLite allows 32,766 parameters)


def read_vectors(conn: sqlite3.Connection, model: str, passage_ids: Sequence[int],
                 dim: int) -> tuple[np.ndarray, np.ndarray]:
    """The stored vectors of ``passage_ids`` for ``model``: a float32 matrix (one row per id, in order; zeros where
    none is stored) and a boolean mask of the rows found. A stored vector of another dimension raises ValueError."""
    ids = [int(i) for i in passage_ids]
    out = np.zeros((len(ids), dim), dtype=np.float32)
    found = np.zeros(len(ids), dtype=bool)
    where: dict[int, list[int]] = {}
    for row, pid in enumerate(ids):
        where.setdefault(pid, []).append(row)
    unique = list(where)
    for k in range(0, len(unique), CHUNK):
        part = unique[k:k + CHUNK]
        marks = ",".join("?" * len(part))
        got = tuples(conn, "SELECT passage_id, vector FROM passage_vectors WHERE model = ? AND passage_id IN "
                     f"({marks})", (model, *part))
        if not got:
            continue
        blob = b"".join(r[1] for r in got)
        if len(blob) != len(got) * dim * DTYPE.itemsize:
            bad = next(r[0] for r in got if len(r[1]) != dim * DTYPE.itemsize)
            raise ValueError(f"passage_vectors: the vector of passage {bad} for model {model!r} is not {dim} float16 "
                             "values")
        block = np.frombuffer(blob, dtype=DTYPE).reshape(len(got), dim)
        for (pid, _), vec in zip(got, block, strict=True):
            rows = where[pid]
            out[rows] = vec
            found[rows] = True
    return out, found


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` at the precision they are stored with (float32 rows of float16 values)."""
    return np.asarray(vectors).astype(DTYPE).astype(np.float32)


def write_vectors(conn: sqlite3.Connection, model: str, passage_ids: Sequence[int], vectors: np.ndarray) -> int:
    """Store one vector per passage for ``model`` in one transaction (a vector already stored is kept); returns the
    number of rows given."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or len(vectors) != len(passage_ids):
        raise ValueError(f"write_vectors: {len(passage_ids)} passage ids but vectors of shape {vectors.shape}")
    if not np.isfinite(vectors).all():
        raise ValueError("write_vectors: vectors must be finite numbers")
    rows = [(model, int(pid), vec.astype(DTYPE).tobytes()) for pid, vec in zip(passage_ids, vectors, strict=True)]
    with transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO passage_vectors (model, passage_id, vector) VALUES (?, ?, ?)", rows)
    return len(rows)


def count_vectors(conn: sqlite3.Connection, model: str) -> int:
    """How many passages have a stored vector for ``model``."""
    return conn.execute("SELECT count(*) FROM passage_vectors WHERE model = ?", (model,)).fetchone()[0]


def read_text_vectors(conn: sqlite3.Connection, model: str, keys: Sequence[bytes],
                      dim: int) -> dict[bytes, np.ndarray]:
    """The stored vectors of the texts whose hashes are ``keys`` (those found), as float32 rows."""
    out: dict[bytes, np.ndarray] = {}
    unique = list(dict.fromkeys(keys))
    for k in range(0, len(unique), CHUNK):
        part = unique[k:k + CHUNK]
        marks = ",".join("?" * len(part))
        for key, blob in tuples(conn, "SELECT text_hash, vector FROM text_vectors WHERE model = ? AND text_hash IN "
                                f"({marks})", (model, *part)):
            if len(blob) == dim * DTYPE.itemsize:
                out[bytes(key)] = np.frombuffer(blob, dtype=DTYPE).astype(np.float32)
    return out


def write_text_vectors(conn: sqlite3.Connection, model: str, keys: Sequence[bytes], vectors: np.ndarray) -> None:
    """Store the vectors of texts by their hashes, in one transaction (a vector already stored is replaced)."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or len(vectors) != len(keys) or not np.isfinite(vectors).all():
        raise ValueError(f"write_text_vectors: {len(keys)} keys need as many rows of finite numbers, "
                         f"not shape {vectors.shape}")
    with transaction(conn):
        conn.executemany("INSERT OR REPLACE INTO text_vectors (model, text_hash, vector) VALUES (?, ?, ?)",
                         [(model, bytes(k), v.astype(DTYPE).tobytes()) for k, v in zip(keys, vectors, strict=True)])
