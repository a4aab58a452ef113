"""The model's codes as Enums (issue 20 item 4): the integers stored in its arrays and the
strings it writes stay what they were, so outputs are byte-identical."""

from __future__ import annotations

import numpy as np
import pytest
from clustersim.model import schema, state
from clustersim.model.ledger import ACCOUNTS, Account, Ledger


def test_grades_are_int_codes_with_the_labels_outputs_write():
    g = schema.Grade
    assert [int(x) for x in g] == [0, 1, 2, 3]
    assert schema.GRADES == ("outstanding", "good", "requires_improvement", "inadequate")
    assert g.RI is g.REQUIRES_IMPROVEMENT
    assert tuple(g) == (schema.OUTSTANDING, schema.GOOD, schema.RI, schema.INADEQUATE)
    grades = np.array([0, 2, 3, 1], np.int8)
    assert (grades >= state.RI).tolist() == [False, True, True, False]
    assert f"{g.RI}" == "2" and str(g.INADEQUATE) == "3"  # an IntEnum prints as its int
    assert np.array(schema.GRADES)[grades].tolist() == [
        "outstanding", "requires_improvement", "inadequate", "good"]


def test_founding_types_are_int_codes_with_their_labels():
    f = schema.Founded
    assert schema.FOUNDED == ("voluntary", "brokered", "federation", "trust")
    assert [schema.FOUNDED.index(x.label) for x in f] == [int(x) for x in f] == [0, 1, 2, 3]
    assert (schema.VOLUNTARY, schema.BROKERED) == (0, 1)
    assert state.FOUNDED is schema.FOUNDED  # the state re-exports the codes


def test_ledger_accounts_are_strings_and_a_misspelt_one_is_refused():
    assert ACCOUNTS == ("school", "provider", "broker", "trust", "government", "staff",
                        "travel")
    assert Account.SCHOOL == "school" and f"{Account.GOVERNMENT}" == "government"
    ledger = Ledger(3)
    with pytest.raises(AssertionError, match="'goverment' is not one of school"):
        ledger.pay(None, "grant", "goverment", Account.SCHOOL, np.ones(1))


def test_sensitivity_stages_are_their_folder_names():
    from clustersim.experiments.credibility.sensitivity import STAGES, Stage

    assert STAGES == ("morris", "sobol") and f"{Stage.SOBOL}" == "sobol"


def test_sweep_methods_are_the_enum_values_specs_write():
    import json

    from clustersim.experiments.batch.design import Sweep, SweepMethod
    from clustersim.experiments.batch.spec import SWEEP_KEYS, SWEEP_METHODS

    assert SWEEP_METHODS == ("grid", "list", "lhs", "sobol")
    assert tuple(m.value for m in SweepMethod if m != SweepMethod.NONE) == SWEEP_METHODS
    assert all(type(m) is str for m in SWEEP_METHODS)  # docs/specs.md and messages list them
    assert set(SWEEP_KEYS) == set(SWEEP_METHODS)
    assert Sweep().method == "none" and json.dumps(SweepMethod.LHS) == '"lhs"'
