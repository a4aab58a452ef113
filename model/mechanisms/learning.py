"""Phase 6, learning: CPD gains land; turnover and skill fade pull expertise back (M14)."""

from __future__ import annotations

import numpy as np

from model.state import flat


def decay_rate(m) -> np.ndarray:
    """Per-term rate at which expertise relaxes to its anchor (M14, EVIDENCE C turnover).

    Yearly rate = skill fade + turnover x (1 + multiplier x FSM share): faster in
    disadvantaged schools. Converted to a per-term rate.
    """
    p, fsm = m.p, m.s.region.fsm
    yearly = np.clip(p.skill_fade_year + p.turnover_rate * (1 + p.turnover_fsm_multiplier * fsm),
                     0.0, 0.95)
    return 1.0 - (1.0 - yearly) ** (1.0 / 3.0)


def learn(m) -> None:
    """Apply this term's CPD gains to each school's focus domain.

    M10 (seed 001): part of a sustained programme's gain becomes lasting (it raises the
    school's anchor); one-off events' gains are tracked so that they fade fast.
    """
    s, p = m.s, m.p
    i = np.flatnonzero(s.focus >= 0)
    cell = i * s.expertise.shape[1] + s.focus[i]  # (school, focus) in the flattened tables
    gain = s.gain[i]
    flat(s.expertise)[cell] += gain
    if p.m10_cpd_format:
        oneoff = s.gain_oneoff[i]
        flat(s.anchor)[cell] += (gain - oneoff) * p.sustained_lasting
        flat(s.oneoff)[cell] += oneoff


def turnover(m) -> None:
    """M14: expertise relaxes towards the school's anchor, plus school-level shocks."""
    s, p = m.s, m.p
    rng = m.streams["turnover"]
    common = rng.standard_normal(s.n, dtype=np.float32)
    specific = rng.standard_normal(s.expertise.shape, dtype=np.float32)
    if p.m10_cpd_format:
        fade = s.oneoff * p.oneoff_decay
        s.expertise -= fade
        s.oneoff -= fade
    if not p.m14_turnover:
        return
    s.expertise -= p.standards_drift
    s.anchor -= p.standards_drift
    decay = m.decay[:, None]
    s.expertise += decay * (s.anchor - s.expertise)
    s.oneoff *= 1.0 - decay
    specific *= 0.6 * p.expertise_shock_sd           # in place: one (n, 6) temporary less
    specific += (0.8 * p.expertise_shock_sd) * common[:, None]
    s.expertise += specific
