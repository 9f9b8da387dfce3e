"""The ``minhash`` stage: word hashes by array operations equal the plain definition, signatures estimate Jaccard
similarity, and a signature never changes for the same text (stored signatures are compared with new ones)."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrahub.pipeline import fingerprint as fp

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

_MOD = 1 << 64


def plain_word_hashes(text: str) -> list[int]:
    """The definition, one word and one code point at a time: ``Σ cp[i]·P**i mod 2**64`` over each ``\\w+`` run of
    the lower-cased text, then mixed."""
    raw = [sum(ord(ch) * pow(0x100000001B3, i, _MOD) for i, ch in enumerate(word)) % _MOD
           for word in re.findall(r"\w+", text.lower())]
    return fp._mix(np.array(raw, dtype=np.uint64)).tolist() if raw else []


def shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def jaccard(a: str, b: str) -> float:
    return len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))


STORY = ("Mayors from Lisbon, Ghent and Zürich met in Athens for a two-day workshop on city-to-city cooperation in the "
         "reception of newcomers. They shared practices on housing, language courses and access to services for "
         "people regardless of their residence status. The network's working group on inclusion will publish a "
         "toolkit in spring, with examples from Malmö, Bologna and Nantes, and a peer review of one-stop shops. "
         "Civil-society partners asked for a seat at the next meeting and for funding lines open to small groups.")
OTHER = ("The regional parliament debated a new law on public transport fares, the budget of the rail operator and a "
         "plan to electrify bus lines by 2030. Opposition members asked for an audit of past contracts, while the "
         "minister promised cheaper season tickets for students and pensioners from next year onwards.")


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
@settings(max_examples=300, deadline=None)
def test_word_hashes_equal_the_plain_definition(text):
    assert fp.word_hashes(text).tolist() == plain_word_hashes(text)


def test_word_hashes_with_accents_emoji_astral_letters_and_underscores():
    text = "Zürich, SÃO PAULO — naïve café 😀 𝔘nicode_city ＡＢＣ١٢٣ İstanbul \ud800 x_y"
    assert fp.word_hashes(text).tolist() == plain_word_hashes(text)
    assert len(fp.word_hashes(text)) == len(re.findall(r"\w+", text.lower()))


def test_signature_of_a_fixed_text_never_changes():
    """Pinned: a change to the stage changes every stored signature and needs a new version with a recomputation."""
    assert fp.STAGE == "minhash/2"
    assert hashlib.sha256(fp.minhash(STORY)).hexdigest()[:16] == "cd8cfd8956f190db"
    assert fp.band_hashes(fp.minhash(STORY))[:2] == [736622887855584699, 1318558916879115144]


def test_similarity_estimates_jaccard():
    republished = "Republished by Cities Today with permission. " + STORY
    assert fp.similarity(fp.minhash(STORY), fp.minhash(STORY)) == 1.0
    assert jaccard(STORY, republished) > 0.85
    assert abs(fp.similarity(fp.minhash(STORY), fp.minhash(republished)) - jaccard(STORY, republished)) < 0.15
    assert fp.similarity(fp.minhash(STORY), fp.minhash(republished)) >= fp.NEAR_JACCARD
    assert fp.similarity(fp.minhash(STORY), fp.minhash(OTHER)) < 0.1
    half = STORY[:len(STORY) // 2]
    assert abs(fp.similarity(fp.minhash(STORY), fp.minhash(half)) - jaccard(STORY, half)) < 0.2


def test_short_texts_have_no_signature_and_short_ones_above_the_minimum_fill_every_position():
    assert fp.minhash("Too short to compare.") == b"" and fp.band_hashes(b"") == []
    signature = fp.minhash("one two three four five six seven eight nine ten eleven twelve")
    assert len(signature) == 8 * fp.PERMUTATIONS  # 10 shingles for 64 positions: empty ones borrow a neighbour
    assert len(set(np.frombuffer(signature, dtype=np.uint64).tolist())) == fp.PERMUTATIONS
    assert len(fp.band_hashes(signature)) == fp.BANDS
    assert all(0 <= h < (1 << 61) - 1 for h in fp.band_hashes(signature))
