"""The notebook API: fleetsim.run returns the batch's tables as DataFrames and its paired
comparison, the same numbers as the command line; without out= nothing is left on disk."""

import gc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import fleetsim
from sim.cli import app

from .helpers import write_scenario


def test_run_returns_the_tables_and_the_comparison(tmp_path):
    a = write_scenario(tmp_path, "a")
    b = write_scenario(tmp_path, "b", {"cannibalization": {"policy": "none"}})
    res = fleetsim.run(a, str(b), replications=3, years=0.3, workers=1)
    assert res.scenarios == ["a", "b"]
    assert set(res.replications["scenario"]) == {"a", "b"}
    assert sorted(res.replications["replication"].unique()) == [0, 1, 2]
    assert {"month", "metric", "value"} <= set(res.timeseries.columns)
    assert {"mean", "ci_low", "ci_high"} <= set(res.summary.columns)
    table = res.compare(baseline="a", metrics="fmc_aircraft")
    row = table[(table["scenario"] == "b") & (table["aircraft_type"] == "ALL")].iloc[0]
    reps = res.replications
    fmc = reps[(reps["metric"] == "fmc_aircraft") & (reps["aircraft_type"] == "ALL")]
    wide = fmc.pivot(index="replication", columns="scenario", values="value")
    assert row["diff"] == pytest.approx((wide["b"] - wide["a"]).mean())
    assert row["diff_low"] < row["diff"] < row["diff_high"]
    window = res.compare(metrics=["sorties"], last_years=0.25)
    assert len(window) == 2 and np.isfinite(window["mean"]).all()
    path = res.path
    assert path.exists()
    del res, table, window
    gc.collect()
    assert not path.exists()  # the temporary directory goes with the Results


def test_out_keeps_the_directory_and_matches_the_command_line(tmp_path):
    # years= means what --years means: years reported after the scenario's own warm-up
    a = write_scenario(tmp_path, "a", {"run": {"warmup_days": 36.525}})
    res = fleetsim.run(a, replications=2, years=0.2, workers=1, out=tmp_path / "api")
    result = CliRunner().invoke(app, ["run", str(a), "-n", "2", "--years", "0.2", "-q",
                                      "-w", "1", "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    again = fleetsim.load(tmp_path / "cli")
    assert Path(res.path, "manifest.json").exists()
    assert res.manifest["horizon_days"] == again.manifest["horizon_days"] \
        == {"a": pytest.approx(0.3 * 365.25)}
    pd.testing.assert_frame_equal(res.replications, again.replications, check_exact=True)
    pd.testing.assert_frame_equal(res.summary, again.summary, check_exact=True)
    assert res.manifest["overrides"] == again.manifest["overrides"] == ["--years 0.2"]


def test_years_beyond_the_horizon_is_one_clear_error(tmp_path):
    a = write_scenario(tmp_path, "a", {"run": {"years": 2.0, "warmup_days": 365.25}})
    with pytest.raises(fleetsim.YearsError, match=r"years= 99.5: must be above 0 and, with"
                                                  r" the 1-year warm-up"):
        fleetsim.run(a, replications=1, years=99.5)
    with pytest.raises(ValueError, match="years= 0"):
        fleetsim.run(a, replications=1, years=0)


def test_a_bad_name_is_one_clear_error():
    from sim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="no_such_scenario: no such file or shipped"):
        fleetsim.run("no_such_scenario", replications=1)
