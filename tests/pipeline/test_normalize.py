"""Offsets are Unicode code-point indices into the stored text, end exclusive: text[start:end] == passage.text."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrahub.model import Block, Extracted, NormalizedDoc, Rejection
from migrahub.pipeline.normalize import clean_block_text, normalize

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def item(*blocks: Block, title=None) -> Extracted:
    return Extracted(locator="mem://doc", source="mem://", source_kind="file", content_type="text/plain",
                     blocks=tuple(blocks), title=title)


def test_offsets_with_accents_emoji_and_crlf():
    doc = normalize(item(
        Block("heading", "Accueil des personnes réfugiées à Zürich", 1),
        Block("paragraph", "La ville de Malmö 🇸🇪 ouvre\r\nun guichet\r\n unique — café ☕ compris."),
        Block("heading", "Ação local em São Paulo", 2),
        Block("list_item", "Cartão de cidade 🏙️ para todas as pessoas"),
        Block("paragraph", "e\u0301quipe (decomposed é becomes one code point)"),
    ))
    assert isinstance(doc, NormalizedDoc)
    for p in doc.passages:
        assert doc.text[p.start:p.end] == p.text
    para = doc.passages[1]
    assert para.text == "La ville de Malmö 🇸🇪 ouvre un guichet unique — café ☕ compris."
    # code points, not bytes nor UTF-16 units: the flag is two code points, "ö" one
    assert para.end - para.start == len(para.text) == 62
    assert doc.passages[3].section == ("Accueil des personnes réfugiées à Zürich", "Ação local em São Paulo")
    assert doc.passages[4].text.startswith("équipe") and unicodedata.is_normalized("NFC", doc.text)
    assert doc.title == "Accueil des personnes réfugiées à Zürich"


def test_heading_levels_build_section_paths():
    doc = normalize(item(Block("heading", "A", 1), Block("heading", "A.1", 2), Block("paragraph", "x"),
                         Block("heading", "B", 1), Block("paragraph", "y")))
    assert [p.section for p in doc.passages if p.kind == "paragraph"] == [("A", "A.1"), ("B",)]


def test_empty_document_is_rejected_with_a_reason():
    result = normalize(item(Block("paragraph", "  \r\n\t "), title="Empty"))
    assert isinstance(result, Rejection)
    assert result.locator == "mem://doc" and "no text" in result.reason


def test_identical_text_gives_identical_hash_and_fingerprint():
    words = "The city council of Utrecht opened a shelter for people without papers in the winter of 2019 ."
    a = normalize(item(Block("paragraph", words)))
    b = normalize(item(Block("paragraph", words.replace(" ", "  "))))
    assert a.content_hash == b.content_hash and a.fingerprint == b.fingerprint != b""


text_blocks = st.lists(
    st.tuples(st.sampled_from(["heading", "paragraph", "list_item"]),
              st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
              st.integers(1, 4)),
    min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(text_blocks)
def test_property_every_passage_is_its_slice(blocks):
    result = normalize(item(*[Block(k, t, lvl if k == "heading" else 0) for k, t, lvl in blocks]))
    if isinstance(result, Rejection):
        assert all(clean_block_text(t) == "" for _, t, _ in blocks)
        return
    assert unicodedata.is_normalized("NFC", result.text)
    previous_end = -1
    for p in result.passages:
        assert result.text[p.start:p.end] == p.text
        assert p.start > previous_end and p.text
        previous_end = p.end


BLOCK_CHARS = "ab é\u0301\t\r\n\x00\x0b\x0c\x1c\x1f\x7f\x85\u00a0\u200b\ufeff\u2003\u2028\u3000Z"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(BLOCK_CHARS)))
def test_property_block_cleaning_is_nfc_without_controls_with_single_spaces(text):
    """The fast paths (ASCII, already-NFC text) give exactly the plain definition: controls dropped, then NFC (in
    the other order, "Z\\x1f\\u0301" would keep its pair uncomposed), then white space folded."""
    plain = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    plain = unicodedata.normalize("NFC", plain)
    plain = re.sub(r"[\s\u00a0\u200b\ufeff]+", " ", plain).strip()
    assert clean_block_text(text) == plain
    assert unicodedata.is_normalized("NFC", plain)
