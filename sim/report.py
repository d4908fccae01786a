"""The report of a results directory: PNG figures, report.md and a self-contained report.html.

The report leads with its findings: for the whole fleet, the combat types and each role
group (when types carry a role), then each aircraft type, every scenario's paired difference
from the baseline in FMC aircraft and MC rate, with 95% intervals. Scenario names go through
`label` (a sweep variant is shown by its values). Then the comparison table, the figures (`sim.figures`) and a methods section
generated from the manifest, in the order of the STRESS-DES checklist (Monks et al. 2019;
`sim.methods`). Metrics that are zero everywhere are left out with a sentence.
The documents are rendered from Jinja2 templates in sim/templates/.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from . import figures
from .compare import Values, both_cells, cells, row_cells
from .labels import labels
from .methods import methods

FINDINGS = ("fmc_aircraft", "mc_rate")
# (metrics, types) -> (per-replication values over the window, their comparison)
Loader = Callable[[list[str], list[str]], tuple[Values, pd.DataFrame]]


def label(name: str, manifest: dict | None = None) -> str:
    """The display label of a scenario name: a sweep variant of the manifest's `sweeps` by
    its values (`MiG-29.count=18, policy=none`, `sim.labels`), any other scenario by its
    name. Every scenario name goes through here on its way into the report."""
    if not manifest:
        return name
    return labels(list(manifest.get("scenarios", {})), manifest).get(name, name)


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
    found = _draws(path)
    if found:  # a run over parameter draws: its scenarios, each over all its draws
        order = list(dict.fromkeys(base for base, _ in found.values()))
    types = aircraft_types(manifest)
    groups = role_groups(manifest)
    present = _metrics(path)
    findings_values, findings_frame = load([m for m in FINDINGS if m in present],
                                           ["ALL", *groups, *types[1:]])
    f_values, _ = load([m for m in figures.VALUE_METRICS if m in present], types)
    frame, zero = drop_zero_only(frame)
    frame = frame.assign(label=frame["scenario"].map(lambda s: label(s, manifest)))
    made, skipped = figures.draw(_frame(path, manifest, order, types, present, values,
                                        _pooled(f_values.frame, found), groups, found),
                                 folder)
    made += sensitivity_figures(path, folder)
    context = {
        "title": f"fleetsim report: {', '.join(label(s, manifest) for s in order)}",
        "intro": (f"Results directory {path.resolve().name}, {manifest.get('replications')}"
                  f" replications per {'draw' if found else 'scenario'}"
                  f"{f' of {len(found) // max(len(order), 1)} parameter draws' if found else ''},"
                  f" made {manifest.get('created', '?')};"
                  f" baseline {label(baseline, manifest)}."),
        "findings": findings(findings_frame, baseline, ["ALL", *groups, *types[1:]],
                             manifest),
        "findings_window": findings_values.window,
        "findings_draws": (" Over parameter draws: each first interval is from parameter"
                           " uncertainty and noise together (* when it excludes zero), then"
                           " the noise-only interval and the share of the spread that is"
                           " parameter uncertainty (unknown)." if found else ""),
        "header": row_cells(frame)[0][:-1] + ["sig."],
        "rows": [row_cells(frame)[1](r, baseline) for _, r in frame.iterrows()],
        "note": note,
        "zero": zero,
        "figures": made,
        "skipped": skipped,
        "methods": methods(manifest, baseline, values, frame, lambda s: label(s, manifest)),
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


def sensitivity_figures(path: Path, folder: Path) -> list[tuple[str, str]]:
    """With an explore design and its indices.csv (`fleetsim sensitivity`) in `path`: the
    S1/ST bars with the noise floor, the mu*-sigma plot or the tornado, whichever the
    indices hold, drawn into `folder` with captions naming the top factors."""
    if not ((path / "design.json").is_file() and (path / "indices.csv").is_file()):
        return []
    from .analysis import figures as sa_figures

    try:
        indices = pd.read_csv(path / "indices.csv")
    except (OSError, ValueError, pd.errors.ParserError):
        return []
    if not {"output", "method", "parameter", "index", "value"} <= set(indices.columns):
        return []
    drawn = sa_figures.draw(indices, folder)
    out = []
    for (output, method), _ in indices.groupby(["output", "method"], sort=False):
        file = sa_figures.file_name(output, method)
        if (folder / file) in drawn:
            out.append((file, sa_figures.caption(indices, output, method)))
    return out


def _draws(path: Path) -> dict[str, tuple[str, int]]:
    """{variant: (scenario, draw)} of a run over parameter draws (`sim.draws`), else {}."""
    from . import compare as cmp, draws

    return draws.read(cmp.open_sources([path]))[0]


def _pooled(frame: pd.DataFrame, found: dict) -> pd.DataFrame:
    """Values with each draw's variant named by its scenario (figures pool the draws)."""
    if not found:
        return frame
    frame = frame[frame["scenario"].isin(found)].copy()
    frame["scenario"] = frame["scenario"].map(lambda s: found[s][0])
    return frame


