from __future__ import annotations

import pytest

from migrahub.pipeline.language import detect_language

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

TEXTS = {
    "en": "The city council agreed that the new welcome desk for newcomers would open in the spring, and that the "
          "staff of the integration office would be trained by the refugee organisations of the region.",
    "fr": "Le conseil municipal a décidé que le nouveau guichet d'accueil pour les personnes migrantes ouvrirait au "
          "printemps, et que les agents du service d'intégration seraient formés par les associations de la région.",
    "es": "El ayuntamiento acordó que la nueva oficina de acogida para las personas migrantes abriría en la "
          "primavera, y que el personal del servicio de integración sería formado por las organizaciones locales.",
    "de": "Der Stadtrat hat beschlossen, dass die neue Anlaufstelle für Zugewanderte im Frühjahr öffnet und dass die "
          "Mitarbeitenden des Integrationsamtes von den Flüchtlingsorganisationen der Region geschult werden.",
    "pt": "A câmara municipal decidiu que o novo balcão de acolhimento para as pessoas migrantes abriria na "
          "primavera, e que os funcionários do serviço de integração seriam formados pelas associações da região.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_detects_the_five_languages(lang):
    assert detect_language(TEXTS[lang]) == lang


def test_short_text_falls_back_to_the_sources_declaration():
    assert detect_language("OK", hint="pt-BR") == "pt"
    assert detect_language("", hint=None) is None


def test_confident_detection_beats_a_wrong_declaration():
    assert detect_language(TEXTS["fr"], hint="en") == "fr"
