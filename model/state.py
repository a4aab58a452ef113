"""Hot numeric state of schools and clusters, in numpy arrays indexed by agent.

Mesa agents (agents/) carry identity and per-agent decisions; the term's updates read
and write these arrays in one vectorised pass (measured: ~40x faster than stepping
20,000 agent objects).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.groups import rowdot
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.region import SECONDARY_EFFECT_SHIFT, Region
from clustersim.model.schema import (  # noqa: F401 (the codes, re-exported: model.schema)
    BROKERED,
    BUSINESS,
    CPD_DOMAINS,
    DOMAINS,
    EFFECTIVENESS_WEIGHTS,
    ENGLISH,
    FOUNDED,
    GOOD,
    GRADES,
    INADEQUATE,
    LEADERSHIP,
    MATHS,
    OUTSTANDING,
    RI,
    SCIENCE,
    SEND,
    SUBJECT_WEIGHTS,
    SUBJECTS,
    TEACHING,
    VOLUNTARY,
    Founded,
    Grade,
    flat,
)

if TYPE_CHECKING:
    from clustersim.model.param_values import Params

REFERENCE_TEACHERS = 14.0  # a mean-sized primary (evidence A1: ~275 pupils at 20 a teacher)


@dataclass
class SchoolState:
    """Per-school arrays. Static attributes come from the `Region`."""

    region: Region
    expertise: np.ndarray            # (n, 6) SD units
    anchor: np.ndarray               # (n, 6) level expertise relaxes to: base + lasting CPD
    base: np.ndarray                 # (n, 6) level of the staff the school recruits (M14)
    school_effect: np.ndarray        # (n,) the head's and culture's part of base (SD)
    cluster: np.ndarray              # int, -1 = not in a cluster
    grade: np.ndarray                # int8, OUTSTANDING..INADEQUATE
    next_inspection: np.ndarray      # term of the next inspection
    revealed_until: np.ndarray       # needs in view (M2) up to this term (limits.in_window)
    engagement: np.ndarray           # probability-like propensity to collaborate, 0-1
    cohort: np.ndarray               # (n,) latent cohort effect this year (probit)
    attainment: np.ndarray           # (n, 4) % at expected standard, SUBJECTS order
    rwm_last_year: np.ndarray
    teachers: np.ndarray
    budget_term: np.ndarray          # £ per term
    cpd_budget_term: np.ndarray      # £ per term set aside for external CPD
    weak: np.ndarray                 # bool, fixed at the start
    # per-term scratch and running totals
    focus: np.ndarray = field(default=None)          # domain in focus this term, -1 none
    need: np.ndarray = field(default=None)           # identified need at focus (SD)
    funded_hours: np.ndarray = field(default=None)   # broker-funded hours per teacher this term
    funded_oneoff: np.ndarray = field(default=None)  # ... of which one-off events (M10)
    gain: np.ndarray = field(default=None)           # SD gained this term (all sources)
    peer_gain: np.ndarray = field(default=None)      # SD gained from cluster partners this term
    hours_given: np.ndarray = field(default=None)    # peer CPD hours per teacher run for others
    hours_received: np.ndarray = field(default=None)
    budget_exhausted: np.ndarray = field(default=None)
    trust: np.ndarray = field(default=None)          # trust index, -1 none (changes: chains)
    governance: np.ndarray = field(default=None)     # changes when a trust takes a school over
    lead_school: np.ndarray = field(default=None)    # designated centre of excellence (M11)
    credits: np.ndarray = field(default=None)        # CPD-bank balance, teacher-hours (M6)
    goodwill: np.ndarray = field(default=None)       # peer CPD given less received with the
    goodwill_cluster: np.ndarray = field(default=None)  # partners of this cluster (M5, no bank)
    oneoff: np.ndarray = field(default=None)         # (n, 6) fast-decaying part (M10)
    q_sustained: np.ndarray = field(default=None)    # quality-weighted sustained hours/teacher
    q_oneoff: np.ndarray = field(default=None)       # quality-weighted one-off hours/teacher
    peer_q: np.ndarray = field(default=None)         # the part of q_sustained from partners
    gain_oneoff: np.ndarray = field(default=None)    # the part of gain from one-off events
    cpd_money: np.ndarray = field(default=None)      # £ available for market CPD this term
    extra_money: np.ndarray = field(default=None)    # savings and grants for CPD this term
    spent_term: np.ndarray = field(default=None)     # £ the school paid this term
    allowance_term: np.ndarray = field(default=None) # £ it could spend this term
    monitored: np.ndarray = field(default=None)      # under a broker's monitoring system
    cpd_hours_total: np.ndarray = field(default=None)
    cost_total: np.ndarray = field(default=None)     # £ spent on or for the school
    terms_clustered: np.ndarray = field(default=None)
    clusters_joined: np.ndarray = field(default=None)
    terms_below_floor: np.ndarray = field(default=None)
    head_changes: np.ndarray = field(default=None)   # new heads since the start (M14)
    floor_spell: np.ndarray = field(default=None)    # terms below the floor so far, this spell
    floor_spells: np.ndarray = field(default=None)   # spells below the floor in the run
    longest_floor_spell: np.ndarray = field(default=None)  # terms, the run's longest spell
    last_inspected: np.ndarray = field(default=None)  # term of the latest inspection
    response_until: np.ndarray = field(default=None)  # its response to a poor grade (M13)

    def __post_init__(self) -> None:
        n = self.n
        zeros = lambda dtype=float: np.zeros(n, dtype)  # noqa: E731
        self.focus = np.full(n, -1, np.int8)
        self.need = zeros()
        self.funded_hours = zeros()
        self.funded_oneoff = zeros()
        self.gain = zeros()
        self.peer_gain = zeros()
        self.hours_given = zeros()
        self.hours_received = zeros()
        self.budget_exhausted = zeros(bool)
        self.monitored = zeros(bool)
        self.cpd_hours_total = zeros()
        self.cost_total = zeros()
        self.terms_clustered = zeros(np.int32)
        self.clusters_joined = zeros(np.int32)
        self.terms_below_floor = zeros(np.int32)
        self.head_changes = zeros(np.int32)
        self.floor_spell = zeros(np.int32)
        self.floor_spells = zeros(np.int32)
        self.longest_floor_spell = zeros(np.int32)
        self.last_inspected = zeros(np.int32)
        self.response_until = np.full(n, np.iinfo(np.int32).min, np.int32)  # none (burn-in
        # terms are negative)
        self.trust = self.region.trust.copy()
        self.governance = self.region.governance.copy()
        self.lead_school = zeros(bool)
        self.credits = zeros()
        self.goodwill = zeros()
        self.goodwill_cluster = np.full(n, -1, np.int32)
        self.oneoff = np.zeros((n, len(DOMAINS)))
        for name in ("q_sustained", "q_oneoff", "peer_q", "gain_oneoff", "cpd_money", "extra_money",
                     "spent_term", "allowance_term"):
            setattr(self, name, zeros())

    @property
    def n(self) -> int:
        return self.region.n

    # Convenient views used by agents, metrics and the web page.
    @property
    def x(self) -> np.ndarray:
        return self.region.x

    @property
    def y(self) -> np.ndarray:
        return self.region.y

    @property
    def la(self) -> np.ndarray:
        return self.region.la

    @property
    def effectiveness(self) -> np.ndarray:
        """Overall school effect (SD): teaching domains and leadership (assumption: 4:1)."""
        return self.effectiveness_of(slice(None))

    def effectiveness_of(self, idx) -> np.ndarray:
        """Effectiveness of some schools only (cheap for small subsets)."""
        return rowdot(self.expertise[idx], EFFECTIVENESS_WEIGHTS)  # business weighs 0

    @property
    def rwm(self) -> np.ndarray:
        return self._attainment[:, 0]  # worked out each term (not the other subjects)

    def attainment_later(self, fill, args: tuple) -> None:
        """The other subjects of this term's attainment are worked out when first read:
        ``fill(attainment, *args)`` (`attainment.update_attainment`)."""
        self._attainment_later = (fill, args)


def _read_attainment(s: SchoolState) -> np.ndarray:
    later = s.__dict__.pop("_attainment_later", None)
    if later is not None:
        fill, args = later
        fill(s._attainment, *args)
    return s._attainment


def _write_attainment(s: SchoolState, table: np.ndarray) -> None:
    s.__dict__.pop("_attainment_later", None)
    s._attainment = table


# (n, 4) % at expected standard, SUBJECTS order: a dataclass field read and written
# through a property, so that subjects other than RWM may be filled in when first read
SchoolState.attainment = property(_read_attainment, _write_attainment)


def initial_state(region: Region, p: Params, rng: np.random.Generator) -> SchoolState:
    """Effectiveness by deprivation (evidence B5 gradient), expertise profiles around it.

    A school's expertise is the level of the staff it recruits (``base``: its region,
    disadvantage and phase, plus ``school_effect``, the part its head and culture add)
    and a transient part from staff changes, drawn from its stationary spread so that
    the status quo starts in its steady state (M14; docs/evidence.md P11).
    """
    n = region.n
    regional = rng.normal(0.0, p.regional_effect_sd, region.la_region.max() + 1)
    if len(regional) == 1:
        regional[:] = 0.0  # a single region is the reference
    predicted = (regional[region.la_region[region.la]]
                 - p.deprivation_slope * (region.fsm - 0.24)
                 + np.where(region.phase == 1, SECONDARY_EFFECT_SHIFT, 0.0))
    school_effect = settled_school_effects(p, predicted, region.fsm, rng)
    teachers = np.maximum(1.0, region.pupils / p.pupils_per_teacher)
    if region.grade is not None or region.rwm is not None:  # a real region (model/gias.py)
        school_effect = known_school_effects(p, predicted, school_effect, teachers, region,
                                             rng)
    base = (predicted + school_effect)[:, None] + rng.normal(0.0, 0.1, (n, len(DOMAINS)))
    base[:, BUSINESS] = rng.normal(0.0, 0.2, n)  # business management: unrelated to teaching
    expertise = base + transient_spread(p, teachers, region.fsm)[:, None] * rng.normal(
        0.0, 1.0, (n, len(DOMAINS)))
    budget = p.funding_per_pupil * region.pupils / TERMS_PER_YEAR
    return SchoolState(
        region=region, expertise=expertise, anchor=base.copy(), base=base,
        school_effect=school_effect,
        cluster=np.full(n, -1, np.int32), grade=np.zeros(n, np.int8),
        next_inspection=np.zeros(n, np.int32),
        revealed_until=np.full(n, np.iinfo(np.int32).min, np.int32),  # none (burn-in terms
        # are negative: a zero would reveal every school's needs before term 0)
        engagement=np.full(n, p.engagement_base), cohort=np.zeros(n),
        attainment=np.zeros((n, len(SUBJECTS))), rwm_last_year=np.full(n, np.nan),
        teachers=teachers, budget_term=budget, cpd_budget_term=budget * p.cpd_budget_share,
        weak=np.zeros(n, bool),
    )


def known_school_effects(p: Params, predicted: np.ndarray, drawn: np.ndarray,
                         teachers: np.ndarray, region: Region,
                         rng: np.random.Generator) -> np.ndarray:
    """A loaded region's schools start where the register says they are: each school's
    effect is drawn given its published grade and KS2 results (``model.gias``); schools
    with neither keep their drawn effect."""
    from clustersim.model.gias import condition_on_known

    known = np.zeros(region.n, bool)
    if region.grade is not None:
        known |= region.grade >= 0
    if region.rwm is not None:
        known |= ~np.isnan(region.rwm)
    sd = np.sqrt(p.effectiveness_sd ** 2 + transient_spread(p, teachers, region.fsm) ** 2)
    level = condition_on_known(predicted, sd, region, p, rng)
    return np.where(known, level - predicted, drawn)


def settled_school_effects(p: Params, predicted: np.ndarray, fsm: np.ndarray,
                           rng: np.random.Generator, years: int = 30) -> np.ndarray:
    """School effects as decades of head turnover leave them (M14): new heads come more
    often to disadvantaged schools and to schools graded below good, so the effects of
    today's heads are not a plain normal draw. Simulated yearly with the same rule as
    ``model.mechanisms.learning.change_heads`` (a judged grade stands in for the
    inspection), so the run starts where its own turnover keeps it."""
    from clustersim.model.mechanisms.learning import head_turnover_rate

    u = rng.normal(0.0, p.effectiveness_sd, len(predicted))
    if not p.m14_turnover:
        return u
    rho = p.head_effect_persistence
    for _ in range(years):
        judged = predicted + u + p.inspection_noise_sd * rng.standard_normal(len(u))
        new = rng.random(len(u)) < head_turnover_rate(p, fsm, judged < p.grade_cut_good)
        fresh = rho * u + np.sqrt(1.0 - rho * rho) * p.effectiveness_sd * rng.standard_normal(
            len(u))
        u = np.where(new, fresh, u)
    return u


def shock_sd(p: Params, teachers: np.ndarray) -> np.ndarray:
    """Per-term SD of a school's staff-change shocks: a replaced teacher moves a school's
    mean by 1/teachers of the difference, so small schools swing more (M14)."""
    return p.expertise_shock_sd * np.sqrt(REFERENCE_TEACHERS / teachers)


def transient_spread(p: Params, teachers: np.ndarray, fsm: np.ndarray) -> np.ndarray:
    """Stationary SD of expertise around its anchor: AR(1) shocks relaxing at the
    school's turnover and skill-fade rate (``model.mechanisms.learning.decay_rate``)."""
    from clustersim.model.mechanisms.learning import relax_rate

    if not p.m14_turnover:
        return np.zeros(len(teachers))
    r = relax_rate(p, fsm)
    return shock_sd(p, teachers) / np.sqrt(np.maximum(1e-9, 1.0 - (1.0 - r) ** 2))


