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

import numpy as np

from model.mechanisms.needs import shared_data
from model.state import ENGLISH, LEADERSHIP, MATHS, SCIENCE, SEND, flat

MIN_PRICE = 0.01  # £ per teacher-hour: a floor so that free CPD needs no division by zero
ROUNDS = 4  # a school tries up to this many providers a term, best value first
SUBJECT_DOMAINS = np.array([MATHS, ENGLISH, SCIENCE])


def commission(m) -> None:
    s, p = m.s, m.p
    u = m.streams["commissioning"]
    draws = {"queue": u.permutation(s.n), "hire": u.random((2, m.c.count))}
    discount = joint_discounts(m)
    buy_services(m, discount)
    shared_staff(m, draws["hire"])
    federation_effects(m)
    s.cpd_money = np.maximum(0.0, s.cpd_budget_term * (1 + p.allowed_deficit_share)
                             + s.extra_money)
    s.allowance_term += s.budget_term * (1 + p.allowed_deficit_share)
    effect = _effect_scale(m)  # nothing below changes leadership or shared data
    buy_market_cpd(m, discount, draws["queue"], effect)
    s.q_sustained += s.funded_hours
    s.q_oneoff += s.funded_oneoff
    s.cpd_hours_total += s.funded_hours + s.funded_oneoff
    s.funded_hours[:] = 0.0
    s.funded_oneoff[:] = 0.0
    work_out_gains(m, effect)


def joint_discounts(m) -> np.ndarray:
    """Per school: the discount its cluster's joint purchases win (0 for a lone school)."""
    s, p, c = m.s, m.p, m.c
    disc = np.zeros(s.n)
    if not p.m7_joint_commissioning or c.count == 0:
        return disc
    members, cl = m.clustered()
    joint = c.cohesion[: c.count] >= p.commissioning_cohesion_min
    if m.negotiated:  # a superintendent negotiates for every cluster
        joint = c.alive[: c.count].copy()
    buyers = np.where(joint, c.size[: c.count], 0).astype(float)
    if p.barter_neighbours:
        buyers = buyers + buyers[m.barter_partner()]
    per_cluster = np.minimum(p.volume_discount_max,
                             p.volume_discount_per_school * np.maximum(0, buyers - 1))
    per_cluster = np.where(joint, per_cluster + p.negotiator_discount, 0.0)
    disc[members] = per_cluster[cl]
    return np.minimum(disc, 0.9)


def buy_services(m, discount: np.ndarray) -> None:
    """Common services (ICT, business) from the nearest suppliers; savings go to CPD."""
    s, p = m.s, m.p
    if p.services_per_pupil == 0:
        return
    full = p.services_per_pupil * s.region.pupils / 3.0
    paid = full * (1 - discount)
    everyone = np.arange(s.n)
    for supplier in m.service_supplier:  # nearest ICT supplier, nearest business firm
        m.ledger.pay(m, "services", "school", "provider", paid / len(m.service_supplier),
                     payer_idx=everyone, payee_idx=supplier)
    s.extra_money += full - paid
    m.ledger.save("joint commissioning (services)", float((full - paid).sum()))


def shared_staff(m, hire_draws: np.ndarray) -> None:
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
        share = p.sbm_cost / 3.0 / c.size[cl]
        m.ledger.pay(m, "shared business manager", "school", "staff", share[has],
                     payer_idx=members[has])
        s.expertise[members[has], LEADERSHIP] += p.sbm_head_time * p.sbm_leadership_gain
        saves = c.sbm_saves[cl]
        s.extra_money[members[saves]] += p.sbm_savings / 3.0
        m.ledger.save("business manager procurement", p.sbm_savings / 3.0 * saves.sum())
    if p.m9_specialist:
        new = eligible & (c.specialist[: c.count] < 0) & (hire_draws[1] < p.specialist_adoption)
        if new.any():
            c.specialist[: c.count][new] = (MATHS if p.specialist_maths
                                            else _weakest_subject(m, members, cl)[new])
        d = c.specialist[cl]
        has = d >= 0
        i, d = members[has], d[has].astype(int)
        m.ledger.pay(m, "shared specialist", "school", "staff",
                     p.specialist_cost / 3.0 / c.size[cl[has]], payer_idx=i)
        e, row = flat(s.expertise), i * s.expertise.shape[1]   # (school, domain) cells
        gain = p.specialist_rate * np.maximum(0.0, p.specialist_level - e[row + d])
        e[row + d] += gain
        ripple = np.where(d[:, None] != SUBJECT_DOMAINS, p.specialist_ripple * gain[:, None], 0.0)
        e[row[:, None] + SUBJECT_DOMAINS] += ripple  # into the other subjects


