"""Warm-up and windows that cannot mislead: --years after the warm-up, --warmup-months on
top of the scenario's own warm-up, --warmup auto on the baseline only."""

import datetime as dt
import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sim import compare as cmp
from sim.cli import UsageError, app, load_all

from .helpers import write_scenario

runner = CliRunner()


def test_years_counts_after_the_scenarios_own_warmup():
    run = load_all(["status_quo"], [], years=3)[0].base.run
    assert run.warmup_days > 0  # the shipped status quo warms up before its window
    first = run.start_date + dt.timedelta(days=run.warmup_days)
    last = run.start_date + dt.timedelta(days=run.horizon_days - 1)
    assert (first.year, last.year) == (2023, 2025)


def test_years_too_long_names_years_and_what_works():
    try:
        load_all(["status_quo"], [], years=99)
    except UsageError as exc:
        text = str(exc)
    else:
        raise AssertionError("--years 99 was accepted")
    assert text.startswith("--years 99:") and "at most 96" in text


def test_warmup_months_add_to_the_scenarios_own(tmp_path):
    path = write_scenario(tmp_path, "own_warmup", {"run": {"warmup_days": 59}})  # Jan, Feb
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "-n", "2", "--years", "0.5", "-q", "-w", "1",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(runner.invoke(app, ["compare", str(out), "--warmup-months", "1",
                                          "-f", "json"]).stdout)
    assert data["warmup_months"] == 3 and "months 2023-04 to" in data["window"]
    plain = json.loads(runner.invoke(app, ["compare", str(out), "--last-years", "0.25",
                                           "-f", "json"]).stdout)
    assert plain["warmup_months"] == 2


def _series(step_in: str) -> pd.DataFrame:
    """Two scenarios, 60 months of a flat level; `step_in` jumps up half-way."""
    months = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(60)]
    rows = []
    for scenario in ("base", "alt"):
        for k in range(3):
            x = 10.0 + 0.3 * np.sin(np.arange(60)) + 0.01 * k
            if scenario == step_in:
                x[:25] = 0.0  # a step 25 months in
            rows += [(scenario, k, "ALL", m, "fmc_aircraft", v) for m, v in zip(months, x)]
    return pd.DataFrame(rows, columns=cmp.KEYS[:3] + ["month", "metric", "value"])


def test_auto_warmup_looks_at_the_baseline_only():
    flat = cmp.detect_warmup(_series("none"), "fmc_aircraft", "ALL", "base")
    assert cmp.detect_warmup(_series("alt"), "fmc_aircraft", "ALL", "base") == flat < 25
    assert cmp.detect_warmup(_series("base"), "fmc_aircraft", "ALL", "base") == 25


def test_auto_warmup_warns_beyond_the_scenarios_own():
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    assert cmp.auto_cut(2, 4, months, "x") == (4, None)
    cut, warning = cmp.auto_cut(6, 4, months, "x")
    assert cut == 6 and "2 beyond the scenario's own warm-up of 4 months" in warning
