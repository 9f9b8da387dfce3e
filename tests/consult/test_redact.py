"""Personal data out of public text: e-mails, phone numbers in several national formats, street addresses and
private persons' names are redacted; organisations and public officials keep their names."""

from __future__ import annotations

import pytest

from migrahub.consult.redact import redact

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

PERSONAL = {
    "email": ["amira.haddad@example.org", "j.doe+forum@mail.example.co.uk", "contact (at) example.org"],
    "phone": ["+44 20 7946 0958", "020 7946 0958", "+33 1 23 45 67 89", "06 12 34 56 78", "+49 30 12345678",
              "030 1234567", "+34 612 345 678", "612 345 678", "(555) 123-4567", "555-123-4567", "0039 06 1234 5678",
              "06-12345678", "+1 415 555 0132"],
    "address": ["12 rue de la Paix, 75002 Paris", "221B Baker Street, London NW1 6XE", "Hauptstraße 12, 10115 Berlin",
                "Calle Mayor 5, Madrid", "Via Roma 10, 00184 Roma", "Kerkstraat 12, 1017 GM Amsterdam",
                "45 Oak Avenue"],
}
NAMES = [("Our volunteer John Smith drove the van.", "John Smith"),
         ("My name is Fatima Zahra and I live here.", "Fatima Zahra"),
         ("Please contact Maria Gonzalez for details.", "Maria Gonzalez"),
         ("Signed, Peter Müller", "Peter Müller")]
KEPT = ["Mayor Anne Hidalgo opened the centre.", "The Red Cross and the City of Ghent run it together.",
        "Eurocities and the International Organization for Migration took part.",
        "In 2024 we helped 1,250 people; the budget was 300 000 euros (Law 12/2009 of 30 October)."]


@pytest.mark.parametrize("kind, value", [(k, v) for k, values in PERSONAL.items() for v in values])
def test_personal_data_is_removed(kind, value):
    text = f"For questions: {value}. Thank you."
    out = redact(text).text
    assert value not in out, out
    assert "removed]" in out


@pytest.mark.parametrize("text, name", NAMES)
def test_private_names_are_removed(text, name):
    out = redact(text).text
    assert name not in out and "[name removed]" in out


@pytest.mark.parametrize("text", KEPT)
def test_organisations_officials_and_numbers_are_kept(text):
    assert redact(text).text == text


def test_the_submitter_organisation_is_kept_even_when_it_looks_like_a_name():
    text = "Maria Gonzalez Foundation runs the clinic; write to info@mgf.example.org."
    out = redact(text, keep=("Maria Gonzalez Foundation",)).text
    assert "Maria Gonzalez Foundation" in out and "info@mgf" not in out


def test_spans_are_code_point_offsets():
    text = "Malmö 🇸🇪: ring 020 7946 0958 nu."
    result = redact(text)
    (start, end, kind), = result.spans
    assert text[start:end] == "020 7946 0958" and kind == "phone"


def test_configurable_kinds(monkeypatch):
    monkeypatch.setenv("MIGRAHUB_CONSULT_REDACT", "email")
    out = redact("Call 020 7946 0958 or write to a.b@example.org").text
    assert "020 7946 0958" in out and "a.b@example.org" not in out
