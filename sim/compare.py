"""Compare the scenarios of one or more results directories against a baseline.

For each metric and scenario: the mean over replications and its Student-t 95% interval;
for each scenario against the baseline, the paired difference replication by replication
(replication k of every scenario shares its random streams: common random numbers), its
95% interval, the relative change, and whether the interval excludes zero.

Values come from `replications.parquet` (each replication's value over [warm-up, horizon]
as run), or, when a time window is asked for, from `timeseries.parquet`: the replication's
value over the window is then the mean of its monthly values for a level (a time average
or a monthly sample), the sum for a count, and a ratio is recomputed from its parts
(`RATIOS`: mc_rate = sum of monthly FMC over sum of monthly active, and so on). Months
count equally (a partial last month of the horizon weighs as much as a whole one).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

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
    "pilots_departed", "pilots_lost", "inspections", "overhauls"})
# ratio -> (numerator, denominator, scale); the parts carry the ratio's prefix, if any.
# hours_per_pilot is per year: its scale is multiplied by 12 / months in the window.
RATIOS = {
    "mc_rate": ("fmc_aircraft", "active_aircraft", 1.0),
    "cann_per_100_sorties": ("cannibalizations", "sorties", 100.0),
    "mean_downtime_days": ("downtime_days", "returns_to_fmc", 1.0),
    "fill_rate": ("shelf_fills", "removals", 1.0),
    "hours_per_pilot": ("pilot_flight_hours", "pilots", 12.0),
}
PER_YEAR = frozenset({"hours_per_pilot"})
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


def open_sources(paths: list[Path]) -> list[Source]:
    """The directories, checked to be comparable (same root seed and replications)."""
    sources = []
    for path in map(Path, paths):
        manifest_path = path / "manifest.json"
        if not (path / "replications.parquet").exists() or not manifest_path.exists():
            raise CompareError(f"{path}: not a finished fleetsim results directory"
                               " (no manifest.json and replications.parquet)")
        try:
            manifest = json.loads(manifest_path.read_text())
        except ValueError:
            raise CompareError(f"{path}: its manifest.json cannot be read") from None
        sources.append(Source(path, manifest))
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


def _read(source: Source, table: str, metrics: list[str], types: list[str]) -> pd.DataFrame:
    frame = pd.read_parquet(source.path / table, filters=[("metric", "in", metrics),
                                                          ("aircraft_type", "in", types)])
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(str)
    frame["scenario"] = frame["scenario"].map(source.names)
    return frame


def available(sources: list[Source]) -> tuple[set[str], set[str]]:
    """The metrics and aircraft types present in every directory."""
    metrics, types = None, None
    for s in sources:
        frame = pd.read_parquet(s.path / "replications.parquet",
                                columns=["aircraft_type", "metric"])
        m, t = set(frame["metric"].astype(str)), set(frame["aircraft_type"].astype(str))
        metrics = m if metrics is None else metrics & m
        types = t if types is None else types & t
    return metrics, types


# ---- time windows


@dataclass(frozen=True)
class Window:
    """Part of the horizon: calendar years, the last years, and a warm-up to drop."""

    years: tuple[int, int] | None = None
    last_years: float | None = None
    warmup: str | int | None = None  # "auto" (MSER-5) or months

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
    warmup_months: int | None = None
    months: list[str] | None = None  # the months of the window (None: as run)


def load(sources: list[Source], metrics: list[str], types: list[str],
         window: Window = Window()) -> Values:
    """The per-replication values of `metrics` for `types`, over the window."""
    if window.whole:
        frame = pd.concat([_read(s, "replications.parquet", metrics, types) for s in sources])
        return Values(frame[KEYS + ["value"]], _as_run(sources))
    needed = sorted({p for m in metrics for p in ([m, *parts_of(m)[:2]] if parts_of(m)
                                                   else [m])})
    series = pd.concat([_read(s, "timeseries.parquet", needed, types) for s in sources])
    warmup = window.warmup
    if warmup == "auto":
        warmup = detect_warmup(series, metrics[0], types[0])
    months = _window_months(series, window, warmup or 0)
    series = series[series["month"].isin(months)]
    return Values(aggregate(series, metrics), _describe(window, warmup, months), warmup, months)


def detect_warmup(series: pd.DataFrame, metric: str, aircraft_type: str) -> int:
    """MSER-5 truncation (months) of the mean over replications of `metric` for
    `aircraft_type`, the largest over the scenarios (so that every scenario drops as many)."""
    rows = series[(series["metric"] == metric) & (series["aircraft_type"] == aircraft_type)]
    cuts = [mser(g.groupby("month").value.mean().sort_index().to_numpy())
            for _, g in rows.groupby("scenario")]
    return max(cuts, default=0)


def _window_months(series: pd.DataFrame, window: Window, warmup: int) -> list[str]:
    months = sorted(series["month"].unique())
    if warmup >= len(months):
        raise CompareError(f"--warmup-months {warmup}: the horizon has only {len(months)}"
                           " months")
    kept = months[warmup:]
    if window.last_years is not None:
        count = round(window.last_years * 12)
        if count < 1 or count > len(months):
            raise CompareError(f"--last-years {window.last_years:g}: must be within the"
                               f" horizon ({len(months)} months, {months[0]} to {months[-1]})")
        kept = [m for m in kept if m in months[-count:]]
    if window.years is not None:
        first, last = window.years
        kept = [m for m in kept if first <= int(m[:4]) <= last]
        if not kept:
            raise CompareError(f"--years {first}-{last}: no month of the horizon"
                               f" ({months[0]} to {months[-1]}) is in it")
    if not kept:
        raise CompareError("the window holds no month: the warm-up covers it")
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


def _as_run(sources: list[Source]) -> str:
    m = sources[0].manifest
    warm = sorted(set((m.get("warmup_days") or {}).values())) or [0]
    horizon = sorted(set((m.get("horizon_days") or {}).values()))
    hz = ", ".join(f"{h:g}" for h in horizon) or "?"
    return (f"each replication's value over [warm-up, horizon] as run (warm-up"
            f" {', '.join(f'{w:g}' for w in warm)} days, horizon {hz} days)")


def _describe(window: Window, warmup: int | None, months: list[str]) -> str:
    text = f"months {months[0]} to {months[-1]} ({len(months)} months"
    if warmup:
        how = "MSER-5" if window.warmup == "auto" else "--warmup-months"
        text += f"; warm-up of {warmup} months excluded ({how})"
    elif window.warmup == "auto":
        text += "; MSER-5 found no warm-up to exclude"
    return text + "; levels averaged, counts summed, ratios from their parts)"


# ---- the comparison


def compare(values: pd.DataFrame, baseline: str, level: float = 0.95,
            metrics: list[str] | None = None, types: list[str] | None = None) -> pd.DataFrame:
    """One row per (aircraft_type, metric, scenario): n, mean, ci_low, ci_high, and against
    the baseline the paired difference (diff, diff_low, diff_high), the relative change
    (diff over the baseline's mean) and `significant` (the interval excludes zero)."""
    rows = []
    order = list(dict.fromkeys(values["scenario"]))
    wide = values.pivot_table(index=["aircraft_type", "metric", "replication"],
                              columns="scenario", values="value", dropna=False, sort=False)
    for (aircraft_type, metric), block in wide.groupby(level=[0, 1], sort=False):
        base = block[baseline] if baseline in block else None
        base_mean = t_interval(base.to_numpy())[0] if base is not None else math.nan
        for scenario in order:
            x = block[scenario].to_numpy() if scenario in block else np.array([])
            mean, _, low, high = t_interval(x, level)
            row = {"aircraft_type": aircraft_type, "metric": metric, "scenario": scenario,
                   "n": int((~np.isnan(x)).sum()), "mean": mean, "ci_low": low,
                   "ci_high": high, "diff": math.nan, "diff_low": math.nan,
                   "diff_high": math.nan, "rel_change": math.nan, "significant": None}
            if scenario != baseline and base is not None:
                d, dl, dh = paired_interval(base.to_numpy(), x, level)
                row.update(diff=d, diff_low=dl, diff_high=dh,
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
    if row["scenario"] == baseline:
        return [row["aircraft_type"], row["metric"], row["scenario"], mean, "baseline", "", ""]
    if row["diff"] == row["diff"]:
        q = decimals((row["diff_high"] - row["diff_low"]) / 2, row["diff"])
        diff = (f"{number(row['diff'], q, sign=True)} [{number(row['diff_low'], q)},"
                f" {number(row['diff_high'], q)}]")
    else:
        diff = "–"
    change = f"{row['rel_change']:+.1%}" if row["rel_change"] == row["rel_change"] else "–"
    return [row["aircraft_type"], row["metric"], row["scenario"], mean, diff, change,
            "*" if row["significant"] else ""]


def note(baseline: str, values: Values, n: int) -> str:
    return (f"Baseline {baseline}; {n} replications, means with Student-t 95% intervals;"
            f" differences paired by replication (common random numbers); * marks a"
            f" difference whose 95% interval excludes zero. Window: {values.window}.")


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
