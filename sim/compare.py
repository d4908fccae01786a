"""Compare the scenarios of one or more results directories against a baseline.

For each metric and scenario: the mean over replications and its Student-t 95% interval;
for each scenario against the baseline, the paired difference replication by replication
(replication k of every scenario shares its random streams: common random numbers), its
95% interval, the relative change, and whether the interval excludes zero.

Values come from `replications.parquet` (each replication's value over [warm-up, horizon]
as run), or, when a time window is asked for, from `timeseries.parquet`: the replication's
value over the window is then the mean of its monthly values for a level (a time average
or a monthly sample), the sum for a count, and a ratio is recomputed from its parts
(`RATIOS`: mc_rate = sum of monthly flyable over sum of monthly possessed, and so on). Months
count equally (a partial last month of the horizon weighs as much as a whole one).

Pairing replication k of one scenario with replication k of another is sound only when
both ran under the same root seed, the same number of replications, the same horizon and the
same window (start date and warm-up): directories and scenarios that differ in any of these
are refused, with a line saying what differs. A directory whose manifest or tables cannot
be read is refused by name.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .analysis import mser, paired_interval, t_interval

DEFAULT_METRICS = ("mc_rate", "fmc_aircraft", "nmcs_aircraft", "sorties", "flight_hours",
                   "cann_per_100_sorties", "crewed_fmc_aircraft", "proficient_pilots",
                   "hours_per_pilot")

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


# ---- the results directories


@dataclass
class Source:
    """One results directory: its manifest and the names its scenarios are shown under."""

    path: Path
    manifest: dict
    names: dict[str, str] = field(default_factory=dict)  # stored name -> shown name


# the manifest keys a comparison or a report reads, and their JSON types
MANIFEST_KEYS = {"scenarios": dict, "root_seed": int, "replications": int,
                 "horizon_days": dict, "warmup_days": dict, "versions": dict,
                 "environment": dict, "executor": dict, "events": dict, "stop": dict,
                 "command": list, "sweeps": list}


TABLES = {"replications.parquet": KEYS + ["value"],
          "timeseries.parquet": KEYS + ["month", "value"]}


def _check_table(path: Path, columns: list[str]) -> None:
    """A table's footer is readable and has the columns a comparison reads."""
    try:
        names = pq.read_schema(path).names
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise CompareError(f"{path}: cannot be read as a fleetsim table ({_short(exc)})"
                           ) from None
    missing = [c for c in columns if c not in names]
    if missing:
        raise CompareError(f"{path}: not a fleetsim table (no column {missing[0]})")


def _manifest(path: Path) -> dict:
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError, RecursionError):
        raise CompareError(f"{path}: its manifest.json cannot be read") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("scenarios"), dict) \
            or not manifest["scenarios"]:
        raise CompareError(f"{path}: its manifest.json is not a fleetsim manifest (no scenarios)")
    for key, kind in MANIFEST_KEYS.items():
        if manifest.get(key) is not None and not isinstance(manifest[key], kind):
            raise CompareError(f"{path}: its manifest.json is not a fleetsim manifest"
                               f" ({key} is not a{'n' if kind is int else ''} {kind.__name__})")
    for name, scenario in manifest["scenarios"].items():
        if not isinstance(scenario, dict) or not isinstance(scenario.get("run", {}), dict):
            raise CompareError(f"{path}: its manifest.json is not a fleetsim manifest"
                               f" (scenario {name!r} is not a table)")
    return manifest


def open_sources(paths: list[Path]) -> list[Source]:
    """The directories, checked to be comparable (same root seed and replications)."""
    sources = []
    for path in map(Path, paths):
        missing = [n for n in ("manifest.json", *TABLES) if not (path / n).is_file()]
        if missing:
            raise CompareError(f"{path}: not a finished fleetsim results directory"
                               f" (no {' and no '.join(missing)})")
        for name, columns in TABLES.items():
            _check_table(path / name, columns)
        sources.append(Source(path, _manifest(path)))
    first = sources[0]
    for s in sources[1:]:
        for key, what in (("root_seed", "seed"), ("replications", "replications")):
            a, b = first.manifest.get(key), s.manifest.get(key)
            if a != b:
                raise CompareError(
                    f"cannot compare {first.path} and {s.path}: their {what} differ ({a} and"
                    f" {b}); paired comparisons need the same seed and replications")
    seen: set[str] = set()
    for s in sources:
        for name in s.manifest.get("scenarios", {}):
            shown = name if name not in seen else f"{s.path.name}:{name}"
            s.names[name] = shown
            seen.add(shown)
    return sources