def _weakest_subject(m, members, cl) -> np.ndarray:
    c = m.c
    sums = np.stack([np.bincount(cl, m.s.expertise[members, d], minlength=c.count)
                     for d in SUBJECT_DOMAINS], axis=1)
    return SUBJECT_DOMAINS[np.argmin(sums, axis=1)].astype(np.int8)


def federation_effects(m) -> None:
    """M12: economies of scale reinvested in CPD; leadership and SEND converge upwards."""
    s, p, c = m.s, m.p, m.c
    if not (p.m12_federation and c.count and c.federated[: c.count].any()):
        return
    members, cl = m.clustered()
    fed = members[c.federated[cl]]
    saving = p.federation_saving * s.budget_term[fed]
    s.extra_money[fed] += saving
    m.ledger.save("federation economies of scale", float(saving.sum()))
    from model.mechanisms.cpd import cluster_best

    best, _ = cluster_best(m)
    for d in (LEADERSHIP, SEND):
        top = best[s.cluster[fed], d]
        lag = np.maximum(0.0, top - s.expertise[fed, d])
        s.expertise[fed, d] += p.federation_convergence * lag


def rank_providers(m) -> None:
    """Each school's best ``ROUNDS`` providers per CPD domain, best value first.

    Value is quality per pound: quality x format weight (M10) / (list price + travel).
    M11: a school considers a designated lead school's offer only with probability
    ``suspicion_takeup`` (drawn once a run per school, domain and candidate). Prices, qualities and
    distances are fixed for a run, so the ranking is worked out once, after the policies
    have designated any hubs; a cluster's discount scales a provider's price but not the
    travel, and is ignored in ranking.
    """
    p, pr = m.p, m.providers
    cand, dist = m.prov_cand, m.prov_dist          # (slots, n, K) nearest providers
    willing = m.streams["commissioning"].random(cand.shape)
    cidx = np.maximum(cand, 0)
    fmt = np.where(pr.sustained[cidx], 1.0, _oneoff_weight(p))
    cost = np.maximum(pr.price[cidx] + p.travel_cost_per_km * dist, MIN_PRICE)
    value = pr.quality[cidx] * fmt / np.where(np.isfinite(dist), cost, np.inf)
    suspicious = (pr.lead_school[cidx] >= 0) & p.m11_suspicion & (willing >= p.suspicion_takeup)
    value = np.where((cand >= 0) & (pr.capacity[cidx] > 0) & ~suspicious, value, -np.inf)
    k = cand.shape[2]
    top = np.argsort(-value.reshape(-1, k), axis=1, kind="stable")[:, :ROUNDS]
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


