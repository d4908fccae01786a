"""The command line: validate, show and run, on good and bad input."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

from .helpers import SCENARIOS

runner = CliRunner()
P1 = str(SCENARIOS / "validation" / "p1_exponential.toml")


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_validate_ok():
    result = invoke("validate", P1, SCENARIOS / "validation" / "f1_machine_repairman.toml")
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == 2


@pytest.mark.parametrize("text, key", [
    ("name = \"x\"\n[types.A\n", "not valid TOML"),
    ('extends = "validation/p1_exponential.toml"\n[types.P1]\nwingspan = 3\n',
     "types.P1.wingspan: unknown key"),
    ('extends = "validation/p1_exponential.toml"\n[types.P1.lrus.unit]\ncondemned_fraction = 1.5\n',
     "types.P1.lrus.unit.condemned_fraction: Input should be less than or equal to 1"),
])
def test_validate_bad_file_is_one_line_exit_2(tmp_path, text, key):
    path = tmp_path / "bad.toml"
    # write next to the shipped scenarios' folder layout so `extends` resolves
    (tmp_path / "validation").mkdir()
    (tmp_path / "validation" / "p1_exponential.toml").write_text(open(P1).read())
    path.write_text(text)
    result = invoke("validate", path)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(path) in lines[0] and key in lines[0]
    assert "Traceback" not in result.output


def test_show_prints_resolved_toml_with_overrides():
    result = invoke("show", SCENARIOS / "validation" / "p1_deterministic.toml",
                    "--set", "types.P1.count=30")
    assert result.exit_code == 0, result.output
    assert 'name = "p1_deterministic"' in result.output
    assert "count = 30" in result.output
    assert 'distribution = "deterministic"' in result.output
    assert "[types.P1.lrus.unit.repair_days]" in result.output


def test_show_bad_override():
    result = invoke("show", P1, "--set", "types.P1.count=many")
    assert result.exit_code == 2
    assert "types.P1.count" in result.output


def test_run_writes_results_directory(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", P1, SCENARIOS / "validation" / "p1_deterministic.toml",
                    "-n", 2, "--years", 0.3, "--seed", 5, "--out", out,
                    "--set", "run.warmup_days=0")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["root_seed"] == 5
    assert len(manifest["runs"]) == 4 and all(r["events"] > 0 for r in manifest["runs"])
    assert manifest["scenarios"]["p1_exponential"]["run"]["years"] == 0.3
    reps = pd.read_parquet(out / "replications.parquet")
    assert set(reps["scenario"]) == {"p1_exponential", "p1_deterministic"}
    assert set(reps["aircraft_type"]) == {"P1", "ALL"}
    for metric in ("mc_rate", "fmc_aircraft", "nmcs_aircraft", "nmcm_aircraft", "active_aircraft",
                   "sorties", "flight_hours", "cannibalizations", "cann_per_100_sorties",
                   "backorders"):
        assert metric in set(reps["metric"]), metric
    series = pd.read_parquet(out / "timeseries.parquet")
    assert series["month"].nunique() == 4  # Jan to Apr 2023 in 0.3 years
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["scenario", "aircraft_type", "component", "metric",
                                     "unit", "n", "mean", "std", "ci_low", "ci_high"]
    assert (summary["n"] == 2).any()
    assert "mc_rate" in result.output


def test_run_again_resumes_and_another_batch_is_refused_without_force(tmp_path):
    out = tmp_path / "out"
    args = ["run", P1, "-n", 1, "--years", 0.1, "--out", out, "-q", "--set", "run.warmup_days=0"]
    assert invoke(*args).exit_code == 0
    again = invoke(*args)
    assert again.exit_code == 0 and "(0 run now)" in again.output
    other = invoke(*args, "--seed", 7)
    assert other.exit_code == 2 and "--force" in other.output and "--seed" in other.output
    assert len(other.output.strip().splitlines()) == 1
    assert invoke(*args, "--seed", 7, "--force").exit_code == 0


def test_run_unknown_scenario_and_bad_years(tmp_path):
    result = invoke("run", "no_such_scenario", "--out", tmp_path / "x")
    assert result.exit_code == 2 and "no_such_scenario" in result.output
    result = invoke("run", P1, "--years", -1, "--out", tmp_path / "y")
    assert result.exit_code == 2 and "run.years" in result.output
    assert not (tmp_path / "y").exists()


def test_module_entry_point_and_clean_error_on_stderr(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 3\n")
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and f"{bad}: name:" in proc.stderr


def test_list_shows_shipped_scenarios_with_descriptions():
    result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "status_quo" in result.output
    assert "KPAAF" in result.output


def test_run_of_several_scenarios_prints_their_comparison(tmp_path):
    result = runner.invoke(app, ["run", P1, str(SCENARIOS / "validation" / "p1_lognormal.toml"),
                                 "-n", "3", "--years", "0.5", "--out", str(tmp_path / "o"),
                                 "--set", "run.warmup_days=0"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "compared with p1_exponential" in result.output
    assert "p1_lognormal" in result.output
