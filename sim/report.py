"""The report of a results directory: PNG figures, report.md and a self-contained report.html.

The report leads with its findings: for the whole fleet and each aircraft type, every
scenario's paired difference from the baseline in FMC aircraft and MC rate, with 95%
intervals. Then the comparison table, the figures (`sim.figures`) and a methods section
generated from the manifest, in the order of the STRESS-DES checklist (Monks et al. 2019):
objectives, logic (each scenario described from its resolved values, and every one of its
differences from the baseline), data (overrides, sweep values), experimentation,
implementation, code access. Metrics that are zero everywhere are left out with a sentence.
The documents are rendered from Jinja2 templates in sim/templates/.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from . import figures
from .compare import HEADER, Values, cells

FINDINGS = ("fmc_aircraft", "mc_rate")
# (metrics, types) -> (per-replication values over the window, their comparison)
Loader = Callable[[list[str], list[str]], tuple[Values, pd.DataFrame]]


def label(name: str) -> str:
    """The display label of a scenario (or sweep variant) name."""
    return name


def write(path: Path, manifest: dict, frame: pd.DataFrame, baseline: str, values: Values,
          note: str, load: Loader | None = None) -> Path:
    """Write <path>/report/: the figures, report.md and report.html. Returns the folder.
    `frame` is the comparison table asked for; `load` gives values and comparisons of other
    metrics and types over the same window (default: over the horizon as run)."""
    path = Path(path)
    folder = path / "report"
    folder.mkdir(exist_ok=True)
    load = load or _as_run_loader(path, baseline)
    order = list(manifest.get("scenarios", {}))
    types = aircraft_types(manifest)
    present = _metrics(path)
    findings_values, findings_frame = load([m for m in FINDINGS if m in present], types)
    f_values, _ = load([m for m in figures.VALUE_METRICS if m in present], types)
    frame, zero = drop_zero_only(frame)
    made, skipped = figures.draw(_frame(path, manifest, order, types, present, values,
                                        f_values.frame), folder)
    context = {
        "title": f"fleetsim report: {', '.join(label(s) for s in order)}",
        "intro": (f"Results directory {path.resolve().name}, {manifest.get('replications')}"
                  f" replications per scenario, made {manifest.get('created', '?')};"
                  f" baseline {label(baseline)}."),
        "findings": findings(findings_frame, baseline, types),
        "findings_window": findings_values.window,
        "header": HEADER[:-1] + ["sig."],
        "rows": [_labelled(cells(r, baseline)) for _, r in frame.iterrows()],
        "note": note,
        "zero": zero,
        "figures": made,
        "skipped": skipped,
        "methods": methods(manifest, baseline, values, frame),
    }
    env = Environment(loader=PackageLoader("sim", "templates"), trim_blocks=True,
                      lstrip_blocks=True, autoescape=select_autoescape(["html", "html.j2"]),
                      keep_trailing_newline=True)
    env.filters["md"] = lambda s: str(s).replace("|", "\\|")
    env.filters["data_uri"] = lambda file: "data:image/png;base64," + base64.b64encode(
        (folder / file).read_bytes()).decode()
    (folder / "report.md").write_text(env.get_template("report.md.j2").render(context))
    (folder / "report.html").write_text(env.get_template("report.html.j2").render(context))
    return folder


# ---- data


def _metrics(path: Path) -> set[str]:
    from .compare import read_table  # dotted metric names (component.metric)

    return set(read_table(path / "replications.parquet")["metric"])


def aircraft_types(manifest: dict) -> list[str]:
    """ALL, then every aircraft type of the scenarios, in the order they first appear."""
    out = ["ALL"]
    for s in manifest.get("scenarios", {}).values():
        out += [t for t in s.get("types", {}) if t not in out]
    return out


def _as_run_loader(path: Path, baseline: str) -> Loader:
    from . import compare as cmp

    def load(metrics, types):
        sources = cmp.open_sources([path])
        _, present = cmp.available(sources)
        types = [t for t in types if t in present]
        values = cmp.load(sources, metrics, types)
        return values, cmp.compare(values.frame, baseline, metrics=metrics, types=types)
    return load


def _frame(path: Path, manifest: dict, order: list[str], types: list[str], present: set[str],
           values: Values, window_values: pd.DataFrame) -> figures.Frame:
    fuel = sorted(m for m in present if m.endswith(".fuel_stock_t"))
    crewed = sorted(m for m in present if figures.CREWED.fullmatch(m))  # every threshold
    wanted = [m for m in figures.SERIES_METRICS if m in present] + fuel + crewed
    from .compare import read_table  # dotted metric names, months as YYYY-MM

    series = read_table(path / "timeseries.parquet", wanted)
    series["date"] = pd.to_datetime(series["month"])
    window = None
    months = getattr(values, "months", None)
    if months:
        dates = pd.to_datetime(pd.Series([str(m) for m in months]))
        window = (dates.min(), dates.max() + pd.offsets.MonthBegin(1))
    return figures.Frame(series, window_values, order, {s: label(s) for s in order}, types,
                         warmups(manifest), window, events(manifest))


def warmups(manifest: dict) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Each scenario's warm-up as dates: [start_date, start_date + run.warmup_days]."""
    out = {}
    for name, s in manifest.get("scenarios", {}).items():
        run = s.get("run", {})
        start = pd.Timestamp(run.get("start_date", "2023-01-01"))
        out[name] = (start, start + pd.Timedelta(days=float(run.get("warmup_days") or 0)))
    return out


