"""The tick order is declared once (model.model.PHASES): step runs it, the docstring says it."""

from __future__ import annotations

from clustersim.model.model import PHASES, ClusterModel


def test_step_runs_the_declared_phases_in_order(monkeypatch):
    ran = []
    for phase in PHASES:
        real = getattr(ClusterModel, f"phase_{phase.name}")

        def record(self, _real=real, _name=phase.name):
            ran.append(_name)
            _real(self)

        monkeypatch.setattr(ClusterModel, f"phase_{phase.name}", record)
    m = ClusterModel({"preset": "maximising_progress", "years": 1}, 0)
    ran.clear()  # the build's burn-in runs some phases too
    m.step()
    assert ran == [p.name for p in PHASES] == list(ClusterModel.PHASES)


def test_the_docstring_and_the_mechanisms_come_from_the_declaration():
    for k, phase in enumerate(PHASES, 1):
        assert f"{k}. {phase.name}: {phase.does}" in ClusterModel.__doc__
        assert hasattr(ClusterModel, f"phase_{phase.name}")
    covered = {m for phase in PHASES for m in phase.mechanisms}
    assert covered == {f"M{k}" for k in range(1, 16)}  # every mechanism has a phase
