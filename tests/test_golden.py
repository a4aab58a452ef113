"""The golden baseline: a fixed set of short runs gives exactly the recorded outcomes.

If this fails and the change was meant to alter outputs, run
`scripts/update_baseline.py` and commit the new tables on their own, saying why.
"""

from __future__ import annotations

import pytest

from tests import golden


@pytest.fixture(scope="module")
def current() -> dict[str, str]:
    return golden.tables()


@pytest.mark.parametrize("name", golden.FILES)
def test_outputs_match_the_golden_baseline(current, name):
    recorded = (golden.HERE / name).read_text().splitlines()
    now = current[name].splitlines()
    assert recorded[0] == now[0], f"{name}: header changed"
    changed = [f"{a}  ->  {b.rsplit(',', 1)[-1]}" for a, b in zip(recorded, now, strict=False)
               if a != b]
    assert not changed and len(recorded) == len(now), (
        f"{name}: {len(changed)} values differ from tests/baseline (first: {changed[:3]}); "
        f"{len(recorded)} recorded lines, {len(now)} now")
