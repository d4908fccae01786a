"""How a metric is aggregated over a window of months, and which months a window keeps.

Values come from `replications.parquet` (each replication's value over [warm-up, horizon]
as run) or, when a time window is asked for, from `timeseries.parquet`: the replication's
value over the window is then the mean of its monthly values for a level (a time average
or a monthly sample), the sum for a count, and a ratio is recomputed from its parts
(`RATIOS`: mc_rate = sum of monthly flyable over sum of monthly possessed, and so on). Months
count equally (a partial last month of the horizon weighs as much as a whole one). The
warm-up cut first is the scenario's own (run.warmup_days), plus `--warmup-months`, or MSER-5
on the baseline (`--warmup auto`); then `--last-years` and `--years` keep their months.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from .analysis import mser

# The one classification of metrics over a window, by the name after the last dot
# ("radar.removals" is a count, "jet.fuel_stock_t" a level). Counts are summed over the
# months of a window, ratios recomputed from their parts, every other metric (levels: time
# averages, monthly samples, utilizations, ready rates) averaged over the months.
COUNTS = frozenset({
    "sorties", "flight_hours", "sorties_lost_no_aircraft", "sorties_lost_no_pilot",
    "sorties_lost_no_fuel", "cannibalizations", "removals", "condemned", "resupplied",
    "shelf_fills", "repaired", "repair_turnaround_days", "downtime_days", "returns_to_fmc",
    "losses", "delivered_aircraft", "fuel_used_t", "fuel_delivered_t", "pilot_flight_hours",
    "pilots_departed", "pilots_lost", "inspections", "overhauls", "backorder_fills",
    "cann_fills"})
# ratio -> (numerator, denominator, scale); the parts carry the ratio's prefix, if any.
# hours_per_pilot is per year: its scale is multiplied by 12 / months in the window.
RATIOS = {
    "mc_rate": ("flyable_aircraft", "possessed_aircraft", 1.0),
    "fmc_rate": ("fmc_aircraft", "possessed_aircraft", 1.0),
    "cann_per_100_sorties": ("cannibalizations", "sorties", 100.0),
    "cann_per_1000_fh": ("cannibalizations", "flight_hours", 1000.0),
    "cann_per_aircraft_year": ("cannibalizations", "active_aircraft", 12.0),
    "cann_fill_share": ("cann_fills", "backorder_fills", 1.0),
    "mean_downtime_days": ("downtime_days", "returns_to_fmc", 1.0),
    "fill_rate": ("shelf_fills", "removals", 1.0),
    "hours_per_pilot": ("pilot_flight_hours", "pilots", 12.0),
    "losses_per_100k_fh": ("losses", "flight_hours", 1e5),
}
PER_YEAR = frozenset({"hours_per_pilot", "cann_per_aircraft_year"})
KEYS = ["scenario", "replication", "aircraft_type", "metric"]


class CompareError(Exception):
    """Input a comparison cannot use, in one line naming the option or directory."""


def kind(metric: str) -> str:
    """'count', 'ratio' or 'level': how a metric is aggregated over a window of months."""
    name = metric.rpartition(".")[2]
    return "ratio" if name in RATIOS else "count" if name in COUNTS else "level"


def parts_of(metric: str) -> tuple[str, str, float] | None:
    prefix, _, name = metric.rpartition(".")
    if name not in RATIOS:
        return None
    num, den, scale = RATIOS[name]
    p = f"{prefix}." if prefix else ""
    return f"{p}{num}", f"{p}{den}", scale


def zero_when_absent(metric: str) -> bool:
    """Whether a type (or LRU, or fuel kind) absent from a scenario counts as 0 of this
    metric: levels and counts do (no Su-27 is 0 Su-27s FMC), ratios and rates do not."""
    name = metric.rpartition(".")[2]
    return kind(metric) != "ratio" and not name.endswith(("_rate", "_utilization"))


# ---- time windows


@dataclass(frozen=True)
class Window:
    """Part of the horizon: calendar years, the last years, and the warm-up to drop: the
    scenario's own (run.warmup_days) plus `warmup` more months, or "auto" (MSER-5 on the
    baseline, never less than the scenario's own)."""

    years: tuple[int, int] | None = None
    last_years: float | None = None
    warmup: str | int | None = None  # "auto" (MSER-5) or months after the own warm-up

    @property
    def whole(self) -> bool:
        return self.years is None and self.last_years is None and self.warmup in (None, 0)


