"""Issue 18 items 4-5: the scenarios of a replicate share one built world, and a batch
runs them together, with every result (and so every CSV) the same as a run alone."""

from __future__ import annotations

import numpy as np
import pytest
from clustersim.experiments.batch.engine import task_groups, tasks
from clustersim.experiments.batch.executors import execute_group, execute_run
from clustersim.experiments.batch.spec import load_spec
from clustersim.model.api import run, run_each
from clustersim.model.model import ClusterModel

CONFIGS = [{"preset": "county", "policies": "superintendent+cpd_bank", "years": 2},
           {"preset": "county", "policies": "self_improving", "years": 3},
           {"preset": "county", "policies": "self_improving", "years": 2, "seek_rate": 0.3},
           {"preset": "county", "policies": "local_authority+academy_chains", "years": 2}]


def _same(a, b) -> None:
    assert a.summary == b.summary or all(
        x == y or (x != x and y != y) for x, y in zip(a.summary.values(), b.summary.values(),
                                                      strict=True))
    assert list(a.summary) == list(b.summary)
    assert a.timeseries.equals(b.timeseries)
    assert a.schools.equals(b.schools)
    assert a.inspections.equals(b.inspections)


def test_runs_sharing_a_world_give_what_each_run_alone_gives():
    for config, shared in zip(CONFIGS, run_each(CONFIGS, 5), strict=True):
        _same(shared, run(config, 5))


def test_a_restored_world_restores_the_random_streams():
    built = ClusterModel(CONFIGS[0], 9, keep_world=True)
    assert built.world is not None and built.world.matches(built)
    again = ClusterModel(CONFIGS[1], 9, world=built.world)
    alone = ClusterModel(CONFIGS[1], 9)
    for name in alone.streams:
        assert again.streams[name].bit_generator.state == alone.streams[name].bit_generator.state
    assert again.rng is again.streams["mesa"]
    assert np.array_equal(again.s.expertise, alone.s.expertise)
    other = ClusterModel(CONFIGS[2], 9, world=built.world)  # another seek_rate: built anew
    assert not built.world.matches(other) and other.world is None


def test_tables_are_built_only_when_asked():
    res = run({"preset": "maximising_progress", "years": 1}, 1, tables=False)
    assert res.schools.empty and res.inspections.empty and res.summary


SPEC = """
name = "groups"
preset = "maximising_progress"
years = 1
replicates = 3
root_seed = 4
[[scenarios]]
policies = ["self_improving"]
[[scenarios]]
policies = ["superintendent"]
[[scenarios]]
label = "eager"
policies = ["self_improving"]
params = {{ seek_rate = 0.3 }}
[sweep]
method = "grid"
values = {{ super_broker_capacity = [0.05, 0.2] }}
[outputs]
timeseries = true
schools = "{schools}"
"""


@pytest.mark.parametrize("schools", ["weak", "none"])
def test_groups_cover_the_batch_replicate_major_and_match_runs_alone(tmp_path, schools):
    path = tmp_path / "groups.toml"
    path.write_text(SPEC.format(schools=schools))
    spec = load_spec(path)
    groups = list(task_groups(spec))
    flat = [t.index for g in groups for t in g]
    assert sorted(flat) == list(range(spec.n_runs))
    assert [(g[0].point, g[0].replicate) for g in groups] == sorted(
        (g[0].point, g[0].replicate) for g in groups)  # replicate-major
    for g in groups:
        assert len({(t.seed, t.point, t.replicate) for t in g}) == 1
    assert max(len(g) for g in groups) == 2  # the two scenarios that differ in policies only
    alone = {t.index: execute_run(t) for t in tasks(spec)}
    for g in groups:
        for result in execute_group(g):
            i = result["index"]
            assert {k: v for k, v in result.items() if k != "seconds"} == {
                k: v for k, v in alone[i].items() if k != "seconds"}
    skip = set(range(0, spec.n_runs, 2))
    assert sorted(t.index for g in task_groups(spec, skip) for t in g) == [
        i for i in range(spec.n_runs) if i not in skip]


def test_csv_fields_are_cell_by_cell_the_same():
    """`_frame_csv` builds columns at once; each field is what `_cell` writes (NaN and a
    -1 'none' code empty, text quoted only when it must be, ints without a point)."""
    import pandas as pd
    from clustersim.experiments.batch.executors import _cell, _frame_csv
    from clustersim.experiments.shared.io import NONE_CODED

    frame = pd.DataFrame({
        "a": [1.5, np.nan, -0.0, 1e300, 5e-324, 0.1],
        "b": ["x,y", 'q"', "plain", None, "z", "line\nbreak"],
        "trust": [-1, 2, 3, -1, 0, 7],
        "c": np.array([1, 2, 3, 4, 5, -6], np.int32),
        "f32": np.array([0.1, 2, 3, np.nan, 1e-8, -1.5], np.float32),
        "flag": [True, False, True, True, False, False]})
    numeric = pd.DataFrame({"x": [1.0, 2.5], "cluster_end": [-1.0, 4.0], "n": [3, 4]})
    for f in (frame, numeric, frame.iloc[:0]):
        header, body = _frame_csv(f, [3, "a,b", 0, 1])
        expected = ""
        for row in f.itertuples(index=False):
            cells = []
            for name, v in zip(f.columns, row, strict=True):
                if name in NONE_CODED:
                    cells.append("" if v < 0 else str(int(v)))
                elif name in ("c", "n"):  # int columns (3.0 of an all-numeric frame: 3)
                    cells.append(str(int(v)))
                elif isinstance(v, bool | np.bool_):
                    cells.append(str(bool(v)))
                elif isinstance(v, float | np.floating):
                    cells.append(_cell(float(v)))
                else:
                    cells.append(_cell(v))
            expected += '3,"a,b",0,1,' + ",".join(cells) + "\n"
        assert body == expected