def buy_market_cpd(m, discount: np.ndarray, queue: np.ndarray, effect: np.ndarray) -> None:
    """Up to ``ROUNDS`` rounds: each school still wanting CPD applies to its next-ranked
    provider; a provider shares what capacity it has left in the order of ``queue`` (a
    seeded random permutation of the schools)."""
    s, p, pr = m.s, m.p, m.providers
    weight = _oneoff_weight(p)
    need_q = s.need / np.maximum(effect, 1e-12) - s.q_sustained - s.q_oneoff * weight
    wants = (s.focus >= 0) & (s.cpd_money > 0) & (need_q > 0)
    buyers = queue[wants[queue]]                 # in priority order
    if len(buyers) == 0 or pr.n == 0:
        return
    row = m.domain_slot[s.focus[buyers]] * s.n + buyers  # rows of the (slots x schools, R) tables
    ranked = {k: np.take(table, row, axis=0) for k, table in m.ranked.items()}
    prov_all = ranked["prov"]                    # (buyers, R): best value first
    offered = prov_all >= 0
    at = np.maximum(prov_all, 0)
    sust, quality, travel = ranked["sust"], ranked["quality"], ranked["travel"]
    q_all = ranked["q"]                          # effect per hour, format-weighted
    unit = ranked["price"] * (1 - discount[buyers])[:, None]
    pe_all = np.maximum(unit + travel, MIN_PRICE)  # free CPD is bounded by need, not money
    money = s.cpd_money[buyers]
    needq = need_q[buyers]
    teachers = s.teachers[buyers]
    capacity = pr.capacity.copy()
    granted = np.zeros(prov_all.shape)           # teacher-hours by buyer and round
    small = np.int16 if pr.n < 2**15 else np.int64  # 16-bit keys sort in linear time
    for r in range(prov_all.shape[1]):
        # a provider already fully booked grants nothing: its applicants skip this round
        b = ((capacity[at[:, r]] > 1e-9) & offered[:, r] & (money > 1e-9)
             & (needq > 1e-12)).nonzero()[0]
        if len(b) == 0:
            break
        # a round's column is a strided view: gathering from it beats a pair of indices
        prov, pe, q = prov_all[:, r][b], pe_all[:, r][b], q_all[:, r][b]
        demand = np.minimum(money[b] / pe, needq[b] / q * teachers[b])  # teacher-hours
        got = _allocate(prov.astype(small), demand, capacity)
        capacity -= np.bincount(prov, got, minlength=pr.n)
        granted[:, r][b] = got
        money[b] -= got * pe
        needq[b] -= got / teachers[b] * q
    hours = granted / teachers[:, None]
    quality_hours = hours * quality
    per_round = np.ones(prov_all.shape[1])  # a product sums the rounds (faster than .sum)
    s.q_sustained[buyers] += (quality_hours * sust) @ per_round
    s.q_oneoff[buyers] += (quality_hours * ~sust) @ per_round
    s.cpd_hours_total[buyers] += hours @ per_round
    sale = np.flatnonzero(granted)           # (buyer, round) pairs that bought something
    g, prov = granted.ravel()[sale], prov_all.ravel()[sale]
    i, sust = buyers[sale // prov_all.shape[1]], sust.ravel()[sale]
    pr.hours_sold += np.bincount(prov, g, minlength=pr.n)
    m.ledger.pay(m, "market CPD", "school", "provider", g * unit.ravel()[sale], payer_idx=i,
                 payee_idx=prov)
    m.ledger.pay(m, "travel", "school", "travel", g * travel.ravel()[sale], payer_idx=i)
    m.ledger.add_hours("market sustained", g[sust])
    m.ledger.add_hours("market one-off", g[~sust])
    s.budget_exhausted[buyers] = needq > 1e-9


def _allocate(prov: np.ndarray, demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Share each provider's remaining capacity among its applicants, who are listed in
    priority order: earlier applicants are served in full first. Applicants to a provider
    with room for everyone get what they ask for."""
    asked = np.bincount(prov, demand, minlength=len(capacity))
    granted = demand.copy()
    short = (asked > capacity)[prov]
    if short.any():
        k = short.nonzero()[0]
        order = k[np.argsort(prov[k], kind="stable")]  # by provider, then priority
        p_sorted, d_sorted = prov[order], demand[order]
        # demand queued ahead of each applicant at its provider: the running total less
        # the demand of all providers sorted before this one
        asked_short = np.bincount(p_sorted, d_sorted, minlength=len(capacity))
        ahead = d_sorted.cumsum() - d_sorted - (asked_short.cumsum() - asked_short)[p_sorted]
        granted[order] = np.minimum(np.maximum(capacity[p_sorted] - ahead, 0.0), d_sorted)
    return granted


def _oneoff_weight(p) -> float:
    """M10: an hour of a one-off event counts for this share of a sustained hour."""
    return p.oneoff_effect if p.m10_cpd_format else 1.0


def _effect_scale(m) -> np.ndarray:
    """SD gained per quality-weighted sustained hour per teacher, by school."""
    s, p = m.s, m.p
    capacity = np.clip(1.0 + p.learning_capacity_leadership * s.expertise[:, LEADERSHIP],
                       0.25, 2.0)
    targeting = 1.0 + p.data_targeting_boost * shared_data(m)
    return p.cpd_effect_per_hour * capacity * targeting


def work_out_gains(m, effect: np.ndarray) -> None:
    """The term's gain in the focus domain, capped at the need, split by format (M10)."""
    s, p = m.s, m.p
    w = _oneoff_weight(p)
    q_total = s.q_sustained + s.q_oneoff * w
    raw = q_total * effect
    s.gain[:] = np.where(s.focus >= 0, np.minimum(raw, s.need), 0.0)
    share = np.divide(1.0, q_total, out=np.zeros(s.n), where=q_total > 0)
    s.gain_oneoff = s.gain * s.q_oneoff * w * share
    s.peer_gain[:] = s.gain * s.peer_q * share
