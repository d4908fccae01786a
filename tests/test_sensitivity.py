"""Sensitivity statistics on the Ishigami function wrapped as a noisy simulator."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("SALib")

from sim.analysis import design, sensitivity  # noqa: E402
from tests.synthetic import ISHIGAMI_S1, ISHIGAMI_ST, ISHIGAMI_VAR, ishigami, noisy  # noqa: E402

SD, REPS = 2.0, 4
NAMES = ["x1", "x2", "x3"]


def _indices(frame, index):
    rows = frame[(frame.method == "sobol") & (frame["index"] == index)].set_index("parameter")
    return rows.loc[NAMES + ["dummy"]]


@pytest.fixture(scope="module")
def sobol_run():
    d = design.make("sobol", NAMES, 1024, seed=3)
    y = noisy(ishigami, d.unit, d.replications(REPS), REPS, SD)
    return d, sensitivity.analyse("sobol", d.factors, d.unit, d.block, y, "y", seed=1)


def test_sobol_indices_cover_the_truth(sobol_run):
    _, frame = sobol_run
    for index, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        rows = _indices(frame, index).iloc[:3]
        assert (rows.ci_low.to_numpy() <= truth).all(), (index, rows, truth)
        assert (truth <= rows.ci_high.to_numpy()).all(), (index, rows, truth)
        assert (rows.ci_high - rows.ci_low < 0.2).all()  # informative, not vacuous


def test_dummy_total_index_is_below_the_noise_floor_under_crn(sobol_run):
    _, frame = sobol_run
    assert abs(_indices(frame, "ST").loc["dummy", "value"]) < 0.01


def test_dummy_sees_the_noise_without_crn():
    """The mechanism: give every row its own replications and the dummy's ST is the noise."""
    d = design.make("sobol", NAMES, 256, seed=3)
    y = noisy(ishigami, d.unit, np.arange(len(d.unit)) * REPS, REPS, SD)
    frame = sensitivity.analyse("sobol", d.factors, d.unit, d.block, y, "y", seed=1)
    assert _indices(frame, "ST").loc["dummy", "value"] > 0.01


def test_noise_share_recovered_within_20_percent(sobol_run):
    _, frame = sobol_run
    share = frame[(frame.method == "anova") & (frame["index"] == "noise_share")].iloc[0]
    truth = SD**2 / (SD**2 + ISHIGAMI_VAR)
    assert abs(share.value / truth - 1) < 0.2, (share.value, truth)
    assert share.ci_low <= truth <= share.ci_high
    assert share.N == 1024 and share.R == REPS


def test_noise_share_on_a_latin_hypercube():
    d = design.make("lhs", NAMES, 400, seed=5)
    y = noisy(ishigami, d.unit, d.replications(REPS), REPS, SD)
    rows = sensitivity.variance_split(y)
    values = {r["index"]: r["value"] for r in rows}
    assert abs(values["noise_variance"] / SD**2 - 1) < 0.2
    assert abs(values["parameter_variance"] / ISHIGAMI_VAR - 1) < 0.2


def test_total_interval_holds_parameter_uncertainty_the_noise_interval_only_noise():
    d = design.make("lhs", NAMES, 400, seed=6)
    y = noisy(ishigami, d.unit, d.replications(REPS), REPS, SD)
    rows = {r["index"]: r for r in sensitivity.variance_split(y)}
    total, noise = rows["total_interval"], rows["noise_interval"]
    truth = ishigami(np.random.default_rng(0).random((200000, 3))) \
        + SD / np.sqrt(REPS) * np.random.default_rng(1).standard_normal(200000)
    low, high = np.percentile(truth, [2.5, 97.5])
    assert abs(total["ci_low"] - low) < 0.7 and abs(total["ci_high"] - high) < 0.7
    half = 1.96 * SD / np.sqrt(REPS)
    assert (noise["ci_high"] - noise["ci_low"]) / 2 == pytest.approx(half, rel=0.1)
    assert total["value"] == noise["value"] == pytest.approx(3.5, abs=0.4)


def test_morris_screens_out_the_dummy_and_x3_alone():
    d = design.make("morris", NAMES, 100, seed=2)
    y = noisy(ishigami, d.unit, d.replications(REPS), REPS, SD)
    frame = sensitivity.analyse("morris", d.factors, d.unit, d.block, y, "y")
    mu = frame[frame["index"] == "mu_star"].set_index("parameter").value
    sigma = frame[frame["index"] == "sigma"].set_index("parameter").value
    assert mu["dummy"] < 1e-9 and sigma["dummy"] < 1e-9  # CRN within a trajectory
    assert min(mu["x1"], mu["x2"], mu["x3"]) > 0.5
    assert sigma["x3"] > 0.5  # x3 acts only through its interaction with x1


def test_tornado_bars_are_paired_differences():
    d = design.make("tornado", NAMES, 0)
    assert d.unit.shape == (7, 3) and np.isnan(d.unit[0]).all()
    unit = np.where(np.isnan(d.unit), 0.75, d.unit)  # baseline at x = pi/2
    y = noisy(ishigami, unit, d.replications(50), 50, SD)
    frame = sensitivity.analyse("tornado", d.factors, unit, d.block, y, "y")
    bars = frame.set_index(["parameter", "index"])
    base = ishigami(unit[:1])[0]
    for j, name in enumerate(NAMES):
        for end, row in (("low", 1 + 2 * j), ("high", 2 + 2 * j)):
            truth = ishigami(unit[row:row + 1])[0] - base
            bar = bars.loc[(name, end)]
            assert bar.value == pytest.approx(truth, abs=1e-9)  # CRN: the noise cancels
    assert bars.loc[("x2", "low"), "value"] < -6


def test_design_too_small_is_refused():
    for method, n in (("sobol", 6), ("sobol", 2), ("morris", 1), ("lhs", 1), ("factorial", 1)):
        with pytest.raises(design.DesignError, match="--n"):
            design.make(method, NAMES, n)
