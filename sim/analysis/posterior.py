"""A calibration's outputs: the fleet's readings of the observations, posterior.parquet, and
the figure of prior against posterior marginals."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.world import simulate
from ..scenario import Scenario, set_key, validate
from . import space
from .calibrate import Result, weighted_quantiles
from .observations import Observation, ObservationError


def check_metrics(raw: dict, base: Scenario, observations: list[Observation],
                  path: Path, seed: int) -> None:
    """Every observation names a metric and aircraft type the model reports: a 36-day probe
    replication of the scenario says which."""
    probe = copy.deepcopy(raw)
    set_key(probe, "run.years", 0.1)
    set_key(probe, "run.warmup_days", 0)
    probe.pop("ranges", None)
    probe.pop("range_groups", None)
    result = simulate(validate(probe), 0, seed)
    for obs in observations:
        table = result.monthly if obs.period else result.values
        if obs.aircraft_type not in table:
            raise ObservationError(path, f"{obs.key}.aircraft_type", f"no aircraft type"
                                   f" '{obs.aircraft_type}' in {base.name} (or ALL)")
        if obs.metric not in table[obs.aircraft_type]:
            raise ObservationError(path, f"{obs.key}.metric", f"no metric '{obs.metric}'"
                                   f"{' by month' if obs.period else ''} (see the metric"
                                   f" dictionary in the README)")


def readings(obs: Observation, results: Path, names: list[str], firsts: np.ndarray,
             reps: int, path: Path) -> np.ndarray:
    """points x R values of one observation's metric in a results directory."""
    if obs.period:
        frame = pd.read_parquet(results / "timeseries.parquet")
        months = frame.month.astype(str)
        frame = frame[(months >= obs.period[0]) & (months <= obs.period[1])]
        if frame.empty:
            raise ObservationError(path, f"{obs.key}.period", "no simulated month falls in"
                                   f" {obs.period[0]}..{obs.period[1]}")
    else:
        frame = pd.read_parquet(results / "replications.parquet")
    sel = frame[(frame.aircraft_type == obs.aircraft_type) & (frame.metric == obs.metric)]
    means = sel.groupby(["scenario", "replication"], observed=True).value.mean()
    y = np.full((len(names), reps), np.nan)
    for i, (name, first) in enumerate(zip(names, firsts)):
        for j in range(reps):
            y[i, j] = means.get((name, int(first) + j), np.nan)
    return y


def table(result: Result, base: Scenario, fs: list[space.Factor], names: list[str]
          ) -> pd.DataFrame:
    """posterior.parquet: every point of every wave with its values and weight."""
    integers = space.integer_keys(base)
    rows = []
    for i, u in enumerate(result.unit):
        values = space.point_values(base, fs, u, integers)
        rows.append({"scenario": names[i], "wave": int(result.wave[i]),
                     **{f"u:{f.name}": float(x) for f, x in zip(fs, u)}, **values,
                     "implausibility": float(result.implausibility[i]),
                     "log_likelihood": float(result.log_likelihood[i]),
                     "weight": float(result.weight[i]), "accepted": bool(result.accepted[i])})
    return pd.DataFrame(rows)


def summary(post: pd.DataFrame, base: Scenario, fs: list[space.Factor], level: float = 0.9
            ) -> pd.DataFrame:
    """Prior range and posterior interval of each ranged key."""
    rows = []
    integers = space.integer_keys(base)
    q = [(1 - level) / 2, (1 + level) / 2]
    for f in fs:
        for key in f.keys:
            r = base.ranges[key]
            lo, hi = weighted_quantiles(post[key].to_numpy(float), post.weight.to_numpy(), q)
            prior = [space.value(r, p, key in integers) for p in q]
            rows.append({"parameter": key, "prior_low": prior[0], "prior_high": prior[1],
                         "posterior_low": lo, "posterior_high": hi,
                         "narrowed": (hi - lo) / (prior[1] - prior[0])
                         if prior[1] > prior[0] else np.nan})
    return pd.DataFrame(rows)


def figure(post: pd.DataFrame, base: Scenario, fs: list[space.Factor], path: Path) -> Path:
    """Prior (uniform on the unit space, drawn through each range) against the weighted
    posterior, one panel per ranged key."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for f in fs for k in f.keys]
    fig, axes = plt.subplots(len(keys), 1, figsize=(6, 1.8 * len(keys) + 0.5), squeeze=False)
    u = (np.arange(2000) + 0.5) / 2000
    for ax, key in zip(axes[:, 0], keys):
        r = base.ranges[key]
        prior = [space.value(r, x) for x in u]
        bins = np.linspace(r.low, r.high, 21) if r.distribution != "loguniform" else \
            np.geomspace(r.low, r.high, 21)
        ax.hist(prior, bins=bins, density=True, alpha=0.4, label="prior")
        ax.hist(post[key], bins=bins, weights=post.weight, density=True, alpha=0.6,
                label="posterior")
        if r.distribution == "loguniform":
            ax.set_xscale("log")
        ax.set_title(key, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
