"""Phase 5, commissioning: services and CPD bought on the market, shared staff,
federations, and the term's learning gain.

- M7 joint commissioning (seed 000, 002): a cohesive cluster buys together with a volume
  discount and a negotiator's extra discount, pooled with its nearest neighbouring
  cluster (bartering); a lone school pays full price. Savings on common services are
  reinvested in CPD.
- M8 shared business manager and M9 shared specialist teacher (seed 002, 003).
- M12 federation (seed 002): economies of scale and converging leadership and SEND.
- Market CPD from providers (model.market): each school ranks its nearest providers of
  its focus domain by quality per pound (travel included; M10 format; M11 suspicion of
  lead schools) and buys in up to three rounds; a provider's capacity is shared out in
  a seeded random priority order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.groups import top_ranked
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.mechanisms.needs import shared_data
from clustersim.model.state import ENGLISH, LEADERSHIP, MATHS, SCIENCE, SEND, flat

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

MIN_PRICE = 0.01  # £ per teacher-hour: a floor so that free CPD needs no division by zero
MAX_DISCOUNT = 0.9  # volume and negotiated discounts together never make CPD (nearly) free
# how much leadership can scale what a school draws from CPD: a quarter to double
CAPACITY_RANGE = (0.25, 2.0)
ROUNDS = 4  # a school tries up to this many providers a term, best value first
SUBJECT_DOMAINS = np.array([MATHS, ENGLISH, SCIENCE])

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = (
    "funded_hours", "funded_oneoff", "gain_oneoff", "cpd_money", "extra_money",
    "allowance_term", "cpd_hours_total",
)

# the cluster-state arrays this module owns
CLUSTER_STATE = ("sbm", "sbm_saves", "specialist")


def commission(m: ClusterModel) -> None:
    s, p = m.s, m.p
    u = m.streams["commissioning"]
    draws = {"queue": u.permutation(s.n), "hire": u.random((2, m.c.count)),
             "engage": u.random(s.n)}
    discount = joint_discounts(m)
    buy_services(m, discount)
    shared_staff(m, draws["hire"])
    federation_effects(m)
    s.cpd_money = np.maximum(0.0, s.cpd_budget_term * (1 + p.allowed_deficit_share)
                             + s.extra_money)
    s.allowance_term += s.budget_term * (1 + p.allowed_deficit_share)
    effect = _effect_scale(m)  # nothing below changes leadership or shared data
    buy_market_cpd(m, discount, engaged(m, draws["queue"], draws["engage"]), effect)
    s.q_sustained += s.funded_hours
    s.q_oneoff += s.funded_oneoff
    s.cpd_hours_total += s.funded_hours + s.funded_oneoff
    s.funded_hours[:] = 0.0
    s.funded_oneoff[:] = 0.0
    work_out_gains(m, effect)


def engaged(m: ClusterModel, queue: np.ndarray, u: np.ndarray) -> np.ndarray:
    """M1 (seed 000: "those who need the most support are furthest away"): a school
    takes up CPD offers this term with a chance of its engagement relative to an average,
    connected, urban school's (1 with M1 off); the others sit the market out."""
    s, p = m.s, m.p
    take_up = u < s.engagement / max(p.engagement_base, 1e-9)
    return queue[take_up[queue]]


def joint_discounts(m: ClusterModel) -> np.ndarray:
    """Per school: the discount its cluster's joint purchases win (0 for a lone school)."""
    s, p, c = m.s, m.p, m.c
    disc = np.zeros(s.n)
    if not p.m7_joint_commissioning or c.count == 0:
        return disc
    members, cl = m.clustered()
    joint = c.cohesion[: c.count] >= p.commissioning_cohesion_min
    if m.effects.negotiated:  # a superintendent negotiates for every cluster
        joint = c.alive[: c.count].copy()
    buyers = np.where(joint, c.size[: c.count], 0).astype(float)
    if p.barter_neighbours:
        buyers = buyers + buyers[m.barter_partner()]
    per_cluster = np.minimum(p.volume_discount_max,
                             p.volume_discount_per_school * np.maximum(0, buyers - 1))
    per_cluster = np.where(joint, per_cluster + p.negotiator_discount, 0.0)
    disc[members] = per_cluster[cl]
    return np.minimum(disc, MAX_DISCOUNT)


