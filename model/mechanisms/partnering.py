"""Phase 3, voluntary partnering (M3): unclustered schools seek partners nearby.

Seekers are drawn with probability ``seek_rate`` x engagement (M1). Each ranks its
``search_neighbours`` nearest schools (precomputed with a k-d tree: no O(n^2) search)
by similarity of quality (homophily, P5), complementary strengths (seed 002) and
distance, and applies to them best first; a stronger school or cluster may refuse a
weaker applicant (seed 004). Competition within a term is resolved by a seeded random
order of seekers: earlier seekers take the places first. Acceptance is computed from
the state at the start of the phase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.membership import Membership
from clustersim.model.state import CPD_DOMAINS
from scipy.special import expit, logit

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel


def seek_partners(m: ClusterModel) -> None:
    s, p = m.s, m.p
    rng = m.streams["partnering"]
    u = rng.random(s.n)
    if not p.m3_voluntary_partnering:
        return
    seek = p.seek_rate * (1 + m.effects.seek_boost) * s.engagement
    seekers = np.flatnonzero((s.cluster < 0) & (u < seek))
    if len(seekers) == 0:
        return
    order = rng.permutation(seekers)
    nbr, nbr_d = m.nearest_neighbours(min(p.search_neighbours, m.nbr.shape[1]))
    nb, dist = nbr.take(order, axis=0), nbr_d.take(order, axis=0)
    eff = s.effectiveness
    ei, ej = eff[order][:, None], eff[nb]
    comp = complementarity(s.expertise, order, nb)
    score = (-p.homophily_weight * np.abs(ei - ej) + p.complementarity_weight * comp
             - p.distance_weight * dist + rng.gumbel(size=nb.shape))
    score[(dist > p.max_partner_km) | (nb < 0)] = -np.inf

    # The target of an application is the candidate's cluster if it has one.
    cl = s.cluster[nb]
    cluster_eff, cluster_eng = m.cluster_means(eff), m.cluster_means(s.engagement)
    t_eff = np.where(cl >= 0, cluster_eff[np.maximum(cl, 0)], ej)
    t_eng = np.where(cl >= 0, cluster_eng[np.maximum(cl, 0)], s.engagement[nb])
    refusal = p.refusal_strength * np.maximum(0.0, t_eff - ei)
    accept = rng.random(nb.shape) < expit(logit(np.clip(t_eng, 1e-6, 1 - 1e-6)) - refusal)
    ranked = np.argsort(-score, axis=1, kind="stable")
    take = np.take_along_axis
    ok_r = take(accept & np.isfinite(score), ranked, 1)
    # each seeker's willing candidates, best-ranked first (row by row); seekers with none
    # make no application
    willing = take(nb, ranked, 1)[ok_r].tolist()
    counts = np.count_nonzero(ok_r, axis=1)
    ends = counts.cumsum().tolist()
    applying = (counts > 0).tolist()
    view = Membership(m, "voluntary")
    apply_in_turn(view, order.tolist(), applying, willing, ends)
    view.commit()


def complementarity(expertise: np.ndarray, seekers: np.ndarray, nb: np.ndarray) -> np.ndarray:
    """Complementary strengths (seed 002): per seeker and candidate, the mean over the
    CPD domains of how far the candidate's expertise exceeds the seeker's (0 where it
    does not).

    Domain by domain on (seekers, candidates) arrays rather than on a (seekers,
    candidates, domains) block: the same values, as ``mean(axis=2)`` over 5 domains
    adds them one after another and divides by 5 (tests/test_speed_exact.py), without
    copying the region's CPD columns and reducing along a short axis (~10x faster)."""
    total = None
    for d in CPD_DOMAINS:
        col = expertise[:, d]
        diff = np.maximum(0.0, col[nb] - col[seekers][:, None])
        if total is None:
            total = diff
        else:
            total += diff
    return total / len(CPD_DOMAINS)


def apply_in_turn(view: Membership, seekers: list[int], applying: list[bool],
                  willing: list[int], ends: list[int]) -> None:
    """Each seeker in turn (a school's application, M3): join the cluster of its
    best-ranked willing candidate that has room, or found a cluster with a willing
    candidate not in one; a seeker already placed by an earlier one's move stops.
    ``willing[ends[k-1]:ends[k]]`` are the k-th seeker's candidates, best first."""
    cluster_of, size, max_size = view.cluster, view.size, view.max_size
    start = 0
    for i, any_willing, end in zip(seekers, applying, ends, strict=True):
        if not any_willing or cluster_of[i] >= 0:
            start = end
            continue
        for j in willing[start:end]:
            cj = cluster_of[j]
            if cj < 0:
                view.found([i, j])
                break
            if size[cj] < max_size:
                view.join(i, cj)
                break
        start = end
