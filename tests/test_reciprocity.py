"""Informal reciprocity (M5 without a bank) and what the CPD bank (M6) changes about it.

Without a bank a school is served by its partners only while it has received at most
``reciprocity_limit`` hours per teacher more than it gave them; giving restores its
standing and a new cluster starts afresh. The bank replaces this bilateral limit with
credits and a larger overdraft, so it raises peer CPD (docs/evidence.md C18)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from clustersim.model.mechanisms import cpd
from clustersim.model.model import ClusterModel

from tests.conftest import summary

COUNTY = {"preset": "county", "years": 3, "policies": ["local_authority"]}


@pytest.fixture
def model() -> ClusterModel:
    m = ClusterModel({**COUNTY, "reciprocity_limit": 6.0}, 1)
    m.step()  # the local authority places schools in clusters
    m.s.goodwill[:] = 0.0  # every school even with its partners
    return m


def _pair(m: ClusterModel) -> tuple[int, int]:
    """A receiver and a donor in the same live cluster."""
    members, cids = m.clustered()
    for cid in np.unique(cids):
        inside = members[cids == cid]
        if len(inside) >= 2:
            return int(inside[0]), int(inside[1])
    pytest.skip("no cluster with two members")


def test_a_receiver_is_served_up_to_the_limit_and_no_further(model):
    m = model
    r, d = _pair(m)
    receivers, donors = np.array([r]), np.array([d])
    got = [float(cpd.reciprocate(m, receivers, np.array([4.0]), donors)[0]) for _ in range(3)]
    assert got == pytest.approx([4.0, 2.0, 0.0])  # 6 h per teacher unreturned, then none
    assert m.s.goodwill[r] == pytest.approx(-6.0 * m.s.teachers[r])
    assert m.s.goodwill[d] == pytest.approx(6.0 * m.s.teachers[r])  # what it gave


def test_giving_back_restores_standing(model):
    m = model
    r, d = _pair(m)
    cpd.reciprocate(m, np.array([r]), np.array([6.0]), np.array([d]))
    assert cpd.reciprocate(m, np.array([r]), np.array([1.0]), np.array([d]))[0] == 0.0
    # the receiver now runs CPD for its partner: 3 h for each of the partner's teachers
    hours_for_partner = 3.0 * m.s.teachers[d] / m.s.teachers[r]  # in r's teacher-hours
    cpd.reciprocate(m, np.array([d]), np.array([3.0]), np.array([r]))
    again = cpd.reciprocate(m, np.array([r]), np.array([40.0]), np.array([d]))[0]
    assert again == pytest.approx(min(40.0, hours_for_partner))


def test_a_new_cluster_starts_afresh(model):
    m = model
    r, d = _pair(m)
    cpd.reciprocate(m, np.array([r]), np.array([6.0]), np.array([d]))
    assert cpd.reciprocate(m, np.array([r]), np.array([1.0]), np.array([d]))[0] == 0.0
    m.s.cluster[[r, d]] = m.c.count + 7  # both move to another cluster (an unused id)
    assert cpd.reciprocate(m, np.array([r]), np.array([1.0]), np.array([d]))[0] == 1.0


def test_at_limit_zero_only_those_who_give_first_are_served(model):
    m = model
    m.p = dataclasses.replace(m.p, reciprocity_limit=0.0)
    r, d = _pair(m)
    assert cpd.reciprocate(m, np.array([r]), np.array([5.0]), np.array([d]))[0] == 0.0


def test_the_limit_rations_peer_cpd_and_the_bank_relaxes_it():
    tight = [summary(s, **COUNTY, reciprocity_limit=2.0)["peer_cpd_per_teacher"]
             for s in (1, 2)]
    loose = [summary(s, **COUNTY, reciprocity_limit=60.0)["peer_cpd_per_teacher"]
             for s in (1, 2)]
    assert np.mean(tight) < np.mean(loose)
    bank = {**COUNTY, "policies": ["local_authority", "cpd_bank"], "reciprocity_limit": 2.0}
    banked = [summary(s, **bank)["peer_cpd_per_teacher"] for s in (1, 2)]
    assert np.mean(banked) > np.mean(tight)