def buy_services(m: ClusterModel, discount: np.ndarray) -> None:
    """Common services (ICT, business) from the nearest suppliers; savings go to CPD.

    Half the spend is ICT, half business services (assumption). A shared business
    manager who finds savings (M8) does part of the business work the school would buy
    in: it buys ``sbm_savings`` a year less from business-services firms, and the
    saving goes to CPD (evidence C7)."""
    s, p, c = m.s, m.p, m.c
    if p.services_per_pupil == 0:
        return
    full = p.services_per_pupil * s.region.pupils / TERMS_PER_YEAR
    ict_supplier, business_firm = m.service_supplier  # SERVICE_KINDS order
    ict = business = full / 2.0
    if p.m8_business_manager and c.count:
        members, cl = m.clustered()
        saves = members[c.sbm_saves[cl]]
        cut = np.minimum(p.sbm_savings / TERMS_PER_YEAR, business[saves])
        business = business.copy()
        business[saves] -= cut
        s.extra_money[saves] += cut
        m.ledger.save("business manager procurement", float(cut.sum()))
    everyone = np.arange(s.n)
    for supplier, spend in ((ict_supplier, ict), (business_firm, business)):
        m.ledger.pay(m, "services", "school", "provider", spend * (1 - discount),
                     payer_idx=everyone, payee_idx=supplier)
    saved = (ict + business) * discount
    s.extra_money += saved
    m.ledger.save("joint commissioning (services)", float(saved.sum()))


def shared_staff(m: ClusterModel, hire_draws: np.ndarray) -> None:
    """M8 and M9: eligible clusters hire shared staff; members share the cost and gain."""
    s, p, c = m.s, m.p, m.c
    if c.count == 0:
        return
    live = c.alive[: c.count]
    members, cl = m.clustered()
    mean_pupils = np.bincount(cl, s.region.pupils[members], minlength=c.count) / np.maximum(
        1, c.size[: c.count])
    eligible = live & (c.cohesion[: c.count] >= p.commissioning_cohesion_min) & (
        mean_pupils < p.small_school_pupils)
    if p.m8_business_manager:
        new = eligible & ~c.sbm[: c.count] & (hire_draws[0] < p.sbm_adoption)
        c.sbm[: c.count] |= new
        c.sbm_saves[: c.count] |= new & (hire_draws[0] < p.sbm_adoption
                                         * p.sbm_savings_chance)
        has = c.sbm[cl]
        share = p.sbm_cost / TERMS_PER_YEAR / c.size[cl]
        m.ledger.pay(m, "shared business manager", "school", "staff", share[has],
                     payer_idx=members[has])
        s.expertise[members[has], LEADERSHIP] += p.sbm_head_time * p.sbm_leadership_gain
    if p.m9_specialist:
        new = eligible & (c.specialist[: c.count] < 0) & (hire_draws[1] < p.specialist_adoption)
        if new.any():
            c.specialist[: c.count][new] = (MATHS if p.specialist_maths
                                            else _weakest_subject(m, members, cl, new))
        d = c.specialist[cl]
        has = d >= 0
        i, d = members[has], d[has].astype(int)
        m.ledger.pay(m, "shared specialist", "school", "staff",
                     p.specialist_cost / TERMS_PER_YEAR / c.size[cl[has]], payer_idx=i)
        e, row = flat(s.expertise), i * s.expertise.shape[1]   # (school, domain) cells
        gain = p.specialist_rate * np.maximum(0.0, p.specialist_level - e[row + d])
        e[row + d] += gain
        ripple = np.where(d[:, None] != SUBJECT_DOMAINS, p.specialist_ripple * gain[:, None], 0.0)
        e[row[:, None] + SUBJECT_DOMAINS] += ripple  # into the other subjects


