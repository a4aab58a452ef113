"""Phase 9, cohesion (M4): "cluster development is akin to marriage" (seed 000).

Cohesion rises with the benefit members drew from each other this term and falls with
imbalance of give and take, mismatched expectations (spread of engagement) and scarce
resources (members whose CPD budget ran out); a cluster dissolves below a threshold or
when it has too few members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

# the cluster-state arrays this module owns
CLUSTER_STATE = ("cohesion",)


def update_cohesion(m: ClusterModel) -> None:
    s, p, c = m.s, m.p, m.c
    noise = m.streams["cohesion"].normal(0, 1, c.count)
    if c.count == 0:
        return
    if p.m4_cohesion:
        members, cid = m.clustered()
        size = np.maximum(1, c.size[: c.count])

        def total(values):
            return np.bincount(cid, values[members], minlength=c.count)

        benefit = total(s.peer_gain) / size
        traded = total(s.hours_given) + total(s.hours_received)
        imbalance = np.divide(total(np.abs(s.hours_given - s.hours_received)), traded,
                              out=np.zeros(c.count), where=traded > 0)
        if m.effects.bank_active:  # M6: credits repay donors; only the levy goes unreturned
            imbalance *= p.bank_levy
        mean_e = total(s.engagement) / size
        mismatch = np.sqrt(np.maximum(0.0, total(s.engagement**2) / size - mean_e**2))
        scarcity = total(s.budget_exhausted.astype(float)) / size
        delta = (p.cohesion_benefit_gain * benefit - p.cohesion_imbalance_loss * imbalance
                 - p.cohesion_mismatch_loss * mismatch - p.cohesion_scarcity_loss * scarcity
                 + p.cohesion_drift + p.cohesion_noise_sd * noise)
        alive = c.alive[: c.count]
        c.cohesion[: c.count][alive] = np.clip(c.cohesion[: c.count][alive] + delta[alive], 0, 1)
        if p.m12_federation:  # M12: a federation's commitment holds its cohesion up
            fed = alive & c.federated[: c.count]
            c.cohesion[: c.count][fed] = np.maximum(c.cohesion[: c.count][fed],
                                                    p.federation_cohesion_floor)
        broken = alive & (c.cohesion[: c.count] < p.dissolve_threshold)
    else:
        broken = np.zeros(c.count, bool)
    broken |= c.alive[: c.count] & (c.size[: c.count] < p.cluster_min_size)
    m.dissolve_clusters(np.flatnonzero(broken))
