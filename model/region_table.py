"""The Region table (one row per school) and the codes and national figures its columns
are read with.

Shared by the two ways a region comes about: drawn by `model.region` (the presets) and
loaded from a register by `model.gias`. Neither imports the other for these, so
`model.region` can hand a config naming a register file to `model.gias` without an import
cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from clustersim.model.gias import Register

PRIMARY, SECONDARY = 0, 1
LA_MAINTAINED, STANDALONE_ACADEMY, TRUST_ACADEMY = 0, 1, 2
GOVERNANCE_NAMES = ("la_maintained", "standalone_academy", "trust_academy")
# National figures both read: the generator draws around them, a register imputes a
# missing value from them.

# evidence A1, A2, A4, A5: rural primaries average just over 100 pupils, urban just under
# 400; about 12% of primaries have fewer than 100 pupils; primary mean ~275, secondary
# ~1,060.
PUPILS_MEDIAN = {(PRIMARY, True): 100.0, (PRIMARY, False): 330.0,
                 (SECONDARY, True): 750.0, (SECONDARY, False): 1050.0}
# Disadvantage: national FSM share ~24% (2024; not yet a row of docs/evidence.md).
FSM_MEAN = 0.24


@dataclass
class Region:
    """Static attributes of the schools of a region (arrays indexed by school)."""

    la: np.ndarray          # int local-authority index
    x: np.ndarray           # km
    y: np.ndarray           # km
    phase: np.ndarray       # PRIMARY / SECONDARY
    pupils: np.ndarray      # int
    rural: np.ndarray       # bool
    fsm: np.ndarray         # share of pupils eligible for free school meals, 0-1
    governance: np.ndarray  # LA_MAINTAINED / STANDALONE_ACADEMY / TRUST_ACADEMY
    trust: np.ndarray       # trust index, -1 when not in a multi-academy trust
    la_centre: np.ndarray   # (n_las, 2) km
    la_region: np.ndarray   # region of each LA (9 English regions when there are enough LAs)
    # Known from a register (model/gias.py); None for generated regions.
    grade: np.ndarray | None = None   # Ofsted grade, OUTSTANDING..INADEQUATE, -1 unknown
    rwm: np.ndarray | None = None     # KS2 reading+writing+maths expected standard, %, NaN unknown
    register: Register | None = None  # URNs, names, LA and trust codes, the load's report

    @property
    def n(self) -> int:
        return len(self.la)


