"""The report of a results directory: PNG figures, report.md and a self-contained report.html.

Figures are drawn with matplotlib's Agg backend from the final tables; a figure whose metrics
are absent is skipped with a note. The document holds the figures, the comparison table
(`sim.compare`) and a methods section generated from the manifest, in the order of the
STRESS-DES checklist (Monks et al. 2019): objectives, logic, data, experimentation,
implementation, code access.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .analysis import half_width  # noqa: E402
from .compare import Values, to_markdown  # noqa: E402

DPI = 100
STATES = (("fmc_aircraft", "FMC", "#2a9d8f"), ("nmcm_aircraft", "NMCM", "#e9c46a"),
          ("nmcs_aircraft", "NMCS", "#e76f51"))


@dataclass
class Document:
    """Blocks of the report, rendered to markdown and to HTML."""

    blocks: list[tuple] = field(default_factory=list)

    def heading(self, text: str, level: int = 2):
        self.blocks.append(("h", level, text))

    def para(self, text: str):
        self.blocks.append(("p", text))

    def items(self, lines: list[str]):
        self.blocks.append(("ul", lines))

    def image(self, file: str, caption: str):
        self.blocks.append(("img", file, caption))

    def table(self, markdown: str, rows: list[list[str]], header: list[str]):
        self.blocks.append(("table", markdown, header, rows))

    def markdown(self) -> str:
        out = []
        for b in self.blocks:
            if b[0] == "h":
                out.append(f"{'#' * b[1]} {b[2]}\n")
            elif b[0] == "p":
                out.append(f"{b[1]}\n")
            elif b[0] == "ul":
                out.append("\n".join(f"- {line}" for line in b[1]) + "\n")
            elif b[0] == "img":
                out.append(f"![{b[2]}]({b[1]})\n\n*{b[2]}*\n")
            else:
                out.append(b[1])
        return "\n".join(out)

    def html(self, folder: Path, title: str) -> str:
        e = html.escape
        body = []
        for b in self.blocks:
            if b[0] == "h":
                body.append(f"<h{b[1]}>{e(b[2])}</h{b[1]}>")
            elif b[0] == "p":
                body.append(f"<p>{e(b[1])}</p>")
            elif b[0] == "ul":
                body.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in b[1]) + "</ul>")
            elif b[0] == "img":
                data = base64.b64encode((folder / b[1]).read_bytes()).decode()
                body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{e(b[2])}">'
                            f"<figcaption>{e(b[2])}</figcaption></figure>")
            else:
                head = "".join(f"<th>{e(h)}</th>" for h in b[2])
                rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>"
                               for r in b[3])
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
                 "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;"
                 "padding:2px 6px;text-align:right}img{max-width:100%}")
        return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{e(title)}</title>"
                f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


# ---- data


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(date=pd.to_datetime(frame["month"].astype(str) + "-01"))


def _read(path: Path, table: str, metrics: list[str], types: list[str] | None = None):
    from .compare import read_table  # dotted metric names, months as YYYY-MM

    return read_table(path / table, metrics, types or None)


def band(series: pd.DataFrame) -> pd.DataFrame:
    """Monthly mean over replications and its 95% t-interval, per scenario."""
    g = series.groupby(["scenario", "date"], sort=False)["value"]
    out = g.agg(["mean", "std", "count"]).reset_index()
    half = half_width(out["count"].to_numpy(), out["std"].to_numpy(), 0.95)
    return out.assign(low=out["mean"] - np.nan_to_num(half), high=out["mean"] + np.nan_to_num(half))


# ---- figures: each returns a figure, or None when its metrics are absent


def _time_bands(ax, series: pd.DataFrame, order: list[str], style: str = "-"):
    b = band(series)
    for i, name in enumerate(order):
        rows = b[b["scenario"] == name]
        if not len(rows):
            continue
        line, = ax.plot(rows["date"], rows["mean"], style, label=name, color=f"C{i}")
        ax.fill_between(rows["date"], rows["low"], rows["high"], alpha=0.25, color=f"C{i}")


def fig_mc_rate(ts, reps, order):
    rows = ts[ts["metric"] == "mc_rate"]
    if not len(rows):
        return None
    fig, ax = plt.subplots(figsize=(8, 4.2))
    _time_bands(ax, rows, order)
    ax.set(title="MC rate, whole fleet: mean over replications and 95% band",
           ylabel="FMC / active aircraft", ylim=(0, 1.02))
    ax.legend(fontsize=8)
    return fig


def fig_states(ts, reps, order):
    rows = reps[reps["metric"].isin([m for m, _, _ in STATES]) & (reps["aircraft_type"] != "ALL")]
    if not len(rows):
        return None
    means = rows.groupby(["scenario", "aircraft_type", "metric"], sort=False)["value"].mean()
    types = list(dict.fromkeys(rows["aircraft_type"]))
    fig, axes = plt.subplots(1, len(order), figsize=(4 * len(order) + 1, 0.35 * len(types) + 1.8),
                             sharey=True, squeeze=False)
    for ax, name in zip(axes[0], order):
        left = np.zeros(len(types))
        for metric, label, color in STATES:
            v = np.array([means.get((name, t, metric), 0.0) for t in types])
            ax.barh(types, v, left=left, label=label, color=color)
            left += v
        ax.set(title=name, xlabel="aircraft (time average)")
    axes[0][0].invert_yaxis()  # shared: the first type on top
    axes[0][-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle("FMC, NMCM and NMCS aircraft by type (mean over replications)")
    return fig


def fig_crewed(ts, reps, order):
    rows = ts[ts["metric"] == "crewed_fmc_aircraft"]
    if not len(rows):
        return None
    fig, ax = plt.subplots(figsize=(8, 4.2))
    _time_bands(ax, rows, order)
    fmc = ts[ts["metric"] == "fmc_aircraft"]
    if len(fmc):
        for i, name in enumerate(order):
            m = _months(fmc[fmc["scenario"] == name]).groupby("date")["value"].mean()
            ax.plot(m.index, m.to_numpy(), ":", color=f"C{i}", label=f"{name}: all FMC")
    ax.set(title="Mission-capable aircraft with a proficient pilot (95% band)",
           ylabel="aircraft")
    ax.legend(fontsize=8)
    return fig


def fig_fuel(ts, reps, order):
    kinds = sorted({m for m in ts["metric"].unique() if m.endswith(".fuel_stock_t")})
    if not kinds:
        return None
    fig, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds) + 1, 4), squeeze=False)
    for ax, metric in zip(axes[0], kinds):
        _time_bands(ax, ts[ts["metric"] == metric], order)
        ax.set(title=f"{metric.split('.')[0]} stock", ylabel="tonnes")
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="x", labelrotation=30)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Fuel stocks (mean over replications, 95% band)")
    return fig


def fig_pilot_hours(ts, reps, order):
    rows = reps[(reps["metric"] == "hours_per_pilot") & (reps["aircraft_type"] != "ALL")]
    rows = rows.dropna(subset=["value"])
    if not len(rows):
        return None
    types = list(dict.fromkeys(rows["aircraft_type"]))
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(types) * max(1, len(order) / 2)), 4.2))
    width = 0.8 / len(order)
    for i, name in enumerate(order):
        data = [rows[(rows["scenario"] == name) & (rows["aircraft_type"] == t)]["value"]
                .to_numpy() for t in types]
        pos = np.arange(len(types)) + (i - (len(order) - 1) / 2) * width
        bp = ax.boxplot(data, positions=pos, widths=width * 0.9, patch_artist=True,
                        manage_ticks=False)
        for patch in bp["boxes"]:
            patch.set_facecolor(f"C{i}")
            patch.set_alpha(0.6)
        ax.plot([], [], "s", color=f"C{i}", label=name)
    ax.set_xticks(np.arange(len(types)), types, rotation=30, ha="right")
    ax.set(title="Hours per pilot per year, by type (over replications)", ylabel="FH / pilot / year")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def fig_cann(ts, reps, order):
    rows = reps[reps["metric"] == "cann_per_100_sorties"].dropna(subset=["value"])
    if not len(rows):
        return None
    types = list(dict.fromkeys(rows["aircraft_type"]))
    g = rows.groupby(["scenario", "aircraft_type"])["value"].agg(["mean", "std", "count"])
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(types) * max(1, len(order) / 2)), 4.2))
    width = 0.8 / len(order)
    for i, name in enumerate(order):
        m = np.array([g["mean"].get((name, t), np.nan) for t in types])
        s = np.array([g["std"].get((name, t), np.nan) for t in types])
        n = np.array([g["count"].get((name, t), 0) for t in types])
        err = np.nan_to_num(half_width(n, s, 0.95))
        ax.bar(np.arange(len(types)) + (i - (len(order) - 1) / 2) * width, m, width,
               yerr=err, capsize=2, label=name, color=f"C{i}")
    ax.set_xticks(np.arange(len(types)), types, rotation=30, ha="right")
    ax.set(title="Cannibalizations per 100 sorties (mean, 95% interval)", ylabel="per 100 sorties")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


FIGURES = [  # file, caption, function (None when its metrics are absent)
    ("mc_rate.png", "MC rate over time per scenario, with 95% bands", fig_mc_rate),
    ("states_by_type.png", "FMC, NMCM and NMCS aircraft, stacked by type", fig_states),
    ("crewed_fmc.png", "Mission-capable aircraft with a proficient pilot", fig_crewed),
    ("fuel_stock.png", "Fuel stock by fuel kind", fig_fuel),
    ("pilot_hours.png", "Pilot hours per year by type, over replications", fig_pilot_hours),
    ("cann_per_100_sorties.png", "Cannibalizations per 100 sorties by type", fig_cann),
]


def draw(path: Path, folder: Path, order: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Write the figures into `folder`; ([(file, caption)], [notes on skipped figures])."""
    from .compare import read_table

    names = set(read_table(path / "replications.parquet")["metric"])
    fuel = sorted(m for m in names if m.endswith(".fuel_stock_t"))
    ts = _read(path, "timeseries.parquet",
               ["mc_rate", "crewed_fmc_aircraft", "fmc_aircraft", *fuel], ["ALL"])
    ts = _months(ts)
    reps = _read(path, "replications.parquet",
                 [m for m, _, _ in STATES] + ["hours_per_pilot", "cann_per_100_sorties"])
    made, skipped = [], []
    for file, caption, func in FIGURES:
        fig = func(ts, reps, order)
        if fig is None:
            skipped.append(f"{caption}: skipped, its metrics are not in this results directory")
            continue
        fig.savefig(folder / file, dpi=DPI, bbox_inches="tight")
        plt.close(fig)
        made.append((file, caption))
    return made, skipped


