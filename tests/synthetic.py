"""Fast synthetic simulators with known answers, for the statistics of sim.analysis."""

from __future__ import annotations

import numpy as np

A, B = 7.0, 0.1
ISHIGAMI_VAR = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
_V1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
_V2 = A**2 / 8
_V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
ISHIGAMI_S1 = np.array([_V1, _V2, 0.0]) / ISHIGAMI_VAR
ISHIGAMI_ST = np.array([_V1 + _V13, _V2, _V13]) / ISHIGAMI_VAR


def ishigami(unit: np.ndarray) -> np.ndarray:
    """The Ishigami function of unit points (first three columns mapped to [-pi, pi])."""
    x = -np.pi + 2 * np.pi * np.asarray(unit)[:, :3]
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def noisy(f, unit: np.ndarray, first: np.ndarray, reps: int, sd: float, seed: int = 1
          ) -> np.ndarray:
    """f at each point plus replication noise of standard deviation `sd`: replication k
    draws the same noise at every point (its own stream, as the simulator's are)."""
    ks = np.asarray(first)[:, None] + np.arange(reps)[None, :]
    noise = np.vectorize(lambda k: np.random.default_rng([seed, k]).standard_normal())(ks)
    return f(unit)[:, None] + sd * noise
