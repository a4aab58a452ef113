"""A batch folder as data frames, for analysis in Python (`clustersim.load_batch`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from clustersim.experiments.analysis.stats import HEADLINE_OUTCOME, t_interval
from clustersim.experiments.shared import io


@dataclass
class Batch:
    """A batch folder as data frames (`load_batch`): ``runs`` (one row per run),
    ``timeseries``, ``schools`` and ``inspections`` (None when the spec did not write
    them) and ``manifest`` (a dict: the spec, seeds, versions)."""

    folder: Path
    manifest: dict
    runs: pd.DataFrame
    timeseries: pd.DataFrame | None = None
    schools: pd.DataFrame | None = None
    inspections: pd.DataFrame | None = None

    @property
    def baseline(self) -> str:
        return self.manifest.get("baseline") or str(self.runs["scenario"].iloc[0])

    def paired(self, outcome: str = HEADLINE_OUTCOME, baseline: str | None = None
               ) -> pd.DataFrame:
        """Each scenario's (and sweep point's) paired difference in ``outcome`` against
        ``baseline`` (default: the spec's), replicate by replicate on the same seeds, as
        the report shows it: n, mean, 95% t interval."""
        from clustersim.model.errors import UserError

        if outcome not in self.runs:
            raise UserError(f"outcome {outcome!r} is not in runs.csv")
        base_name = baseline or self.baseline
        if base_name not in set(self.runs["scenario"]):
            raise UserError(f"baseline {base_name!r} is not a scenario of this batch; "
                            f"scenarios: {', '.join(dict.fromkeys(self.runs['scenario']))}")
        rows = []
        for point, at in self.runs.groupby("point", sort=True):
            base = at[at["scenario"] == base_name].set_index("replicate")[outcome]
            for name, g in at.groupby("scenario", sort=False):
                d = g.set_index("replicate")[outcome] - base.reindex(
                    g["replicate"].to_numpy())
                n, mean, _, low, high = t_interval(d.to_numpy(float))
                rows.append({"scenario": name, "point": point, "outcome": outcome,
                             "baseline": base_name, "n": n, "mean": mean, "low": low,
                             "high": high})
        return pd.DataFrame(rows)


def load_batch(folder: str | Path) -> Batch:
    """Read a batch folder (`clustersim batch` or `clustersim run --replicates`) for
    analysis; a missing or damaged folder is one `UserError` naming the file."""
    from clustersim.model.errors import UserError

    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        runs = io.read_table(folder, "runs.csv")
    except FileNotFoundError as exc:
        raise UserError(f"{folder}: no {Path(exc.filename).name}; not a batch folder") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{folder}: a damaged manifest.json or runs.csv ({exc})") from None
    optional = {name: io.read_table(folder, f"{name}.csv")
                if io.table_path(folder, f"{name}.csv").exists() else None
                for name in ("timeseries", "schools", "inspections")}
    return Batch(folder=folder, manifest=manifest, runs=runs, **optional)
