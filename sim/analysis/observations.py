"""What was observed, and how: the observation models of a calibration.

An observations file is TOML with one `[[observations]]` table per observation:

    [[observations]]
    name = "mig29_serviceable"        # optional; defaults to its position
    metric = "mc_rate"                # a metric of the results tables
    aircraft_type = "MiG-29"          # default "ALL": the whole fleet
    period = ["2023-01", "2025-12"]   # months averaged (timeseries); default: the horizon
    model = "binomial"                # binomial | interval | bound | normal
    value = 18                        # binomial: the count ...
    of = 35                           # ... out of this many tails
    reliability = 0.5                 # (0, 1], default 1: a weaker source, a wider reading
    discrepancy = 0.05                # model discrepancy sd in metric units, default 0
    scale = 1.0                       # multiply the model's value first (12: monthly -> yearly)

`interval` takes `value = [low, high]` ("12-25 FH a year": any value inside is equally
consistent, outside it falls off with sd = width / 4); `bound` takes `value` and
`bound = "below" | "above"` ("fewer than 100 sorties a day": soft edge sd, default 5 % of
the value); `normal` takes `value` and `sd`. A reliability r tempers the likelihood (its log
times r), which widens the reading by 1/sqrt(r). Each observation gives the history
matching its centre and variance and the ABC its log-likelihood of a simulated value.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

MODELS = ("binomial", "interval", "bound", "normal")
_KEYS = {"name", "metric", "aircraft_type", "period", "model", "value", "of", "reliability",
         "discrepancy", "scale", "bound", "sd", "source"}


class ObservationError(Exception):
    """An observations file that cannot be used: names the file and the dotted key."""

    def __init__(self, path, key: str, message: str):
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


@dataclass(frozen=True)
class Observation:
    name: str
    metric: str
    aircraft_type: str
    period: tuple[str, str] | None
    model: str
    value: float | tuple[float, float]
    of: int = 0
    sd: float = 0.0
    bound: str = "below"
    reliability: float = 1.0
    discrepancy: float = 0.0
    scale: float = 1.0
    key: str = ""  # observations.N, for messages

    def centre(self) -> tuple[float, float]:
        """(z, variance) of the reading, for implausibility (reliability widens it)."""
        if self.model == "binomial":
            k, n = self.value, self.of
            z, var = k / n, (k + 1) * (n - k + 1) / ((n + 2) ** 2 * (n + 3))
        elif self.model == "interval":
            low, high = self.value
            z, var = (low + high) / 2, ((high - low) / 4) ** 2
        else:
            z, var = float(self.value), self._sd() ** 2
        return z, var / self.reliability + self.discrepancy ** 2

    def outside(self, mean: np.ndarray) -> np.ndarray:
        """Distance of simulated means from the reading (0 inside an interval or bound)."""
        z, _ = self.centre()
        if self.model == "interval":
            low, high = self.value
            return np.maximum(0, np.maximum(low - mean, mean - high))
        if self.model == "bound":
            return np.maximum(0, mean - z) if self.bound == "below" else np.maximum(0, z - mean)
        return np.abs(mean - z)

    def loglik(self, y: np.ndarray) -> np.ndarray:
        """Log-likelihood of the reading given simulated values y (tempered by reliability)."""
        y = np.asarray(y, float)
        d = self.discrepancy
        if self.model == "binomial" and d == 0:
            p = np.clip(y, 1e-6, 1 - 1e-6)
            ll = stats.binom.logpmf(self.value, self.of, p)
        elif self.model == "binomial":
            z, var = self.centre()
            ll = stats.norm.logpdf(z, y, math.sqrt(var * self.reliability))
        elif self.model in ("interval", "bound"):
            s = math.hypot(self._sd(), d)
            ll = -0.5 * (self.outside(y) / s) ** 2
        else:
            ll = stats.norm.logpdf(float(self.value), y, math.hypot(self._sd(), d))
        return self.reliability * ll

    def _sd(self) -> float:
        if self.model == "interval":
            low, high = self.value
            return (high - low) / 4
        if self.model == "bound":
            return self.sd or 0.05 * abs(float(self.value))
        return self.sd


def read(path: Path) -> list[Observation]:
    """The observations of a TOML file; a problem names the file and `observations.N.key`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ObservationError(path, "", "no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ObservationError(path, "", f"not valid TOML: {exc}") from None
    items = data.get("observations")
    if not isinstance(items, list) or not items:
        raise ObservationError(path, "observations", "give one or more [[observations]]")
    out = [_one(path, f"observations.{i}", item) for i, item in enumerate(items)]
    names = [o.name for o in out]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ObservationError(path, f"observations.{i}.name", f"'{name}' given twice")
    return out


def _one(path: Path, key: str, item: dict) -> Observation:
    def bad(sub: str, message: str):
        return ObservationError(path, f"{key}.{sub}" if sub else key, message)

    if not isinstance(item, dict):
        raise ObservationError(path, key, "must be a table ([[observations]])")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise bad(unknown[0], "unknown key")
    for need in ("metric", "model", "value"):
        if need not in item:
            raise bad(need, "required")
    model = item["model"]
    if model not in MODELS:
        raise bad("model", f"must be one of {', '.join(MODELS)}")
    value = item["value"]
    kw: dict = {}
    try:
        if model == "binomial":
            of = item.get("of")
            if not isinstance(of, int) or of < 1:
                raise bad("of", "a binomial reading needs of = the number of tails (>= 1)")
            if not isinstance(value, int) or not 0 <= value <= of:
                raise bad("value", f"must be a whole count from 0 to of = {of}")
            kw["of"] = of
        elif model == "interval":
            if not (isinstance(value, list) and len(value) == 2 and value[0] < value[1]):
                raise bad("value", "an interval reading is value = [low, high], low < high")
            value = (float(value[0]), float(value[1]))
        elif model == "bound":
            kw["bound"] = item.get("bound", "below")
            if kw["bound"] not in ("below", "above"):
                raise bad("bound", "must be 'below' or 'above'")
            kw["sd"] = float(item.get("sd", 0.0))
            value = float(value)
        else:
            kw["sd"] = float(item.get("sd", 0.0))
            if kw["sd"] <= 0:
                raise bad("sd", "a normal reading needs sd > 0")
            value = float(value)
    except (TypeError, ValueError):
        raise bad("value", "must be a number") from None
    reliability = item.get("reliability", 1.0)
    if not isinstance(reliability, (int, float)) or not 0 < reliability <= 1:
        raise bad("reliability", "must be in (0, 1]")
    discrepancy = item.get("discrepancy", 0.0)
    if not isinstance(discrepancy, (int, float)) or discrepancy < 0:
        raise bad("discrepancy", "must be a number >= 0")
    period = item.get("period")
    if period is not None:
        if not (isinstance(period, list) and len(period) == 2
                and all(isinstance(p, str) for p in period) and period[0] <= period[1]):
            raise bad("period", 'must be ["YYYY-MM", "YYYY-MM"], first not after last')
        period = (period[0], period[1])
    return Observation(str(item.get("name", key)), str(item["metric"]),
                       str(item.get("aircraft_type", "ALL")), period, model, value,
                       reliability=float(reliability), discrepancy=float(discrepancy),
                       scale=float(item.get("scale", 1.0)), key=key, **kw)
