"""Started with every Python process an engine_free test starts (on its PYTHONPATH): the process reports whatever
hub it opens to the test (tests/backends/engine_free_watch.py)."""

import importlib.util
import os

_path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "engine_free_watch.py")
_spec = importlib.util.spec_from_file_location("migrahub_engine_free_watch", _path)
_watch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_watch)
_watch.watch_child()
