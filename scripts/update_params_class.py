"""Regenerate model/param_values.py (the typed `Params` class) from the registry.

Run it after adding, removing or re-documenting a parameter in model/params.py;
tests/test_params.py fails until the file matches.
    .venv/bin/python scripts/update_params_class.py
"""

from __future__ import annotations

from pathlib import Path

from clustersim.model.params import PARAMS
from clustersim.model.registry import PARAMS_CLASS_FILE, params_class_source

if __name__ == "__main__":
    path = Path(__file__).resolve().parents[1] / PARAMS_CLASS_FILE
    path.write_text(params_class_source(PARAMS), encoding="utf-8")
    print(f"wrote {path} ({len(PARAMS)} parameters)")