def _weakest_subject(m: ClusterModel, members, cl, which: np.ndarray) -> np.ndarray:
    """The subject with the lowest total expertise in each of the clusters ``which`` (a
    mask), summed over their members only (each cluster's sum is its own)."""
    keep = which[cl]
    members, cl = members[keep], cl[keep]
    sums = np.stack([np.bincount(cl, m.s.expertise[members, d], minlength=m.c.count)
                     for d in SUBJECT_DOMAINS], axis=1)[which]
    return SUBJECT_DOMAINS[np.argmin(sums, axis=1)].astype(np.int8)


def federation_effects(m: ClusterModel) -> None:
    """M12: economies of scale reinvested in CPD; leadership and SEND converge upwards."""
    s, p, c = m.s, m.p, m.c
    if not (p.m12_federation and c.count and c.federated[: c.count].any()):
        return
    members, cl = m.clustered()
    fed = members[c.federated[cl]]
    saving = p.federation_saving * s.budget_term[fed]
    s.extra_money[fed] += saving
    m.ledger.save("federation economies of scale", float(saving.sum()))
    best, _ = m.cluster_best()
    for d in (LEADERSHIP, SEND):
        top = best[s.cluster[fed], d]
        lag = np.maximum(0.0, top - s.expertise[fed, d])
        s.expertise[fed, d] += p.federation_convergence * lag


def rank_providers(m: ClusterModel) -> None:
    """Each school's best ``ROUNDS`` providers per CPD domain, best value first.

    Value is quality per pound: quality x format weight (M10) / (list price + travel).
    M11: a school considers a designated lead school's offer only with probability
    ``suspicion_takeup`` (drawn once a run per school, domain and candidate). Prices, qualities and
    distances are fixed for a run, so the ranking is worked out once, after the policies
    have designated any hubs; a cluster's discount scales a provider's price but not the
    travel, and is ignored in ranking. The scenarios restoring one built world keep its
    last ranking (``World.ranking``): a scenario whose providers, parameters and stream
    state match it reuses it, the stream set to its state after the draws.
    """
    p, pr = m.p, m.providers
    cand, dist = m.prov_cand, m.prov_dist          # (slots, n, K) nearest providers
    stream = m.streams["commissioning"]
    # everything the ranking depends on but the candidates: the stream's state before
    # its draws, the parameters and the providers' fields read below
    key = (stream.bit_generator.state, _oneoff_weight(p), p.travel_cost_per_km,
           p.m11_suspicion, p.suspicion_takeup,
           *(a.tobytes() for a in (pr.quality, pr.sustained, pr.price, pr.capacity > 0,
                                   pr.lead_school)))
    # the candidates are the built world's, shared by the scenarios restoring it
    world = m.common_draws
    if world is not None and world.ranking is not None and world.ranking[0] == key:
        m.ranked = world.ranking[1]
        stream.bit_generator.state = world.ranking[2]  # as after the draws
        return
    willing = stream.random(cand.shape)
    cidx = np.maximum(cand, 0)
    # what depends on the provider alone is worked out per provider and then looked up
    # per cell: the same values as looking up each field and combining them per cell
    merit = (pr.quality * np.where(pr.sustained, 1.0, _oneoff_weight(p)))[cidx]
    # no provider in a slot: an infinite distance, whose value is set to 0 below (with
    # travel at £0 a km, 0 x inf would be NaN and warn)
    finite = np.isfinite(dist)
    cost = np.maximum(pr.price[cidx] + p.travel_cost_per_km * np.where(finite, dist, 0.0),
                      MIN_PRICE)
    value = merit / np.where(finite, cost, np.inf)
    lead = (pr.lead_school >= 0) & p.m11_suspicion
    suspicious = lead[cidx] & (willing >= p.suspicion_takeup)
    value = np.where((cand >= 0) & (pr.capacity > 0)[cidx] & ~suspicious, value, -np.inf)
    k = cand.shape[2]
    top = top_ranked(value.reshape(-1, k), ROUNDS)  # as a stable argsort of -value
    top += np.arange(0, top.shape[0] * k, k)[:, None]  # positions in the flattened tables
    prov = np.where(value.ravel()[top] > -np.inf, cand.ravel()[top], -1).astype(np.int32)
    at = np.maximum(prov, 0)  # a placeholder provider where none is offered (never bought)
    sust, quality = pr.sustained[at], pr.quality[at]
    # what buy_market_cpd needs of each ranked offer, looked up once a run (one row per
    # slot and school, one column per round)
    m.ranked = {"prov": prov, "sust": sust, "quality": quality,
                "q": quality * np.where(sust, 1.0, _oneoff_weight(p)),
                "price": pr.price[at],
                "travel": p.travel_cost_per_km * np.where(prov >= 0, dist.ravel()[top], 0.0)}
    if world is not None:  # the scenarios of a replicate rank alike unless a policy
        # changed the market (hubs): the same draws of the same stream (~30 ms a run)
        for table in m.ranked.values():
            table.flags.writeable = False  # shared by the scenarios that find it here
        world.ranking = (key, m.ranked, stream.bit_generator.state)


