"""Regenerate the golden baseline in tests/baseline/ (the only way to change it).

Run it after a change that alters model outputs on purpose, look at `git diff --stat
tests/baseline`, and commit the new tables on their own with a message that says why.
    .venv/bin/python scripts/update_baseline.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import golden  # noqa: E402

if __name__ == "__main__":
    golden.write()
    print(f"wrote {', '.join(golden.FILES)} in {golden.HERE}")