class ClusterState:
    """Per-cluster arrays indexed by cluster id; grown by doubling as clusters form.

    Slots of dissolved clusters stay (alive=False), so ids are never reused.
    """

    FIELDS = (("cohesion", float), ("alive", bool), ("founded", np.int8),
              ("born", np.int32), ("size", np.int32),
              ("fund", float),            # CPD-bank common fund, credits (M6)
              ("sbm", bool),              # has a shared business manager (M8)
              ("sbm_saves", bool),        # ... who finds procurement savings
              ("specialist", np.int8),    # domain of its shared specialist, -1 none (M9)
              ("federated", bool))        # a federation (M12)

    def __init__(self, capacity: int = 64):
        self.count = 0
        for name, dtype in self.FIELDS:
            setattr(self, name, np.zeros(capacity, dtype))

    def add(self, cohesion: float, founded: int, term: int, count: int = 1) -> int:
        """Open ``count`` new empty clusters; return the first one's id."""
        first = self.count
        self.count += count
        if self.count > len(self.alive):
            grow = max(self.count, 2 * len(self.alive)) - len(self.alive)
            for name, _ in self.FIELDS:
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.zeros(grow, old.dtype)]))
        new = slice(first, self.count)
        self.cohesion[new], self.alive[new] = cohesion, True
        self.founded[new], self.born[new], self.size[new] = founded, term, 0
        self.fund[new], self.sbm[new], self.sbm_saves[new] = 0.0, False, False
        self.specialist[new], self.federated[new] = -1, False
        return first

    def active(self) -> np.ndarray:
        return np.flatnonzero(self.alive[: self.count])



