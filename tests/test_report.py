"""fleetsim report: the figures are valid PNGs of sensible size, the documents embed them."""

import matplotlib.image as mpimg
import pytest
from typer.testing import CliRunner

from sim.cli import app

from .helpers import write_scenario

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
FIGURES = ["mc_rate.png", "states_by_type.png", "crewed_fmc.png", "fuel_stock.png",
           "pilot_hours.png", "cann_per_100_sorties.png"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.slow
def test_report_of_a_two_scenario_run(tmp_path):
    out = tmp_path / "sweep"
    result = invoke("sweep", "status_quo", "--grid", "cannibalization.policy=full,none",
                    "-n", "3", "--years", "0.5", "-q", "-w", "2", "--out", out,
                    "--set", "run.warmup_days=0", "--set", "run.start_date=2023-01-01")
    assert result.exit_code == 0, result.output
    result = invoke("report", out, "--warmup-months", "1")
    assert result.exit_code == 0, result.output
    folder = out / "report"
    md = (folder / "report.md").read_text()
    html = (folder / "report.html").read_text()
    for name in FIGURES:
        data = (folder / name).read_bytes()
        assert data.startswith(PNG) and 5_000 < len(data) < 400_000, name
        image = mpimg.imread(folder / name)
        assert image.shape[0] > 200 and image.shape[1] > 300
        assert f"]({name})" in md
    assert html.count("data:image/png;base64,") == len(FIGURES)
    for heading in ("Comparison with the baseline", "1. Objectives", "2. Logic", "3. Data",
                    "4. Experimentation", "5. Implementation", "6. Code access"):
        assert heading in md
    assert md.index("1. Objectives") < md.index("4. Experimentation") < md.index("6. Code")
    assert "warm-up of 1 months excluded" in md and "cannibalization.policy" in md


def test_figures_whose_metrics_are_absent_are_skipped_with_a_note(tmp_path):
    path = write_scenario(tmp_path, "small")  # no pilots, no fuel
    out = tmp_path / "small"
    assert invoke("run", path, "-n", "2", "--years", "0.3", "-q", "-w", "1",
                  "--out", out).exit_code == 0
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    md = (out / "report" / "report.md").read_text()
    assert (out / "report" / "mc_rate.png").read_bytes().startswith(PNG)
    assert not (out / "report" / "fuel_stock.png").exists()
    assert "Fuel stock by fuel kind: skipped" in md
    assert "Pilot hours per year by type, over replications: skipped" in md


def test_report_bad_input_is_one_line(tmp_path):
    result = invoke("report", tmp_path / "nothing")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
