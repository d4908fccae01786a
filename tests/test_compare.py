"""fleetsim compare: confidence intervals against scipy, paired (CRN) differences, windows
over the monthly table, MSER-5, several directories, and bad input."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim import compare as cmp
from sim.analysis import mser, paired_interval, t_interval
from sim.cli import app

from .helpers import write_scenario

runner = CliRunner()
# the status quo starts in 2019 with a 4-year warm-up: these short runs start in 2023 without
QUICK = ["-n", "4", "--years", "1", "-q", "-w", "2", "--set", "run.warmup_days=0",
         "--set", "run.start_date=2023-01-01"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """status_quo with full and without cannibalization, 4 replications of one year."""
    out = tmp_path_factory.mktemp("compare") / "sweep"
    result = invoke("sweep", "status_quo", "--grid", "cannibalization.policy=full,none",
                    *QUICK, "--out", out)
    assert result.exit_code == 0, result.output
    return out


# ---- statistics against scipy

def test_t_interval_matches_scipy():
    x = np.array([3.1, 2.7, 3.9, 4.4, 2.2, 3.3, 3.8])
    mean, std, low, high = t_interval(x)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(x.mean()) and std == pytest.approx(x.std(ddof=1))
    assert (low, high) == pytest.approx(ref)


def test_paired_interval_matches_scipy_paired_t_test():
    rng = np.random.default_rng(5)
    common = rng.normal(10, 3, 12)
    a, b = common + rng.normal(0, 0.2, 12), common + 0.5 + rng.normal(0, 0.2, 12)
    d, low, high = paired_interval(a, b)
    ref = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert d == pytest.approx((b - a).mean())
    assert (low, high) == pytest.approx((ref.low, ref.high))


def test_mser5_finds_an_initial_transient():
    rng = np.random.default_rng(1)
    series = np.concatenate([np.linspace(10, 1, 20), rng.normal(0, 0.3, 100)])
    cut = mser(series)
    assert 15 <= cut <= 30 and cut % 5 == 0
    assert mser(rng.normal(0, 1, 100)) <= 10  # stationary: little or nothing to cut


def test_window_levels_are_averaged_counts_summed_ratios_rebuilt_from_parts():
    rows = []
    for month, (fmc, active, sorties, cann, hours, pilots) in enumerate(
            [(9, 10, 100, 5, 30, 10), (1, 2, 300, 3, 60, 20)]):
        for metric, value in [("fmc_aircraft", fmc), ("flyable_aircraft", fmc),
                              ("possessed_aircraft", active),
                              ("mc_rate", fmc / active), ("sorties", sorties),
                              ("cannibalizations", cann), ("pilot_flight_hours", hours),
                              ("pilots", pilots)]:
            rows.append(("s", 0, "ALL", f"2030-0{month + 1}", metric, float(value)))
    series = pd.DataFrame(rows, columns=["scenario", "replication", "aircraft_type", "month",
                                         "metric", "value"])
    got = cmp.aggregate(series, ["mc_rate", "fmc_aircraft", "sorties", "cann_per_100_sorties",
                                 "hours_per_pilot"]).set_index("metric")["value"]
    assert got["mc_rate"] == pytest.approx(10 / 12)  # not the mean of 0.9 and 0.5
    assert got["fmc_aircraft"] == pytest.approx(5)
    assert got["sorties"] == pytest.approx(400)
    assert got["cann_per_100_sorties"] == pytest.approx(100 * 8 / 400)
    assert got["hours_per_pilot"] == pytest.approx(90 / (15 * 2 / 12))
    assert [cmp.kind(m) for m in ("jet.fuel_stock_t", "radar.removals", "radar.fill_rate")] \
        == ["level", "count", "ratio"]


# ---- on a real two-scenario run

def test_paired_interval_is_narrower_than_the_unpaired_one(sweep_dir):
    reps = pd.read_parquet(sweep_dir / "replications.parquet")
    mc = reps[(reps.metric == "mc_rate") & (reps.aircraft_type == "ALL")]
    a = mc[mc.scenario == "status_quo/1"].sort_values("replication").value.to_numpy()
    b = mc[mc.scenario == "status_quo/2"].sort_values("replication").value.to_numpy()
    _, low, high = paired_interval(a, b)
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert high - low < welch.high - welch.low
    result = invoke("compare", sweep_dir, "-m", "mc_rate", "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    other = next(r for r in rows if r["scenario"] == "status_quo/2")
    assert (other["diff_low"], other["diff_high"]) == pytest.approx((low, high))
    assert other["significant"] is True and other["rel_change"] < 0


def test_compare_table_and_formats(sweep_dir, tmp_path):
    result = invoke("compare", sweep_dir)
    assert result.exit_code == 0, result.output
    for text in ("mc_rate", "policy=none", "baseline", "hours_per_pilot", "*"):
        assert text in result.output
    frame = pd.read_csv(pd.io.common.StringIO(invoke("compare", sweep_dir, "-f", "csv").output))
    assert set(frame.metric) == set(cmp.DEFAULT_METRICS)
    md = tmp_path / "c.md"
    assert invoke("compare", sweep_dir, "-f", "markdown", "-o", md).exit_code == 0
    assert md.read_text().startswith("| type | metric |")


def test_windows_and_warmup(sweep_dir):
    result = invoke("compare", sweep_dir, "-m", "mc_rate", "-m", "sorties",
                    "--warmup-months", "3", "--years", "2023", "-f", "json")
    data = json.loads(result.output)
    assert data["warmup_months"] == 3 and "2023-04 to 2023-12" in data["window"]
    auto = json.loads(invoke("compare", sweep_dir, "--warmup", "auto", "--last-years", "0.5",
                             "-f", "json").stdout)  # a warning may go to stderr
    assert "MSER-5" in auto["window"] and "6 months" in auto["window"]
    assert invoke("compare", sweep_dir, "--warmup", "auto").exit_code == 0


# ---- several directories

def test_directories_with_other_seeds_are_refused_same_seed_compared(tmp_path):
    path = write_scenario(tmp_path, "small")
    for name, seed in [("a", 1), ("b", 1), ("c", 2)]:
        result = invoke("run", path, "-n", "3", "--years", "0.3", "-q", "-w", "1",
                        "--seed", seed, "--out", tmp_path / name, "--set",
                        f"types.A.count={10 + seed + (name == 'b')}")
        assert result.exit_code == 0, result.output
    line = one_line_error(invoke("compare", tmp_path / "a", tmp_path / "c"))
    assert str(tmp_path / "a") in line and str(tmp_path / "c") in line and "seed" in line
    result = invoke("compare", tmp_path / "a", tmp_path / "b", "-m", "mc_rate", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert list(pd.read_csv(pd.io.common.StringIO(result.output)).scenario) == ["small",
                                                                                 "b:small"]


@pytest.mark.parametrize("args, words", [
    (["--baseline", "nope"], "--baseline nope"),
    (["-m", "nope"], "--metric nope"),
    (["--years", "20x6"], "--years 20x6"),
    (["--years", "2040-2041"], "--years 2040-2041"),
    (["--last-years", "5"], "--last-years 5"),
    (["-t", "Concorde"], "--type Concorde"),
    (["--warmup", "soon"], "--warmup soon"),
    (["-f", "xml"], "--format xml"),
])
def test_bad_input_is_one_line_and_exit_2(sweep_dir, args, words):
    assert words in one_line_error(invoke("compare", sweep_dir, *args))


def test_not_a_results_directory(tmp_path):
    assert "not a finished fleetsim results directory" in one_line_error(
        invoke("compare", tmp_path))
