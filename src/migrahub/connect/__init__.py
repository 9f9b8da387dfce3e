"""Connect: the open research library (references in CSL-JSON, RIS and BibTeX), the curated practice library, peer
exchange matched by evidence, cities like mine and declarations. Pure logic over frozen dataclasses; the store
and the doors call it through ``migrahub.services.connect``."""