def _metrics(path: Path) -> set[str]:
    from .compare import read_table  # dotted metric names (component.metric)

    return set(read_table(path / "replications.parquet")["metric"])


def aircraft_types(manifest: dict) -> list[str]:
    """ALL, then every aircraft type of the scenarios, in the order they first appear."""
    out = ["ALL"]
    for s in manifest.get("scenarios", {}).values():
        out += [t for t in s.get("types", {}) if t not in out]
    return out


def role_groups(manifest: dict) -> list[str]:
    """The groups of types the model reports when types carry a `role`: COMBAT, then
    `role:<role>` in the order the roles first appear (empty when no type has a role)."""
    roles = [spec.get("role") for s in manifest.get("scenarios", {}).values()
             for spec in (s.get("types") or {}).values() if isinstance(spec, dict)]
    roles = list(dict.fromkeys(r for r in roles if r))
    return ["COMBAT", *(f"role:{r}" for r in roles)] if roles else []


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
           values: Values, window_values: pd.DataFrame, groups: list[str] = (),
           found: dict | None = None) -> figures.Frame:
    fuel = sorted(m for m in present if m.endswith(".fuel_stock_t"))
    crewed = sorted(m for m in present if figures.CREWED.fullmatch(m))  # every threshold
    wanted = [m for m in figures.SERIES_METRICS if m in present] + fuel + crewed
    from .compare import read_table  # dotted metric names, months as YYYY-MM

    series = _pooled(read_table(path / "timeseries.parquet", wanted), found or {})
    series["date"] = pd.to_datetime(series["month"])
    window = None
    months = getattr(values, "months", None)
    if months:
        dates = pd.to_datetime(pd.Series([str(m) for m in months]))
        window = (dates.min(), dates.max() + pd.offsets.MonthBegin(1))
    warm, ev = warmups(manifest), events(manifest)
    if found:  # the draws of a scenario share its warm-up; their events differ by draw
        first = {base: v for v, (base, _) in reversed(list(found.items()))}
        warm = {base: warm[v] for base, v in first.items()}
        ev = {base: ev[v] for base, v in first.items()}
    return figures.Frame(series, window_values, order, {s: label(s, manifest) for s in order},
                         types, warm, window, ev, list(groups))


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


# ---- findings


def findings(frame: pd.DataFrame, baseline: str, types: list[str],
             manifest: dict | None = None) -> list[dict]:
    """Per block of `types` (ALL, COMBAT and the role groups, then each aircraft type): each
    scenario's difference from the baseline in FMC aircraft and MC rate, as text with its
    95% interval. A block absent from `frame` is left out."""
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
            lines.append({"scenario": label(name, manifest), **cellsd})
        blocks.append({"type": group_name(t),
                       "baseline": {m: _level(base[m]) if m in base else "–" for m in FINDINGS},
                       "rows": lines})
    return blocks


def group_name(aircraft_type: str) -> str:
    """How a findings block names an aircraft_type value: ALL, COMBAT, a role group, a type."""
    if aircraft_type == "ALL":
        return "whole fleet"
    if aircraft_type == "COMBAT":
        return "combat types (COMBAT)"
    if aircraft_type.startswith("role:"):
        return f"role {aircraft_type[5:]} ({aircraft_type})"
    return aircraft_type


def _level(row) -> str:
    if "total_low" in row and row["total_low"] == row["total_low"]:
        c = both_cells(row, row["scenario"])  # over parameter draws: both intervals
        return f"{c[3]} (noise only [{c[4].rpartition(' [')[2]}; {c[5]} unknown)"
    return cells(row, row["scenario"])[3]


def _difference(row) -> str:
    if row["diff"] != row["diff"]:
        return "–" if row["mean"] != row["mean"] else f"{_level(row)} (no baseline value)"
    if "diff_total_low" in row and row["diff_total_low"] == row["diff_total_low"]:
        c = both_cells(row, "")  # over parameter draws: both intervals and the shares
        return (f"{c[6]} (noise only [{c[7].rpartition(' [')[2]}; {c[8]} unknown)"
                + (" *" if c[9] else ""))
    text = cells(row, "")[4]
    return text + (" *" if row["significant"] else "")
