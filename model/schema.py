"""The codes the model's tables are written in: expertise domains, subjects, Ofsted grades
and how a cluster was founded, plus the one helper that views a table flat.

A leaf module (it imports nothing from the package), so the mechanisms and the state
(`model.state`, which re-exports every name here) can both read it without importing
each other. Codes are `IntEnum`s: they are the integers stored in the state's arrays, and
the tables the model writes show their labels (``GRADES``, ``FOUNDED``), unchanged.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

DOMAINS = ("maths", "english", "science", "send", "leadership", "business")
MATHS, ENGLISH, SCIENCE, SEND, LEADERSHIP, BUSINESS = range(len(DOMAINS))
TEACHING = slice(0, 4)
# Domains a school can identify as a need and receive CPD in.
CPD_DOMAINS = (MATHS, ENGLISH, SCIENCE, SEND, LEADERSHIP)
SUBJECTS = ("rwm", "maths", "english", "science")
# How each subject's results load on the expertise domains (rows sum to 1, so one SD of
# expertise everywhere is one SD of pupil attainment; docs/ODD.md section 2). Assumption.
SUBJECT_WEIGHTS = np.array([
    # maths english science send leadership business
    [0.35, 0.35, 0.00, 0.15, 0.15, 0.0],   # rwm
    [0.70, 0.00, 0.00, 0.15, 0.15, 0.0],   # maths
    [0.00, 0.70, 0.00, 0.15, 0.15, 0.0],   # english
    [0.00, 0.00, 0.70, 0.15, 0.15, 0.0],   # science
])
EFFECTIVENESS_WEIGHTS = np.array([0.2, 0.2, 0.2, 0.2, 0.2, 0.0])


class Grade(IntEnum):
    """An Ofsted grade, as stored in ``SchoolState.grade`` (int8; lower is better)."""

    OUTSTANDING = 0
    GOOD = 1
    REQUIRES_IMPROVEMENT = 2
    INADEQUATE = 3
    RI = 2  # the usual abbreviation (an alias of REQUIRES_IMPROVEMENT)

    @property
    def label(self) -> str:
        """The grade as the model's outputs write it: ``requires_improvement``."""
        return self.name.lower()


GRADES = tuple(g.label for g in Grade)  # labels by code, as outputs write them
OUTSTANDING, GOOD, RI, INADEQUATE = Grade.OUTSTANDING, Grade.GOOD, Grade.RI, Grade.INADEQUATE


class Founded(IntEnum):
    """How a cluster came to be, as stored in ``ClusterState.founded`` (int8)."""

    VOLUNTARY = 0   # schools found each other (M3)
    BROKERED = 1    # a broker placed them (local authority, superintendent)
    FEDERATION = 2
    TRUST = 3

    @property
    def label(self) -> str:
        return self.name.lower()


FOUNDED = tuple(f.label for f in Founded)  # labels by code, as outputs write them
VOLUNTARY, BROKERED = Founded.VOLUNTARY, Founded.BROKERED


def flat(table: np.ndarray) -> np.ndarray:
    """A 1-D view of a C-contiguous table: gathers and writes through it at ``row *
    columns + column`` are several times faster than indexing with a pair of arrays."""
    if not table.flags.c_contiguous:
        raise ValueError("flat() needs a C-contiguous table (a copy would drop the writes)")
    return table.reshape(-1)
