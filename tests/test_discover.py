"""PRIM on a synthetic space whose box of interest is known."""

from __future__ import annotations

import numpy as np

from sim.analysis import discover


def _space(n=2000, seed=0):
    x = np.random.default_rng(seed).random((n, 3))
    return x, (x[:, 0] < 0.3) & (x[:, 1] > 0.6)


def test_prim_finds_the_box_and_leaves_the_idle_parameter_free():
    x, y = _space()
    boxes = discover.peel(x, y)
    assert boxes[0].coverage == 1 and boxes[0].density == y.mean()
    box = discover.choose(boxes, 0.8)
    assert box.coverage >= 0.8 and box.density > 0.9
    table = discover.describe(box, ["x1", "x2", "x3"], x)
    assert table.restricted.tolist() == [True, True, False]
    assert abs(box.high[0] - 0.3) < 0.05 and abs(box.low[1] - 0.6) < 0.05


def test_density_rises_along_the_peel():
    x, y = _space(seed=1)
    boxes = discover.peel(x, y)
    densities = [b.density for b in boxes]
    assert densities[-1] > 3 * densities[0]
    assert all(b.mass >= 0.05 - 1e-9 for b in boxes)
    assert max(np.diff([b.coverage for b in boxes])) < 0.05  # pasting may win a few back


def test_no_case_of_interest_gives_no_box():
    x, _ = _space()
    assert discover.peel(x, np.zeros(len(x), bool)) == []
