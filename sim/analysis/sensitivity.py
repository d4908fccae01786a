"""Sensitivity of outputs to a design's factors, and how much of their spread is luck.

Input: the outputs of an explored design as a matrix Y (points in design order x R
replications) and the design itself. Output: rows of indices.csv (output, parameter,
method, index, value, ci_low, ci_high, N, R).

- Morris screening (SALib): mu* (mean absolute elementary effect) and sigma (its spread:
  interactions or non-linearity), on the point means.
- Sobol (SALib, Saltelli rows in design order): first-order S1 and total ST with bootstrap
  CIs, on the point means. The `dummy` factor changes nothing, so its ST is the noise floor:
  under common random numbers within a Saltelli block it is close to zero.
- The variance split (one-way random-effects ANOVA over independent points): of the variance
  of one replication's output, the share that is parameter uncertainty (between points) and
  the share that is replication noise (within a point), with bootstrap CIs over points; and
  the answer's interval from both together beside the interval from noise alone.
- The tornado: each factor at its low and its high end, the others at the scenario's value,
  each bar the CRN-paired difference from the baseline with its t-interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .design import MORRIS_LEVELS, problem

COLUMNS = ["output", "parameter", "method", "index", "value", "ci_low", "ci_high", "N", "R"]
LEVEL = 0.95


def sobol(names: list[str], y: np.ndarray, resamples: int = 200, seed: int = 0
          ) -> list[dict]:
    """S1 and ST of each factor from point means `y` in Saltelli order."""
    from SALib.analyze import sobol as salib

    n = len(y) // (len(names) + 2)
    res = salib.analyze(problem(names), np.asarray(y, float), calc_second_order=False,
                        num_resamples=resamples, conf_level=LEVEL, seed=seed)
    return [_row(name, "sobol", index, res[index][j], res[f"{index}_conf"][j], n)
            for j, name in enumerate(names) for index in ("S1", "ST")]


def morris(names: list[str], unit: np.ndarray, y: np.ndarray, seed: int = 0) -> list[dict]:
    """mu*, its CI, and sigma of each factor from point means `y` along the trajectories."""
    from SALib.analyze import morris as salib

    n = len(y) // (len(names) + 1)
    res = salib.analyze(problem(names), np.asarray(unit, float), np.asarray(y, float),
                        conf_level=LEVEL, num_levels=MORRIS_LEVELS, seed=seed)
    rows = []
    for j, name in enumerate(names):
        rows.append(_row(name, "morris", "mu_star", res["mu_star"][j], res["mu_star_conf"][j], n))
        rows.append(_row(name, "morris", "sigma", res["sigma"][j], np.nan, n))
    return rows


def variance_split(y: np.ndarray, resamples: int = 200, seed: int = 0) -> list[dict]:
    """Parameter and noise variance (and the noise share) of independent points' replications
    (rows of `y`), by one-way random-effects ANOVA; bootstrap CIs over points."""
    y = np.asarray(y, float)
    k, r = y.shape
    if k < 2 or r < 2:
        return []
    est = _anova(y)
    rng = np.random.default_rng(seed)
    boot = np.array([_anova(y[rng.integers(0, k, k)]) for _ in range(resamples)])
    lo, hi = np.nanpercentile(boot, [50 * (1 - LEVEL), 50 * (1 + LEVEL)], axis=0)
    names = ("parameter_variance", "noise_variance", "noise_share")
    rows = [{"parameter": "ALL", "method": "anova", "index": name, "value": est[i],
             "ci_low": lo[i], "ci_high": hi[i], "N": k} for i, name in enumerate(names)]
    return rows + intervals(y)


def intervals(y: np.ndarray) -> list[dict]:
    """The mean over points with two 95% intervals of an R-replication answer: `total`
    (parameter uncertainty and noise together: the quantiles of the point means) and
    `noise` (the noise alone, as a run at one point would show it: the t-interval from
    the pooled within-point variance)."""
    means = y.mean(axis=1)
    k, r = y.shape
    centre = float(means.mean())
    half = float(stats.t.ppf(0.5 + LEVEL / 2, k * (r - 1))
                 * np.sqrt(y.var(axis=1, ddof=1).mean() / r))
    low, high = np.percentile(means, [50 * (1 - LEVEL), 50 * (1 + LEVEL)])
    return [{"parameter": "ALL", "method": "anova", "index": "total_interval",
             "value": centre, "ci_low": float(low), "ci_high": float(high), "N": k},
            {"parameter": "ALL", "method": "anova", "index": "noise_interval",
             "value": centre, "ci_low": centre - half, "ci_high": centre + half, "N": k}]


def both(y: np.ndarray, varied: bool = True, level: float = LEVEL) -> dict:
    """An R-replication answer over K parameter draws (rows of `y`, independent noise across
    rows, e.g. one draw's replications minus the baseline's, paired) with both intervals:
    `noise` (as a run at one draw shows it: the t-interval from the pooled within-draw
    variance) and `total` (parameter uncertainty and noise together: centre +- t *
    sqrt(parameter variance + noise variance / R), which is the spread of the draws' means
    whenever the random-effects estimate of the parameter variance is positive; t on K-1
    degrees of freedom). The shares split the variance of one replication's value by the
    one-way random-effects ANOVA of `_anova` (parameter + noise = 1). With `varied` False
    (every draw has the same parameter values) the parameter variance is 0 by construction
    and the total interval is the noise interval."""
    y = np.asarray(y, float)
    y = y[~np.isnan(y).any(axis=1)]
    k, r = y.shape if y.ndim == 2 else (0, 0)
    out = dict.fromkeys(("centre", "total_low", "total_high", "noise_low", "noise_high",
                         "parameter_share", "noise_share"), np.nan)
    out["draws"] = k
    if k < 2 or r < 2:
        return out
    centre = float(y.mean())
    parameter, within, _ = _anova(y)
    if not varied:
        parameter = 0.0
    noise_half = float(stats.t.ppf(0.5 + level / 2, k * (r - 1)) * np.sqrt(within / r))
    total_half = float(stats.t.ppf(0.5 + level / 2, k - 1) * np.sqrt(parameter + within / r)
                       ) if parameter > 0 else noise_half
    total = parameter + within
    share = parameter / total if total > 0 else np.nan
    out.update(centre=centre, total_low=centre - total_half, total_high=centre + total_half,
               noise_low=centre - noise_half, noise_high=centre + noise_half,
               parameter_share=share, noise_share=1 - share)
    return out


def _anova(y: np.ndarray) -> np.ndarray:
    r = y.shape[1]
    within = y.var(axis=1, ddof=1).mean()
    between = r * y.mean(axis=1).var(ddof=1)
    parameter = max(0.0, (between - within) / r)
    total = parameter + within
    return np.array([parameter, within, within / total if total > 0 else np.nan])


def tornado(names: list[str], y: np.ndarray) -> list[dict]:
    """Low and high bars of each factor: paired differences from the baseline (row 0), with
    t-intervals over the replications (rows 1+2j and 2+2j of `y` are factor j's ends)."""
    y = np.asarray(y, float)
    rows = []
    for j, name in enumerate(names):
        for end, i in (("low", 1 + 2 * j), ("high", 2 + 2 * j)):
            d = y[i] - y[0]
            mean, half = d.mean(), _half(d)
            rows.append({"parameter": name, "method": "tornado", "index": end, "value": mean,
                         "ci_low": mean - half, "ci_high": mean + half, "N": 1})
    return rows


def analyse(method: str, names: list[str], unit: np.ndarray, block: np.ndarray,
            y: np.ndarray, output: str, seed: int = 0) -> pd.DataFrame:
    """Every index the design supports for one output; `y` is points x replications."""
    means = y.mean(axis=1)
    rows: list[dict] = []
    if method == "sobol":
        rows += sobol(names, means, seed=seed)
    elif method == "morris":
        rows += morris(names, unit, means, seed=seed)
    elif method == "tornado":
        rows += tornado(names, y)
    first = np.r_[True, block[1:] != block[:-1]]
    if len(np.unique(block)) > 1:  # one point a block: independent noise across points
        rows += variance_split(y[first], seed=seed)
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("output", "R")])
    frame.insert(0, "output", output)
    frame["R"] = y.shape[1]
    return frame[COLUMNS]


def _row(name, method, index, value, half, n) -> dict:
    return {"parameter": name, "method": method, "index": index, "value": float(value),
            "ci_low": float(value - half), "ci_high": float(value + half), "N": n}


def _half(d: np.ndarray) -> float:
    if len(d) < 2:
        return np.nan
    return float(stats.t.ppf(0.5 + LEVEL / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
