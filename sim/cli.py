"""The `fleetsim` command line: validate and show scenarios, run batches and sweeps, print
summaries. Bad input ends in one line naming the file or option, and exit status 2."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from . import scenario as scenario_mod
from .scenario import ScenarioError, dump, printable, to_toml
from .sweep import Expanded, GridError, NameClash, YearsError, expand, expand_all, parse_grid

try:  # typer 0.2x carries its own copy of click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer on the real click
    import click

out = Console()
err = Console(stderr=True)


class OneLineErrors(typer.core.TyperGroup):
    """typer's command group, with option and argument errors (click's UsageError and
    BadParameter) as one line and exit 2, instead of a usage box."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)  # named as the user types it, however invoked
            command = " ".join(["fleetsim", *ctx.command_path.split()[1:]]) if ctx else "fleetsim"
            err.print(f"[bold red]error:[/] {escape(' '.join(exc.format_message().split()))}"
                      f" (see {escape(command)} --help)", highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  cls=OneLineErrors, rich_markup_mode=None,
                  help="Simulate an air force's fleet readiness under sanctions, tail by tail.")

HEADLINE = ("mc_rate", "fmc_aircraft", "nmcm_aircraft", "nmcs_aircraft", "active_aircraft",
            "sorties", "flight_hours", "cann_per_100_sorties", "backorders")
DEFAULT_SCENARIOS = ("status_quo", "russian_transfer")  # the default comparison
DEFAULT_REPLICATIONS = 30  # the default comparison in about a minute on 2 cores
FAILURES_SHOWN = 5
WIDE_AT = 5  # scenarios from which a comparison is laid out wide (sim.wide.WIDE_AT)


