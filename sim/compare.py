"""Compare the scenarios of one or more results directories against a baseline.

For each metric and scenario: the mean over replications and its Student-t 95% interval;
for each scenario against the baseline, the paired difference replication by replication
(replication k of every scenario shares its random streams: common random numbers), its
95% interval, the relative change, and whether the interval excludes zero.

This module opens the directories (`open_sources`), checks that their scenarios can be
paired, loads the values (from `replications.parquet` as run, or over a window of months
from `timeseries.parquet`: `sim.windows` says how each metric is aggregated) and pairs them
(`compare`). `sim.compare_text` renders the result as cells, csv, markdown and json; its
names and those of `sim.windows` are re-exported here.

Pairing replication k of one scenario with replication k of another is sound only when
both ran under the same root seed, the same number of replications, the same horizon and the
same window (start date and warm-up): directories and scenarios that differ in any of these
are refused, with a line saying what differs. A directory whose manifest or tables cannot
be read is refused by name.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .analysis import paired_interval, t_interval
from .compare_text import (HEADER, HEADER_BOTH, HOLM_HINT_AT, both_cells,  # noqa: F401
                           cells, decimals, note, number, row_cells, to_csv, to_json,
                           to_markdown)
from .windows import (COUNTS, KEYS, PER_YEAR, RATIOS, CompareError, Values,  # noqa: F401
                      Window, _short, aggregate, auto_cut, detect_warmup, kind,
                      own_warmup_months, parse_warmup, parse_years, parts_of,
                      window_months, describe_window, zero_when_absent)

DEFAULT_METRICS = ("mc_rate", "fmc_aircraft", "flyable_aircraft", "tnmcs_aircraft", "sorties",
                   "flight_hours", "cann_per_100_sorties", "losses_per_100k_fh",
                   "crewed_fmc_20h", "pilots_over_20h", "hours_per_pilot")


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
    kept = window_months(months, window, cut, own)
    series = series[series["month"].isin(kept)]
    return Values(aggregate(series, metrics), describe_window(window, cut, own, kept), cut,
                  warnings, f"{kept[0]} to {kept[-1]}", kept)


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


# ---- the comparison


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
