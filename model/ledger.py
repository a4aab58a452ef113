"""Every pound traced: who paid, who received, for what (issue: ledgers).

Accounts are kinds of actor (school, provider, broker, trust, government, staff,
travel); transfers between them are recorded by purpose. Money is conserved by
construction (each transfer debits one account and credits another) and the tests
check it against independently kept totals (providers' revenue, schools' spending).
CPD hours are recorded by source; CPD-bank credits live in ``model.mechanisms.bank``.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel


class Account(StrEnum):
    """A kind of actor money moves between (a `str`: ``Account.SCHOOL == "school"``)."""

    SCHOOL = "school"
    PROVIDER = "provider"
    BROKER = "broker"
    TRUST = "trust"
    GOVERNMENT = "government"
    STAFF = "staff"            # teacher time bought (CPD run by advisers, partners)
    TRAVEL = "travel"


ACCOUNTS = tuple(Account)  # every account there is: the ledger refuses any other
# the school arrays the ledger owns (model.state): what each school paid this term, and
# all spent on or for it (a trust's even share of a hub grant is added directly)
STATE = ("spent_term", "cost_total")
# Routine spending a school makes anyway: in the ledger, but not an improvement cost
# (the trust top-slice pays for central support that is itself attributed to schools).
ROUTINE = ("services", "trust top-slice")


class Ledger:
    def __init__(self, n_schools: int):
        self.school_paid = np.zeros(n_schools)       # £ paid by each school, cumulative
        self.school_received = np.zeros(n_schools)   # £ received (grants), cumulative
        self.school_by_purpose: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n_schools))
        self.flows: dict[tuple[str, str, str], float] = defaultdict(float)
        self.paid: dict[str, float] = defaultdict(float)
        self.received: dict[str, float] = defaultdict(float)
        self.savings: dict[str, float] = defaultdict(float)
        self.hours: dict[str, float] = defaultdict(float)  # teacher-hours by source

    def pay(self, m: ClusterModel, purpose: str, payer: Account | str, payee: Account | str,
            amount: np.ndarray, *,
            payer_idx: np.ndarray | None = None, payee_idx: np.ndarray | None = None,
            for_school: np.ndarray | None = None) -> None:
        """Record transfers ``amount[k]`` from ``payer`` to ``payee``.

        ``payer_idx``/``payee_idx`` name the school or provider of each transfer;
        ``for_school`` attributes spending by others (a broker, a trust, government) to
        the school it was spent on, for cost per school.
        """
        if payer not in ACCOUNTS or payee not in ACCOUNTS:  # a misspelt account is a bug
            raise AssertionError(f"ledger account {payer if payer not in ACCOUNTS else payee!r}"
                                 f" is not one of {', '.join(ACCOUNTS)}")
        amount = np.asarray(amount, float)
        if amount.size == 0:
            return
        if np.minimum.reduce(amount) < 0:
            raise AssertionError(f"negative transfer for {purpose}")
        total = float(np.add.reduce(amount))
        s = m.s
        if payer == "school":
            targets = [self.school_paid, self.school_by_purpose[purpose], s.spent_term]
            if purpose not in ROUTINE:
                targets.append(s.cost_total)
            accumulate(targets, payer_idx, amount)
        elif for_school is not None:
            accumulate([s.cost_total], for_school, amount)
        if payee == "school":
            accumulate([self.school_received], payee_idx, amount)
        if payee == "provider":
            accumulate([m.providers.revenue], payee_idx, amount)
        self.flows[(purpose, payer, payee)] += total
        self.paid[payer] += total
        self.received[payee] += total

    def save(self, purpose: str, amount: float) -> None:
        """Money not spent thanks to a mechanism (discounts, economies of scale)."""
        self.savings[purpose] += float(amount)

    def add_hours(self, source: str, teacher_hours: np.ndarray | float) -> None:
        self.hours[source] += float(np.add.reduce(teacher_hours, axis=None))


def accumulate(targets: list[np.ndarray], idx: np.ndarray, values: np.ndarray) -> None:
    """Add ``values`` at ``idx`` (repeats allowed) into each target array: a full
    bincount when many rows are touched, ``np.add.at`` when few (a broker's handful)."""
    n = targets[0].shape[0]
    if idx.shape[0] * 8 >= n:
        summed = np.bincount(idx, values, minlength=n)
        for t in targets:
            t += summed
    else:
        for t in targets:
            np.add.at(t, idx, values)
