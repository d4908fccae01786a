"""No traceback and no hang on any input: every bad input below ends in one line naming the
file, the key or the option, and exit status 2."""

import json
import os
import shutil

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import MAX_DEPTH, MAX_EXTENDS

from .helpers import SCENARIOS, write_scenario

runner = CliRunner()
P1 = SCENARIOS / "validation" / "p1_exponential.toml"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


# ---- option values: one line instead of typer's box


@pytest.mark.parametrize("args, words", [
    (["run", "-n", "0"], "'--replications' / '-n'"),
    (["run", "-n", "1000000000"], "less than or equal to 100000"),
    (["run", "--workers", "0"], "'--workers'"),
    (["run", "--seed", "-1"], "'--seed'"),
    (["run", "--seed", str(2**63)], "less than or equal to 9223372036854775807"),
    (["run", "--years", "abc"], "'--years'"),
    (["run", P1, "--precision", "nan"], "'--precision'"),
    (["run", "--no-such-option"], "No such option"),
    (["validate"], "Missing argument"),
    (["compare", "--last-years", "x", "."], "'--last-years'"),
])
def test_option_errors_are_one_line(args, words):
    line = one_line_error(invoke(*args))
    assert line.startswith("error: ") and words in line and "--help" in line


def test_years_must_be_finite(tmp_path):
    assert "--years inf" in one_line_error(invoke("run", P1, "--years", "inf", "-q",
                                                  "--out", tmp_path / "x"))


# ---- scenario files: whatever they hold


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, words", [
    ("name = 'x'\n".encode("utf-16"), "UTF-16"),
    (b"name = '\xff\xfe\xfa'\n", "not UTF-8"),
    (bytes(range(256)) * 4, "not UTF-8"),
    (b"name = 'x'\n\x00\x00", "NUL byte"),
    (("a = " + "[" * 1000 + "]" * 1000 + "\n").encode(), f"nested more than {MAX_DEPTH}"),
    (("a = " + "[" * 30 + "]" * 30 + "\n").encode(), f"nested more than {MAX_DEPTH}"),
    (("a." + ".".join(["b"] * 1000) + " = 1\n").encode(), f"nested more than {MAX_DEPTH}"),
    (b"", "types: a scenario needs at least one aircraft type"),
    (b'extends = "a\\u0000b"\n', "extends: must be a file name"),
    (b'extends = "/dev/zero"\n', "extends: /dev/zero: not a regular file"),
    (b'extends = "."\n', "extends: .: a directory"),
    (b'extends = "nowhere.toml"\n', "extends: nowhere.toml: no such file"),
    (b'"a\\nb" = 1\n', '"a\\nb": unknown key'),
])
def test_a_bad_scenario_file_is_one_line(tmp_path, data, words):
    path = _write(tmp_path, "bad.toml", data)
    line = one_line_error(invoke("validate", path))
    assert str(path) in line and words in line


def test_extends_a_fifo_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    path = _write(tmp_path, "bad.toml", b'extends = "fifo"\n')
    assert "extends: fifo: not a regular file" in one_line_error(invoke("validate", path))
    assert "not a regular file" in one_line_error(invoke("validate", tmp_path / "fifo"))


