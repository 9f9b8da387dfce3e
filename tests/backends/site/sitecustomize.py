"""Started with every Python process of a test run on PostgreSQL (on its PYTHONPATH): hubs named by paths are
schemas of the run's test database (tests/backends/postgresql.py)."""

import os
import sys

if os.environ.get("MIGRAHUB_TEST_BACKEND") == "postgresql":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    from tests.backends.postgresql import install

    install(child=True)
