"""Coding: codebooks (``codebook``), auto-coding (``autocode``), agreement (``agreement``), descriptive analysis
(``analysis``, ``charts``), REFI-QDA interchange (``refiqda``) (storage: ``migrahub.store.codings``).

The auto-coder's name is here, so that naming it (as the provenance of its suggestions) does not load scikit-learn
and SciPy, which ``autocode`` needs only to learn and code."""

AUTOCODER = "autocode/2"  # the auto-coder's versioned name, recorded with every suggestion it makes
