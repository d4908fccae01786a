"""The batch commands `run` and `sweep`: their options, the batch on the executor they ask
for (a process pool or Dask), the progress bar, the whole-fleet summary table, and after a
run of several scenarios (or sweep variants) their paired comparison with the first
(printed, and written to compare.csv)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .cli import WIDE_AT, SetOption, UsageError, app, err, fail, load_all, out
from .scenario import ScenarioError, printable
from .sweep import Expanded, GridError, parse_grid

HEADLINE = ("mc_rate", "fmc_rate", "fmc_aircraft", "pmc_aircraft", "tnmcm_aircraft",
            "tnmcs_aircraft", "depot_aircraft", "active_aircraft", "sorties", "flight_hours",
            "cann_per_100_sorties", "backorders")
DEFAULT_SCENARIOS = ("status_quo", "russian_transfer")  # the default comparison
DEFAULT_REPLICATIONS = 30  # the default comparison in about a minute on 2 cores
FAILURES_SHOWN = 5

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
                                  " unless a type or role group is given, e.g."
                                  " MiG-29:mc_rate, role:air_defence:mc_rate.")]
MaxReplications = Annotated[int, typer.Option(
    "--max-replications", min=2, max=MAX_REPLICATIONS,
    help="With --precision: stop at this many replications.")]
RunLayout = Annotated[str, typer.Option(
    "--layout", help="The printed comparison of several scenarios: long (a row per metric and"
                     " scenario), wide (a row per scenario, a column per metric) or auto (wide"
                     f" from {WIDE_AT} scenarios); compare.csv stays long.")]
RunAdjust = Annotated[str, typer.Option(
    "--adjust", help="The comparison of several scenarios (printed and compare.csv): none,"
                     " or holm: Holm-adjust the difference intervals over the alternatives"
                     " (family-wise 95%; advised from 6 alternatives).")]


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
    sample_ranges: Annotated[int | None, typer.Option(
        "--sample-ranges", metavar="N", min=2, show_default=False,
        help="Run each scenario over N draws of its [ranges] uncertainties (a Latin"
             " hypercube; draw i the same in every scenario for the keys they share, with"
             " the same replications), and compare with both intervals: parameter"
             " uncertainty and noise together, and noise alone. --replications is per draw."
             " [default: off]")] = None,
    posterior: Annotated[Path | None, typer.Option(
        metavar="DIR", show_default=False,
        help="As --sample-ranges, the draws taken by weight from a calibration's"
             " posterior.parquet (fleetsim calibrate's directory); --sample-ranges N draws"
             f" [default: off; {POSTERIOR_DRAWS} draws].")] = None,
) -> None:
    """Run replications of each scenario and write (or resume) the results directory; with
    several scenarios, print their comparison with the first."""
    from .cli_compare import check_layout

    adjustment = check_layout(layout, adjust)
    if replications is None:
        replications = 10 if scenarios else DEFAULT_REPLICATIONS
    try:
        expanded = load_all(scenarios or list(DEFAULT_SCENARIOS), set_, years=years)
    except (ScenarioError, UsageError) as exc:
        fail(exc.line() if isinstance(exc, ScenarioError) else str(exc))
    opts = RunOptions(replications, seed, out_dir, force, quiet, workers, scheduler,
                      retry_failed, precision, metric, max_replications)
    if sample_ranges is not None or posterior is not None:
        _run_draws(scenarios or list(DEFAULT_SCENARIOS), expanded, opts, set_, years,
                   sample_ranges or POSTERIOR_DRAWS, posterior, layout, adjustment)
        return
    results = execute(expanded, opts, overrides=_asked(set_, years))
    _after_batch(expanded, results, quiet, layout, adjustment)


POSTERIOR_DRAWS = 16


def _run_draws(names: list[str], expanded: list[Expanded], opts: RunOptions, set_, years,
               n: int, posterior: Path | None, layout: str, adjustment) -> None:
    """`run --sample-ranges N` / `--posterior DIR`: the scenarios over parameter draws, as
    one batch of variants (sim.analysis.experiment.draws), then their comparison with both
    intervals (sim.draws)."""
    from dataclasses import replace

    from .analysis import experiment
    from .analysis.design import DesignError
    from .cli import resolve_scenario

    option = "--posterior" if posterior is not None else "--sample-ranges"
    if any(e.sweep for e in expanded):
        fail(f"{option}: not with a [sweep] file (run the draws of one scenario file each)")
    if opts.precision is not None:
        fail(f"{option}: not with --precision (give --replications per draw)")
    if opts.replications < 2:
        fail(f"--replications {opts.replications}: {option} needs at least 2 replications a"
             " draw (the noise within a draw)")
    try:
        paths = [resolve_scenario(a) for a in names]
        p = experiment.draws(paths, _overrides(set_, years)[:len(set_)], n,
                             opts.replications, opts.seed, posterior, years)
    except ScenarioError as exc:
        fail(exc.line())
    except (UsageError, experiment.ExploreError) as exc:
        fail(str(exc))
    except DesignError as exc:
        fail(f"{option}: {exc}")
    variants = [Expanded(s, [s], None) for s in p.scenarios]
    target = opts.out or Path("results") / (
        "+".join(p.meta["scenarios"]) + ("-posterior" if posterior else "-draws"))
    results = execute(variants, replace(opts, out=target), p.first_replication,
                      overrides=_asked(set_, years) + [f"{option} {posterior or n}"])
    experiment.write(results, p)
    _after_batch(variants, results, opts.quiet, layout, adjustment)


def _after_batch(expanded: list[Expanded], results: Path, quiet: bool, layout: str = "auto",
                 adjust: str | None = None) -> None:
    """With several scenarios (or sweep variants): print their paired comparison with the
    first (laid out by `layout`) and write it to `compare.csv` in the results directory (in
    the long layout); `adjust` ("holm") adjusts both."""
    from . import compare as cmp
    from .cli_compare import load_comparison, print_comparison

    if sum(len(e.scenarios) for e in expanded) < 2:
        return
    try:  # scenarios over other horizons or warm-ups are not paired: say so, keep the run
        sources = cmp.open_sources([results])
        cmp.check_pairs(sources, cmp.scenarios(sources)[0])
    except cmp.CompareError as exc:
        err.print(f"not compared: {printable(str(exc))}", highlight=False, soft_wrap=True,
                  markup=False)
        return
    _, baseline, values, frame, note = load_comparison([results], None, [], [], None, None,
                                                       None, None, adjust)
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
    from .cli_compare import check_layout

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
