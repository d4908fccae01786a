"""Answers with both kinds of uncertainty: `run --sample-ranges N` (and `--posterior DIR`)
on the tiny test fleet, and the statistics of the split on synthetic draws."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("SALib")

from sim.analysis.sensitivity import both  # noqa: E402

from .helpers import TINY, invoke  # noqa: E402


def variant_b(folder: Path, extra: str = "") -> Path:
    """tiny with a third repair channel and, for the transfer-like case, a range of its own."""
    path = folder / "tiny_b.toml"
    path.write_text(f'extends = "{TINY}"\nname = "tiny_b"\n[types.A.repair]\nchannels = 3\n'
                    f'[ranges]\n"types.A.lrus.engine.mtbf_flight_hours" = [150, 250]\n{extra}')
    return path


def zero_width(folder: Path, name: str, base: Path) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'extends = "{base}"\nname = "{name}"\n[ranges]\n'
                    '"types.A.lrus.radar.mtbf_flight_hours" = [100, 100]\n'
                    '"types.A.lrus.radar.repair_days.mean" = [25, 25]\n'
                    '"types.A.count" = [8, 8]\n"types.A.fleet_hours_per_day" = [8, 8]\n'
                    '"types.A.lrus.engine.mtbf_flight_hours" = [200, 200]\n')
    return path


def test_both_splits_synthetic_draws():
    rng = np.random.default_rng(1)
    k, r = 400, 4
    y = rng.normal(0, 2.0, (k, 1)) + rng.normal(0, 1.0, (k, r))  # parameter sd 2, noise sd 1
    s = both(y)
    assert s["parameter_share"] + s["noise_share"] == pytest.approx(1)
    assert s["parameter_share"] == pytest.approx(4 / 5, abs=0.05)
    assert s["total_high"] - s["total_low"] > s["noise_high"] - s["noise_low"]
    # half-width of the total: t * sqrt(4 + 1/4); of the noise: t * sqrt(1/4)
    assert (s["total_high"] - s["total_low"]) / 2 == pytest.approx(1.97 * 4.25 ** 0.5, rel=0.1)
    assert (s["noise_high"] - s["noise_low"]) / 2 == pytest.approx(1.97 * 0.5, rel=0.1)
    same = both(y, varied=False)
    assert (same["total_low"], same["total_high"]) == (same["noise_low"], same["noise_high"])
    assert same["parameter_share"] == 0 and same["noise_share"] == 1


@pytest.fixture(scope="module")
def draws_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("draws")
    b = variant_b(folder)
    out = folder / "run"
    result = invoke("run", TINY, b, "--sample-ranges", 6, "-n", 3, "--years", 0.5, "-w", 2,
                    "-o", out)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_run_over_draws_pairs_draws_across_scenarios(draws_dir):
    out, _ = draws_dir
    design = pd.read_parquet(out / "design.parquet")
    meta = json.loads((out / "design.json").read_text())
    assert meta["draws"] and meta["method"] == "lhs" and meta["scenarios"] == ["tiny", "tiny_b"]
    assert len(design) == 2 * 6
    reps = pd.read_parquet(out / "replications.parquet")
    used = reps.groupby("scenario").replication.agg(lambda r: tuple(sorted(set(r))))
    for point, rows in design.groupby("point"):
        # the same values of the keys both share, the same replications, in both scenarios
        shared = rows[["types.A.count", "types.A.lrus.radar.mtbf_flight_hours"]]
        assert (shared.nunique() == 1).all()
        assert {used[s] for s in rows.scenario} == {(3 * point, 3 * point + 1, 3 * point + 2)}
    # the key only tiny_b ranges over is drawn in tiny_b and absent from tiny
    key = "types.A.lrus.engine.mtbf_flight_hours"
    assert design[design.base == "tiny"][key].isna().all()
    assert design[design.base == "tiny_b"][key].between(150, 250).all()
    assert design[design.base == "tiny_b"][key].nunique() == 6


def test_comparison_over_draws_shows_both_intervals(draws_dir):
    out, printed = draws_dir
    assert "noise only" in printed and "unknown" in printed
    frame = pd.read_csv(out / "compare.csv")
    assert set(frame.scenario) == {"tiny", "tiny_b"}  # the scenarios, not their draws
    row = frame[(frame.metric == "sorties") & (frame.scenario == "tiny")].iloc[0]
    assert row.n == 18
    assert row.total_high - row.total_low > row.noise_high - row.noise_low
    assert row.parameter_share + row.noise_share == pytest.approx(1)
    assert row.parameter_share > 0.5  # the programme ranges over 6..10 FH a day
    diff = frame[(frame.metric == "fmc_aircraft") & (frame.scenario == "tiny_b")].iloc[0]
    assert diff.diff_parameter_share + diff.diff_noise_share == pytest.approx(1)
    assert diff.diff_total_high - diff.diff_total_low >= diff.diff_noise_high - diff.diff_noise_low
    # compare on the directory reads the same
    result = invoke("compare", out, "-m", "fmc_aircraft", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "diff_total_low" in result.output.splitlines()[0]


def test_zero_width_ranges_give_the_noise_interval(tmp_path):
    a = zero_width(tmp_path, "flat", TINY)
    b = zero_width(tmp_path, "flat_b", variant_b(tmp_path))
    out = tmp_path / "run"
    result = invoke("run", a, b, "--sample-ranges", 4, "-n", 3, "--years", 0.5, "-w", 1,
                    "-o", out, "-q")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "compare.csv")
    assert frame.noise_low.notna().sum() >= 4
    np.testing.assert_array_equal(frame.total_low, frame.noise_low)
    np.testing.assert_array_equal(frame.total_high, frame.noise_high)
    alt = frame[frame.scenario == "flat_b"].dropna(subset=["diff_noise_low"])
    assert len(alt) and (alt.diff_total_low == alt.diff_noise_low).all()
    assert (alt.diff_total_high == alt.diff_noise_high).all()
    assert (frame.parameter_share.dropna() == 0).all()


@pytest.mark.parametrize("args, expect", [
    (["--sample-ranges", 4, "-n", 1], "--replications 1"),
    (["--sample-ranges", 1], "--sample-ranges"),
    (["--posterior", "nowhere"], "posterior.parquet"),
])
def test_bad_draw_options_are_one_line(tmp_path, args, expect):
    result = invoke("run", TINY, *args, "--years", 0.5, "-o", tmp_path / "o", "-q")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert "Traceback" not in result.output and expect in result.output, result.output


def test_report_over_draws_reads_both_intervals(draws_dir):
    out, _ = draws_dir
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    text = (out / "report" / "report.md").read_text()
    assert text.startswith("# fleetsim report: tiny, tiny_b\n")  # the scenarios, not draws
    findings = text.split("## Comparison")[0]
    assert "noise only [" in findings and "unknown)" in findings
    assert "Over parameter draws" in findings
    assert "3 replications per draw of 6 parameter draws" in text
    assert "| mean [95%: all] | noise only | unknown |" in text
    assert (out / "report" / "mc_rate.png").exists()


def test_run_over_a_posterior_draws_by_weight(tmp_path):
    cal = tmp_path / "cal"
    cal.mkdir()
    pd.DataFrame({"u:fleet_size": [0.1, 0.9], "u:types.A.lrus.radar.mtbf_flight_hours":
                  [0.2, 0.7], "weight": [0.0, 1.0]}).to_parquet(cal / "posterior.parquet")
    out = tmp_path / "run"
    result = invoke("run", TINY, "--posterior", cal, "--sample-ranges", 3, "-n", 2,
                    "--years", 0.5, "-w", 1, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    design = pd.read_parquet(out / "design.parquet")
    assert json.loads((out / "design.json").read_text())["method"] == "posterior"
    assert len(design) == 3 and (design["u:fleet_size"] == 0.9).all()  # weight 0: never
    assert (design["types.A.lrus.radar.repair_days.mean"] == 25).all()  # not calibrated
    frame = pd.read_csv(out / "compare.csv")  # every draw the same point: noise only
    np.testing.assert_array_equal(frame.total_low, frame.noise_low)


@pytest.mark.parametrize("command", [
    ["explore", TINY, "--design", "lhs", "--n", 2, "--reps", 1],
    ["run", TINY, "--sample-ranges", 2, "-n", 2],
])
def test_years_are_reported_after_the_warmup(tmp_path, command):
    out = tmp_path / "o"
    result = invoke(*command, "--set", "run.warmup_days=30", "--years", 0.25, "-w", 1, "-q",
                    "-o", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert list(manifest["horizon_days"].values()) == pytest.approx(
        [30 + 0.25 * 365.25] * len(manifest["horizon_days"]))
