"""State with owners (issue 20 item 3): every array of the school and cluster state has
exactly one owner module, declared by the module itself (``STATE``, ``CLUSTER_STATE``) or,
for modules that do not yet declare it, in ``model.state``'s table; the loose flags the
model used to carry are declared fields of `PolicyEffects`."""

from __future__ import annotations

import dataclasses
import importlib
from collections import Counter

import pytest
from clustersim.model import state
from clustersim.model.state import ClusterState, PolicyEffects, SchoolState

MODULES = ("state", "ledger", "model", "clusters", "membership", "market", "metrics",
           "mechanisms.needs", "mechanisms.partnering", "mechanisms.cpd", "mechanisms.bank",
           "mechanisms.commissioning", "mechanisms.learning", "mechanisms.attainment",
           "mechanisms.inspection", "mechanisms.cohesion", "policies.base",
           "policies.middle_tier", "policies.chains", "policies.economic")


def declared(attribute: str, table: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(array, owner) for every declaration: modules' own, then the table's."""
    out = []
    for name in MODULES:
        module = importlib.import_module(f"clustersim.model.{name}")
        own = getattr(module, attribute, None)
        if own is not None:
            assert name not in table, f"{name} declares {attribute} and is in the table too"
            out += [(array, name) for array in own]
    for name, arrays in table.items():
        assert name in MODULES, f"owner {name!r} is not a module of the model"
        out += [(array, name) for array in arrays]
    return out


@pytest.mark.parametrize(("attribute", "table", "arrays"), [
    ("STATE", state.STATE_OWNERS, [f.name for f in dataclasses.fields(SchoolState)]),
    ("CLUSTER_STATE", state.CLUSTER_STATE_OWNERS, [n for n, _ in ClusterState.FIELDS]),
], ids=["school", "cluster"])
def test_every_array_has_exactly_one_owner(attribute, table, arrays):
    found = declared(attribute, table)
    count = Counter(array for array, _ in found)
    assert not [a for a in count if a not in arrays], "declared arrays the state lacks"
    assert not [a for a in arrays if count[a] == 0], "arrays nobody owns"
    twice = {a: [o for x, o in found if x == a] for a, k in count.items() if k > 1}
    assert not twice, f"arrays with two owners: {twice}"


def test_policy_effects_declare_the_models_flags():
    """Each declared effect is one the model carries, starting from the same value (the
    model keeps them as attributes until its module, on another branch, holds a
    `PolicyEffects`)."""
    from clustersim.model.model import ClusterModel

    m = ClusterModel({"preset": "maximising_progress", "years": 1}, 1)
    holder = getattr(m, "effects", m)
    fresh = PolicyEffects()
    for f in dataclasses.fields(PolicyEffects):
        value, start = getattr(holder, f.name), getattr(fresh, f.name)
        assert type(value) is type(start), f.name
        assert str(value) == str(start), f.name
    with pytest.raises(TypeError):
        PolicyEffects(bank_actve=True)  # a misspelt effect is refused
