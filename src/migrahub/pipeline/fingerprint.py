"""Stage ``minhash``: MinHash signatures of word 3-shingles, for near-duplicate detection.

A signature holds :data:`PERMUTATIONS` values; the share of equal positions between two signatures estimates the
Jaccard similarity of the two shingle sets. Documents at or above :data:`NEAR_JACCARD` are the same story (the same
news item in two feeds, a page republished with another header). Candidates are found by locality-sensitive
hashing: the signature is cut into :data:`BANDS` bands of :data:`ROWS` rows, and documents sharing any band hash are
compared (a pair at Jaccard 0.7 becomes a candidate with probability ≈ 0.99).

``minhash/2`` is one-permutation MinHash with rotation densification (Shrivastava & Li, 2014): every shingle is
hashed once to 64 bits, its top 6 bits pick one of 64 bins, and a bin keeps its smallest hash; an empty bin (short
texts) borrows from the next non-empty bin, marked with the distance. Words are maximal runs of word characters
(``\\w``: ``str.isalnum()`` or ``_``) of the lower-cased text, hashed from their code points with array operations,
so a 5 KB text costs a few array passes rather than a Python call per word and 64 passes over its shingles.
Signatures of ``minhash/1`` (64 hash permutations) are recomputed from the stored text when a hub is opened for
writing (:func:`migrahub.store.documents.refresh_fingerprints`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

STAGE = "minhash/2"
VERSION = 2
PERMUTATIONS = 64
BANDS, ROWS = 16, 4
NEAR_JACCARD = 0.7
MIN_WORDS = 12  # shorter texts are too small for shingles to mean anything
_U64 = np.uint64
_BIN_SHIFT = _U64(58)  # 64 bins: the top 6 bits of a shingle hash
_LOW = _U64((1 << 58) - 1)
_P = _U64(0x100000001B3)  # odd multiplier of the polynomial word hash (the FNV-1 64-bit prime)
_P_INV = _U64(pow(0x100000001B3, -1, 1 << 64))  # its inverse modulo 2**64: divides the prefix sums back out
_K = (_U64(0x9E3779B97F4A7C15), _U64(0xC2B2AE3D27D4EB4F), _U64(0x165667B19E3779F9), _U64(0x27D4EB2F165667C5))
_BINS = np.arange(PERMUTATIONS)
_BAND_PRIME = (1 << 61) - 1


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, element-wise: every input bit moves every output bit."""
    x = x ^ (x >> _U64(30))
    x *= _U64(0xBF58476D1CE4E5B9)
    x ^= x >> _U64(27)
    x *= _U64(0x94D049BB133111EB)
    x ^= x >> _U64(31)
    return x


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """Whether each code point of the Basic Multilingual Plane is a word character (the rest are looked up)."""
    return np.fromiter((chr(c).isalnum() or c == 0x5F for c in range(0x10000)), dtype=bool, count=0x10000)


@lru_cache(maxsize=8)
def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``P**i`` and ``P**-i`` modulo 2**64 for ``i < n`` (n rounded up to a power of two by the caller)."""
    steps = np.empty(n, dtype=np.uint64)
    inverse = np.empty(n, dtype=np.uint64)
    steps[0] = inverse[0] = 1
    steps[1:] = _P
    inverse[1:] = _P_INV
    return np.multiply.accumulate(steps), np.multiply.accumulate(inverse)


def word_hashes(text: str) -> np.ndarray:
    """One 64-bit hash per word of ``text`` (lower-cased), in order: ``Σ cp[i]·P**i`` over the word's code points,
    modulo 2**64, then mixed."""
    points = np.frombuffer(text.lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    n = len(points)
    if not n:
        return np.empty(0, dtype=np.uint64)
    word = np.zeros(n + 2, dtype=bool)  # a non-word position on either side: every word has a start and an end
    if points.max() > 0xFFFF:
        astral = points > 0xFFFF
        word[1:-1] = _word_table()[np.where(astral, 0, points)]
        word[1:-1][astral] = [chr(c).isalnum() for c in points[astral].tolist()]
    else:
        word[1:-1] = _word_table()[points]
    bounds = np.flatnonzero(word[1:] != word[:-1])  # start, end, start, end, … of the words
    if not len(bounds):
        return np.empty(0, dtype=np.uint64)
    up, down = _powers(1 << n.bit_length())  # a few sizes cached, not one per text length
    terms = np.zeros(n + 1, dtype=np.uint64)
    np.multiply(points, up[:n], out=terms[:-1])
    sums = np.add.reduceat(terms, bounds)[0::2]  # each word's terms, from its start to its end
    return _mix(sums * down[bounds[0::2]])


def minhash(text: str) -> bytes:
    """The signature of ``text`` as bytes (empty for texts under :data:`MIN_WORDS` words)."""
    words = word_hashes(text)
    if len(words) < MIN_WORDS:
        return b""
    shingles = _mix(words[:-2] * _K[0] + words[1:-1] * _K[1] + words[2:] * _K[2])
    bins = (shingles >> _BIN_SHIFT).astype(np.intp)
    lows = np.full(PERMUTATIONS, _LOW, dtype=np.uint64)
    np.minimum.at(lows, bins, shingles & _LOW)  # each bin's smallest hash (its top bits are the bin)
    full_bins = np.flatnonzero(np.bincount(bins, minlength=PERMUTATIONS))
    donor = full_bins[np.searchsorted(full_bins, _BINS) % len(full_bins)]  # itself, or the next filled bin
    distance = ((donor - _BINS) % PERMUTATIONS).astype(np.uint64)
    return ((distance << _BIN_SHIFT) | lows[donor]).tobytes()


def band_hashes(signature: bytes) -> list[int]:
    """One hash per LSH band of a signature (empty for an empty signature): the band's four values as one 256-bit
    number modulo the prime 2**61 - 1 (its values are already mixed hashes)."""
    width = ROWS * 8
    return [int.from_bytes(signature[i:i + width], "little") % _BAND_PRIME for i in range(0, len(signature), width)]


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    if not a or not b:
        return 0.0
    return float(np.mean(np.frombuffer(a, dtype=np.uint64) == np.frombuffer(b, dtype=np.uint64)))
