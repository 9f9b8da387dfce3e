"""Coding: codebooks (``codebook``), auto-coding (``autocode``), agreement (``agreement``), descriptive analysis
(``analysis``, ``charts``), REFI-QDA interchange (``refiqda``) (storage: ``migrahub.store.codings``)."""
