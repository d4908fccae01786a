"""The commands that read finished results directories: `compare` (means and paired
differences with a baseline, as a table, csv, markdown or json) and `report` (figures,
report.md and report.html); their options, and the comparison table printed on the console
(also after a run of several scenarios, sim.cli_run)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .cli import WIDE_AT, app, err, fail, out

Layout = Annotated[str, typer.Option(
    help="long (a row per metric and scenario), wide (a row per scenario, a column per"
         " metric: for many sweep variants; with --format csv, every interval) or auto"
         f" (wide from {WIDE_AT} scenarios).")]
Adjust = Annotated[str, typer.Option(
    help="none, or holm: Holm-adjust the difference intervals over the alternatives"
         " (family-wise 95%; advised from 6 alternatives).")]


def check_layout(layout: str, adjust: str) -> str | None:
    """--layout and --adjust checked (one line, exit 2); the adjustment, or None."""
    if layout not in ("auto", "long", "wide"):
        fail(f"--layout {layout}: must be auto, long or wide")
    if adjust not in ("none", "holm"):
        fail(f"--adjust {adjust}: must be none or holm")
    return None if adjust == "none" else adjust


# ---- comparing and reporting results directories

Dirs = Annotated[list[Path], typer.Argument(
    help="Results directories; several are compared together when they share their seed and"
         " replications.", show_default=False)]
Baseline = Annotated[str | None, typer.Option(
    show_default=False, help="The scenario the others are compared with [default: the first"
                             " in the manifest].")]
Metrics = Annotated[list[str], typer.Option(
    "--metric", "-m", show_default=False,
    help="A metric to compare (repeatable) [default: the headline metrics present].")]
Types = Annotated[list[str], typer.Option(
    "--type", "-t", show_default=False,
    help="An aircraft type, a role group (role:air_defence, COMBAT), or ALL for the whole"
         " fleet (repeatable) [default: ALL].")]
YearsWindow = Annotated[str | None, typer.Option(
    "--years", metavar="FIRST-LAST", show_default=False,
    help="Compare over these calendar years only, e.g. 2026-2028 (from the monthly table)."
         " [default: the whole window as run]")]
LastYears = Annotated[float | None, typer.Option(
    min=0, show_default=False,
    help="Compare over the last N years of the horizon only. [default: off]")]
Warmup = Annotated[str | None, typer.Option(
    metavar="auto", show_default=False,
    help="'auto': detect the warm-up with MSER-5 on the baseline's monthly mean of the first"
         " metric (first type); a cut beyond the scenario's own warm-up is warned about."
         " [default: the scenario's own warm-up]")]
WarmupMonths = Annotated[int | None, typer.Option(
    min=0, show_default=False,
    help="Exclude K more months after the scenario's own warm-up. [default: 0]")]


def load_comparison(dirs, baseline, metric, type_, years, last_years, warmup, warmup_months,
                adjust=None, check=True):
    """Open the directories, check the options, load the values and compare them; the
    frame's `label` column shows each scenario (a sweep variant by its values)."""
    from . import compare as cmp, draws
    from .labels import labels

    try:
        if warmup is not None and warmup_months is not None:
            raise cmp.CompareError("give --warmup auto or --warmup-months K, not both")
        window = cmp.Window(cmp.parse_years(years) if years else None, last_years,
                            cmp.parse_warmup(warmup) if warmup else warmup_months)
        sources = cmp.open_sources(dirs)
        names = cmp.scenarios(sources)
        found, varied = draws.read(sources)
        if found:  # a run over parameter draws: its scenarios, not their variants
            names = list(dict.fromkeys(base for base, _ in found.values()))
        baseline = baseline or names[0]
        if baseline not in names:
            raise cmp.CompareError(f"--baseline {baseline}: no such scenario in"
                                   f" {', '.join(map(str, dirs))} ({', '.join(names)})")
        cmp.check_pairs(sources, next((v for v, (b, _) in found.items() if b == baseline),
                                      baseline))
        present, types_present = cmp.available(sources)
        metrics = list(metric) or [m for m in cmp.DEFAULT_METRICS if m in present]
        for m in metrics:
            if m not in present:
                raise cmp.CompareError(f"--metric {m}: no such metric in"
                                       f" {', '.join(map(str, dirs))}")
        types = list(type_) or ["ALL"]
        for t in types:
            if t not in types_present:
                raise cmp.CompareError(f"--type {t}: no such aircraft type (types:"
                                       f" {', '.join(sorted(types_present))})")
        values = cmp.load(sources, metrics, types, window, baseline)
        if check:  # a metric asked for a type that does not report it is refused
            cmp.check_present(values.frame, list(metric), types)
    except cmp.CompareError as exc:
        fail(str(exc))
    for warning in values.warnings:
        err.print(f"warning: {warning}", highlight=False, soft_wrap=True, markup=False)
    pooled = draws.collapse(values.frame, found) if found else values.frame
    frame = cmp.compare(pooled, baseline, metrics=metrics, types=types, adjust=adjust)
    shown = {}
    for s in sources:
        shown.update(labels(s.names.values(), s.manifest, s.names))
    frame.insert(3, "label", frame["scenario"].map(shown))
    n = int(frame["n"].max()) if len(frame) else 0
    caption = cmp.note(shown.get(baseline, baseline), values, n, adjust, len(names) - 1)
    if found:
        frame = draws.annotate(frame, pooled, baseline, varied)
        k = int(pooled["draw"].nunique())
        caption += draws.note(k, n // k if k else 0)
    return sources, baseline, values, frame, caption


@app.command()
def compare(
    dirs: Dirs, baseline: Baseline = None, metric: Metrics = [], type_: Types = [],
    format_: Annotated[str, typer.Option(
        "--format", "-f", help="table (a rich table), csv, markdown or json.")] = "table",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", show_default=False,
        help="Write csv, markdown or json to this file instead of stdout."
             " [default: stdout]")] = None,
    years: YearsWindow = None, last_years: LastYears = None, warmup: Warmup = None,
    warmup_months: WarmupMonths = None,
    layout: Layout = "auto", adjust: Adjust = "none",
) -> None:
    """Compare scenarios with a baseline: means, paired (CRN) differences, 95% intervals."""
    from . import compare as cmp
    from .wide import pivot

    if format_ not in ("table", "csv", "markdown", "json"):
        fail(f"--format {format_}: must be table, csv, markdown or json")
    adjustment = check_layout(layout, adjust)
    if output is not None and format_ == "table":
        fail("--output: give --format csv, markdown or json to write a file")
    _, baseline, values, frame, note = load_comparison(dirs, baseline, metric, type_, years,
                                                   last_years, warmup, warmup_months,
                                                   adjustment)
    if layout == "auto":
        layout = "wide" if frame["scenario"].nunique() >= WIDE_AT else "long"
    if format_ == "table":
        print_comparison(frame, baseline, note, values.span, layout)
        return
    text = {"csv": lambda: (pivot(frame) if layout == "wide" else frame).to_csv(index=False),
            "markdown": lambda: cmp.to_markdown(frame, baseline, note),
            "json": lambda: cmp.to_json(frame, baseline, values)}[format_]()
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text)
        except OSError as exc:
            fail(f"--output {output}: {exc.strerror or exc}")