def events(manifest: dict) -> dict[str, list[figures.Event]]:
    """The dated events of each scenario: deliveries, `[[changes]]` entries and surges."""
    out = {}
    for name, s in manifest.get("scenarios", {}).items():
        ev = []
        for t, spec in (s.get("types") or {}).items():
            for d in spec.get("deliveries") or []:
                ev.append(figures.Event("delivery", pd.Timestamp(d["date"]), None, t,
                                        f"{d.get('count', '?')} {t}"))
        for c in s.get("changes") or []:
            when = _get(c, "date") or _get(c, "start_date")
            if when:
                ev.append(figures.Event("change", pd.Timestamp(str(when)), None, None,
                                        f"{_get(c, 'key')} = {_get(c, 'value')}"))
        for g in (s.get("flying") or {}).get("surges") or []:
            start, end = _get(g, "start_date"), _get(g, "end_date")
            if start:
                ev.append(figures.Event("surge", pd.Timestamp(str(start)),
                                        pd.Timestamp(str(end or start)), None,
                                        f"x{_get(g, 'multiplier')}"))
        out[name] = ev
    return out


def _get(entry, key):
    """A field of a manifest entry, a mapping or an object (entries may change shape)."""
    return entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)


def drop_zero_only(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table without the (type, metric) blocks that are 0 in every scenario and
    replication, and the names of those left out."""
    if not len(frame):
        return frame, []
    zero = frame.groupby(["aircraft_type", "metric"], sort=False).apply(
        lambda b: bool(((b["mean"] == 0) & (b["ci_low"].fillna(0) == 0)
                        & (b["ci_high"].fillna(0) == 0)).all()), include_groups=False)
    gone = [k for k, z in zero.items() if z]
    keep = ~frame.set_index(["aircraft_type", "metric"]).index.isin(gone)
    names = [m if t == "ALL" else f"{t} {m}" for t, m in gone]
    return frame[keep].reset_index(drop=True), names


def _labelled(row: list[str]) -> list[str]:
    return row[:2] + [label(row[2])] + row[3:]


# ---- findings


def findings(frame: pd.DataFrame, baseline: str, types: list[str]) -> list[dict]:
    """Per aircraft type (ALL first): each scenario's difference from the baseline in FMC
    aircraft and MC rate, as text with its 95% interval."""
    blocks = []
    for t in types:
        rows = frame[frame["aircraft_type"] == t]
        if not len(rows):
            continue
        base = {r["metric"]: r for _, r in rows[rows["scenario"] == baseline].iterrows()}
        lines = []
        for name in dict.fromkeys(rows["scenario"]):
            if name == baseline:
                continue
            cellsd = {}
            for m in FINDINGS:
                r = rows[(rows["scenario"] == name) & (rows["metric"] == m)]
                cellsd[m] = _difference(r.iloc[0]) if len(r) else "–"
            lines.append({"scenario": label(name), **cellsd})
        blocks.append({"type": "whole fleet" if t == "ALL" else t,
                       "baseline": {m: _level(base[m]) if m in base else "–" for m in FINDINGS},
                       "rows": lines})
    return blocks


def _level(row) -> str:
    return cells(row, row["scenario"])[3]


def _difference(row) -> str:
    if row["diff"] != row["diff"]:
        return "–" if row["mean"] != row["mean"] else f"{_level(row)} (no baseline value)"
    text = cells(row, "")[4]
    return text + (" *" if row["significant"] else "")


# ---- methods (STRESS-DES)


def methods(m: dict, baseline: str, values: Values, frame: pd.DataFrame) -> dict:
    """The methods section's content, in the order of the STRESS-DES checklist."""
    scen = m.get("scenarios", {})
    base = scen.get(baseline, {})
    v, env = m.get("versions", {}), m.get("environment", {})
    start = {s.get("run", {}).get("start_date") for s in scen.values()}
    given = m["overrides"] if "overrides" in m else overrides(m.get("command") or [])
    changed = bool(given or m.get("sweeps"))
    return {
        "objectives": (f"Compare {len(scen)} scenarios with the baseline {label(baseline)} on:"
                       f" {', '.join(dict.fromkeys(frame['metric'])) or 'no metric'} (aircraft"
                       f" type {', '.join(dict.fromkeys(frame['aircraft_type'])) or '–'})."),
        "scenarios": [{"name": label(name), "description": _sentence(s.get("description")),
                       "logic": describe(s), "changed": changed,
                       "differences": None if name == baseline else [
                           (".".join(p), _value(_at(base, p)), _value(_at(s, p)))
                           for p in diff_paths(base, s)]}
                      for name, s in scen.items()],
        "baseline": label(baseline),
        "overrides": given,
        "sweeps": [_sweep(s) for s in m.get("sweeps") or []],
        "experimentation": [
            f"Initialisation: every tail starts on {', '.join(map(str, sorted(start)))} as"
            f" the scenario states it; warm-up in the run (days):"
            f" {_join(m.get('warmup_days'))}.",
            f"Run length (days): {_join(m.get('horizon_days'))}.",
            f"Comparison window: {values.window}.",
            f"Replications: {m.get('replications')}; chosen by:"
            f" {(m.get('stop') or {}).get('reason', '?')}.",
            "Estimation: mean over independent replications with Student-t 95% intervals;"
            " differences paired by replication under common random numbers."],
        "implementation": [
            "Software: " + ", ".join(f"{k} {x}" for k, x in v.items()) + ".",
            f"Random sampling: root seed {m.get('root_seed')}; {m.get('seeding', '')}.",
            f"Model execution: {m.get('executor', {})}; wall time {m.get('wall_seconds', '?')}"
            f" s; events {(m.get('events') or {}).get('total', '?')}.",
            f"System: {env.get('platform', '?')}, {env.get('cpus', '?')} CPUs."],
        "code": (f"fleetsim {m.get('version')} (open source); command:"
                 f" {' '.join(m.get('command', []))}."),
    }


def describe(s: dict) -> str:
    """One scenario's logic in words, from its resolved values (not from its name)."""
    types = s.get("types") or {}
    counts = ", ".join(f"{t} {spec.get('count', 0)}" for t, spec in types.items())
    delivered = {t: sum(d.get("count", 0) for d in spec.get("deliveries") or [])
                 for t, spec in types.items()}
    delivered = {t: n for t, n in delivered.items() if n}
    cann = s.get("cannibalization") or {}
    policy = cann.get("policy", "?")
    cann_text = {"none": "no cannibalization",
                 "full": "full cannibalization (missing parts consolidated onto as few tails"
                         " as possible)",
                 "capped": f"cannibalization capped at {cann.get('max_actions_per_month', 0)}"
                           " actions a month per type",
                 "demand": "cannibalization on demand (only when the day's sorties"
                           + (f" or a floor of {cann['min_fmc']} FMC tails a type"
                              if cann.get("min_fmc") else "")
                           + " cannot be met otherwise)"}.get(policy,
                                                             f"cannibalization {policy}")
    flying = s.get("flying") or {}
    sanctions = s.get("sanctions") or {}
    parts = [f"{len(types)} aircraft types, {sum(t.get('count', 0) for t in types.values())}"
             f" tails on {s.get('run', {}).get('start_date', '?')} ({counts})",
             f"programme {flying.get('programme', '?')}",
             cann_text]
    if delivered:
        parts.append("deliveries: " + ", ".join(f"{n} {t}" for t, n in delivered.items()))
    if sanctions.get("start_date") or sanctions.get("end_date"):
        parts.append(f"sanctions from {sanctions.get('start_date') or 'the start'} to"
                     f" {sanctions.get('end_date') or 'the end'}")
    fuel = list((s.get("fuel") or {}))
    parts.append(f"fuel kinds: {', '.join(fuel)}" if fuel else "no fuel constraint")
    piloted = [t for t, spec in types.items() if spec.get("pilots")]
    parts.append(f"pilots on {len(piloted)} types" if piloted else "no pilot constraint")
    if flying.get("surges"):
        parts.append(f"{len(flying['surges'])} surges")
    if s.get("changes"):
        parts.append(f"{len(s['changes'])} dated changes")
    return "Resolved: " + "; ".join(parts) + "."


def _sentence(text: str | None) -> str:
    text = (text or "").strip()
    return text + ("" if not text or text[-1] in ".!?" else ".")


def overrides(command: list[str]) -> list[str]:
    """The `--set` overrides (and --years) of a command line (for manifests that do not
    record their overrides)."""
    out = []
    for i, arg in enumerate(command):
        for flag in ("--set", "-s", "--years"):
            if arg == flag and i + 1 < len(command):
                out.append(command[i + 1] if flag != "--years" else
                           f"run.years={command[i + 1]}")
            elif arg.startswith(flag + "="):
                value = arg[len(flag) + 1:]
                out.append(value if flag != "--years" else f"run.years={value}")
    return out


def _sweep(s: dict) -> dict:
    keys = list(s.get("grid") or {})
    return {"base": label(s.get("base", "?")), "file": s.get("file", "?"), "columns": keys,
            "rows": [[label(name)] + [_value(vals.get(k)) for k in keys]
                     for name, vals in (s.get("variants") or {}).items()]}


_ABSENT = object()


def _at(tree, path: tuple):
    """The value at a key path, or _ABSENT."""
    node = tree
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def _value(v) -> str:
    """A resolved value in a few words: tables by their plain values, lists inline."""
    if v is _ABSENT:
        return "(absent)"
    if isinstance(v, dict):
        plain = [f"{k} = {_value(x)}" for k, x in v.items() if not isinstance(x, dict)]
        nested = [k for k, x in v.items() if isinstance(x, dict)]
        return "; ".join(plain + ([f"tables: {', '.join(nested)}"] if nested else [])) or "{}"
    if isinstance(v, list):
        return "[" + ", ".join("{" + _value(x) + "}" if isinstance(x, dict) else _value(x)
                               for x in v) + "]"
    if isinstance(v, float):
        return f"{v:g}" if math.isfinite(v) else str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def _join(by_scenario) -> str:
    values = sorted(set((by_scenario or {}).values()))
    return ", ".join(f"{x:g}" for x in values) or "?"


def differences(a, b) -> list[str]:
    """Dotted keys at which two resolved scenarios differ (name and description aside): all
    of them; a table present on one side only is one key."""
    return [".".join(p) for p in diff_paths(a, b)]


def diff_paths(a, b, prefix: tuple = ()) -> list[tuple]:
    """The key paths at which two resolved scenarios differ (keys may hold dots)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in dict.fromkeys([*a, *b]):
            if not prefix and key in ("name", "description"):
                continue
            where = prefix + (str(key),)
            out += diff_paths(a.get(key), b.get(key), where) if key in a and key in b \
                else [where]
        return out
    return [] if a == b else [prefix]


