"""Compare: composite policy indices of cities and countries (MIPEX- and Intercultural-Cities-style).

Pure logic over frozen dataclasses: index definitions (:mod:`.model`, :mod:`.definition`), the engine
(:mod:`.engine`: normalisation and weighted aggregation at every level, in numpy), ranks and peer groups
(:mod:`.ranks`), editions on a common core (:mod:`.editions`), sensitivity and what-if (:mod:`.sensitivity`),
COINr iData/iMeta interchange (:mod:`.coinr`) and CSV/XLSX import (:mod:`.tables`). IO happens in the store and
the service (:mod:`migrahub.services.compare`).
"""

ENGINE = "compare/1"  # versioned name of the engine, recorded with every computed result