def test_a_symlink_loop_is_one_line(tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    assert "symbolic links" in one_line_error(invoke("validate", tmp_path / "a.toml"))
    path = _write(tmp_path, "bad.toml", b'extends = "a.toml"\n')
    line = one_line_error(invoke("validate", path))
    assert "bad.toml: extends: a.toml:" in line


def test_long_and_circular_extends_chains_are_one_line(tmp_path):
    for i in range(1200):
        text = f'extends = "c{i + 1}.toml"\n' if i < 1199 else 'name = "c"\n'
        (tmp_path / f"c{i}.toml").write_text(text)
    assert f"more than {MAX_EXTENDS} files deep" in one_line_error(
        invoke("validate", tmp_path / "c0.toml"))
    (tmp_path / "x.toml").write_text('extends = "y.toml"\n')
    (tmp_path / "y.toml").write_text('extends = "x.toml"\n')
    assert "circular inheritance" in one_line_error(invoke("validate", tmp_path / "x.toml"))


def test_a_deep_dotted_key_merged_through_extends_is_one_line(tmp_path):
    (tmp_path / "deep.toml").write_text("a." + ".".join(["b"] * 1000) + " = 1\n")
    path = _write(tmp_path, "top.toml", b'extends = "deep.toml"\n')
    assert "nested more than" in one_line_error(invoke("validate", path))
    assert "more than" in one_line_error(invoke("validate", P1, "--set",
                                                ".".join(["a"] * 1000) + "=1"))


# ---- strict types and resource bounds, refused by name before anything runs


@pytest.mark.parametrize("override, words", [
    ('types.P1.count="24"', "types.P1.count: Input should be a valid integer"),
    ("types.P1.fleet_hours_per_day=true", "types.P1.fleet_hours_per_day: Input should be a"
                                          " valid number"),
    ("types.P1.repair.channels=true", "types.P1.repair.channels: Input should be a valid"),
    ("run.years=true", "run.years: Input should be a valid number"),
    ('run.years="5"', "run.years: Input should be a valid number"),
    ("types.P1.sortie_hours=1e-6", "types.P1.sortie_hours: Input should be greater than or"
                                   " equal to 0.1"),
    ("types.P1.count=100000", "types.P1.count: Input should be less than or equal to 2000"),
    ("types.P1.deliveries=[{date=2025-01-01,count=1990}]", "types.P1.count: 2014 tails"),
    ("types.P1.lrus.unit.repair_days.mean=0.001", "repair_days.mean: at least"),
    ("types.P1.lrus.unit.repair_days={distribution='lognormal',mean=10,cv=1e-300}",
     "repair_days.cv"),
    ("run.start_date=9999-06-01", "run.start_date: 9999-06-01 is outside"),
    ("run.start_date=2195-01-01", "run.years: the horizon ends after 2200-12-31"),
])
def test_strict_types_and_bounds_name_the_key(override, words):
    line = one_line_error(invoke("validate", P1, "--set", override))
    assert str(P1) in line and words in line


@pytest.mark.parametrize("changes, words", [
    ({f"T{i}": {"count": 1, "sortie_hours": 1.0, "fleet_hours_per_day": 1.0}
      for i in range(51)}, "types: Dictionary should have at most 50 items"),
    ({f"T{i}": {"count": 2000, "sortie_hours": 1.0, "fleet_hours_per_day": 1.0}
      for i in range(3)}, "types: 6,012 tails in all, more than 5,000"),
    ({"A": {"lrus": {f"u{i}": {"mtbf_flight_hours": 100} for i in range(51)}}},
     "types.A.lrus: Dictionary should have at most 50 items"),
    ({f"T{i}": {"count": 1, "sortie_hours": 1.0, "fleet_hours_per_day": 1.0,
                "lrus": {f"u{j}": {"mtbf_flight_hours": 100} for j in range(45)}}
      for i in range(12)}, "types: 543 LRU kinds in all, more than 500"),
])
def test_resource_bounds_in_all(tmp_path, changes, words):
    path = write_scenario(tmp_path, "big", {"types": changes})
    assert words in one_line_error(invoke("validate", path))


def test_a_fuel_channel_cv_near_zero_is_refused(tmp_path):
    path = write_scenario(tmp_path, "fuel", {
        "fuel": {"jet": {"initial_t": 100.0, "channels": {"c": {"t_per_year": 10.0,
                                                                "cv": 1e-300}}}},
        "types": {"A": {"fuel": "jet", "fuel_burn_t_per_hour": 1.0}}})
    assert "fuel.jet.channels.c.cv: 0 (steady shipments) or at least" in one_line_error(
        invoke("validate", path))


def test_a_sweep_of_too_many_variants_is_refused_before_it_expands(tmp_path):
    extra = ("\n[sweep]\n" + "\n".join(f'"types.A.lrus.engine.initial_stock{i}" = '
                                       f'[{", ".join(map(str, range(20)))}]' for i in range(6)))
    path = write_scenario(tmp_path, "sw", extra=extra)
    assert "sweep: 64,000,000 variants, more than 1,000" in one_line_error(
        invoke("validate", path))


def test_the_shipped_scenarios_still_validate():
    files = sorted(SCENARIOS.glob("*.toml")) + sorted(SCENARIOS.glob("validation/*.toml"))
    result = invoke("validate", *files)
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == len(files) > 10


# ---- --out that cannot be written


def test_out_under_a_regular_file_or_proc_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    for out, words in [(tmp_path / "file" / "x", "Not a directory"),
                       (tmp_path / "file", "not a directory"),
                       ("/proc/fleetsim-x", "cannot be written")]:
        line = one_line_error(invoke("run", P1, "-n", "1", "-q", "--out", out))
        assert str(out) in line and words in line and "--out" in line


def test_a_read_only_out_is_one_line_and_keeps_nothing_half_written(tmp_path, monkeypatch):
    from sim.results import store

    def read_only(path, data):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(store, "atomic_write", read_only)
    line = one_line_error(invoke("run", P1, "-n", "1", "-q", "-w", "1", "--years", "0.5",
                                 "--out", tmp_path / "ro"))
    assert "Read-only file system" in line and "run the same command to resume" in line


# ---- compare and report on malformed directories


@pytest.fixture(scope="module")
def two_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("dirs")
    path = write_scenario(root, "small")
    for name, years in [("one", "0.5"), ("other", "0.75")]:
        result = invoke("run", path, "-n", "2", "--years", years, "-q", "-w", "1",
                        "--out", root / name)
        assert result.exit_code == 0, result.output
    return root


def _broken(two_dirs, tmp_path, name, data):
    out = tmp_path / "broken"
    shutil.copytree(two_dirs / "one", out)
    if data is None:
        (out / name).unlink()
    else:
        (out / name).write_bytes(data)
    return out


@pytest.mark.parametrize("name, data, words", [
    ("manifest.json", None, "no manifest.json"),
    ("timeseries.parquet", None, "no timeseries.parquet"),
    ("replications.parquet", b"garbage", "replications.parquet: cannot be read"),
    ("timeseries.parquet", b"PAR1garbagePAR1", "timeseries.parquet: cannot be read"),
    ("manifest.json", b"{not json", "manifest.json cannot be read"),
    ("manifest.json", b"[1, 2]", "not a fleetsim manifest"),
    ("manifest.json", json.dumps({"scenarios": 3}).encode(), "not a fleetsim manifest"),
    ("manifest.json", json.dumps({"scenarios": {"small": {}}, "horizon_days": 1}).encode(),
     "horizon_days is not a dict"),
])
@pytest.mark.parametrize("command", ["compare", "report"])
def test_compare_and_report_on_a_malformed_directory(two_dirs, tmp_path, name, data, words,
                                                     command):
    out = _broken(two_dirs, tmp_path, name, data)
    line = one_line_error(invoke(command, out))
    assert str(out) in line and words in line


def test_compare_refuses_to_pair_other_horizons(two_dirs):
    line = one_line_error(invoke("compare", two_dirs / "one", two_dirs / "other"))
    assert "horizons differ (182.625 days and 273.9375 days)" in line
    assert str(two_dirs / "one") in line and str(two_dirs / "other") in line


def test_compare_refuses_to_pair_other_warmups_and_start_dates(two_dirs, tmp_path):
    path = write_scenario(tmp_path, "small")
    for name, option, words in [("w", "run.warmup_days=30", "warm-ups differ (0.0 days and"
                                                           " 30.0 days)"),
                                ("s", "run.start_date=2024-01-01", "start dates differ")]:
        result = invoke("run", path, "-n", "2", "--years", "0.5", "-q", "-w", "1",
                        "--set", option, "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
        assert words in one_line_error(invoke("compare", two_dirs / "one", tmp_path / name))


def test_a_metric_absent_for_the_type_and_an_infinite_window_are_one_line(two_dirs):
    one = two_dirs / "one"
    for command in ("compare", "report"):
        line = one_line_error(invoke(command, one, "--metric", "engine.fill_rate"))
        assert "--metric engine.fill_rate: not reported for --type ALL" in line
    assert "--last-years inf" in one_line_error(invoke("compare", one, "--last-years", "inf"))
    result = invoke("compare", one, "-t", "A", "-m", "engine.fill_rate", "-f", "csv")
    assert result.exit_code == 0 and "engine.fill_rate" in result.output