def scenarios(sources: list[Source]) -> list[str]:
    return [shown for s in sources for shown in s.names.values()]


def check_pairs(sources: list[Source], baseline: str) -> None:
    """Refuse to pair the baseline with a scenario run over another horizon or window."""
    runs = {}
    for s in sources:
        m = s.manifest
        for name, shown in s.names.items():
            run = m["scenarios"][name].get("run", {})
            runs[shown] = (s.path, {
                "warm-up": (m.get("warmup_days") or {}).get(name),
                "start date": run.get("start_date"),
                "horizon": (m.get("horizon_days") or {}).get(name)})
    base_path, base = runs[baseline]
    for shown, (path, run) in runs.items():
        for what, value in run.items():
            if value != base[what]:
                unit = " days" if what != "start date" else ""
                raise CompareError(
                    f"cannot pair {shown} ({path}) with the baseline {baseline} ({base_path}):"
                    f" their {what}s differ ({base[what]}{unit} and {value}{unit}); paired"
                    " comparisons need the same horizon and window")


def read_table(path: Path, metrics: list[str] | None = None,
               types: list[str] | None = None) -> pd.DataFrame:
    """A result table with the dotted metric names of the model (`radar.backorders`: the
    table's component and metric joined) and months as "YYYY-MM"; labels as strings."""
    filters = []
    if metrics is not None:
        filters.append(("metric", "in", sorted({m.rpartition(".")[2] for m in metrics})))
    if types is not None:
        filters.append(("aircraft_type", "in", list(types)))
    try:
        frame = pd.read_parquet(path, filters=filters or None)
    except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as exc:
        raise CompareError(f"{path}: cannot be read as a fleetsim table ({_short(exc)})") from None
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(str)
    if "component" in frame:
        component = frame.pop("component")
        frame["metric"] = (component + ".").where(component != "", "") + frame["metric"]
    if metrics is not None:
        frame = frame[frame["metric"].isin(metrics)]
    if "month" in frame:
        frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    return frame.reset_index(drop=True)


def _read(source: Source, table: str, metrics: list[str], types: list[str]) -> pd.DataFrame:
    frame = read_table(source.path / table, metrics, types)
    frame["scenario"] = frame["scenario"].map(source.names)
    return frame


def available(sources: list[Source]) -> tuple[set[str], set[str]]:
    """The metrics present in every directory and the aircraft types present in any."""
    metrics, types = None, None
    for s in sources:
        try:
            frame = pd.read_parquet(s.path / "replications.parquet",
                                    columns=["aircraft_type", "component", "metric"]
                                    ).drop_duplicates().astype(str)
        except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as exc:
            raise CompareError(f"{s.path / 'replications.parquet'}: cannot be read as a"
                               f" fleetsim table ({_short(exc)})") from None
        component = (frame["component"] + ".").where(frame["component"] != "", "")
        m, t = set(component + frame["metric"]), set(frame["aircraft_type"])
        metrics = m if metrics is None else metrics & m
        types = t if types is None else types | t  # an absent type counts as 0
    return metrics, types


def check_present(values: pd.DataFrame, metrics: list[str], types: list[str]) -> None:
    """Refuse a metric that no asked-for type reports (a per-type metric of ALL, say)."""
    for t in types:
        for m in metrics:
            if not ((values["aircraft_type"] == t) & (values["metric"] == m)).any():
                where = sorted(set(values.loc[values["metric"] == m, "aircraft_type"]))
                hint = f" (it is reported for {', '.join(where)})" if where else \
                    " (a metric of each type or LRU: give --type TYPE)" if t == "ALL" else ""
                raise CompareError(f"--metric {m}: not reported for --type {t}{hint}")


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


def load(sources: list[Source], metrics: list[str], types: list[str],
         window: Window = Window(), baseline: str | None = None) -> Values:
    """The per-replication values of `metrics` for `types`, over the window."""
    if window.whole:
        frame = pd.concat([_read(s, "replications.parquet", metrics, types) for s in sources])
        return Values(frame[KEYS + ["value"]], _as_run(sources), span=run_span(sources))
    needed = sorted({p for m in metrics for p in ([m, *parts_of(m)[:2]] if parts_of(m)
                                                   else [m])})
    series = pd.concat([_read(s, "timeseries.parquet", needed, types) for s in sources])
    months = sorted(series["month"].unique())
    own = own_warmup_months(sources, months)
    warnings = []
    if window.warmup == "auto":
        found = detect_warmup(series, metrics[0], types[0], baseline)
        cut, warning = auto_cut(found, own, months, f"{baseline or 'the baseline'}'s"
                                                    f" {types[0]} {metrics[0]}")
        warnings += [warning] if warning else []
    else:
        cut = own + (window.warmup or 0)
    kept = _window_months(months, window, cut, own)
    series = series[series["month"].isin(kept)]
    return Values(aggregate(series, metrics), _describe(window, cut, own, kept), cut, warnings,
                  f"{kept[0]} to {kept[-1]}", kept)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__


