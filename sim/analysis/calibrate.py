"""Calibration to observations: history matching in waves, then rejection ABC.

History matching (Craig et al. 1997; Andrianakis et al. 2015) rules out the parameter space
the observations make implausible. A wave runs a Latin hypercube over the current box of
the unit space, R replications a point, and gives each point its implausibility

    I(x) = max over observations of |z - E f(x)| / sqrt(V_obs + V_disc + V_rep (1 + 1/R))

(`outside` is the distance to an interval or bound, 0 inside it; V_rep is the replication
variance, once for the world's own realisation and once, over R, for the estimated mean).
Points with I < 3 are not ruled out yet; the next wave's box is their bounding box, widened
by a margin and kept inside the last one, so the non-implausible space shrinks wave by wave.

Rejection ABC (Wilkinson 2013: a kernel equal to the observation error gives exact
inference under that error) then weighs every not-implausible point of every wave by its
likelihood, estimated over its replications, E_r[prod_obs p(z_obs | y_obs,r(x))], divided
by the density of the waves' mixture of boxes (the prior is uniform on the unit space), and
accepts each point with probability weight / max weight. The weights are kept: intervals
are weighted quantiles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp

from .observations import Observation

CUTOFF = 3.0
MARGIN = 0.1

# simulate(wave, unit points, first replication of each point, R) -> {obs name: points x R}
Simulate = Callable[[int, np.ndarray, np.ndarray, int], dict[str, np.ndarray]]


@dataclass
class Result:
    unit: np.ndarray                     # every point of every wave, in unit coordinates
    wave: np.ndarray                     # the wave of each point
    implausibility: np.ndarray
    log_likelihood: np.ndarray
    weight: np.ndarray                   # normalised posterior weight (0 if implausible)
    accepted: np.ndarray                 # the rejection step's draws
    boxes: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def ess(self) -> float:
        """Kish's effective sample size of the weights."""
        w = self.weight
        return float(w.sum() ** 2 / (w ** 2).sum()) if w.sum() > 0 else 0.0

    def interval(self, level: float = 0.9) -> np.ndarray:
        """Weighted (low, high) quantiles of each unit coordinate: factors x 2."""
        return np.array([weighted_quantiles(self.unit[:, j], self.weight,
                                            [(1 - level) / 2, (1 + level) / 2])
                         for j in range(self.unit.shape[1])])


def implausibility(observations: list[Observation], y: dict[str, np.ndarray]) -> np.ndarray:
    """The largest implausibility over the observations of each point."""
    worst = None
    for obs in observations:
        v = y[obs.name] * obs.scale
        r = v.shape[1]
        rep_var = v.var(axis=1, ddof=1) if r > 1 else np.zeros(len(v))
        _, obs_var = obs.centre()
        i = obs.outside(v.mean(axis=1)) / np.sqrt(obs_var + rep_var * (1 + 1 / r))
        worst = i if worst is None else np.maximum(worst, i)
    return worst


def log_likelihood(observations: list[Observation], y: dict[str, np.ndarray]) -> np.ndarray:
    """log E_r[prod_obs p(z | y_r)] of each point, over its replications."""
    total = sum(obs.loglik(y[obs.name] * obs.scale) for obs in observations)
    return logsumexp(total, axis=1) - np.log(total.shape[1])


def run(observations: list[Observation], simulate: Simulate, d: int, n: int, reps: int,
        waves: int, seed: int = 0, cutoff: float = CUTOFF) -> Result:
    """History matching over `waves` waves of n points, then rejection ABC."""
    from scipy.stats import qmc

    if n < 2 or waves < 1 or d < 1:
        raise ValueError("a calibration needs >= 1 factor, >= 2 points a wave and >= 1 wave")
    rng = np.random.default_rng(seed)
    low, high = np.zeros(d), np.ones(d)
    units, wave_of, impl, loglik, boxes = [], [], [], [], []
    for w in range(waves):
        boxes.append((low.copy(), high.copy()))
        u = low + qmc.LatinHypercube(d=d, seed=rng).random(n) * (high - low)
        first = (w * n + np.arange(n)) * reps
        y = simulate(w, u, first, reps)
        units.append(u)
        wave_of.append(np.full(n, w))
        impl.append(implausibility(observations, y))
        loglik.append(log_likelihood(observations, y))
        alive = np.concatenate(impl) < cutoff
        inside = _inside(np.vstack(units), low, high) & alive
        if inside.any():
            pts = np.vstack(units)[inside]
            pad = MARGIN * (high - low)
            low, high = (np.maximum(low, pts.min(axis=0) - pad),
                         np.minimum(high, pts.max(axis=0) + pad))
    unit, wave = np.vstack(units), np.concatenate(wave_of)
    impl_all, ll = np.concatenate(impl), np.concatenate(loglik)
    q = _mixture_density(unit, boxes, [n] * waves)
    logw = np.where(impl_all < cutoff, ll - np.log(q), -np.inf)
    weight = np.exp(logw - logw.max()) if np.isfinite(logw.max()) else np.zeros_like(ll)
    accepted = rng.random(len(weight)) < weight
    total = weight.sum()
    return Result(unit, wave, impl_all, ll, weight / total if total else weight, accepted,
                  boxes)


def _inside(u: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return ((u >= low) & (u <= high)).all(axis=1)


def _mixture_density(u, boxes, sizes) -> np.ndarray:
    """Density of the waves' proposal (uniform in each wave's box, by its share of points)."""
    total = sum(sizes)
    q = np.zeros(len(u))
    for (low, high), m in zip(boxes, sizes):
        volume = float(np.prod(high - low))
        q += (m / total) * _inside(u, low, high) / volume
    return q


def weighted_quantiles(x: np.ndarray, w: np.ndarray, probs) -> list[float]:
    """Quantiles of x under weights w (the weighted empirical distribution function)."""
    order = np.argsort(x)
    x, w = x[order], w[order]
    cdf = np.cumsum(w) / w.sum()
    return [float(x[min(np.searchsorted(cdf, p), len(x) - 1)]) for p in probs]
