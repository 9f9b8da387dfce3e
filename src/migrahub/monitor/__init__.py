"""Monitor: watched feeds and pages (schedule policy), stories across feeds and languages (clustering), saved
searches (alert matching) and outbound Atom feeds. Pure logic over frozen dataclasses; IO lives in
``services/monitor`` and ``store/monitor.py``."""
