"""The results directory: manifest, tidy Parquet tables and the summary.

<out>/manifest.json          what was run (versions, resolved scenarios, seed, replications,
                             horizon, warm-up) and what it cost (wall time, events)
<out>/replications.parquet   scenario, replication, seed, aircraft_type, metric, value
<out>/timeseries.parquet     scenario, replication, aircraft_type, month, metric, value
<out>/summary.csv            scenario, aircraft_type, metric, n, mean, std, ci_low, ci_high

Every file is written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .analysis import summarise
from .model.world import ReplicationResult
from .runner import Finished
from .scenario import Scenario

DEPENDENCIES = ("simpy", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "typer", "rich")


def replication_frame(result: ReplicationResult) -> pd.DataFrame:
    rows = [(t, m, v) for t, metrics in result.values.items() for m, v in metrics.items()]
    frame = pd.DataFrame(rows, columns=["aircraft_type", "metric", "value"])
    frame.insert(0, "seed", result.root_seed)
    frame.insert(0, "replication", result.replication)
    frame.insert(0, "scenario", result.scenario)
    return frame


def timeseries_frame(result: ReplicationResult) -> pd.DataFrame:
    months = np.asarray(result.months)
    parts = []
    for aircraft_type, metrics in result.monthly.items():
        for metric, values in metrics.items():
            parts.append(pd.DataFrame({"aircraft_type": aircraft_type, "month": months,
                                       "metric": metric, "value": values}))
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "replication", result.replication)
    frame.insert(0, "scenario", result.scenario)
    return frame


def versions() -> dict[str, str]:
    out = {"fleetsim": __version__, "python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, data: dict) -> None:
    _atomic(path, lambda p: p.write_text(json.dumps(_jsonable(data), indent=2) + "\n"))


class ResultsWriter:
    """Collects finished replications and writes the results directory."""

    def __init__(self, out: Path, scenarios: list[Scenario], replications: int, root_seed: int,
                 command: list[str] | None = None):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.manifest = {
            "tool": "fleetsim",
            "versions": versions(),
            "command": command if command is not None else sys.argv,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "root_seed": root_seed,
            "replications": replications,
            "status": "running",
            "scenarios": {s.name: s.model_dump(mode="python") for s in scenarios},
            "horizon_days": {s.name: s.run.horizon_days for s in scenarios},
            "warmup_days": {s.name: s.run.warmup_days for s in scenarios},
            "runs": [],
        }
        self._replications: list[pd.DataFrame] = []
        self._timeseries: list[pd.DataFrame] = []
        write_json(self.out / "manifest.json", self.manifest)

    def add(self, finished: Finished) -> None:
        r = finished.result
        self._replications.append(replication_frame(r))
        self._timeseries.append(timeseries_frame(r))
        self.manifest["runs"].append({"scenario": r.scenario, "replication": r.replication,
                                      "seed": r.root_seed, "events": r.events,
                                      "wall_seconds": round(finished.wall_seconds, 4)})

    def close(self, status: str = "complete") -> pd.DataFrame:
        """Write the tables and the final manifest; return the summary."""
        reps = _categorical(pd.concat(self._replications, ignore_index=True))
        series = _categorical(pd.concat(self._timeseries, ignore_index=True))
        _atomic(self.out / "replications.parquet", lambda p: reps.to_parquet(p, index=False))
        _atomic(self.out / "timeseries.parquet", lambda p: series.to_parquet(p, index=False))
        summary = summarise(reps)
        _atomic(self.out / "summary.csv", lambda p: summary.to_csv(p, index=False))
        self.manifest["status"] = status
        write_json(self.out / "manifest.json", self.manifest)
        return summary


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("scenario", "aircraft_type", "metric", "month"):
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame
