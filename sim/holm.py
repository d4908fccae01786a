"""Holm's step-down adjustment of several scenarios' paired differences from one baseline.

With m alternatives compared with the baseline on one metric, each at 95%, the chance that
some interval misses its true difference grows with m. Holm (1979) orders the paired
t-test p-values p_(1) <= ... <= p_(m) and rejects while p_(i) < alpha / (m - i + 1). The
intervals shown are the ones consistent with that test: the i-th at level
1 - alpha / (m - i + 1) until the first non-rejection, and every later one at the level of
that first non-rejection; an interval excludes zero exactly when Holm rejects.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def paired_p(base: np.ndarray, other: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test of other - base (NaN pairs dropped)."""
    d = np.asarray(other, dtype=float) - np.asarray(base, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) < 2:
        return float("nan")
    sd = d.std(ddof=1)
    if sd == 0:
        return 1.0 if d.mean() == 0 else 0.0
    t = d.mean() / (sd / np.sqrt(len(d)))
    return float(2 * stats.t.sf(abs(t), len(d) - 1))


def holm_levels(pvalues: list[float], alpha: float = 0.05) -> list[float]:
    """The confidence level of each alternative's interval (in the order given)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: (np.isnan(pvalues[i]), pvalues[i]))
    levels = [1 - alpha] * m
    stop = None
    for rank, i in enumerate(order):
        step = rank if stop is None else stop
        levels[i] = 1 - alpha / (m - step)
        if stop is None and not pvalues[i] < alpha / (m - rank):
            stop = rank
    return levels