@app.command()
def report(
    dir_: Annotated[Path, typer.Argument(metavar="DIR", help="A results directory.")],
    baseline: Baseline = None, metric: Metrics = [], type_: Types = [],
    years: YearsWindow = None, last_years: LastYears = None, warmup: Warmup = None,
    warmup_months: WarmupMonths = None,
) -> None:
    """Write DIR/report/: figures (PNG), report.md and report.html with the comparison
    table and a methods section (STRESS-DES order)."""
    from . import compare as cmp
    from .report import write

    sources, baseline, values, frame, note = load_comparison(
        [dir_], baseline, metric, type_, years, last_years, warmup, warmup_months)
    def load(metrics, types):  # other metrics and types, over the same window
        _, present = cmp.available(sources)
        found = load_comparison([dir_], baseline, metrics, [t for t in types if t in present],
                            years, last_years, warmup, warmup_months, check=False)
        return found[2], found[3]

    try:
        folder = write(dir_, sources[0].manifest, frame, baseline, values, note, load)
    except OSError as exc:
        fail(f"{dir_}/report: {exc.strerror or exc}")
    files = sorted(p.name for p in folder.iterdir())
    out.print(f"report in {folder}: {', '.join(files)}", highlight=False, soft_wrap=True)


def comparison_title(frame, baseline: str, span: str) -> str:
    """What a comparison table shows: the aircraft types, the baseline and the window."""
    types = list(dict.fromkeys(frame["aircraft_type"]))
    what = ", ".join("whole fleet (ALL)" if t == "ALL" else t for t in types)
    label = frame.loc[frame["scenario"] == baseline, "label"]
    shown = label.iloc[0] if len(label) and isinstance(label.iloc[0], str) else baseline
    return (f"{what}, {span}: compared with {shown}, mean and paired difference [95% CI]"
            if span else f"{what}: compared with {shown}, mean and paired difference [95% CI]")


def print_comparison(frame, baseline: str, note: str, span: str = "",
                     layout: str = "auto") -> None:
    from .compare import HEADER, row_cells
    from .wide import table_rows

    if layout == "auto":
        layout = "wide" if frame["scenario"].nunique() >= WIDE_AT else "long"
    table = Table(title=escape(comparison_title(frame, baseline, span)), caption=escape(
        note + (" Cells: mean (paired difference); the intervals: --layout wide --format csv"
                " -o FILE." if layout == "wide" else "")))
    if layout == "wide":
        header, rows = table_rows(frame, baseline)
        for i, name in enumerate(header):
            table.add_column(escape(name), justify="right" if i >= 2 else "left")
        for row in rows:
            table.add_row(*map(escape, row))
        (out if out.is_terminal else Console(width=max(out.width, 30 + 18 * len(header)))
         ).print(table)
        return
    types = frame["aircraft_type"].nunique() > 1
    header, cell = row_cells(frame)
    for i, name in enumerate(header):
        if i == 0 and not types:
            continue
        table.add_column(escape(name), justify="right" if i >= 3 else "left", no_wrap=i < 3)
    previous = None
    for _, row in frame.iterrows():
        c = cell(row, baseline)
        key = (c[0], c[1])
        shown = c[:] if key != previous else ["", ""] + c[2:]
        table.add_row(*map(escape, shown if types else shown[1:]))
        previous = key
    # a pipe or a file gets the whole width; a terminal wraps the table to its own
    (out if out.is_terminal else Console(width=max(out.width, 120 + 50 * (header != HEADER)))
     ).print(table)