def parse_years(text: str) -> tuple[int, int]:
    """'2026-2028' or '2026' as (first, last) calendar year."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-:]\s*(\d{4})\s*)?", text)
    if not m:
        raise CompareError(f"--years {text}: must read YEAR or FIRST-LAST, e.g. 2026-2028")
    first, last = int(m[1]), int(m[2] or m[1])
    if last < first:
        raise CompareError(f"--years {text}: the last year comes before the first")
    return first, last


def parse_warmup(text: str | None) -> str | int | None:
    if text is None or text == "auto":
        return text
    raise CompareError(f"--warmup {text}: must be 'auto' (or give --warmup-months K)")


@dataclass
class Values:
    """Per-replication values to compare, and what part of the horizon they cover."""

    frame: pd.DataFrame  # scenario, replication, aircraft_type, metric, value
    window: str
    warmup_months: int | None = None  # months cut from the start of the horizon
    warnings: list[str] = field(default_factory=list)
    span: str = ""  # the months compared, "2023-01 to 2025-12"
    months: list[str] | None = None  # the months of the window (None: as run)


def own_warmup_months(sources: list, months: list[str]) -> int:
    """Months of the horizon that begin before the end of the scenarios' own warm-up
    (run.warmup_days from run.start_date; the longest over the scenarios)."""
    import datetime as dt

    ends = []
    for s in sources:
        for name, scenario in s.manifest.get("scenarios", {}).items():
            run = scenario.get("run", {})
            start = dt.date.fromisoformat(str(run.get("start_date", "2023-01-01")))
            ends.append(start + dt.timedelta(days=float(run.get("warmup_days", 0))))
    end = max(ends, default=None)
    if end is None:
        return 0
    return sum(1 for m in months if dt.date.fromisoformat(f"{m}-01") < end)


def auto_cut(found: int, own: int, months: list[str], what: str) -> tuple[int, str | None]:
    """The months `--warmup auto` cuts (MSER-5's `found`, never less than the scenario's own
    warm-up) and a warning when MSER-5 cuts beyond the scenario's own warm-up."""
    if found <= own:
        return own, None
    return found, (f"--warmup auto: MSER-5 on {what} cuts {found} months (to {months[found]}),"
                   f" {found - own} beyond the scenario's own warm-up of {own} months; check"
                   " that it is not a change of the scenario (a delivery, a surge) before"
                   " trusting the window")


def detect_warmup(series: pd.DataFrame, metric: str, aircraft_type: str,
                  baseline: str | None = None) -> int:
    """MSER-5 truncation (months from the start of the horizon) of the baseline's mean over
    replications of `metric` for `aircraft_type` (the first scenario when no baseline is
    given). The other scenarios are not looked at: a change they make (a delivery, a surge)
    is a result, not a warm-up."""
    rows = series[(series["metric"] == metric) & (series["aircraft_type"] == aircraft_type)]
    baseline = baseline if baseline is not None else next(iter(rows["scenario"]), None)
    rows = rows[rows["scenario"] == baseline]
    return mser(rows.groupby("month").value.mean().sort_index().to_numpy()) if len(rows) else 0


def window_months(months: list[str], window: Window, cut: int, own: int) -> list[str]:
    if cut >= len(months):
        extra = window.warmup if isinstance(window.warmup, int) else 0
        raise CompareError(f"--warmup-months {extra}: the scenario's own warm-up of {own}"
                           f" months and {extra} more leave no month of the {len(months)}-month"
                           f" horizon; at most {max(len(months) - own - 1, 0)}")
    kept = months[cut:]
    if window.last_years is not None:
        if not math.isfinite(window.last_years):
            raise CompareError(f"--last-years {window.last_years:g}: must be a finite number")
        count = round(window.last_years * 12)
        if count < 1 or count > len(kept):
            raise CompareError(f"--last-years {window.last_years:g}: must be within the horizon"
                               f" after the warm-up ({len(kept)} months, {kept[0]} to"
                               f" {kept[-1]}); at most {len(kept) / 12:g}")
        kept = kept[-count:]
    if window.years is not None:
        first, last = window.years
        kept = [m for m in kept if first <= int(m[:4]) <= last]
        if not kept:
            raise CompareError(f"--years {first}-{last}: no month after the warm-up"
                               f" ({months[cut]} to {months[-1]}) is in it")
    return kept


def aggregate(series: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Per-replication values over the months in `series`: levels averaged, counts summed,
    ratios recomputed from their summed or averaged parts (where the parts are present;
    otherwise the ratio's monthly values are averaged)."""
    by = ["scenario", "replication", "aircraft_type", "metric"]
    grouped = series.groupby(by, sort=False)["value"]
    means, sums, months = grouped.mean(), grouped.sum(min_count=1), grouped.size()
    out = []
    for metric in metrics:
        parts = parts_of(metric)
        if parts and parts[0] in means.index.get_level_values(3) \
                and parts[1] in means.index.get_level_values(3):
            out.append(_ratio(metric, parts, means, sums, months))
        else:
            agg = sums if kind(metric) == "count" else means
            out.append(agg.xs(metric, level="metric", drop_level=False)
                       if metric in agg.index.get_level_values(3) else agg.iloc[:0])
    frame = pd.concat(out).rename("value").reset_index()
    return frame[KEYS + ["value"]]


def _ratio(metric: str, parts: tuple[str, str, float], means, sums, months) -> pd.Series:
    num_name, den_name, scale = parts

    def part(name):
        agg = sums if kind(name) == "count" else means
        return agg.xs(name, level="metric")

    num, den = part(num_name), part(den_name)
    num, den = num.align(den, join="inner")
    if metric.rpartition(".")[2] in PER_YEAR:
        scale = scale / months.xs(num_name, level="metric").reindex(num.index)
    value = (scale * num / den.where(den > 0)).rename("value")
    frame = value.reset_index().assign(metric=metric)
    return frame.set_index(["scenario", "replication", "aircraft_type", "metric"])["value"]


def describe_window(window: Window, cut: int, own: int, months: list[str]) -> str:
    text = f"months {months[0]} to {months[-1]} ({len(months)} months"
    if window.warmup == "auto":
        text += f"; warm-up of {cut} months excluded (MSER-5 on the baseline"
        text += f", {cut - own} beyond the scenario's own)" if cut > own else \
            ", within the scenario's own)"
    elif cut:
        text += f"; warm-up of {cut} months excluded (the scenario's own {own}"
        text += f" and --warmup-months {cut - own})" if cut > own else ")"
    return text + "; levels averaged, counts summed, ratios from their parts)"


def _short(exc: BaseException) -> str:
    """An exception in a line of at most 160 characters."""
    return " ".join(str(exc).split())[:160] or type(exc).__name__
