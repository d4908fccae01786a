"""Experimental designs on the unit hypercube of a scenario's factors.

Each design is a matrix of unit points (rows) and a block number per row. The rows of one
block share their replication indices (common random numbers): a Saltelli block (A, the D
columns of B swapped into A, B), a Morris trajectory, a whole factorial or tornado. Points of
a Latin hypercube are blocks of their own, so that their noise is independent and the
variance over points splits into parameter uncertainty and replication noise. Sobol and
Morris designs carry one extra factor, `dummy`, that changes nothing. NaN in a tornado row
means "at the scenario's own value".

Libraries: scipy.stats.qmc for the Latin hypercube, SALib for Saltelli and Morris samples
(imported here, under the `analysis` extra).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

METHODS = ("lhs", "sobol", "morris", "factorial", "tornado")
MORRIS_LEVELS = 4


class DesignError(Exception):
    """A design that cannot be made as asked (too small for its method, say)."""


@dataclass(frozen=True)
class Design:
    method: str
    factors: list[str]      # column names of `unit`, `dummy` last where there is one
    unit: np.ndarray        # points x factors, in [0, 1] (NaN: the scenario's value)
    block: np.ndarray       # block of each point; a block shares its replications

    def replications(self, reps: int) -> np.ndarray:
        """First replication index of each point: block b runs b*reps ... b*reps+reps-1."""
        return self.block * reps


def make(method: str, factors: list[str], n: int, seed: int = 0) -> Design:
    """The design `method` over `factors`: n points (lhs), n Saltelli blocks (sobol, a power
    of 2), n Morris trajectories, n levels a factor (factorial); tornado ignores n."""
    d = len(factors)
    if d == 0:
        raise DesignError("no factors to vary: the scenario has no [ranges] of that kind")
    if method == "lhs":
        return _lhs(factors, n, seed)
    if method == "sobol":
        return _sobol(factors, n, seed)
    if method == "morris":
        return _morris(factors, n, seed)
    if method == "factorial":
        return _factorial(factors, n)
    if method == "tornado":
        return _tornado(factors)
    raise DesignError(f"unknown design '{method}' (one of {', '.join(METHODS)})")


def resample(factors: list[str], unit: np.ndarray, weight: np.ndarray, n: int, seed: int = 0
             ) -> Design:
    """n draws, with replacement and by weight, of a calibration's points (a posterior);
    each a block of its own. `unit` is points x factors (NaN: the scenario's value)."""
    if n < 2:
        raise DesignError(f"--n {n}: a posterior sample needs at least 2 draws")
    w = np.asarray(weight, float)
    if not w.sum() > 0:
        raise DesignError("the posterior has no point of positive weight")
    rows = np.random.default_rng(seed).choice(len(w), size=n, p=w / w.sum())
    return Design("posterior", list(factors), np.asarray(unit, float)[rows], np.arange(n))


def problem(names: list[str]) -> dict:
    """SALib's problem definition of unit factors."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def _lhs(factors, n, seed):
    from scipy.stats import qmc

    if n < 2:
        raise DesignError(f"--n {n}: a Latin hypercube needs at least 2 points")
    unit = qmc.LatinHypercube(d=len(factors), seed=seed).random(n)
    return Design("lhs", list(factors), unit, np.arange(n))


def _sobol(factors, n, seed):
    from SALib.sample import sobol

    if n < 4 or n & (n - 1):
        raise DesignError(f"--n {n}: a Sobol design needs a power of 2 of at least 4 blocks")
    names = list(factors) + ["dummy"]
    unit = sobol.sample(problem(names), n, calc_second_order=False, seed=seed)
    return Design("sobol", names, unit, np.repeat(np.arange(n), len(names) + 2))


def _morris(factors, n, seed):
    from SALib.sample import morris

    if n < 2:
        raise DesignError(f"--n {n}: a Morris design needs at least 2 trajectories")
    names = list(factors) + ["dummy"]
    unit = morris.sample(problem(names), n, num_levels=MORRIS_LEVELS, seed=seed)
    return Design("morris", names, unit, np.repeat(np.arange(n), len(names) + 1))


def _factorial(factors, levels):
    if levels < 2:
        raise DesignError(f"--n {levels}: a factorial design needs at least 2 levels a factor")
    grid = np.array(list(itertools.product(np.linspace(0, 1, levels), repeat=len(factors))))
    return Design("factorial", list(factors), grid, np.zeros(len(grid), dtype=int))


def _tornado(factors):
    d = len(factors)
    unit = np.full((1 + 2 * d, d), np.nan)
    for j in range(d):
        unit[1 + 2 * j, j], unit[2 + 2 * j, j] = 0.0, 1.0
    return Design("tornado", list(factors), unit, np.zeros(len(unit), dtype=int))