def buy_market_cpd(m: ClusterModel, discount: np.ndarray, queue: np.ndarray,
                   effect: np.ndarray) -> None:
    """Up to ``ROUNDS`` rounds: each school still wanting CPD applies to its next-ranked
    provider; a provider shares what capacity it has left in the order of ``queue`` (a
    seeded random permutation of the schools). An applicant whose provider is fully
    booked gets nothing that round and tries its next provider in the next."""
    s, p, pr = m.s, m.p, m.providers
    weight = _oneoff_weight(p)
    need_q = (np.minimum(s.need / np.maximum(effect, 1e-12), p.cpd_hours_cap)
              - s.q_sustained - s.q_oneoff * weight)  # hours beyond the cap add nothing
    wants = (s.focus >= 0) & (s.cpd_money > 0) & (need_q > 0)
    buyers = queue[wants[queue]]                 # in priority order
    if len(buyers) == 0 or pr.n == 0:
        return
    offer = {k: table.ravel() for k, table in m.ranked.items()}  # cells (slot, school, round)
    rounds = m.ranked["prov"].shape[1]
    first = (m.domain_slot[s.focus[buyers]] * s.n + buyers) * rounds  # each buyer's best offer
    keep = 1 - discount[buyers]                  # of the list price, after joint discounts
    money, needq, teachers = s.cpd_money[buyers], need_q[buyers], s.teachers[buyers]
    capacity = pr.capacity.copy()
    small = np.int16 if pr.n < 2**15 else np.int64  # 16-bit keys sort in linear time
    # buyers (positions in ``buyers``) with money, need and offers left; offers are ranked
    # best first with the missing ones (-1) last, so a buyer out of offers stays out
    active = np.flatnonzero((money > 1e-9) & (needq > 1e-12))
    sold = []                                    # per round: buyers, offer cells, hours
    for r in range(rounds):
        if len(active) == 0:
            break
        cell = first[active] + r
        prov = offer["prov"][cell]
        offered = prov >= 0
        apply = offered & (capacity[np.maximum(prov, 0)] > 1e-9)
        b, cell, prov = active[apply], cell[apply], prov[apply]
        if len(b):
            # price per teacher-hour with travel; free CPD is bounded by need, not money
            pe = np.maximum(offer["price"][cell] * keep[b] + offer["travel"][cell], MIN_PRICE)
            q = offer["q"][cell]                 # effect per hour, format-weighted
            demand = np.minimum(money[b] / pe, needq[b] / q * teachers[b])  # teacher-hours
            got = _allocate(prov.astype(small), demand, capacity)
            capacity -= np.bincount(prov, got, minlength=pr.n)
            money[b] -= got * pe
            needq[b] -= got / teachers[b] * q
            sold.append((b, cell, got))
        active = active[offered & (money[active] > 1e-9) & (needq[active] > 1e-12)]
    s.budget_exhausted[buyers] = needq > 1e-9
    if not sold:
        return
    b, cell, g = (np.concatenate(parts) for parts in zip(*sold, strict=True))
    bought = g > 0
    b, cell, g = b[bought], cell[bought], g[bought]
    i, prov, sust = buyers[b], offer["prov"][cell], offer["sust"][cell]
    hours = g / teachers[b]
    quality_hours = hours * offer["quality"][cell]
    s.q_sustained += np.bincount(i, np.where(sust, quality_hours, 0.0), minlength=s.n)
    s.q_oneoff += np.bincount(i, np.where(sust, 0.0, quality_hours), minlength=s.n)
    s.cpd_hours_total += np.bincount(i, hours, minlength=s.n)
    pr.hours_sold += np.bincount(prov, g, minlength=pr.n)
    unit = offer["price"][cell] * keep[b]
    m.ledger.pay(m, "market CPD", "school", "provider", g * unit, payer_idx=i, payee_idx=prov)
    m.ledger.pay(m, "travel", "school", "travel", g * offer["travel"][cell], payer_idx=i)
    m.ledger.add_hours("market sustained", g[sust])
    m.ledger.add_hours("market one-off", g[~sust])


