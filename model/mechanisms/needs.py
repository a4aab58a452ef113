"""Phase 1, needs: engagement (M1 hard to reach) and need identification (M2, M15)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.groups import argmax_slabs
from clustersim.model.limits import in_window
from clustersim.model.state import CPD_DOMAINS
from scipy.special import expit, logit

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

CPD_COLUMNS = slice(0, len(CPD_DOMAINS))  # a view, not a copy: the CPD domains come first
assert tuple(range(len(CPD_DOMAINS))) == CPD_DOMAINS

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("engagement", "focus", "need")


def update_engagement(m: ClusterModel, eff: np.ndarray | None = None) -> None:
    """M1: engagement falls with weakness, isolation and rurality (seed 000). ``eff``: the
    schools' effectiveness, if already worked out this term."""
    s, p = m.s, m.p
    e = np.full(s.n, p.engagement_base)
    if p.m1_hard_to_reach:
        eff = s.effectiveness if eff is None else eff
        below = np.maximum(0.0, (m.eff_mean0 - eff) / m.eff_sd0)
        e *= np.clip(1.0 - p.engagement_weakness_penalty * below, 0.05, 1.0)
        e *= np.where(s.cluster < 0, 1.0 - p.engagement_isolation_penalty, 1.0)
        e *= np.where(s.region.rural, 1.0 - p.engagement_rural_penalty, 1.0)
    s.engagement = e


def shared_data(m: ClusterModel) -> np.ndarray:
    """M15: schools whose needs and support are informed by shared data this term."""
    s, p = m.s, m.p
    if not p.m15_shared_data:
        return np.zeros(s.n, bool)
    members, cid = m.clustered()
    cohesive = np.zeros(s.n, bool)
    services = m.effects.bank_services[cid] if len(m.effects.bank_services) >= m.c.count else False
    cohesive[members] = (m.c.cohesion[cid] >= p.data_cohesion_min) | services
    return cohesive | s.monitored


def identify_needs(m: ClusterModel, eff: np.ndarray | None = None) -> None:
    """M2: a school acts on its largest shortfall only once it has spotted it (seed 001).

    The need in a domain is the shortfall of expertise below ``need_benchmark``. A school
    spots it by self-evaluation (probability rising with effectiveness), or because a poor
    inspection or a results drop revealed it; shared data (M15) reveals part of what
    self-evaluation misses. With M2 off every need is known. ``eff``: the schools'
    effectiveness, if already worked out this term.
    """
    s, p = m.s, m.p
    u, = m.fixed_draws(m.streams["needs"], lambda rng: (rng.random(s.n),))
    k, need = largest_gap(p.need_benchmark, s.expertise)
    if p.m2_hidden_needs:
        z = ((s.effectiveness if eff is None else eff) - m.eff_mean0) / m.eff_sd0
        prob = expit(logit(np.clip(p.selfeval_mean, 1e-6, 1 - 1e-6))
                     + p.selfeval_effectiveness_slope * z)
        data = shared_data(m)
        prob = np.where(data, 1.0 - (1.0 - prob) * (1.0 - p.data_detection_boost), prob)
        spotted = (u < prob) | in_window(s.revealed_until, m.term)
    else:
        spotted = np.ones(s.n, bool)
    has = (need > 0) & spotted
    focus = k.astype(np.int8)  # the CPD domains are columns 0, 1, ... (asserted above)
    focus[~has] = -1
    s.focus = focus
    s.need = np.where(has, need, 0.0)


def largest_gap(benchmark: float, expertise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per school, the CPD domain with the largest shortfall ``benchmark - expertise``
    (the first such domain on a tie) and that shortfall: ``argmax`` over the (n, 5)
    shortfalls and the value there, taken domain by domain (`groups.argmax_slabs`)."""
    cols = expertise[:, CPD_COLUMNS].T
    gaps = np.empty(cols.shape)  # one contiguous row per domain: fast whole-row passes
    np.subtract(benchmark, cols, out=gaps)
    return argmax_slabs(gaps, with_max=True)
