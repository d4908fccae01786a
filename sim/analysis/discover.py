"""Scenario discovery: PRIM boxes over an explored space (Friedman and Fisher 1999; Bryant
and Lempert 2010).

The cases of interest are the design points whose output passes a threshold (fewer than 30
MiG-29s mission capable, say). PRIM peels: step by step it cuts off the fraction `alpha` of
the points at the low or high end of one parameter, choosing the cut that leaves the box
with the highest density (share of cases of interest inside it), until `min_mass` of the
points remain; then it pastes back any slice that raises the density again. Each box on the
way is a candidate; its coverage is the share of all cases of interest it holds, its density
the share of its points that are cases of interest, and its restricted parameters are those
whose bounds moved. Written here (about a hundred lines) rather than imported: the PyPI
`PRIM` package is GPL-licensed, fleetsim is MIT.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Box:
    low: np.ndarray
    high: np.ndarray
    coverage: float
    density: float
    mass: float

    def restricted(self, full_low: np.ndarray, full_high: np.ndarray) -> np.ndarray:
        return (self.low > full_low) | (self.high < full_high)


def inside(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return ((x >= low) & (x <= high)).all(axis=1)


def peel(x: np.ndarray, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05
         ) -> list[Box]:
    """The peeling trajectory (first box: everything), each box pasted where that helps."""
    x, y = np.asarray(x, float), np.asarray(y, bool)
    if y.sum() == 0:
        return []
    low, high = x.min(axis=0), x.max(axis=0)
    boxes = [_box(x, y, low, high)]
    while True:
        best = None
        mask = inside(x, low, high)
        for j in range(x.shape[1]):
            xs = x[mask, j]
            for end, cut in (("low", np.quantile(xs, alpha)), ("high", np.quantile(xs, 1 - alpha))):
                lo, hi = low.copy(), high.copy()
                if end == "low":
                    lo[j] = xs[xs > cut].min() if (xs > cut).any() else np.inf
                else:
                    hi[j] = xs[xs < cut].max() if (xs < cut).any() else -np.inf
                keep = inside(x, lo, hi)
                if keep.sum() == mask.sum() or keep.sum() < max(1, min_mass * len(x)):
                    continue
                density = y[keep].mean()
                if best is None or density > best[0]:
                    best = (density, lo, hi)
        if best is None:
            break
        low, high = best[1], best[2]
        boxes.append(_box(x, y, *_paste(x, y, low, high, alpha)))
    return boxes


def _paste(x, y, low, high, alpha):
    """Widen the box one slice at a time while that raises its density."""
    full_low, full_high = x.min(axis=0), x.max(axis=0)
    density = y[inside(x, low, high)].mean()
    while True:
        best = None
        for j in range(x.shape[1]):
            for end in ("low", "high"):
                lo, hi = low.copy(), high.copy()
                outside = x[:, j] < low[j] if end == "low" else x[:, j] > high[j]
                rest = inside(np.delete(x, j, 1), np.delete(low, j), np.delete(high, j))
                candidates = x[outside & rest, j]
                if not len(candidates):
                    continue
                step = max(1, int(alpha * inside(x, low, high).sum()))
                ordered = np.sort(candidates)
                if end == "low":
                    lo[j] = max(ordered[-step:].min(), full_low[j])
                else:
                    hi[j] = min(ordered[:step].max(), full_high[j])
                d = y[inside(x, lo, hi)].mean()
                if d > density and (best is None or d > best[0]):
                    best = (d, lo, hi)
        if best is None:
            return low, high
        density, low, high = best


def _box(x, y, low, high) -> Box:
    mask = inside(x, low, high)
    return Box(low.copy(), high.copy(), float(y[mask].sum() / y.sum()),
               float(y[mask].mean()) if mask.any() else 0.0, float(mask.mean()))


def choose(boxes: list[Box], min_coverage: float) -> Box:
    """The densest box on the trajectory that keeps at least `min_coverage`."""
    fit = [b for b in boxes if b.coverage >= min_coverage] or boxes[:1]
    return max(fit, key=lambda b: (b.density, b.coverage))


def describe(box: Box, names: list[str], x: np.ndarray) -> pd.DataFrame:
    """One row per parameter: the box's bounds, the explored range, restricted or not."""
    full_low, full_high = x.min(axis=0), x.max(axis=0)
    restricted = box.restricted(full_low, full_high)
    return pd.DataFrame({"parameter": names, "low": box.low, "high": box.high,
                         "explored_low": full_low, "explored_high": full_high,
                         "restricted": restricted})


def trajectory(boxes: list[Box], names: list[str], x: np.ndarray) -> pd.DataFrame:
    full_low, full_high = x.min(axis=0), x.max(axis=0)
    return pd.DataFrame([{"step": i, "coverage": b.coverage, "density": b.density,
                          "mass": b.mass,
                          "restricted": " ".join(n for n, r in
                                                 zip(names, b.restricted(full_low, full_high))
                                                 if r)}
                         for i, b in enumerate(boxes)])
