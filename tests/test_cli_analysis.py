"""The analysis commands end to end on the tiny test fleet: explore, sensitivity; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("SALib")

from .helpers import TINY, invoke, one_line_error  # noqa: E402


@pytest.fixture(scope="module")
def sobol_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("explore") / "sobol"
    result = invoke("explore", TINY, "--design", "sobol", "--n", 4, "--reps", 2, "-w", 2,
                    "-o", out, "-q", "--years", 0.5)
    assert result.exit_code == 0, result.output
    return out


def test_explore_writes_a_design_joinable_on_scenario(sobol_dir):
    design = pd.read_parquet(sobol_dir / "design.parquet")
    reps = pd.read_parquet(sobol_dir / "replications.parquet")
    meta = json.loads((sobol_dir / "design.json").read_text())
    assert meta["design_factors"] == ["fleet_size", "types.A.lrus.radar.mtbf_flight_hours",
                                      "types.A.lrus.radar.repair_days.mean", "dummy"]
    assert len(design) == 4 * (4 + 2)  # 4 Saltelli blocks of D + 2 rows
    joined = reps.merge(design, on="scenario")
    assert len(joined) == len(reps) and set(joined.scenario) == set(design.scenario)
    # the values are the scenario's: the group moves count and hours together
    manifest = json.loads((sobol_dir / "manifest.json").read_text())
    resolved = manifest["scenarios"]
    for row in design.itertuples():
        t = resolved[row.scenario]["types"]["A"]
        assert t["count"] == design.loc[row.Index, "types.A.count"]
        assert t["fleet_hours_per_day"] == design.loc[row.Index, "types.A.fleet_hours_per_day"]
    # common random numbers: a block shares its replications, blocks do not
    used = reps.groupby("scenario").replication.agg(lambda r: tuple(sorted(set(r))))
    design["used"] = design.scenario.map(used)
    for block, rows in design.groupby("block"):
        assert rows.used.nunique() == 1
        assert rows.used.iloc[0] == (2 * block, 2 * block + 1)


def test_explore_resumes_to_the_bit(sobol_dir, tmp_path):
    before = pd.read_parquet(sobol_dir / "replications.parquet")
    result = invoke("explore", TINY, "--design", "sobol", "--n", 4, "--reps", 2, "-w", 1,
                    "-o", sobol_dir, "-q", "--years", 0.5)
    assert result.exit_code == 0 and "(0 run now)" in result.output, result.output
    pd.testing.assert_frame_equal(before, pd.read_parquet(sobol_dir / "replications.parquet"))


def test_sensitivity_writes_indices_and_figures(sobol_dir):
    result = invoke("sensitivity", sobol_dir, "-m", "A:fmc_aircraft", "-m", "mc_rate", "-q")
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(sobol_dir / "indices.csv")
    assert list(indices.columns) == ["output", "parameter", "method", "index", "value",
                                     "ci_low", "ci_high", "N", "R"]
    assert set(indices.output) == {"tiny:A:fmc_aircraft", "tiny:ALL:mc_rate"}
    st = indices[(indices["index"] == "ST")].set_index(["output", "parameter"]).value
    assert st[("tiny:A:fmc_aircraft", "dummy")] == 0  # CRN within a Saltelli block
    assert set(indices.method) == {"sobol", "anova"}
    assert (indices.N == 4).all() and (indices.R == 2).all()
    pngs = sorted((sobol_dir / "figures").glob("*.png"))
    assert len(pngs) == 2 and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_tornado_of_two_scenarios_pairs_their_difference(tmp_path):
    other = tmp_path / "more.toml"
    other.write_text(TINY.read_text().replace('name = "tiny"', 'name = "more"')
                     .replace("count = 2\n", "count = 4\n"))
    out = tmp_path / "tornado"
    result = invoke("explore", TINY, other, "--design", "tornado", "--reps", 3, "-w", 2,
                    "-o", out, "-q", "--years", 0.5)
    assert result.exit_code == 0, result.output
    result = invoke("sensitivity", out, "-m", "A:active_aircraft", "-q")
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(out / "indices.csv")
    bars = indices[indices.output == "more-tiny:A:active_aircraft"]
    assert set(bars["index"]) == {"low", "high"} and len(bars) == 6
    size = indices[(indices.output == "tiny:A:active_aircraft")
                   & (indices.parameter == "fleet_size")].set_index("index").value
    assert size["low"] < 0 < size["high"]  # 6..10 tails around the scenario's 8


@pytest.mark.parametrize("args, words", [
    (["--design", "sobol", "--n", 6], "tiny.toml: --n 6: a Sobol design needs a power of 2"),
    (["--factor", "types.A.colour"], "tiny.toml: types.A.colour: no such [ranges] key"),
    (["--design", "cubes"], "tiny.toml: unknown design 'cubes'"),
])
def test_explore_bad_input_is_one_line(tmp_path, args, words):
    line = one_line_error(invoke("explore", TINY, *args, "-o", tmp_path / "x"))
    assert words in line, line


def test_range_outside_a_keys_own_bounds_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.read_text().replace('"types.A.count" = [6, 10]',
                                            '"types.A.count" = [-1, 10]')
                   .replace("fleet_size = [", "fleet_size_unused = [").replace(
                       'fleet_size_unused = ["types.A.count", "types.A.fleet_hours_per_day"]',
                       ""))
    line = one_line_error(invoke("explore", bad, "-o", tmp_path / "x"))
    assert line.startswith(f"error: {bad}: ranges.types.A.count: low -1 is outside"), line


def test_sensitivity_of_a_plain_run_directory_is_refused(tmp_path):
    line = one_line_error(invoke("sensitivity", tmp_path))
    assert "design.parquet: no such file" in line


def test_sensitivity_unknown_metric_is_one_line(sobol_dir):
    line = one_line_error(invoke("sensitivity", sobol_dir, "-m", "A:happiness"))
    assert "--metric A:happiness: no such output" in line


OBSERVATIONS = """
[[observations]]
name = "serviceable"
metric = "mc_rate"
aircraft_type = "A"
model = "binomial"
value = 3
of = 8