class UsageError(Exception):
    """A command-line mistake that is not a scenario problem."""


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up: ./scenarios, then the shipped scenarios."""
    return scenario_mod.scenario_dirs()


def resolve_scenario(arg: str) -> Path:
    """A scenario argument is a file path, or the name of a shipped scenario."""
    return scenario_mod.resolve(arg)


def load_all(args: list[str], overrides: list[str], grid: dict | None = None,
             years: float | None = None) -> list[Expanded]:
    """Each argument's scenario, or its sweep variants; names must differ across them all.
    `years` (the --years option) is the number of years reported after each scenario's own
    warm-up: the horizon becomes warm-up + years."""
    try:
        return expand_all([resolve_scenario(a) for a in args], overrides, grid, years)
    except (YearsError, NameClash) as exc:
        raise UsageError(str(exc)) from None


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {escape(printable(message))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


SetOption = Annotated[list[str], typer.Option(
    "--set", "-s", metavar="KEY=VALUE",
    show_default=False,
    help="Override a scenario value by its dotted key, e.g. --set types.MiG-29.count=18."
         " Repeatable; the value is read as TOML (numbers, strings, true/false)."
         " [default: none]")]


@app.command()
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files or names.")],
             set_: SetOption = []) -> None:
    """Check scenario files (and every variant of their sweeps); one line per file."""
    bad = 0
    for arg in files:
        try:
            expanded = expand(resolve_scenario(arg), set_)
        except ScenarioError as exc:
            err.print(f"[bold red]error:[/] {escape(exc.line())}", highlight=False,
                      soft_wrap=True)
            bad += 1
            continue
        scenario = expanded.base
        tails = sum(t.count for t in scenario.types.values())
        variants = f", {len(expanded.scenarios)} sweep variants" if expanded.sweep else ""
        out.print(f"ok {arg}: '{scenario.name}', {len(scenario.types)} aircraft types,"
                  f" {tails} tails, {scenario.run.years:g} years{variants}", highlight=False,
                  soft_wrap=True, markup=False)
    if bad:
        raise typer.Exit(2)


@app.command()
def show(file: Annotated[str, typer.Argument(help="Scenario file or name.")],
         set_: SetOption = []) -> None:
    """Print the fully resolved scenario (inheritance, overrides and defaults) as TOML."""
    try:
        expanded = expand(resolve_scenario(file), set_)
    except ScenarioError as exc:
        fail(exc.line())
    data = dump(expanded.base)
    if expanded.sweep:
        data["sweep"] = expanded.sweep["grid"]
    sys.stdout.write(to_toml(data))


@app.command("list")
def list_scenarios() -> None:
    """List the shipped scenarios with their one-line descriptions."""
    table = Table(title="Shipped scenarios (run one by name: fleetsim run NAME)")
    table.add_column("name")
    table.add_column("description")
    folder = next((d for d in scenario_dirs() if d.is_dir()), None)
    paths = sorted(folder.glob("*.toml")) if folder else []
    for path in paths:
        try:
            scenario = expand(path, []).base
        except ScenarioError as exc:
            table.add_row(path.stem, f"[red]invalid: {escape(exc.line())}[/]")
            continue
        table.add_row(path.stem, escape(scenario.description))
    if not paths:
        fail("no scenarios/ folder found here or in the source tree")
    out.print(table)


# ---- running batches: the options shared by `run` and `sweep`

MAX_REPLICATIONS = 100_000
MAX_SEED = 2**63 - 1
Replications = Annotated[int, typer.Option(
    "--replications", "-n", min=1, max=MAX_REPLICATIONS,
    help="Replications per scenario (with --precision: the first round).")]
Years = Annotated[float | None, typer.Option(
    show_default=False,
    help="Years reported after the warm-up, overriding each scenario's run.years"
         " [default: the scenario's].")]
Seed = Annotated[int, typer.Option(min=0, max=MAX_SEED,
                                   help="Root seed of the batch (0 to 2^63-1).")]
Out = Annotated[Path | None, typer.Option(
    "--out", "-o", show_default=False,
    help="Results directory [default: results/<scenario>[+<scenario>...]]; an existing one"
         " made by the same batch is resumed.")]
Force = Annotated[bool, typer.Option(
    "--force", show_default=False,
    help="Replace an existing results directory made by another batch (other scenarios,"
         " seed or version) instead of refusing it. [default: off]")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", show_default=False,
                                     help="No progress bar, no table. [default: off]")]
Workers = Annotated[int | None, typer.Option(
    "--workers", "-w", min=1, max=1024, show_default=False,
    help="Worker processes [default: the machine's cores]; with --scheduler local, the"
         " LocalCluster's workers.")]
Scheduler = Annotated[str | None, typer.Option(
    metavar="ADDRESS", show_default=False,
    help="Run on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' to"
         " start a LocalCluster here. Needs pip install 'fleetsim[dask]'."
         " [default: off, a process pool]")]
RetryFailed = Annotated[bool, typer.Option(
    "--retry-failed", show_default=False,
    help="Run the replications that failed in an earlier run of this batch again."
         " [default: off]")]
PrecisionOpt = Annotated[float | None, typer.Option(
    "--precision", min=0, max=1, show_default=False,
    help="Add replications until the 95% confidence half-width of --metric is within this"
         " fraction of its mean, in every scenario (e.g. 0.02). [default: off]")]
Metric = Annotated[str, typer.Option(
    metavar="[TYPE:]METRIC", help="The metric of --precision; of the whole fleet (ALL)"
                                  " unless a type is given, e.g. MiG-29:mc_rate.")]
MaxReplications = Annotated[int, typer.Option(
    "--max-replications", min=2, max=MAX_REPLICATIONS,
    help="With --precision: stop at this many replications.")]


Layout = Annotated[str, typer.Option(
    help="long (a row per metric and scenario), wide (a row per scenario, a column per"
         " metric: for many sweep variants; with --format csv, every interval) or auto"
         f" (wide from {WIDE_AT} scenarios).")]
Adjust = Annotated[str, typer.Option(
    help="none, or holm: Holm-adjust the difference intervals over the alternatives"
         " (family-wise 95%; advised from 6 alternatives).")]
RunLayout = Annotated[str, typer.Option(
    "--layout", help="The printed comparison of several scenarios: long (a row per metric and"
                     " scenario), wide (a row per scenario, a column per metric) or auto (wide"
                     f" from {WIDE_AT} scenarios); compare.csv stays long.")]
RunAdjust = Annotated[str, typer.Option(
    "--adjust", help="The comparison of several scenarios (printed and compare.csv): none,"
                     " or holm: Holm-adjust the difference intervals over the alternatives"
                     " (family-wise 95%; advised from 6 alternatives).")]


def check_layout(layout: str, adjust: str) -> str | None:
    """--layout and --adjust checked (one line, exit 2); the adjustment, or None."""
    if layout not in ("auto", "long", "wide"):
        fail(f"--layout {layout}: must be auto, long or wide")
    if adjust not in ("none", "holm"):
        fail(f"--adjust {adjust}: must be none or holm")
    return None if adjust == "none" else adjust


@dataclass(frozen=True)
class RunOptions:
    replications: int
    seed: int
    out: Path | None
    force: bool
    quiet: bool
    workers: int | None
    scheduler: str | None
    retry_failed: bool
    precision: float | None
    metric: str
    max_replications: int


@app.command()
def run(
    scenarios: Annotated[list[str] | None, typer.Argument(
        help=f"Scenario files or names of shipped scenarios [default: the comparison"
             f" {' vs '.join(DEFAULT_SCENARIOS)}, {DEFAULT_REPLICATIONS} replications];"
             " a file with a [sweep] table stands for its variants.",
        show_default=False)] = None,
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, max=MAX_REPLICATIONS, show_default=False,
        help="Replications per scenario (with --precision: the first round) [default: 10;"
             f" {DEFAULT_REPLICATIONS} for the default comparison].")] = None,
    years: Years = None, seed: Seed = 20230101,
    out_dir: Out = None, set_: SetOption = [], force: Force = False, quiet: Quiet = False,
    workers: Workers = None, scheduler: Scheduler = None, retry_failed: RetryFailed = False,
    precision: PrecisionOpt = None, metric: Metric = "mc_rate",
    max_replications: MaxReplications = 500, layout: RunLayout = "auto",
    adjust: RunAdjust = "none",
) -> None:
    """Run replications of each scenario and write (or resume) the results directory; with
    several scenarios, print their comparison with the first."""
    adjustment = check_layout(layout, adjust)
    if replications is None:
        replications = 10 if scenarios else DEFAULT_REPLICATIONS
    try:
        expanded = load_all(scenarios or list(DEFAULT_SCENARIOS), set_, years=years)
    except (ScenarioError, UsageError) as exc:
        fail(exc.line() if isinstance(exc, ScenarioError) else str(exc))
    opts = RunOptions(replications, seed, out_dir, force, quiet, workers, scheduler,
                      retry_failed, precision, metric, max_replications)
    results = execute(expanded, opts, overrides=_asked(set_, years))
    _after_batch(expanded, results, quiet, layout, adjustment)


def _after_batch(expanded: list[Expanded], results: Path, quiet: bool, layout: str = "auto",
                 adjust: str | None = None) -> None:
    """With several scenarios (or sweep variants): print their paired comparison with the
    first (laid out by `layout`) and write it to `compare.csv` in the results directory (in
    the long layout); `adjust` ("holm") adjusts both."""
    from . import compare as cmp

    if sum(len(e.scenarios) for e in expanded) < 2:
        return
    try:  # scenarios over other horizons or warm-ups are not paired: say so, keep the run
        sources = cmp.open_sources([results])
        cmp.check_pairs(sources, cmp.scenarios(sources)[0])
    except cmp.CompareError as exc:
        err.print(f"not compared: {printable(str(exc))}", highlight=False, soft_wrap=True,
                  markup=False)
        return
    _, baseline, values, frame, note = _comparison([results], None, [], [], None, None, None,
                                                   None, adjust)
    try:
        (results / "compare.csv").write_text(cmp.to_csv(frame))
    except OSError as exc:
        fail(f"{results}/compare.csv: {exc.strerror or exc}")
    if not quiet:
        print_comparison(frame, baseline, note, values.span, layout)


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="Scenario file or name of a shipped scenario.")],
    grid: Annotated[list[str], typer.Option(
        "--grid", "-g", metavar="KEY=V1,V2,...",
        show_default=False,
        help="Sweep a dotted key over comma-separated values (read as TOML). Repeatable: the"
             " variants are the cartesian product, with the file's [sweep] table."
             " [default: the file's [sweep] table]")] = [],
    replications: Replications = 10, years: Years = None, seed: Seed = 20230101,
    out_dir: Out = None, set_: SetOption = [], force: Force = False, quiet: Quiet = False,
    workers: Workers = None, scheduler: Scheduler = None, retry_failed: RetryFailed = False,
    precision: PrecisionOpt = None, metric: Metric = "mc_rate",
    max_replications: MaxReplications = 500, layout: RunLayout = "auto",
    adjust: RunAdjust = "none",
) -> None:
    """Run every variant of a parameter grid as one batch, under common random numbers."""
    adjustment = check_layout(layout, adjust)
    try:
        expanded = load_all([scenario], set_, parse_grid(grid), years)
    except (ScenarioError, UsageError, GridError) as exc:
        fail(exc.line() if isinstance(exc, ScenarioError) else str(exc))
    if expanded[0].sweep is None:
        fail(f"--grid: nothing to sweep; give --grid dotted.key=value1,value2,... or a [sweep]"
             f" table in {scenario}")
    results = execute(expanded, RunOptions(replications, seed, out_dir, force, quiet, workers,
                                           scheduler, retry_failed, precision, metric,
                                           max_replications), overrides=_asked(set_, years))
    _after_batch(expanded, results, quiet, layout, adjustment)


def _overrides(set_: list[str], years: float | None) -> list[str]:
    """The --set items and --years as overrides of run.years (the horizon)."""
    if years is not None and not math.isfinite(years):
        fail(f"--years {years}: must be a finite number of years")
    return list(set_) + ([f"run.years={years}"] if years is not None else [])


def _asked(set_: list[str], years: float | None) -> list[str]:
    """What the command line changed, as the manifest records it: the --set items and
    --years (years reported after each scenario's warm-up)."""
    return list(set_) + ([f"--years {years:g}"] if years is not None else [])


def execute(expanded: list[Expanded], opts: RunOptions,
            first_replication: dict[str, int] | None = None, overrides: list[str] = ()) -> Path:
    """Run the batch on the executor the options ask for, report, return the directory."""
    # imported here: `validate` and `show` need neither pyarrow nor scipy nor the executors
    from .batch import Batch, BatchError, run as run_batch
    from .executors import ExecutorError
    from .progress import BatchProgress
    from .results.store import StoreError
    from .runner import ExecutorFailure

    batch = Batch([s for e in expanded for s in e.scenarios], opts.replications, opts.seed,
                  opts.out or default_out(expanded), opts.force, opts.retry_failed,
                  _precision(opts), [e.sweep for e in expanded if e.sweep],
                  first_replication or {}, list(overrides))
    try:
        progress = BatchProgress(err, not opts.quiet and err.is_terminal, len(batch.scenarios),
                                 announce=not opts.quiet, out=str(batch.out))
        with _pool(opts) as pool, progress as bar:
            report = run_batch(batch, pool, bar)
    except (StoreError, ExecutorError, BatchError) as exc:
        fail(str(exc))
    except ExecutorFailure as exc:
        fail(f"the executor failed ({exc}); the finished replications are kept in"
             f" {batch.out}: run the same command to resume", 1)
    except KeyboardInterrupt:
        fail(f"interrupted; the finished replications are kept in {batch.out}: run the same"
             f" command to resume", 130)
    _report(report, opts.quiet, expanded)
    return batch.out


def default_out(expanded: list[Expanded]) -> Path:
    return Path("results") / "+".join(f"{e.base.name}-sweep" if e.sweep else e.base.name
                                      for e in expanded)


def _precision(opts: RunOptions):
    """The --precision rule, or None; its options are checked before anything runs."""
    from .batch import Precision

    if opts.precision is None:
        return None
    if not opts.precision > 0:
        fail("--precision: must be above 0 (a fraction of the mean, e.g. 0.02)")
    if opts.replications < 2:
        fail("--replications: --precision needs at least 2 replications in its first round")
    if opts.max_replications < opts.replications:
        fail(f"--max-replications: {opts.max_replications} is below --replications"
             f" {opts.replications}")
    aircraft_type, _, metric = opts.metric.rpartition(":")
    if not metric:
        fail(f"--metric {opts.metric}: must read METRIC or TYPE:METRIC")
    return Precision(opts.precision, metric, aircraft_type or "ALL", opts.max_replications)


def _pool(opts: RunOptions):
    """The executor of the options (a context manager yielding an executors.Pool)."""
    from .executors import cores, dask_cluster, process_pool

    if opts.scheduler is not None:
        return dask_cluster(opts.scheduler, opts.workers)
    return process_pool(opts.workers or cores())


def _report(report, quiet: bool, expanded: list[Expanded]) -> None:
    for line in report.quarantined[:FAILURES_SHOWN]:
        err.print(f"set aside and run again: {printable(line)}", highlight=False,
                  soft_wrap=True, markup=False)
    if len(report.quarantined) > FAILURES_SHOWN:
        err.print(f"... {len(report.quarantined) - FAILURES_SHOWN} more set aside; see"
                  f" {report.out}/parts/quarantine/quarantine.log", highlight=False,
                  soft_wrap=True, markup=False)
    if not quiet and len(report.summary):
        print_summary(report.summary, expanded)
    runs = f"{report.replications} replications" + (
        f" (stopped: {report.stop['reason']})" if report.stop.get("rule") == "precision" else "")
    out.print(f"{runs}, {report.runs} finished ({report.ran} run now), {report.events:,} events,"
              f" {report.simulation_seconds:.1f} s of simulation in {report.wall_seconds:.1f} s;"
              f" results in {report.out}", highlight=False, soft_wrap=True)
    if report.failures:
        for f in report.failures[:FAILURES_SHOWN]:
            err.print(f"failed: {f['scenario']} replication {f['replication']}: {f['error']}",
                      highlight=False, soft_wrap=True, markup=False)
        more = len(report.failures) - FAILURES_SHOWN
        fail(f"{len(report.failures)} replications failed" + (f" ({more} more not shown)"
             if more > 0 else "") + f"; they are listed in {report.out}/manifest.json;"
             " run the same command with --retry-failed to run them again", 1)


def print_summary(summary, expanded: list[Expanded] = ()) -> None:
    """The whole-fleet headline metrics per scenario, mean and 95% interval, over the window
    as run; sweep variants are shown by their values."""
    import datetime as dt

    from .labels import variant_labels

    first = expanded[0].scenarios[0].run if expanded else None
    span = ""
    if first is not None:
        begin = first.start_date + dt.timedelta(days=first.warmup_days)
        end = first.start_date + dt.timedelta(days=first.horizon_days - 1)
        span = f", {begin:%Y-%m} to {end:%Y-%m}"
    shown = variant_labels([e.sweep for e in expanded if e.sweep])
    table = Table(title=f"Whole fleet (ALL){span}, mean over replications [95% CI]")
    rows = summary[(summary["aircraft_type"] == "ALL") & (summary["component"] == "")]
    names = list(dict.fromkeys(rows["scenario"]))
    if len(names) >= WIDE_AT:  # many scenarios (sweep variants): one row each, means only
        table.title = f"Whole fleet (ALL){span}, mean over replications"
        table.add_column("scenario")
        for metric in HEADLINE:
            table.add_column(metric, justify="right")
        for name in names:
            means = rows[rows["scenario"] == name].set_index("metric")["mean"]
            table.add_row(escape(shown.get(name, name)), *[
                (f"{means[m]:,.0f}" if abs(means[m]) >= 100 else f"{means[m]:.3g}")
                if m in means else "" for m in HEADLINE])
        (out if out.is_terminal else Console(width=max(out.width, 30 + 14 * len(HEADLINE)))
         ).print(table)
        return
    table.add_column("metric")
    for name in names:
        table.add_column(escape(shown.get(name, name)), justify="right")
    for metric in HEADLINE:
        cells = []
        for name in names:
            row = rows[(rows["scenario"] == name) & (rows["metric"] == metric)]
            cells.append(_cell(row.iloc[0]) if len(row) else "")
        table.add_row(metric, *cells)
    out.print(table)


def _cell(row) -> str:
    fmt = "{:.3f}" if abs(row["mean"]) < 10 else "{:,.0f}"
    text = fmt.format(row["mean"])
    if row["n"] > 1 and row["ci_low"] == row["ci_low"]:
        text += f" [{fmt.format(row['ci_low'])}, {fmt.format(row['ci_high'])}]"
    return text


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
    help="An aircraft type, or ALL for the whole fleet (repeatable) [default: ALL].")]
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


