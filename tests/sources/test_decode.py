"""Bytes to text: a UTF-8 page with one broken byte keeps its accents; a single-byte page stays single-byte."""

from __future__ import annotations

import pytest

from migrahub.sources.decode import decode

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

FRENCH = "La ville de Besançon ouvre un guichet d'accueil pour les réfugiés, à côté de la mairie. " * 5


def test_utf8_with_a_stray_byte_is_read_as_utf8_with_one_replacement():
    data = FRENCH.encode("utf-8") + b"\x92 " + FRENCH.encode("utf-8")
    text = decode(data)
    assert text == FRENCH + "\ufffd " + FRENCH


def test_declared_utf8_with_a_cut_character_at_the_end_keeps_its_accents():
    data = b'<html><head><meta charset="utf-8"></head><body>' + "Réfugiés à Besançon".encode() + "é".encode()[:1]
    text = decode(data, markup=True)
    assert text.endswith("Réfugiés à Besançon\ufffd")


def test_single_byte_text_is_not_taken_for_broken_utf8():
    data = FRENCH.encode("cp1252")
    assert decode(data) == FRENCH
    # a page that says UTF-8 but is written in windows-1252 has no valid multi-byte character at all
    assert decode(data, "utf-8") == FRENCH


def test_legacy_code_pages_of_other_scripts_are_recognised():
    for text, codec in (("Город принимает беженцев и мигрантов в центре.", "cp1251"),
                        ("Zażółć gęślą jaźń: Łódź i Kraków współpracują z miastami.", "cp1250"),
                        ("Straße für Flüchtlinge in München, Köln und Düsseldorf.", "cp1252")):
        assert decode(text.encode(codec)) == text, codec


def test_a_few_utf8_characters_among_many_single_bytes_is_not_utf8():
    data = (FRENCH * 3).encode("cp1252") + "€".encode()
    assert decode(data).startswith("La ville de Besançon")
