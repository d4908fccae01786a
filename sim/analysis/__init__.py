"""Statistics over replications: means and Student-t confidence intervals.

Replications are independent and identically distributed, so the mean of a metric over n
replications has the Student-t confidence interval mean ± t(n-1) s / sqrt(n). `Summary`
accumulates it one replication at a time (Welford's update), so a summary of thousands of
replications needs no more memory than one of ten. `next_count` is the confidence-interval
method of choosing the number of replications: run more until the half-width is a given
fraction of the mean (Law, Simulation Modeling and Analysis, sec. 9.4.1).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """(mean, std, low, high) of the mean of independent replications; NaNs are dropped."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return (np.nan,) * 4
    mean = float(x.mean())
    std = float(x.std(ddof=1)) if len(x) > 1 else np.nan
    half = float(half_width(np.array([len(x)]), np.array([std]), level)[0])
    return mean, std, mean - half, mean + half


def half_width(n: np.ndarray, std: np.ndarray, level: float) -> np.ndarray:
    """Half-width of the t-interval of a mean over n replications (NaN for n < 2)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
        return t * std / np.sqrt(n)


class Summary:
    """Mean, standard deviation and t-interval of each (scenario, aircraft_type, metric),
    accumulated one replication at a time; NaN values (an undefined ratio) are left out."""

    def __init__(self, level: float = 0.95):
        self.level = level
        self._index: dict[str, dict[tuple[str, str], int]] = {}
        self._stats: dict[str, np.ndarray] = {}  # per scenario: rows of (n, mean, M2)

    def add(self, scenario: str, aircraft_types: list[str], metrics: list[str],
            values: np.ndarray) -> None:
        """Add one replication's values of `scenario` (one per aircraft type and metric)."""
        index = self._index.setdefault(scenario, {})
        rows = np.array([index.setdefault(key, len(index))
                         for key in zip(aircraft_types, metrics)], dtype=np.intp)
        acc = self._grown(scenario, len(index))
        x = np.asarray(values, dtype=float)
        ok = ~np.isnan(x)
        rows, x = rows[ok], x[ok]
        acc[rows, 0] += 1
        delta = x - acc[rows, 1]
        acc[rows, 1] += delta / acc[rows, 0]
        acc[rows, 2] += delta * (x - acc[rows, 1])

    def _grown(self, scenario: str, size: int) -> np.ndarray:
        acc = self._stats.get(scenario, np.zeros((0, 3)))
        if len(acc) < size:
            acc = self._stats[scenario] = np.vstack([acc, np.zeros((size - len(acc), 3))])
        return acc

    def frame(self) -> pd.DataFrame:
        """One row per (scenario, aircraft_type, metric): n, mean, std, ci_low, ci_high."""
        keys = ["scenario", "aircraft_type", "metric"]
        frames = []
        for scenario, index in self._index.items():
            n, mean, m2 = self._stats[scenario].T
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(n > 0, mean, np.nan)
                std = np.where(n > 1, np.sqrt(m2 / (n - 1)), np.nan)
            half = half_width(n, std, self.level)
            frames.append(pd.DataFrame({
                "scenario": scenario, "aircraft_type": [k[0] for k in index],
                "metric": [k[1] for k in index], "n": n.astype(int), "mean": mean,
                "std": std, "ci_low": mean - half, "ci_high": mean + half}))
        if not frames:
            return pd.DataFrame(columns=keys + ["n", "mean", "std", "ci_low", "ci_high"])
        return pd.concat(frames, ignore_index=True)


def relative_half_width(values: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the t-interval over |mean| (inf when the mean is 0, NaN for n < 2)."""
    mean, _, low, high = t_interval(values, level)
    half = (high - low) / 2
    if half == 0:
        return 0.0
    return half / abs(mean) if mean else math.inf


def next_count(values: np.ndarray, precision: float, maximum: int,
               level: float = 0.95) -> int:
    """How many replications to have next, given the values of the first n.

    n itself when the relative half-width is within `precision`; otherwise the estimate
    n * (relative half-width / precision)^2, at least n + 1, at most 2n and `maximum`.
    The answer depends on the values alone, never on how they were computed.
    """
    n = len(values)
    relative = relative_half_width(values, level)
    if relative <= precision:
        return n
    wanted = n * (relative / precision) ** 2 if math.isfinite(relative) else 2 * n
    return int(min(maximum, 2 * n, max(n + 1, math.ceil(wanted))))


def paired_interval(base: np.ndarray, other: np.ndarray, level: float = 0.95
                    ) -> tuple[float, float, float]:
    """(mean, low, high) of other - base, paired by position (replication k against
    replication k: common random numbers); pairs with a NaN on either side are dropped."""
    d = np.asarray(other, dtype=float) - np.asarray(base, dtype=float)
    mean, _, low, high = t_interval(d, level)
    return mean, low, high


def mser(series: np.ndarray, batch: int = 5) -> int:
    """MSER-m warm-up truncation (White 1997; m = `batch`, 5 by default): the number of
    leading observations to discard.

    The series is cut into batch means Z_1..Z_b (a trailing partial batch is dropped);
    MSER(d) = sum_{j>d} (Z_j - mean_{j>d} Z)^2 / (b - d)^2, and the truncation is `batch`
    times the d minimizing it. As is usual, d is searched in the first half of the batches
    only (the statistic is unstable when few batches are left). NaNs are left out first.
    """
    x = np.asarray(series, dtype=float)
    x = x[~np.isnan(x)]
    b = len(x) // batch
    if b < 2:
        return 0
    z = x[:b * batch].reshape(b, batch).mean(axis=1)
    best, best_d = math.inf, 0
    for d in range(b // 2 + 1):
        tail = z[d:]
        stat = float(((tail - tail.mean()) ** 2).sum()) / len(tail) ** 2
        if stat < best:
            best, best_d = stat, d
    return best_d * batch
