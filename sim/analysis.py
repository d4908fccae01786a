"""Statistics over replications: means and Student-t confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """(mean, std, low, high) of the mean of independent replications; NaNs are dropped."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (np.nan,) * 4
    mean = float(x.mean())
    if n == 1:
        return mean, np.nan, np.nan, np.nan
    std = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * std / np.sqrt(n)
    return mean, std, mean - half, mean + half


def summarise(replications: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per (scenario, aircraft_type, metric): n, mean, std and the CI of the mean."""
    rows = []
    keys = ["scenario", "aircraft_type", "metric"]
    for (scenario, aircraft_type, metric), group in replications.groupby(keys, sort=False, observed=True):
        values = group["value"].to_numpy()
        mean, std, low, high = t_interval(values, level)
        rows.append((scenario, aircraft_type, metric, int((~np.isnan(values)).sum()),
                     mean, std, low, high))
    return pd.DataFrame(rows, columns=keys + ["n", "mean", "std", "ci_low", "ci_high"])
