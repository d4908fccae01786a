"""`fleetsim screen` and `fleetsim spares` through the command line, bad input included, and
the verification of an optimised package by simulation (the acceptance test)."""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load

from .helpers import SCENARIOS

runner = CliRunner()
VALIDATION = SCENARIOS / "validation"

SMALL = """
name = "small_spares"
[run]
years = 3.0
warmup_days = 200
[flying]
programme = "fleet_hours"
window_hours = 24
[cannibalization]
policy = "full"
hours_per_action = 0.0
[maintenance]
allocation = "fifo"
[types.A]
count = 12
sortie_hours = 1.0
fleet_hours_per_day = 14.0
[types.A.lrus.engine]
units_per_aircraft = 2
mtbf_flight_hours = 120
repair_days = { distribution = "lognormal", mean = 20, cv = 0.8 }
initial_stock = 1
unit_cost_musd = 2.6
supply.hand = { units = 4 }
[types.A.lrus.radar]
mtbf_flight_hours = 60
repair_days = { distribution = "exponential", mean = 15 }
unit_cost_musd = 1.5
supply.hand = { units = 1 }
[types.A.lrus.pump]
mtbf_flight_hours = 150
repair_days = { distribution = "deterministic", mean = 20 }
initial_stock = 1
unit_cost_musd = 0.2
supply.hand = { units = 2 }
"""


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


def one_line_error(result, *words):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for w in words:
        assert w in lines[0], lines[0]


def test_screen_prints_and_writes_the_table(tmp_path):
    csv = tmp_path / "screen.csv"
    result = invoke("screen", VALIDATION / "p1_exponential.toml",
                    VALIDATION / "f2_channel_per_aircraft.toml", "--csv", csv)
    assert result.exit_code == 0, result.output
    assert "P1" in result.output and "F1" in result.output
    table = pd.read_csv(csv)
    f2 = table[table.scenario == "f2_channel_per_aircraft"].iloc[0]
    assert f2.nmcs_aircraft == pytest.approx(2.347826087, abs=1e-8)
    assert f2.mc_rate == pytest.approx(0.8695652174, abs=1e-9)
    assert set(table.binding_kind) == {"unit"}


def test_screen_bad_input(tmp_path):
    one_line_error(invoke("screen", tmp_path / "missing.toml"), "missing.toml")
    one_line_error(invoke("screen", VALIDATION / "p1_exponential.toml", "--date", "soon"),
                   "--date")


def test_spares_writes_curve_figure_package_and_scenario(small, tmp_path):
    out, scen = tmp_path / "out", tmp_path / "optimised.toml"
    result = invoke("spares", small, "--type", "A", "--alternative", f"{small}:hand",
                    "-o", out, "--scenario-out", scen)
    assert result.exit_code == 0, result.output
    curve = pd.read_csv(out / "curve.csv")
    hand_cost = 4 * 2.6 + 1.5 + 2 * 0.2
    assert curve.cost_musd.iloc[-1] <= hand_cost + 1e-9  # the default budget: the hand cost
    assert curve.fmc_aircraft.is_monotonic_increasing
    assert (out / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fragment = tomllib.loads((out / "package.toml").read_text())
    units = {k: v["supply"]["optimised_spares"]["units"]
             for k, v in fragment["types"]["A"]["lrus"].items()}
    last = curve.iloc[-1]
    assert units == {k: int(last[f"units_{k}"]) for k in ("engine", "radar", "pump")
                     if last[f"units_{k}"] > 0}
    merged = load(scen)  # extends the source, the hand package zeroed, the optimised added
    for kind, lru in merged.types["A"].lrus.items():
        assert lru.supply["hand"].units == 0
        assert lru.supply.get("optimised_spares", None) is None or \
            lru.supply["optimised_spares"].units == units[kind]


def test_spares_bad_input(small, tmp_path):
    alt = ["--alternative", f"{small}:hand"]
    one_line_error(invoke("spares", small, "--type", "B", *alt), "--type", "'B'")
    one_line_error(invoke("spares", small, "--type", "A", "--budget", "-1", *alt), "--budget")
    nocost = tmp_path / "nocost.toml"
    nocost.write_text(SMALL.replace("unit_cost_musd = 1.5\n", ""))
    one_line_error(invoke("spares", nocost, "--type", "A", *alt),
                   "types.A.lrus.radar.unit_cost_musd")
    one_line_error(invoke("spares", small, "--type", "A", "--alternative", f"{small}:none"),
                   "--alternative")
    one_line_error(invoke("spares", small, "--type", "A", "--alternative", "hand"),
                   "--alternative")


@pytest.mark.slow
def test_verify_the_optimised_package_beats_the_hand_made_one(small, tmp_path):
    """At the hand-made package's cost the optimised package gives at least as many FMC
    (paired 95% CI of the difference not below 0, CRN), and the screen's curve is within
    1.5 FMC of the simulated one at five points along it."""
    out = tmp_path / "out"
    result = invoke("spares", small, "--type", "A", "--alternative", f"{small}:hand",
                    "-o", out, "--verify", 16, "--curve-points", 5, "--workers", 2)
    assert result.exit_code == 0, result.output
    diffs = pd.read_csv(out / "verify.csv").set_index("comparison")
    better = diffs.loc["optimised - alternative"]
    assert better.ci_high >= 0 and better.diff_fmc >= 0, better
    assert diffs.loc["optimised - baseline"].ci_low > 0  # a package buys aircraft
    curve = pd.read_csv(out / "verify_curve.csv")
    assert len(curve) == 5
    assert (curve.gap.abs() <= 1.5).all(), curve