# ---- the document


def write(path: Path, manifest: dict, frame: pd.DataFrame, baseline: str, values: Values,
          note: str) -> Path:
    """Write <path>/report/: the figures, report.md and report.html. Returns the folder."""
    from .compare import HEADER, cells

    folder = Path(path) / "report"
    folder.mkdir(exist_ok=True)
    order = list(manifest.get("scenarios", {}))
    made, skipped = draw(Path(path), folder, order)
    doc = Document()
    doc.heading(f"fleetsim report: {', '.join(order)}", 1)
    doc.para(f"Results directory {Path(path).resolve().name}, {manifest.get('replications')}"
             f" replications per scenario, made {manifest.get('created', '?')}.")
    doc.heading("Comparison with the baseline")
    rows = [cells(r, baseline) for _, r in frame.iterrows()]
    doc.table(to_markdown(frame, baseline, note), rows, HEADER[:-1] + ["sig."])
    doc.heading("Figures")
    for file, caption in made:
        doc.image(file, caption)
    if skipped:
        doc.items(skipped)
    methods(doc, manifest, baseline, values, frame)
    (folder / "report.md").write_text(doc.markdown())
    (folder / "report.html").write_text(doc.html(folder, "fleetsim report"))
    return folder


def methods(doc: Document, m: dict, baseline: str, values: Values, frame: pd.DataFrame):
    """The methods section, in the order of the STRESS-DES checklist."""
    scen = m.get("scenarios", {})
    doc.heading("Methods (STRESS-DES)")
    doc.heading("1. Objectives", 3)
    doc.para(f"Compare {len(scen)} scenarios with the baseline {baseline} on:"
             f" {', '.join(dict.fromkeys(frame['metric']))} (aircraft type"
             f" {', '.join(dict.fromkeys(frame['aircraft_type']))}).")
    doc.heading("2. Logic", 3)
    doc.para("A tail-by-tail discrete-event model (SimPy): sorties, LRU failures, repair and"
             " condemnation, resupply channels, cannibalization, fuel stocks and pilots; see"
             " the README's 'The model in brief'. Scenarios:")
    base = scen.get(baseline, {})
    doc.items([f"{name}: {s.get('description') or 'no description'}"
               + ("" if name == baseline else
                  f"; differs from {baseline} at {', '.join(differences(base, s)[:8]) or 'nothing'}")
               for name, s in scen.items()])
    doc.heading("3. Data", 3)
    doc.para("Input parameters: the resolved scenarios (every default filled in) stored in"
             " manifest.json, with their sources in the scenario files' comments."
             + (f" Sweep: {m['sweeps']}." if m.get("sweeps") else ""))
    doc.heading("4. Experimentation", 3)
    start = {s.get("run", {}).get("start_date") for s in scen.values()}
    doc.items([
        f"Initialisation: every tail starts on {', '.join(map(str, sorted(start)))} as the"
        f" scenario states it; warm-up in the run (days): {_join(m.get('warmup_days'))}.",
        f"Run length (days): {_join(m.get('horizon_days'))}.",
        f"Comparison window: {values.window}.",
        f"Replications: {m.get('replications')}; chosen by: {(m.get('stop') or {}).get('reason', '?')}.",
        "Estimation: mean over independent replications with Student-t 95% intervals;"
        " differences paired by replication under common random numbers.",
    ])
    doc.heading("5. Implementation", 3)
    v = m.get("versions", {})
    env = m.get("environment", {})
    doc.items([
        "Software: " + ", ".join(f"{k} {x}" for k, x in v.items()) + ".",
        f"Random sampling: root seed {m.get('root_seed')}; {m.get('seeding', '')}.",
        f"Model execution: {m.get('executor', {})}; wall time {m.get('wall_seconds', '?')} s;"
        f" events {(m.get('events') or {}).get('total', '?')}.",
        f"System: {env.get('platform', '?')}, {env.get('cpus', '?')} CPUs.",
    ])
    doc.heading("6. Code access", 3)
    doc.para(f"fleetsim {m.get('version')} (open source); command: {' '.join(m.get('command', []))}.")


def _join(by_scenario) -> str:
    values = sorted(set((by_scenario or {}).values()))
    return ", ".join(f"{x:g}" for x in values) or "?"


def differences(a, b, prefix: str = "") -> list[str]:
    """Dotted keys at which two resolved scenarios differ (name and description aside)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in dict.fromkeys([*a, *b]):
            if not prefix and key in ("name", "description"):
                continue
            where = f"{prefix}.{key}" if prefix else str(key)
            out += differences(a.get(key), b.get(key), where) if key in a and key in b \
                else [where]
        return out
    return [] if a == b else [prefix]