# ------------------------------------------------------------------ owners of the state
# Every array of SchoolState and ClusterState has one owner (as Starsim's modules declare
# their states): the module that says what it means and sets or clears it each term.
# Others may only add to it during the term (a grant into ``extra_money``, a payment
# into ``spent_term``), never redefine it. A module declares what it owns as ``STATE``
# (school arrays) and ``CLUSTER_STATE`` (cluster arrays); every module now declares its
# own, and the tables below (for a module that cannot: keys are modules under
# ``clustersim.model``) are empty. tests/test_state_owners.py checks every array has
# exactly one owner.
STATE = ("region", "teachers", "budget_term", "cpd_budget_term", "weak")  # fixed at the start
STATE_OWNERS: dict[str, tuple[str, ...]] = {}  # modules that do not declare their own
CLUSTER_STATE_OWNERS: dict[str, tuple[str, ...]] = {}  # modules that do not declare their own


@dataclass
class PolicyEffects:
    """What policies switch on or leave for the mechanisms and the term loop to read,
    declared in one place (issue 20 item 3) instead of loose attributes on the model:
    each field says who sets it and who reads it."""

    bank_active: bool = False   # set by the cpd_bank policy (M6); read by cpd, cohesion
    bank_services: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # ^ clusters whose common fund buys services this term: set by mechanisms.bank, read
    #   by mechanisms.needs
    bank_issued: float = 0.0    # credits a public grant put into common funds (M6)
    negotiated: bool = False    # set by the superintendent policy (M7); read by commissioning
    seek_boost: float = 0.0     # set by the incentives policy (M3); read by partnering
    takeovers: int = 0          # schools taken over by trusts (academy_chains)
    conversions: int = 0        # small schools that converted into a trust (academy_chains)
    funding_due: list = field(default_factory=list)
    # ^ (broker kind, schools, £) funded this term: added by fund_cpd, booked and cleared
    #   at the end of the policy phase
