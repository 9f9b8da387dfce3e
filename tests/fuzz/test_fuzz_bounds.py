"""The bounds every fuzz example runs under do catch what they claim to: time, memory, forbidden files, sockets."""

from __future__ import annotations

import socket
import time

import pytest
from fuzz_support import SENTINEL, bounded

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def test_a_busy_example_is_stopped():
    start = time.process_time()
    with pytest.raises(AssertionError, match="stopped after"), bounded("busy", seconds=0.5):
        try:
            while True:
                sum(range(1000))
        except Exception:  # noqa: BLE001 - code under test that swallows exceptions cannot swallow the timer
            pass
    assert time.process_time() - start < 5


def test_a_waiting_example_is_stopped():
    start = time.monotonic()
    with pytest.raises(AssertionError, match="stopped after"), bounded("waiting", seconds=0.2):
        try:
            while True:
                time.sleep(0.01)
        except Exception:  # noqa: BLE001
            pass
    assert time.monotonic() - start < 5


def test_memory_growth_past_the_bound_fails():
    with pytest.raises(AssertionError, match="peak memory grew by"), bounded("greedy", memory_mb=50):
        block = bytearray(120 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])  # touch every page so that it is resident
        del block


def test_opening_a_forbidden_file_fails():
    with pytest.raises(AssertionError, match="touched what no parser may touch"), bounded("reader"):
        SENTINEL.read_text(encoding="utf-8")


def test_opening_a_socket_fails():
    with pytest.raises(AssertionError, match="socket.connect"), bounded("network"):
        with socket.socket() as sock:
            sock.settimeout(0.2)
            try:
                sock.connect(("127.0.0.1", 9))
            except OSError:
                pass


def test_an_example_within_bounds_passes():
    with bounded("quick"):
        sum(range(1000))
