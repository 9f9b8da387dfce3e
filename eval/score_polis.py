"""Opinion groups against Pol.is's own: adjusted Rand index and number of groups on a Pol.is export folder.

    .venv/bin/python eval/score_polis.py [FOLDER ...]   (default: every folder under ../shared/polis/)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from migrahub.services.consult.polis import score_folder

SHARED = Path(__file__).resolve().parents[2] / "shared" / "polis"


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or sorted(p.parent for p in SHARED.glob("*/votes.csv"))
    if not folders:
        print(f"no Pol.is export folders given or found under {SHARED}", file=sys.stderr)
        return 2
    worst = 1.0
    for folder in folders:
        score = score_folder(folder)
        worst = min(worst, score["ari"])
        print(json.dumps({"folder": str(folder), **score}))
    print(f"ARI (worst folder): {worst:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
