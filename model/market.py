"""The provider market: who sells CPD and services, where, at what price and quality.

The eight kinds are seed 000's list (universities, ITT providers, teaching schools/hubs,
private CPD firms, ICT suppliers, business-services firms, charities, children's-trust
agencies); format (one-off event vs sustained programme) follows seed 001. Prices,
qualities and capacities are assumptions scaled by ``provider_price_scale`` and
``provider_capacity_scale``; every preset gets a market in proportion to its schools.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from clustersim.model.region import nearest
from clustersim.model.state import BUSINESS, ENGLISH, LEADERSHIP, MATHS, SCIENCE, SEND

TEACHING_AND_LEAD = (MATHS, ENGLISH, SCIENCE, SEND, LEADERSHIP)


@dataclass(frozen=True)
class Kind:
    name: str
    schools_per_provider: int   # one provider per this many schools (at least one)
    per_la: bool                # one per local authority instead
    domains: tuple[int, ...]
    sustained: bool             # seed 001: sustained programme vs one-off event
    price: float                # £ per teacher-hour
    quality: float              # 0-1: effect relative to high-quality sustained CPD
    capacity: float             # teacher-hours per term


# Assumptions unless stated: a university sells Masters-level sustained programmes
# (seed 000) dearer and better; private firms sell cheaper one-day events (seed 001).
# Capacities (teacher-hours a term) are set so that supply roughly meets what schools'
# CPD budgets can buy (evidence C2: ~£517 per teacher a year); ICT and business-services
# firms sell common services, not CPD (capacity 0 for CPD).
KINDS: tuple[Kind, ...] = (
    Kind("university", 1500, False, TEACHING_AND_LEAD, True, 55.0, 0.85, 8000.0),
    Kind("itt_provider", 800, False, (MATHS, ENGLISH, SCIENCE), True, 45.0, 0.7, 4000.0),
    Kind("teaching_school_hub", 0, False, TEACHING_AND_LEAD, True, 20.0, 0.9, 2000.0),
    Kind("private_cpd_firm", 120, False, TEACHING_AND_LEAD, False, 35.0, 0.6, 6000.0),
    Kind("ict_supplier", 300, False, (BUSINESS,), False, 50.0, 0.5, 0.0),
    Kind("business_services_firm", 300, False, (BUSINESS,), True, 45.0, 0.5, 0.0),
    Kind("charity", 400, False, (SEND, ENGLISH), True, 25.0, 0.6, 2000.0),
    Kind("childrens_trust_agency", 0, True, (SEND,), True, 10.0, 0.6, 1500.0),
)
KIND_NAMES = tuple(k.name for k in KINDS)
HUB = KIND_NAMES.index("teaching_school_hub")
SERVICE_KINDS = (KIND_NAMES.index("ict_supplier"), KIND_NAMES.index("business_services_firm"))


class ProviderState:
    """Arrays indexed by provider; hubs are appended by the teaching_school_hubs policy."""

    def __init__(self) -> None:
        self.kind = np.zeros(0, np.int8)
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.domains = np.zeros((0, 6), bool)
        self.sustained = np.zeros(0, bool)
        self.price = np.zeros(0)
        self.quality = np.zeros(0)
        self.capacity = np.zeros(0)
        self.lead_school = np.zeros(0, np.int64)  # designated lead school (M11), -1 none
        self.revenue = np.zeros(0)                # £ received, cumulative
        self.hours_sold = np.zeros(0)             # teacher-hours delivered, cumulative

    @property
    def n(self) -> int:
        return len(self.kind)

    def kind_name(self, j: int) -> str:
        return KIND_NAMES[self.kind[j]]

    def add(self, kind: int, x, y, price_scale: float, capacity_scale: float,
            lead_school=None, quality=None, capacity=None, price=None) -> np.ndarray:
        """Append providers of one kind at positions x, y; return their indices."""
        k = KINDS[kind]
        x, y = np.atleast_1d(x).astype(float), np.atleast_1d(y).astype(float)
        m = len(x)
        first = self.n
        dom = np.zeros((m, 6), bool)
        dom[:, list(k.domains)] = True
        new = {
            "kind": np.full(m, kind, np.int8), "x": x, "y": y,
            "sustained": np.full(m, k.sustained),
            "price": np.full(m, (k.price if price is None else price) * price_scale),
            "quality": np.full(m, k.quality) if quality is None else np.asarray(quality, float),
            "capacity": np.full(m, (k.capacity if capacity is None else capacity)
                                * capacity_scale),
            "lead_school": np.full(m, -1) if lead_school is None else np.asarray(lead_school),
            "revenue": np.zeros(m), "hours_sold": np.zeros(m)}
        for name, values in new.items():  # (np.concatenate: np.r_ costs ~15 us a call)
            setattr(self, name, np.concatenate([getattr(self, name), values]))
        self.domains = np.vstack([self.domains, dom])
        return np.arange(first, self.n)


def default_market(region, p, rng: np.random.Generator) -> ProviderState:
    """Providers for a region: counts in proportion to schools, placed at schools' sites
    (where people are) drawn at random from the region's schools."""
    ps = ProviderState()
    n = region.n
    for kind, k in enumerate(KINDS):
        if k.schools_per_provider == 0 and not k.per_la:
            continue  # hubs are designated by their policy
        if k.per_la:
            xs, ys = region.la_centre[:, 0], region.la_centre[:, 1]
        else:
            count = max(1, round(n / k.schools_per_provider))
            at = rng.choice(n, size=count, replace=count > n)
            xs, ys = region.x[at], region.y[at]
        ps.add(kind, xs, ys, p.provider_price_scale, p.provider_capacity_scale)
    return ps


def candidate_index(ps: ProviderState, region, domains, k: int = 6):
    """Each school's ``k`` nearest providers of each CPD domain (static: built once).

    Returns (slot of each domain, candidates (slots, n, k) with -1 padding, distances).
    """
    pts = np.column_stack([region.x, region.y])
    slot = np.full(6, -1, np.int64)
    cand = np.full((len(domains), region.n, k), -1, np.int64)
    dist = np.full((len(domains), region.n, k), np.inf)
    done: dict[bytes, int] = {}  # domains served by the same providers share one search
    for j, d in enumerate(domains):
        slot[d] = j
        serving = np.flatnonzero(ps.domains[:, d] & (ps.capacity > 0))
        if len(serving) == 0:
            continue
        key = serving.tobytes()
        if key in done:
            cand[j], dist[j] = cand[done[key]], dist[done[key]]
            continue
        done[key] = j
        kk = min(k, len(serving))
        dd, ii = nearest(np.column_stack([ps.x[serving], ps.y[serving]]), pts, k=kk)
        dd, ii = dd.reshape(region.n, kk), ii.reshape(region.n, kk)
        cand[j, :, :kk] = serving[ii]
        dist[j, :, :kk] = dd
    return slot, cand, dist


def nearest_of_kind(ps: ProviderState, region, kind: int) -> np.ndarray:
    """Index of the nearest provider of ``kind`` for each school."""
    which = np.flatnonzero(ps.kind == kind)
    _, ii = nearest(np.column_stack([ps.x[which], ps.y[which]]),
                    np.column_stack([region.x, region.y]), k=1)
    return which[ii]