[[observations]]
metric = "flight_hours"
period = ["2023-01", "2023-06"]
model = "interval"
value = [150, 260]
reliability = 0.5
"""


def test_calibrate_writes_a_weighted_posterior_and_resumes(tmp_path):
    obs = tmp_path / "obs.toml"
    obs.write_text(OBSERVATIONS)
    out = tmp_path / "cal"
    args = ["calibrate", TINY, "-O", obs, "--n", 6, "--reps", 2, "--waves", 2, "-w", 2,
            "-o", out, "--years", 0.5, "-q"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == 12 and set(post.wave) == {0, 1}
    assert post.weight.sum() == pytest.approx(1) and (post.weight >= 0).all()
    assert (post.weight[post.implausibility >= 3] == 0).all()
    assert post["types.A.count"].between(6, 10).all()
    reps = pd.concat([pd.read_parquet(out / f"wave{w}" / "replications.parquet")
                      for w in (0, 1)])
    assert set(post.scenario) == set(reps.scenario)
    # every point its own replications: independent noise across points
    firsts = reps.groupby("scenario").replication.min()
    assert firsts.nunique() == len(firsts)
    intervals = pd.read_csv(out / "posterior.csv")
    assert set(intervals.parameter) >= {"types.A.count", "types.A.lrus.radar.mtbf_flight_hours"}
    assert (out / "posterior.png").read_bytes()[:4] == b"\x89PNG"
    again = invoke(*args)
    assert again.exit_code == 0 and again.output.count("(0 run now)") == 2, again.output
    pd.testing.assert_frame_equal(post, pd.read_parquet(out / "posterior.parquet"))
    # answers over the posterior: draws by weight, paired across two scenarios
    other = tmp_path / "more.toml"
    other.write_text(TINY.read_text().replace('name = "tiny"', 'name = "more"')
                     .replace("count = 2\n", "count = 4\n"))
    draws = tmp_path / "draws"
    result = invoke("explore", TINY, other, "--posterior", out, "--n", 5, "--reps", 2,
                    "-w", 2, "-o", draws, "-q", "--years", 0.5)
    assert result.exit_code == 0, result.output
    design = pd.read_parquet(draws / "design.parquet")
    assert len(design) == 10 and set(design.block) == set(range(5))
    kept = set(post.loc[post.weight > 0, "types.A.lrus.radar.mtbf_flight_hours"].round(9))
    assert set(design["types.A.lrus.radar.mtbf_flight_hours"].round(9)) <= kept
    result = invoke("sensitivity", draws, "-m", "A:fmc_aircraft", "-q")
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(draws / "indices.csv")
    assert set(indices.output) == {"tiny:A:fmc_aircraft", "more:A:fmc_aircraft",
                                   "more-tiny:A:fmc_aircraft"}
    assert set(indices.method) == {"anova"} and (indices.N == 5).all()


@pytest.mark.parametrize("change, key, words", [
    (("mc_rate", "happiness"), "observations.0.metric", "no metric 'happiness'"),
    (('aircraft_type = "A"', 'aircraft_type = "Z"'), "observations.0.aircraft_type", "'Z'"),
    (("of = 8", "of = 2"), "observations.0.value", "whole count"),
    (("reliability = 0.5", "reliability = 2"), "observations.1.reliability", "(0, 1]"),
    (('model = "interval"', 'model = "vibes"'), "observations.1.model", "one of"),
])
def test_calibrate_bad_observations_are_one_line(tmp_path, change, key, words):
    obs = tmp_path / "obs.toml"
    obs.write_text(OBSERVATIONS.replace(*change))
    line = one_line_error(invoke("calibrate", TINY, "-O", obs, "-o", tmp_path / "c"))
    assert line.startswith(f"error: {obs}: {key}: ") and words in line, line


def test_discover_finds_the_box_of_low_readiness(sobol_dir):
    reps = pd.read_parquet(sobol_dir / "replications.parquet")
    fmc = reps[(reps.aircraft_type == "A") & (reps.metric == "fmc_aircraft")]
    median = fmc.groupby("scenario", observed=True).value.mean().median()
    result = invoke("discover", sobol_dir, "-m", "A:fmc_aircraft", "--below", median)
    assert result.exit_code == 0, result.output
    box = pd.read_csv(sobol_dir / "prim_box.csv")
    trajectory = pd.read_csv(sobol_dir / "prim_trajectory.csv")
    assert trajectory.coverage.iloc[0] == 1 and trajectory.density.iloc[0] <= 0.6
    assert box.restricted.any() and "coverage" in result.output
    assert set(box.parameter) == {"types.A.count", "types.A.fleet_hours_per_day",
                                  "types.A.lrus.radar.mtbf_flight_hours",
                                  "types.A.lrus.radar.repair_days.mean"}


@pytest.mark.parametrize("args, words", [
    (["-m", "A:fmc_aircraft"], "give one of --below or --above"),
    (["-m", "A:fmc_aircraft", "--below", 1, "--above", 2], "give one of --below or --above"),
    (["-m", "A:fmc_aircraft", "--below", 1, "--scenario", "nope"], "--scenario nope: not an"),
])
def test_discover_bad_input_is_one_line(sobol_dir, args, words):
    line = one_line_error(invoke("discover", sobol_dir, *args))
    assert words in line and str(sobol_dir) in line, line
