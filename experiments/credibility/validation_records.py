"""What the validation suite reads from a run as it goes, without touching the model.

The model keeps only its current state, so a validation experiment that needs a history
steps the model itself (`run_observed`) and lets observers read the state after every
term:

- `Inspections`: every school's grade at every inspection (P10). A school was inspected
  this term exactly when its ``next_inspection`` changed (the inspection phase sets the
  next date of every school it inspects, and nothing else does); its grade is then the
  one just given. Each school's grade at the start counts as an inspection at term 0
  (it is one: a past inspection's judgement, with the next one scheduled from it).
- `Trace`: per-term sums the mechanism table reads (needs identified and revealed, peer
  CPD run by designated lead schools).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

GOOD, RI = 1, 2  # grades: 0 outstanding, 1 good, 2 requires improvement, 3 inadequate
DECADE = 30      # terms


def run_observed(config: dict[str, Any], seed: int, observers: Iterable = (),
                 before: Callable | None = None):
    """Build the model, let ``before`` adjust it, then step it to its horizon, calling
    every observer's ``start(m)`` once and ``observe(m)`` after each term."""
    from clustersim.model.model import ClusterModel

    m = ClusterModel(config, seed)
    if before:
        before(m)
    observers = list(observers)
    for o in observers:
        o.start(m)
    while m.running:
        m.step()
        for o in observers:
            o.observe(m)
    return m


class Snapshot:
    """The model's grades and below-floor flags at the end of one term (e.g. year 10)."""

    def __init__(self, term: int):
        self.term, self.grade, self.below_floor = term, None, None

    def start(self, m) -> None:
        self.observe(m)

    def observe(self, m) -> None:
        if m.term == self.term:
            self.grade = m.s.grade.copy()
            self.below_floor = m.below_floor_now.copy()


class Inspections:
    """Every inspection of every school: (school, term, grade), appended term by term."""

    def __init__(self) -> None:
        self._school: list[np.ndarray] = []
        self._term: list[np.ndarray] = []
        self._grade: list[np.ndarray] = []
        self._next: np.ndarray | None = None
        self.n = 0

    def start(self, m) -> None:
        self.n = m.s.n
        self._add(0, np.arange(self.n), m.s.grade)
        self._next = m.s.next_inspection.copy()

    def observe(self, m) -> None:
        nxt = m.s.next_inspection
        inspected = np.flatnonzero(nxt != self._next)
        self._add(m.term, inspected, m.s.grade[inspected])
        self._next = nxt.copy()

    def _add(self, term: int, schools: np.ndarray, grades: np.ndarray) -> None:
        self._school.append(np.asarray(schools, np.int64))
        self._term.append(np.full(len(schools), term, np.int64))
        self._grade.append(np.asarray(grades, np.int64).copy())

    @classmethod
    def from_events(cls, n: int, school, term, grade) -> Inspections:
        """A record built from given events (for tests and re-analysis)."""
        rec = cls()
        rec.n = n
        rec._school, rec._term, rec._grade = ([np.asarray(x, np.int64)]
                                              for x in (school, term, grade))
        return rec

    def events(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(school, term, grade), sorted by school and then term."""
        school, term = np.concatenate(self._school), np.concatenate(self._term)
        grade = np.concatenate(self._grade)
        order = np.lexsort((term, school))
        return school[order], term[order], grade[order]

    def ri_next_good(self) -> tuple[int, float]:
        """Of inspections grading a school RI that were followed by another, how many, and
        the share of those whose next inspection graded it good or outstanding."""
        school, _, grade = self.events()
        follows = school[1:] == school[:-1]
        from_ri = follows & (grade[:-1] == RI)
        n = int(from_ri.sum())
        return n, float((grade[1:][from_ri] <= GOOD).mean()) if n else math.nan

    def stuck(self, end: int, span: int = DECADE) -> np.ndarray:
        """Per school: below good at every inspection for the ``span`` terms up to ``end``,
        i.e. graded RI or inadequate by the inspection in force at ``end - span`` and by
        every inspection since (a school keeps its grade until it is next inspected)."""
        if end - span < 0:
            raise ValueError(f"a run of {end} terms cannot show {span} terms below good")
        school, term, grade = self.events()
        start = end - span
        key = school * (end + 1) + np.minimum(term, end)
        # the last inspection at or before the window opens, for every school
        at = np.searchsorted(key, np.arange(self.n) * (end + 1) + start, side="right") - 1
        known = (at >= 0) & (school[np.maximum(at, 0)] == np.arange(self.n))
        stuck = known & (grade[np.maximum(at, 0)] >= RI)
        lifted = (term > start) & (term <= end) & (grade <= GOOD)
        stuck[np.unique(school[lifted])] = False
        return stuck


class Trace:
    """Per-term sums over a run for the mechanism table."""

    def __init__(self) -> None:
        self.terms = 0
        self.focus_weak = 0.0      # weak schools with an identified need, summed over terms
        self.focus_all = 0.0       # all schools with an identified need
        self.revealed_weak = 0.0   # weak schools whose needs a grade or results drop revealed
        self.lead_peer_hours = 0.0  # teacher-hours of peer CPD run by designated lead schools

    def start(self, m) -> None:
        pass

    def observe(self, m) -> None:
        s = m.s
        self.terms += 1
        self.focus_weak += float((s.focus[s.weak] >= 0).mean())
        self.focus_all += float((s.focus >= 0).mean())
        self.revealed_weak += float((s.revealed_until[s.weak] > m.term).mean())
        self.lead_peer_hours += float(s.hours_given[s.lead_school].sum())

    def per_term(self, name: str) -> float:
        return getattr(self, name) / self.terms if self.terms else math.nan
