"""How `migrahub serve` hands out requests, against a real server on 127.0.0.1: each request goes to a process with
a free thread, so a client that holds one process (a slow upload, a stalled connection) delays nobody else, and a
connection carries one request."""

from __future__ import annotations

import socket
import time

import pytest

from migrahub.web.server import gunicorn_options
from tests.security.test_accounts import HubServer


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    server = HubServer(tmp_path_factory.mktemp("serve"), {}, workers=2, threads=1)
    yield server
    server.stop()


def test_a_held_process_takes_no_connection_and_the_other_serves_every_request(two_processes):
    stalled = socket.create_connection(("127.0.0.1", two_processes.port))
    try:
        stalled.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished: its thread waits
        time.sleep(0.5)  # its process has taken it
        started = time.monotonic()
        statuses = []
        for _ in range(12):
            conn = two_processes.connection(timeout=10)
            conn.request("GET", "/healthz")
            statuses.append(conn.getresponse().status)
            conn.close()
        assert statuses == [200] * 12
        assert time.monotonic() - started < 10  # none waited behind the stalled connection
    finally:
        stalled.close()


def test_a_connection_carries_one_request(two_processes):
    conn = two_processes.connection(timeout=10)
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    response.read()
    assert response.status == 200
    assert response.getheader("Connection") == "close"
    conn.close()


@pytest.mark.parametrize("threads", [1, 4])
def test_a_process_takes_as_many_connections_as_it_has_threads(threads):
    options = gunicorn_options("127.0.0.1:8000", 2, threads)
    assert (options["worker_class"], options["threads"], options["worker_connections"], options["keepalive"]) == (
        "gthread", threads, threads, 0)