def _allocate(prov: np.ndarray, demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Share each provider's remaining capacity among its applicants, who are listed in
    priority order: earlier applicants are served in full first. Applicants to a provider
    with room for everyone get what they ask for."""
    asked = np.bincount(prov, demand, minlength=len(capacity))
    short = asked > capacity
    if not short.any():
        return demand.copy()
    order = np.argsort(prov, kind="stable")  # by provider, then priority
    p_sorted, d_sorted = prov[order], demand[order]
    # demand queued ahead of each applicant at its provider: the running total less the
    # demand of all providers sorted before this one
    ahead = d_sorted.cumsum() - d_sorted - (asked.cumsum() - asked)[p_sorted]
    granted = np.empty_like(demand)
    granted[order] = np.where(short[p_sorted],
                              np.minimum(np.maximum(capacity[p_sorted] - ahead, 0.0), d_sorted),
                              d_sorted)
    return granted


def _oneoff_weight(p) -> float:
    """M10: an hour of a one-off event counts for this share of a sustained hour."""
    return p.oneoff_effect if p.m10_cpd_format else 1.0


def _effect_scale(m: ClusterModel) -> np.ndarray:
    """SD gained per quality-weighted sustained hour per teacher, by school."""
    s, p = m.s, m.p
    capacity = np.clip(1.0 + p.learning_capacity_leadership * s.expertise[:, LEADERSHIP],
                       *CAPACITY_RANGE)
    targeting = 1.0 + p.data_targeting_boost * shared_data(m)
    return p.cpd_effect_per_hour * capacity * targeting


def work_out_gains(m: ClusterModel, effect: np.ndarray) -> None:
    """The term's gain in the focus domain, capped at the need, split by format (M10).
    Quality-weighted hours beyond ``cpd_hours_cap`` per teacher add nothing."""
    s, p = m.s, m.p
    w = _oneoff_weight(p)
    q_total = s.q_sustained + s.q_oneoff * w
    raw = np.minimum(q_total, p.cpd_hours_cap) * effect
    s.gain[:] = np.where(s.focus >= 0, np.minimum(raw, s.need), 0.0)
    # subnormal totals (a sampler's 1e-309 hours) would make 1/q_total infinite: 1/q_total
    # where q_total >= tiny, else 0. Written without a where= ufunc (several times slower):
    # below tiny (or NaN) the divisor is tiny and the finite quotient is multiplied by 0
    tiny = np.finfo(float).tiny
    share = np.divide(1.0, np.fmax(q_total, tiny))
    share *= q_total >= tiny
    s.gain_oneoff = s.gain * s.q_oneoff * w * share
    s.peer_gain[:] = s.gain * s.peer_q * share
