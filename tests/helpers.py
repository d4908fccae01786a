"""Shared test helpers: small scenarios, replication batches and confidence intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from sim.model.world import simulate
from sim.scenario import Scenario, deep_merge, validate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
TINY = Path(__file__).resolve().parent / "scenarios" / "tiny.toml"  # the analysis test fleet

BASE = {
    "name": "small",
    "run": {"years": 1.0},
    "flying": {"programme": "fleet_hours", "window_hours": 12},
    "cannibalization": {"policy": "full", "hours_per_action": 4.0},
    "types": {
        "A": {
            "count": 12, "sortie_hours": 1.0, "fleet_hours_per_day": 10.0,
            "repair": {"channels": 2},
            "lrus": {
                "engine": {"units_per_aircraft": 2, "mtbf_flight_hours": 150,
                           "repair_days": {"distribution": "lognormal", "mean": 20, "cv": 0.7},
                           "initial_stock": 1, "remove_replace_hours": 6},
                "radar": {"mtbf_flight_hours": 120,
                          "repair_days": {"distribution": "exponential", "mean": 25},
                          "condemned_fraction": 0.1, "initial_stock": 1,
                          "supply": {"domestic": {"units_per_year": 4, "lead_days": 30}}},
                "pump": {"mtbf_flight_hours": 200, "calendar_failures_per_year": 0.2,
                         "repair_days": {"distribution": "gamma", "mean": 15, "cv": 0.5}},
            },
        },
    },
}


def scenario(changes: dict | None = None, base: dict = BASE) -> Scenario:
    """The small test scenario with `changes` deep-merged into it."""
    return validate(deep_merge(base, changes or {}))


def replicate(scen: Scenario, n: int, seed: int = 1):
    """The results of replications 0..n-1, simulated in this process."""
    return [simulate(scen, k, seed) for k in range(n)]


def values(results, aircraft_type: str, metric: str) -> np.ndarray:
    return np.array([r.values[aircraft_type][metric] for r in results])


def interval(x: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    """Student-t confidence interval of the mean of independent replications."""
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def write_scenario(folder: Path, name: str, changes: dict | None = None, extra: str = "") -> Path:
    """The small test scenario (with `changes`) as a TOML file `<folder>/<name>.toml`;
    `extra` is TOML text appended to it (a [sweep] table, say)."""
    import tomli_w

    data = deep_merge(BASE, {"name": name, **(changes or {})})
    path = Path(folder) / f"{name}.toml"
    path.write_text(tomli_w.dumps(data) + extra)
    return path


def read_results(out: Path) -> dict:
    """The final tables of a results directory, read back with pandas."""
    import pandas as pd

    return {"replications": pd.read_parquet(out / "replications.parquet"),
            "timeseries": pd.read_parquet(out / "timeseries.parquet"),
            "summary": pd.read_csv(out / "summary.csv")}


def assert_same_results(a: Path, b: Path) -> None:
    """The stored tables of two results directories are equal, exactly."""
    from pandas.testing import assert_frame_equal

    left, right = read_results(a), read_results(b)
    for name in left:
        assert_frame_equal(left[name], right[name], check_exact=True)


def invoke(*args):
    """Run the fleetsim command line in process (typer's CliRunner) with `args`."""
    from typer.testing import CliRunner

    from sim.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def one_line_error(result, code: int = 2) -> str:
    """The single line of a refused command (exit `code`, no traceback)."""
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]
