"""Bounded YAML reading: what PyYAML cannot read or build is an InputError naming the source and the reason."""

from __future__ import annotations

import pytest

from migrahub.safeload import InputError, load_yaml

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def test_reads_plain_yaml():
    assert load_yaml(b"name: shelters\nyear: 2024\n", "ok.yaml") == {"name": "shelters", "year": 2024}


@pytest.mark.parametrize(("data", "message"), [
    (b"version: 2024-01-01T25:00:00\ncodes: []\n", r"plan\.yaml: line 1: value '2024-01-01T25:00:00' cannot be "
                                                  r"read: hour must be in 0\.\.23"),
    (b"codes:\n- id: a\n  opened: 2024-02-30\n", r"plan\.yaml: line 3: value '2024-02-30' cannot be read: day is "
                                                 r"out of range"),
    (b"\x10codes: []\n", r"plan\.yaml: not readable as UTF-8 YAML: unacceptable character #x0010"),
    (b"name: a\x00b\n", r"plan\.yaml: not readable as UTF-8 YAML: unacceptable character #x0000"),
])
def test_values_and_characters_pyyaml_cannot_read_are_input_errors(data, message):
    with pytest.raises(InputError, match=message):
        load_yaml(data, "plan.yaml")
    with pytest.raises(InputError, match=message):
        load_yaml(data.decode("utf-8"), "plan.yaml")
