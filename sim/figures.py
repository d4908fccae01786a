"""The report's figures: matplotlib (Agg) drawings of a results directory's tables.

Each figure function takes a `Frame` (the monthly series, the per-replication values over
the compared window, the scenarios in order with their display labels and colours, and the
dated events of each scenario) and returns a figure, or a sentence saying why it is skipped
(its metrics are absent, or zero everywhere). Time series show the whole run with the
scenario's own warm-up shaded dark and months outside the compared window shaded light;
deliveries, dated changes and surges are marked. Many scenarios or types become a grid of
small multiples, never wider than `MAX_WIDTH` inches.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .analysis import half_width  # noqa: E402

DPI = 100
MAX_WIDTH = 12.0  # inches: 1200 px at DPI
PANEL = (3.0, 2.4)  # inches per small multiple
STATES = (("fmc_aircraft", "FMC", "#2a9d8f"), ("pmc_aircraft", "PMC", "#8ab17d"),
          ("nmcm_aircraft", "NMCM", "#e9c46a"), ("nmcs_aircraft", "NMCS", "#e76f51"),
          ("nmcb_aircraft", "NMCB", "#b5452a"), ("depot_aircraft", "depot", "#8d99ae"))


@dataclass
class Event:
    """A dated event of one scenario: a delivery, a dated change or a surge (with an end)."""

    kind: str  # "delivery", "change", "surge"
    start: pd.Timestamp
    end: pd.Timestamp | None = None
    aircraft_type: str | None = None  # None: the whole fleet
    text: str = ""


@dataclass
class Frame:
    """What the figures draw from."""

    series: pd.DataFrame  # scenario, replication, aircraft_type, date, metric, value (monthly)
    values: pd.DataFrame  # scenario, replication, aircraft_type, metric, value (the window)
    order: list[str]  # scenarios in order
    labels: dict[str, str]  # scenario -> display label
    types: list[str]  # aircraft types in order (ALL first)
    warmup: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=dict)
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None  # compared months, first to end
    events: dict[str, list[Event]] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)  # COMBAT, role:<role> (types with roles)

    def color(self, scenario: str) -> str:
        return f"C{self.order.index(scenario) % 10}"


# ---- layout


def grid(n: int, cols: int = 4, panel: tuple[float, float] = PANEL, **kw):
    """n small multiples in rows of at most `cols`, at most MAX_WIDTH wide."""
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    width = min(MAX_WIDTH, panel[0] * cols + 0.6)
    fig, axes = plt.subplots(rows, cols, figsize=(width, panel[1] * rows + 1.2),
                             squeeze=False, **kw)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def legend_below(fig, f: Frame, extra: list | None = None):
    handles = [plt.Line2D([], [], color=f.color(s), lw=2, label=f.labels[s]) for s in f.order]
    handles += extra or []
    fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0))
    rows = math.ceil(len(handles) / min(4, len(handles)))
    height = fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, min(0.4, (0.22 * rows + 0.1) / height), 1, 0.95))


def band(series: pd.DataFrame) -> pd.DataFrame:
    """Monthly mean over replications and its 95% t-interval, per scenario."""
    g = series.groupby(["scenario", "date"], sort=False)["value"]
    out = g.agg(["mean", "std", "count"]).reset_index()
    half = np.nan_to_num(half_width(out["count"].to_numpy(), out["std"].to_numpy(), 0.95))
    return out.assign(low=out["mean"] - half, high=out["mean"] + half)


def _time_bands(ax, f: Frame, rows: pd.DataFrame, style: str = "-"):
    b = band(rows)
    for name in f.order:
        r = b[b["scenario"] == name]
        if len(r):
            ax.plot(r["date"], r["mean"], style, color=f.color(name), lw=1.2)
            ax.fill_between(r["date"], r["low"], r["high"], color=f.color(name),
                            alpha=0.2 if len(f.order) <= 3 else 0.07, lw=0)


def _context(ax, f: Frame, aircraft_type: str = "ALL"):
    """Shade the warm-up and the months outside the window; mark the dated events."""
    lo, hi = f.series["date"].min(), f.series["date"].max() + pd.offsets.MonthEnd(0)
    for start, end in set(f.warmup.values()):
        if end > start:
            ax.axvspan(start, end, color="0.55", alpha=0.25, lw=0)
    if f.window is not None:
        first, last = f.window
        if first > lo:
            ax.axvspan(lo, first, color="0.8", alpha=0.35, lw=0, hatch="//", fill=False)
        if last < hi:
            ax.axvspan(last, hi, color="0.8", alpha=0.35, lw=0, hatch="//", fill=False)
    shared = _shared_events(f)
    for name in [None, *f.order]:
        for e in shared if name is None else f.events.get(name, []):
            if name is not None and _key(e) in {_key(x) for x in shared}:
                continue
            if e.aircraft_type not in (None, aircraft_type) and aircraft_type != "ALL":
                continue
            color = "0.35" if name is None else f.color(name)
            if e.kind == "surge":
                ax.axvspan(e.start, e.end or e.start, color=color, alpha=0.12, lw=0)
            else:
                ax.axvline(e.start, color=color, lw=0.8,
                           ls="--" if e.kind == "delivery" else ":")
                ax.plot([e.start], [1.0], "v" if e.kind == "delivery" else "d", color=color,
                        ms=4, transform=ax.get_xaxis_transform(), clip_on=False)
    ax.set_xlim(lo, hi)


def _key(e: Event) -> tuple:
    return (e.kind, e.start, e.end, e.aircraft_type, e.text)


def _shared_events(f: Frame) -> list[Event]:
    """Events that every scenario has (drawn once, in grey)."""
    if not f.order:
        return []
    common = set.intersection(*[{_key(e) for e in f.events.get(s, [])} for s in f.order])
    return [e for e in f.events.get(f.order[0], []) if _key(e) in common] if len(f.order) > 1 \
        else []


def _context_handles() -> list:
    from matplotlib.patches import Patch

    return [Patch(color="0.55", alpha=0.4, label="warm-up (run.warmup_days)"),
            Patch(facecolor="none", edgecolor="0.6", hatch="//", label="outside the window"),
            plt.Line2D([], [], color="0.3", ls="--", marker="v", ms=4, label="delivery"),
            plt.Line2D([], [], color="0.3", ls=":", marker="d", ms=4, label="dated change"),
            Patch(color="0.3", alpha=0.15, label="surge"),
            plt.Line2D([], [], color="0.35", lw=2, label="grey marks: every scenario")]


def _all_zero(rows: pd.DataFrame) -> bool:
    return len(rows) > 0 and bool((rows["value"].fillna(0) == 0).all())


# ---- figures: each returns a figure, or the sentence of why it is skipped


def fig_mc_rate(f: Frame):
    rows = f.series[(f.series["metric"] == "mc_rate") & (f.series["aircraft_type"] == "ALL")]
    if not len(rows):
        return "mc_rate is not in the monthly table"
    fig, ax = plt.subplots(figsize=(9, 4.6))
    _context(ax, f)
    _time_bands(ax, f, rows)
    ax.set(title="MC rate, whole fleet: mean over replications and 95% band",
           ylabel="MC rate (FMC + PMC) / possessed", ylim=(0, 1.02))
    legend_below(fig, f, _context_handles())
    return fig


def _mc_rate_panels(f: Frame, names: list[str], title: str, own_events: bool = True):
    """Small multiples of the monthly MC rate of each aircraft_type value in `names`; each
    panel marks its own type's events (`own_events`) or every event."""
    rows = f.series[f.series["metric"] == "mc_rate"]
    names = [t for t in names if t in set(rows["aircraft_type"])]
    if not names:
        return None
    fig, axes = grid(len(names), sharey=True)
    for ax, t in zip(axes, names):
        _context(ax, f, t if own_events else "ALL")
        _time_bands(ax, f, rows[rows["aircraft_type"] == t])
        ax.set_title(t, fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.tick_params(labelsize=7)
        ax.tick_params(axis="x", labelrotation=30)
    fig.suptitle(title)
    legend_below(fig, f, _context_handles())
    return fig


def fig_mc_rate_by_type(f: Frame):
    """One panel per aircraft type (role groups have a figure of their own)."""
    fig = _mc_rate_panels(f, [t for t in f.types if t != "ALL"],
                          "MC rate by aircraft type (mean over replications, 95% band)")
    return fig if fig is not None else "mc_rate by aircraft type is not in the monthly table"


def fig_mc_rate_by_role(f: Frame):
    """One panel per group of types: COMBAT, then each role group; every dated event is
    marked in every panel."""
    if not f.groups:
        return "no aircraft type has a role"
    fig = _mc_rate_panels(f, f.groups, "MC rate by role: COMBAT and each role group (mean"
                                       " over replications, 95% band)", own_events=False)
    return fig if fig is not None else "mc_rate by role group is not in the monthly table"


def fig_states(f: Frame):
    rows = f.values[f.values["metric"].isin([m for m, _, _ in STATES])
                    & (f.values["aircraft_type"] != "ALL")]
    if not len(rows):
        return "the state metrics (fmc_aircraft ...) are not in this results directory"
    means = rows.groupby(["scenario", "aircraft_type", "metric"], sort=False)["value"].mean()
    types = [t for t in f.types if t in set(rows["aircraft_type"])]
    fig, axes = grid(len(f.order), cols=3, panel=(3.8, 0.28 * len(types) + 1.0), sharey=True,
                     sharex=True)
    for ax, name in zip(axes, f.order):
        left = np.zeros(len(types))
        for metric, label, color in STATES:
            v = np.array([means.get((name, t, metric), 0.0) for t in types])
            ax.barh(types, v, left=left, label=label, color=color)
            left += v
        ax.set_title(f.labels[name], fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("aircraft (time average)", fontsize=8)
    axes[0].invert_yaxis()  # shared: the first type on top
    from matplotlib.patches import Patch

    fig.suptitle("Aircraft by type and state (AFI 21-103; mean over replications)")
    fig.legend(handles=[Patch(color=c, label=lab) for _, lab, c in STATES], loc="lower center",
               ncol=len(STATES), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    return fig


CREWED = re.compile(r"crewed_fmc_(\d+(?:p\d+)?)h")  # crewed_fmc_<hours>h, 12.5 h: 12p5


def _hours(metric: str) -> float:
    return float(CREWED.fullmatch(metric).group(1).replace("p", "."))


def fig_crewed(f: Frame):
    """FMC aircraft with a pilot over the highest proficiency threshold that any pilot
    reaches (`crewed_fmc_<h>h`; `crewed_fmc_aircraft` in results without thresholds)."""
    fleet = f.series[f.series["aircraft_type"] == "ALL"]
    names = sorted({m for m in fleet["metric"].unique() if CREWED.fullmatch(m)},
                   key=lambda m: -_hours(m)) or ["crewed_fmc_aircraft"]
    picked = None
    for name in names:
        rows = fleet[fleet["metric"] == name]
        if len(rows) and not _all_zero(rows):
            picked = name
            break
    if picked is None:
        if not len(fleet[fleet["metric"].isin(names)]):
            return "crewed_fmc_aircraft is not in this results directory (no pilots)"
        return ("crewed_fmc_aircraft is 0 in every scenario, replication and month: no pilot"
                " reaches any proficiency threshold")
    match = CREWED.fullmatch(picked)
    over = f"over {_hours(picked):g} h in 12 months" if match else "proficient"
    fig, ax = plt.subplots(figsize=(9, 4.6))
    _context(ax, f)
    _time_bands(ax, f, rows)
    fmc = f.series[(f.series["metric"] == "fmc_aircraft") & (f.series["aircraft_type"] == "ALL")]
    for name in f.order:
        m = fmc[fmc["scenario"] == name].groupby("date")["value"].mean()
        ax.plot(m.index, m.to_numpy(), ":", color=f.color(name), lw=1)
    ax.set(title=f"Mission-capable aircraft with a pilot {over} (95% band); dotted: all FMC",
           ylabel="aircraft")
    legend_below(fig, f, _context_handles())
    return fig


def fig_fuel(f: Frame):
    kinds = sorted({m for m in f.series["metric"].unique() if m.endswith(".fuel_stock_t")})
    if not kinds:
        return "no fuel stock in this results directory (no fuel kinds)"
    fig, axes = grid(len(kinds), cols=2, panel=(5.0, 3.2))
    for ax, metric in zip(axes, kinds):
        _context(ax, f)
        _time_bands(ax, f, f.series[(f.series["metric"] == metric)
                                    & (f.series["aircraft_type"] == "ALL")])
        ax.set_title(f"{metric.split('.')[0]} stock", fontsize=9)
        ax.set_ylabel("tonnes")
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    fig.suptitle("Fuel stocks (mean over replications, 95% band)")
    legend_below(fig, f, _context_handles())
    return fig


def _per_type_panels(f: Frame, metric: str, title: str, ylabel: str, draw):
    rows = f.values[(f.values["metric"] == metric) & (f.values["aircraft_type"] != "ALL")]
    rows = rows.dropna(subset=["value"])
    if not len(rows):
        return f"{metric} is not in this results directory"
    if _all_zero(rows):
        return f"{metric} is 0 for every type in every scenario and replication"
    types = [t for t in f.types if t in set(rows["aircraft_type"])]
    fig, axes = grid(len(types), sharey=True)
    x = np.arange(len(f.order))
    for ax, t in zip(axes, types):
        for i, name in enumerate(f.order):
            v = rows[(rows["scenario"] == name) & (rows["aircraft_type"] == t)]["value"]
            if len(v):
                draw(ax, i, v.to_numpy(), f.color(name))
        ax.set_title(t, fontsize=9)
        ax.set_xticks(x, [""] * len(x))
        ax.set_xlim(-0.6, len(x) - 0.4)
        ax.tick_params(labelsize=7)
    for ax in axes[:: min(4, len(axes))]:
        ax.set_ylabel(ylabel, fontsize=8)
    fig.suptitle(title)
    legend_below(fig, f)
    return fig


def _box(ax, i, v, color):
    bp = ax.boxplot([v], positions=[i], widths=0.7, patch_artist=True, manage_ticks=False,
                    medianprops={"color": "black"})
    for patch in bp["boxes"]:
        patch.set_facecolor(color)
        patch.set_alpha(0.6)


def _bar(ax, i, v, color):
    err = half_width(np.array([len(v)]), np.array([v.std(ddof=1) if len(v) > 1 else np.nan]),
                     0.95)
    ax.bar([i], [v.mean()], 0.7, yerr=np.nan_to_num(err), capsize=2, color=color)


def fig_pilot_hours(f: Frame):
    return _per_type_panels(f, "hours_per_pilot", "Hours per pilot per year by type (box plots"
                            " over replications)", "FH / pilot / year", _box)


def fig_cann(f: Frame):
    return _per_type_panels(f, "cann_per_100_sorties", "Cannibalizations per 100 sorties by"
                            " type (mean, 95% interval)", "per 100 sorties", _bar)


FIGURES = [  # file, caption, function
    ("mc_rate.png", "MC rate over time, whole fleet, with 95% bands", fig_mc_rate),
    ("mc_rate_by_type.png", "MC rate over time by aircraft type", fig_mc_rate_by_type),
    ("mc_rate_by_role.png", "MC rate over time by role group", fig_mc_rate_by_role),
    ("states_by_type.png", "Aircraft by state (FMC, PMC, NMCM, NMCS, NMCB, depot), stacked by type", fig_states),
    ("crewed_fmc.png", "Mission-capable aircraft with a proficient pilot", fig_crewed),
    ("fuel_stock.png", "Fuel stock by fuel kind", fig_fuel),
    ("pilot_hours.png", "Pilot hours per year by type, over replications", fig_pilot_hours),
    ("cann_per_100_sorties.png", "Cannibalizations per 100 sorties by type", fig_cann),
]
SERIES_METRICS = ["mc_rate", "crewed_fmc_aircraft", "fmc_aircraft"]  # + fuel stocks
VALUE_METRICS = [m for m, _, _ in STATES] + ["hours_per_pilot", "cann_per_100_sorties"]


def draw(f: Frame, folder) -> tuple[list[tuple[str, str]], list[str]]:
    """Write the figures into `folder`: ([(file, caption)], [sentences on skipped ones])."""
    made, skipped = [], []
    for file, caption, func in FIGURES:
        fig = func(f)
        if isinstance(fig, str):
            skipped.append(f"{caption}: skipped, {fig}.")
            continue
        fig.savefig(folder / file, dpi=DPI)
        plt.close(fig)
        made.append((file, caption))
    return made, skipped
