"""Phase 6, learning: CPD gains land; staff and heads come and go (M10, M14).

A school's expertise per domain has three layers (docs/ODD.md, "school dynamics"):

- ``base``: the level of the staff it recruits: its region, disadvantage and phase, plus
  ``school_effect``, what its head and culture add. A new head (M14) redraws part of the
  school effect; the rest of the time the base is fixed.
- ``anchor``: base plus lasting CPD gains (M10). Trained teachers leave at the school's
  staff turnover rate and are replaced by recruits at the base level, so the lasting
  stock decays towards the base at that rate.
- ``expertise``: relaxes towards the anchor at the turnover plus skill-fade rate, and is
  moved by staff-change shocks (larger in small schools) and by this term's CPD gains.

Nothing drifts: under the status quo the school effect keeps its spread (a new head's
effect is drawn from the same distribution), so grade shares hold over time (P11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.schema import BUSINESS, RI, flat

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

FSM_CENTRE = 0.24  # national FSM share: turnover gradients are centred on it
MAX_YEARLY_LOSS = 0.95  # turnover and fade never take a whole school's staff in a year
# a staff-change shock's split between the whole school and each domain: its variance is
# shock_sd^2 x (SHOCK_COMMON^2 + SHOCK_DOMAIN^2) = shock_sd^2 (0.64 shared, 0.36 own)
SHOCK_COMMON, SHOCK_DOMAIN = 0.8, 0.6

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("expertise", "anchor", "base", "school_effect", "oneoff", "head_changes")


def yearly_staff_turnover(p, fsm: np.ndarray) -> np.ndarray:
    """Teachers leaving per year: ``turnover_rate`` at the national FSM share, rising
    with disadvantage (M14: faster in disadvantaged schools)."""
    return np.clip(p.turnover_rate * (1 + p.turnover_fsm_multiplier * (fsm - FSM_CENTRE)),
                   0.0, MAX_YEARLY_LOSS)


def per_term(yearly: np.ndarray) -> np.ndarray:
    return 1.0 - (1.0 - yearly) ** (1.0 / TERMS_PER_YEAR)


def relax_rate(p, fsm: np.ndarray) -> np.ndarray:
    """Per-term rate at which expertise relaxes to its anchor: staff turnover plus skill
    fade (evidence C6; P6 for the fade)."""
    return per_term(np.clip(p.skill_fade_year + yearly_staff_turnover(p, fsm), 0.0,
                            MAX_YEARLY_LOSS))


def decay_rate(m: ClusterModel) -> np.ndarray:
    """The model's per-school relax rate (fixed for a run)."""
    return relax_rate(m.p, m.s.region.fsm)


def learn(m: ClusterModel) -> None:
    """Apply this term's CPD gains to each school's focus domain.

    M10 (seed 001): part of a sustained programme's gain becomes lasting (it raises the
    school's anchor); one-off events' gains are tracked so that they fade fast. With M10
    off every hour counts alike: all of a gain is treated as sustained.
    """
    s, p = m.s, m.p
    i = np.flatnonzero(s.focus >= 0)
    cell = i * s.expertise.shape[1] + s.focus[i]  # (school, focus) in the flattened tables
    gain = s.gain[i]
    flat(s.expertise)[cell] += gain
    oneoff = s.gain_oneoff[i] if p.m10_cpd_format else 0.0
    flat(s.anchor)[cell] += (gain - oneoff) * p.sustained_lasting
    if p.m10_cpd_format:
        flat(s.oneoff)[cell] += oneoff


def turnover(m: ClusterModel) -> None:
    """M14: staff leave and arrive, heads change; expertise relaxes to its anchor."""
    s, p = m.s, m.p
    common, specific = m.fixed_draws(m.streams["turnover"], lambda rng: (  # (read-only)
        rng.standard_normal(s.n, dtype=np.float32),
        rng.standard_normal(s.expertise.shape, dtype=np.float32)))
    if p.m10_cpd_format:
        fade = s.oneoff * p.oneoff_decay
        s.expertise -= fade
        s.oneoff -= fade
    if not p.m14_turnover:
        return
    if m.term % TERMS_PER_YEAR == 1:  # heads move at the start of the school year
        change_heads(m)
    rate = m.turnover_rates  # wide_rates, made with the build
    # the same element-wise operations as ``anchor += staff_turnover[:, None] * (base -
    # anchor)`` and so on, on one reused (n, 6) temporary and with the per-school rates
    # spread over the domains once a run: numpy's inner loops broadcasting an (n, 1)
    # column run 6 elements at a time, several times slower than full-width arrays
    t = np.subtract(s.base, s.anchor)
    t *= rate["staff"]
    s.anchor += t                                      # trained staff leave
    np.subtract(s.anchor, s.expertise, out=t)
    t *= rate["decay"]
    s.expertise += t
    s.oneoff *= rate["keep"]                           # 1 - decay
    # float32, as drawn (the product worked out in float64 and rounded, as ``*=``)
    specific = np.multiply(specific, rate["domain_sd"], out=np.empty_like(specific))
    specific += (SHOCK_COMMON * m.shock_sd * common)[:, None]
    s.expertise += specific


def wide_rates(m: ClusterModel) -> dict[str, np.ndarray]:
    """The model's per-school turnover rates (fixed for a run: ``m.staff_turnover``,
    ``m.decay``, ``m.shock_sd``) spread to one value per school and domain, for
    `turnover` (made once, with the build: ``m.turnover_rates``). Each entry holds exactly
    the values the broadcast expression gave (``1.0 - decay``, ``SHOCK_DOMAIN * sd``)."""
    domains = m.s.expertise.shape[1]

    def spread(col):
        return np.repeat(col[:, None], domains, axis=1)

    return {"staff": spread(m.staff_turnover), "decay": spread(m.decay),
            "keep": spread(1.0 - m.decay), "domain_sd": spread(SHOCK_DOMAIN * m.shock_sd)}


def head_turnover_rate(p, fsm: np.ndarray, poor: np.ndarray) -> np.ndarray:
    """Chance of a new head this year: more in disadvantaged schools and after a grade
    below good (docs/evidence.md C13, C14; the poor-grade rise is an assumption)."""
    return np.clip(p.head_turnover_year * (1 + p.head_turnover_fsm_multiplier
                                           * (fsm - FSM_CENTRE))
                   + p.head_turnover_poor_grade * poor, 0.0, 1.0)


def change_heads(m: ClusterModel) -> None:
    """Once a year some schools get a new head (evidence C13): more often in
    disadvantaged schools and after a poor grade. The new head keeps part of the old
    school effect (staff and culture stay) and brings the rest from the same spread, so
    the distribution of school effects does not drift. Base and anchor move with it;
    expertise follows at the relax rate (a new head takes years to turn a school)."""
    s, p = m.s, m.p
    u, z = m.fixed_draws(m.streams["leadership"], lambda rng: (rng.random(s.n),
                                                               rng.standard_normal(s.n)))
    new = np.flatnonzero(u < head_turnover_rate(p, s.region.fsm, s.grade >= RI))
    if len(new) == 0:
        return
    rho = p.head_effect_persistence
    old = s.school_effect[new]
    fresh = rho * old + np.sqrt(1.0 - rho * rho) * p.effectiveness_sd * z[new]
    shift = (fresh - old)[:, None]
    s.school_effect[new] = fresh
    teaching = np.arange(s.expertise.shape[1]) != BUSINESS
    s.base[np.ix_(new, teaching)] += shift
    s.anchor[np.ix_(new, teaching)] += shift
    s.head_changes[new] += 1