def own_warmup_months(sources: list[Source], months: list[str]) -> int:
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


def _window_months(months: list[str], window: Window, cut: int, own: int) -> list[str]:
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


def run_span(sources: list[Source]) -> str:
    """The months of the window as run, [warm-up, horizon] of the first scenario:
    "2023-01 to 2032-12"."""
    import datetime as dt

    for s in sources:
        for scenario in s.manifest.get("scenarios", {}).values():
            run = scenario.get("run", {})
            start = dt.date.fromisoformat(str(run.get("start_date", "2023-01-01")))
            first = start + dt.timedelta(days=float(run.get("warmup_days", 0)))
            last = start + dt.timedelta(days=float(run.get("years", 10)) * 365.25 - 1)
            return f"{first:%Y-%m} to {last:%Y-%m}"
    return ""


def _as_run(sources: list[Source]) -> str:
    m = sources[0].manifest
    warm = sorted(set((m.get("warmup_days") or {}).values())) or [0]
    horizon = sorted(set((m.get("horizon_days") or {}).values()))
    hz = ", ".join(f"{h:g}" for h in horizon) or "?"
    return (f"each replication's value over [warm-up, horizon] as run (warm-up"
            f" {', '.join(f'{w:g}' for w in warm)} days, horizon {hz} days)")


def _describe(window: Window, cut: int, own: int, months: list[str]) -> str:
    text = f"months {months[0]} to {months[-1]} ({len(months)} months"
    if window.warmup == "auto":
        text += f"; warm-up of {cut} months excluded (MSER-5 on the baseline"
        text += f", {cut - own} beyond the scenario's own)" if cut > own else \
            ", within the scenario's own)"
    elif cut:
        text += f"; warm-up of {cut} months excluded (the scenario's own {own}"
        text += f" and --warmup-months {cut - own})" if cut > own else ")"
    return text + "; levels averaged, counts summed, ratios from their parts)"


# ---- the comparison


def zero_when_absent(metric: str) -> bool:
    """Whether a type (or LRU, or fuel kind) absent from a scenario counts as 0 of this
    metric: levels and counts do (no Su-27 is 0 Su-27s FMC), ratios and rates do not."""
    name = metric.rpartition(".")[2]
    return kind(metric) != "ratio" and not name.endswith(("_rate", "_utilization"))


def compare(values: pd.DataFrame, baseline: str, level: float = 0.95,
            metrics: list[str] | None = None, types: list[str] | None = None,
            adjust: str | None = None) -> pd.DataFrame:
    """One row per (aircraft_type, metric, scenario): n, mean, ci_low, ci_high, and against
    the baseline the paired difference (diff, diff_low, diff_high), the relative change
    (diff over the baseline's mean) and `significant` (the interval excludes zero).

    A level or count of a type absent from a scenario is 0 in each of its replications.
    `adjust="holm"` widens the difference intervals by Holm's step-down rule over the
    alternatives (`sim.holm`); `diff_level` gives each interval's level."""
    from .holm import holm_levels, paired_p

    rows = []
    order = list(dict.fromkeys(values["scenario"]))
    wide = values.pivot_table(index=["aircraft_type", "metric", "replication"],
                              columns="scenario", values="value", dropna=False, sort=False)
    ran = values.groupby("scenario")["replication"].unique()
    for (aircraft_type, metric), block in wide.groupby(level=[0, 1], sort=False):
        if zero_when_absent(metric):
            block = block.copy()
            reps = block.index.get_level_values("replication")
            for scenario in block.columns:
                block[scenario] = block[scenario].where(
                    ~(block[scenario].isna() & reps.isin(ran[scenario])), 0.0)
        base = block[baseline] if baseline in block else None
        base_mean = t_interval(base.to_numpy())[0] if base is not None else math.nan
        others = [s for s in order if s != baseline and s in block and base is not None]
        levels = dict.fromkeys(others, level)
        if adjust == "holm" and len(others) > 1:
            p = [paired_p(base.to_numpy(), block[s].to_numpy()) for s in others]
            levels = dict(zip(others, holm_levels(p, 1 - level)))
        for scenario in order:
            x = block[scenario].to_numpy() if scenario in block else np.array([])
            mean, _, low, high = t_interval(x, level)
            row = {"aircraft_type": aircraft_type, "metric": metric, "scenario": scenario,
                   "n": int((~np.isnan(x)).sum()), "mean": mean, "ci_low": low,
                   "ci_high": high, "diff": math.nan, "diff_low": math.nan,
                   "diff_high": math.nan, "rel_change": math.nan, "significant": None,
                   "diff_level": math.nan}
            if scenario in levels:
                d, dl, dh = paired_interval(base.to_numpy(), x, levels[scenario])
                row.update(diff=d, diff_low=dl, diff_high=dh, diff_level=levels[scenario],
                           rel_change=d / base_mean if base_mean else math.nan,
                           significant=bool(dl > 0 or dh < 0) if dl == dl else None)
            rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame) and (metrics or types):
        rank_t = {t: i for i, t in enumerate(types or [])}
        rank_m = {m: i for i, m in enumerate(metrics or [])}
        frame = frame.sort_values(
            ["aircraft_type", "metric"], kind="stable",
            key=lambda c: c.map(rank_t if c.name == "aircraft_type" else rank_m)
        ).reset_index(drop=True)
    return frame


