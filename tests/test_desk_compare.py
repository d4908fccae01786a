"""Comparisons that read: sweep variants by their values, the type and window in every
title, absent types as 0, many variants laid out wide, Holm-adjusted intervals."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import compare as cmp
from sim.cli import app
from sim.analysis import paired_interval
from sim.holm import holm_levels, paired_p
from sim.labels import labels, short_keys, variant_labels

from .helpers import write_scenario

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_short_keys_keep_the_type_and_stay_unique():
    short = short_keys(["types.MiG-29.count", "cannibalization.policy", "types.Su-25.count",
                        "types.A.lrus.radar.initial_stock", "types.A.lrus.pump.initial_stock"])
    assert short["types.MiG-29.count"] == "MiG-29.count"
    assert short["cannibalization.policy"] == "policy"
    assert short["types.A.lrus.radar.initial_stock"] == "radar.initial_stock"
    assert len(set(short.values())) == 5


def test_variant_labels_from_a_manifest():
    sweep = {"base": "status_quo", "grid": {"types.MiG-29.count": [18, 35],
                                             "cannibalization.policy": ["none", "full"]},
             "variants": {"status_quo/1": {"types.MiG-29.count": 18,
                                           "cannibalization.policy": "none"}}}
    shown = labels(["status_quo/1", "other"], {"sweeps": [sweep]})
    assert shown == {"status_quo/1": "MiG-29.count=18, policy=none", "other": "other"}
    assert variant_labels([sweep, {**sweep, "base": "b"}])["status_quo/1"].startswith("b: ")


def _values(rows):
    return pd.DataFrame(rows, columns=cmp.KEYS + ["value"])


def test_a_type_absent_from_the_baseline_counts_as_zero():
    rows = []
    for k in range(4):
        rows += [("base", k, "ALL", "fmc_aircraft", 10.0 + k), ("new", k, "ALL", "fmc_aircraft",
                                                                  15.0 + k),
                 ("new", k, "Su-27", "fmc_aircraft", 5.0 + 0.1 * k),
                 ("new", k, "Su-27", "mc_rate", 0.9)]
    frame = cmp.compare(_values(rows), "base")
    su = frame[(frame.aircraft_type == "Su-27") & (frame.metric == "fmc_aircraft")]
    base, new = su.set_index("scenario").loc["base"], su.set_index("scenario").loc["new"]
    assert base["mean"] == 0 and base["n"] == 4
    assert new["diff"] == pytest.approx(5.15) and new["significant"]
    rate = frame[(frame.aircraft_type == "Su-27") & (frame.metric == "mc_rate")]
    assert rate.set_index("scenario").loc["new", "diff"] != rate.set_index(
        "scenario").loc["new", "diff"]  # a rate of no aircraft is not 0: it stays undefined


def test_holm_levels_step_down():
    assert holm_levels([0.001, 0.04, 0.012, 0.5]) == pytest.approx(
        [1 - 0.05 / 4, 1 - 0.05 / 2, 1 - 0.05 / 3, 1 - 0.05 / 2])


def test_holm_intervals_hold_the_family_wise_level():
    """Six alternatives with no true difference: some unadjusted 95% interval misses zero
    in about 1 - 0.95^6 = 26% of the experiments, a Holm-adjusted one in at most 5%."""
    rng = np.random.default_rng(11)
    misses = {"none": 0, "holm": 0}
    trials = 1000
    for _ in range(trials):
        common = rng.normal(50, 5, 8)
        base = common + rng.normal(0, 1, 8)
        others = [common + rng.normal(0, 1, 8) for _ in range(6)]
        levels = {"none": [0.95] * 6,
                  "holm": holm_levels([paired_p(base, x) for x in others])}
        for adjust, level in levels.items():
            intervals = [paired_interval(base, x, lv)[1:] for x, lv in zip(others, level)]
            misses[adjust] += any(low > 0 or high < 0 for low, high in intervals)
    assert misses["none"] / trials > 0.18
    assert misses["holm"] / trials < 0.075  # 0.056 with this seed


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("desk")
    path = write_scenario(folder, "small", {"run": {"years": 0.4}})
    out = folder / "out"
    result = invoke("sweep", path, "--grid", "types.A.count=8,12,16",
                    "--grid", "cannibalization.policy=none,full", "-n", 2, "-w", 1, "-o", out)
    assert result.exit_code == 0, result.output
    return out, result.stdout


def test_a_sweep_prints_its_comparison_by_values_and_writes_compare_csv(sweep_dir):
    out, text = sweep_dir
    assert "A.count=8, policy=none" in text and "compared with" in text
    assert "small/1" not in text
    table = pd.read_csv(out / "compare.csv")
    assert set(table["label"]) >= {"A.count=16, policy=full"}
    assert table["scenario"].nunique() == 6


def test_compare_titles_name_type_and_window_and_lay_many_variants_out_wide(sweep_dir, tmp_path):
    out, _ = sweep_dir
    result = invoke("compare", out, "-t", "A", "--last-years", "0.25")
    assert result.exit_code == 0, result.output
    title = " ".join(result.stdout.split("┏")[0].split())
    assert title.startswith("A, 2023-03 to 2023-05: compared with A.count=8, policy=none")
    header = next(line for line in result.stdout.splitlines() if "mc_rate" in line)
    assert "fmc_aircraft" in header  # metrics as columns
    wide = tmp_path / "wide.csv"
    assert invoke("compare", out, "-f", "csv", "-o", wide).exit_code == 0
    table = pd.read_csv(wide)
    assert len(table) == 6 and {"mc_rate.diff_low", "sorties.mean"} <= set(table.columns)


def test_compare_adjust_holm_widens_and_says_so(sweep_dir):
    out, _ = sweep_dir
    plain = json.loads(invoke("compare", out, "-m", "fmc_aircraft", "-f", "json").stdout)
    holm = json.loads(invoke("compare", out, "-m", "fmc_aircraft", "-f", "json",
                             "--adjust", "holm").stdout)
    widths = [[r["diff_high"] - r["diff_low"] for r in d["rows"] if r["diff_low"] is not None]
              for d in (plain, holm)]
    assert all(h >= p for p, h in zip(*widths)) and sum(widths[1]) > sum(widths[0])
    assert "Holm-adjusted" in invoke("compare", out, "--adjust", "holm").stdout


def test_run_of_a_sweep_file_takes_layout_and_adjust(tmp_path):
    path = write_scenario(tmp_path, "swept", {"run": {"years": 0.3}},
                          extra='\n[sweep]\n"types.A.count" = [8, 12, 16]\n')
    out = tmp_path / "out"
    result = invoke("run", path, "-n", 3, "-w", 1, "-o", out, "--layout", "wide",
                    "--adjust", "holm")
    assert result.exit_code == 0, result.output
    comparison = result.stdout[result.stdout.index("compared with"):]
    header = next(line for line in comparison.splitlines() if "mc_rate" in line)
    assert "fmc_aircraft" in header  # wide: the metrics as columns, with only 3 scenarios
    assert "Holm-adjusted over the 2 alternatives" in " ".join(result.stdout.split())
    table = pd.read_csv(out / "compare.csv")  # long, and adjusted as printed
    assert {"metric", "diff_level"} <= set(table.columns)
    assert (table["diff_level"].dropna() > 0.95).any()  # Holm: each interval wider
    long = invoke("run", path, "-n", 3, "-w", 1, "-o", out, "--layout", "long")
    assert long.exit_code == 0, long.output
    assert "Holm" not in long.stdout and "Δ vs baseline" in long.stdout
    assert (pd.read_csv(out / "compare.csv")["diff_level"].dropna() == 0.95).all()


@pytest.mark.parametrize("command", ["run", "sweep"])
@pytest.mark.parametrize("option, value", [("--layout", "tall"), ("--adjust", "bonferroni")])
def test_bad_layout_or_adjust_is_one_line_before_anything_runs(tmp_path, command, option,
                                                               value):
    path = write_scenario(tmp_path, "s")
    args = [command, path, option, value, "-o", tmp_path / "out"]
    result = invoke(*(args + (["--grid", "types.A.count=8,12"] if command == "sweep" else [])))
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert option in result.output and not (tmp_path / "out").exists()


def test_precision_metric_of_a_role_group(tmp_path):
    path = write_scenario(tmp_path, "r", {"run": {"years": 0.2},
                                          "types": {"A": {"role": "air_defence"}}})
    out = tmp_path / "out"
    result = invoke("run", path, "-n", 2, "-w", 1, "-q", "-o", out, "--precision", "0.9",
                    "--metric", "role:air_defence:mc_rate", "--max-replications", 3)
    assert result.exit_code == 0, result.output
    wanted = json.loads((out / "manifest.json").read_text())["precision"]
    assert (wanted["aircraft_type"], wanted["metric"]) == ("role:air_defence", "mc_rate")
    result = invoke("run", path, "-n", 2, "-w", 1, "-q", "-o", tmp_path / "other",
                    "--precision", "0.9", "--metric", "role:strike:mc_rate")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "--metric role:strike:mc_rate" in result.output