def _comparison(dirs, baseline, metric, type_, years, last_years, warmup, warmup_months,
                adjust=None, check=True):
    """Open the directories, check the options, load the values and compare them; the
    frame's `label` column shows each scenario (a sweep variant by its values)."""
    from . import compare as cmp
    from .labels import labels

    try:
        if warmup is not None and warmup_months is not None:
            raise cmp.CompareError("give --warmup auto or --warmup-months K, not both")
        window = cmp.Window(cmp.parse_years(years) if years else None, last_years,
                            cmp.parse_warmup(warmup) if warmup else warmup_months)
        sources = cmp.open_sources(dirs)
        names = cmp.scenarios(sources)
        baseline = baseline or names[0]
        if baseline not in names:
            raise cmp.CompareError(f"--baseline {baseline}: no such scenario in"
                                   f" {', '.join(map(str, dirs))} ({', '.join(names)})")
        cmp.check_pairs(sources, baseline)
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
    frame = cmp.compare(values.frame, baseline, metrics=metrics, types=types, adjust=adjust)
    shown = {}
    for s in sources:
        shown.update(labels(s.names.values(), s.manifest, s.names))
    frame.insert(3, "label", frame["scenario"].map(shown))
    n = int(frame["n"].max()) if len(frame) else 0
    return sources, baseline, values, frame, cmp.note(shown.get(baseline, baseline), values, n,
                                                      adjust, len(names) - 1)


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
    _, baseline, values, frame, note = _comparison(dirs, baseline, metric, type_, years,
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

    sources, baseline, values, frame, note = _comparison(
        [dir_], baseline, metric, type_, years, last_years, warmup, warmup_months)
    def load(metrics, types):  # other metrics and types, over the same window
        _, present = cmp.available(sources)
        found = _comparison([dir_], baseline, metrics, [t for t in types if t in present],
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
    from .compare import HEADER, cells
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
    for i, name in enumerate(HEADER):
        if i == 0 and not types:
            continue
        table.add_column(escape(name), justify="right" if i >= 3 else "left", no_wrap=i < 3)
    previous = None
    for _, row in frame.iterrows():
        c = cells(row, baseline)
        key = (c[0], c[1])
        shown = c[:] if key != previous else ["", ""] + c[2:]
        table.add_row(*map(escape, shown if types else shown[1:]))
        previous = key
    # a pipe or a file gets the whole width; a terminal wraps the table to its own
    (out if out.is_terminal else Console(width=max(out.width, 120))).print(table)


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False):
    if version:
        out.print(f"fleetsim {__version__}")
        raise typer.Exit()


from . import cli_analysis  # noqa: E402,F401  (explore, sensitivity, calibrate, discover)


def main() -> None:
    app()


from . import cli_decision  # noqa: E402,F401  (registers `screen` and `spares` on the app)