# ---- text renderings (csv, markdown, json) and the cells shared with the rich table

HEADER = ["type", "metric", "scenario", "mean [95% CI]", "Δ vs baseline [95% CI]", "change",
          ""]


def decimals(half: float, value: float) -> int:
    """Decimals that show a half-width to two significant digits (0 to 3); without a
    half-width, 3 below 10 and 0 above."""
    if half == half and half > 0:
        return int(min(3, max(0, 1 - math.floor(math.log10(half)))))
    return 3 if value != value or abs(value) < 10 else 0


def number(x: float, places: int, sign: bool = False) -> str:
    if x != x:
        return "–"
    x = round(x, places) + 0.0  # no "-0"
    return f"{x:{'+' if sign else ''},.{places}f}"


def cells(row, baseline: str) -> list[str]:
    """The text cells of one comparison row (HEADER's columns)."""
    p = decimals((row["ci_high"] - row["ci_low"]) / 2, row["mean"])
    mean = number(row["mean"], p)
    if row["n"] > 1:
        mean += f" [{number(row['ci_low'], p)}, {number(row['ci_high'], p)}]"
    shown = row.get("label")
    shown = shown if isinstance(shown, str) and shown else row["scenario"]
    if row["scenario"] == baseline:
        return [row["aircraft_type"], row["metric"], shown, mean, "baseline", "", ""]
    if row["diff"] == row["diff"]:
        q = decimals((row["diff_high"] - row["diff_low"]) / 2, row["diff"])
        diff = (f"{number(row['diff'], q, sign=True)} [{number(row['diff_low'], q)},"
                f" {number(row['diff_high'], q)}]")
    else:
        diff = "–"
    change = f"{row['rel_change']:+.1%}" if row["rel_change"] == row["rel_change"] else "–"
    return [row["aircraft_type"], row["metric"], shown, mean, diff, change,
            "*" if row["significant"] else ""]


def note(baseline: str, values: Values, n: int, adjust: str | None = None,
         alternatives: int = 0) -> str:
    """The caption of a comparison: baseline, replications, intervals, window."""
    text = (f"Baseline {baseline}; {n} replications, means with Student-t 95% intervals;"
            f" differences paired by replication (common random numbers); * marks a"
            f" difference whose interval excludes zero.")
    if adjust == "holm":
        text += (f" Difference intervals Holm-adjusted over the {alternatives} alternatives"
                 " (family-wise 95%).")
    elif alternatives >= HOLM_HINT_AT:
        text += (f" With {alternatives} alternatives, some 95% intervals miss by chance:"
                 " --adjust holm widens them.")
    return text + f" Window: {values.window}."


HOLM_HINT_AT = 6  # alternatives from which the caption suggests --adjust holm


def to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def to_markdown(frame: pd.DataFrame, baseline: str, caption: str = "") -> str:
    lines = ["| " + " | ".join(HEADER[:-1] + ["sig."]) + " |",
             "| " + " | ".join(["---"] * 3 + ["---:"] * 3 + [":---:"]) + " |"]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row, baseline))
                     + " |")
    return "\n".join(lines) + (f"\n\n{caption}\n" if caption else "\n")


def to_json(frame: pd.DataFrame, baseline: str, values: Values) -> str:
    rows = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in r.items()} for r in frame.to_dict(orient="records")]
    return json.dumps({"baseline": baseline, "window": values.window,
                       "warmup_months": values.warmup_months, "level": 0.95, "rows": rows},
                      indent=2) + "\n"
