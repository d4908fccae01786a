"""`fleetsim report` of an explore directory with indices.csv: the sensitivity figures
(S1/ST bars with the noise floor, mu*-sigma, tornado), captioned with their top factors."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("SALib")

from .helpers import TINY, invoke  # noqa: E402


@pytest.mark.parametrize("design, n, reps, figure, words", [
    ("sobol", 4, 2, "sobol_tiny_ALL_mc_rate.png", ["Sobol indices of tiny:ALL:mc_rate",
                                                  "noise floor", "largest ST"]),
    ("morris", 2, 1, "morris_tiny_ALL_mc_rate.png", ["Morris screening of tiny:ALL:mc_rate",
                                                    "largest mu*", "noise floor"]),
    ("tornado", 2, 2, "tornado_tiny_ALL_mc_rate.png", ["Tornado of tiny:ALL:mc_rate",
                                                      "largest swing"]),
])
def test_report_includes_the_sensitivity_figures(tmp_path, design, n, reps, figure, words):
    out = tmp_path / design
    result = invoke("explore", TINY, "--design", design, "--n", n, "--reps", reps, "-w", 1,
                    "-o", out, "-q", "--years", 0.5)
    assert result.exit_code == 0, result.output
    before = invoke("report", out)
    assert before.exit_code == 0, before.output
    assert figure not in (out / "report" / "report.md").read_text()  # no indices yet
    result = invoke("sensitivity", out, "-m", "mc_rate", "-q")
    assert result.exit_code == 0, result.output
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    text = (out / "report" / "report.md").read_text()
    assert f"]({figure})" in text and (out / "report" / figure).is_file()
    caption = next(line for line in text.splitlines() if line.startswith(f"*{words[0]}"))
    for w in words:
        assert w in caption, caption
    assert figure in (out / "report" / "report.html").read_text() or \
        "data:image/png" in (out / "report" / "report.html").read_text()
