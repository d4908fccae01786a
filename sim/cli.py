"""The `fleetsim` command line: validate and show scenarios, run batches, print summaries."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__, tomlfmt
from .runner import run_batch
from .scenario import Scenario, ScenarioError, dump, load

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate an air force's fleet readiness under sanctions, tail by tail.")
out = Console()
err = Console(stderr=True)

HEADLINE = ("mc_rate", "fmc_aircraft", "nmcm_aircraft", "nmcs_aircraft", "active_aircraft",
            "sorties", "flight_hours", "cann_per_100_sorties", "backorders")
DEFAULT_SCENARIO = "status_quo"


class UsageError(Exception):
    """A command-line mistake that is not a scenario problem."""


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up: ./scenarios, then the source tree's scenarios/."""
    return [Path.cwd() / "scenarios", Path(__file__).resolve().parent.parent / "scenarios"]


def resolve_scenario(arg: str) -> Path:
    """A scenario argument is a file path, or the name of a shipped scenario."""
    path = Path(arg)
    if path.exists() or path.suffix == ".toml":
        return path
    for folder in scenario_dirs():
        candidate = folder / f"{arg}.toml"
        if candidate.exists():
            return candidate
    raise ScenarioError(arg, "", "no such file or shipped scenario")


def load_all(args: list[str], overrides: list[str]) -> list[Scenario]:
    scenarios = [load(resolve_scenario(a), overrides) for a in args]
    names = [s.name for s in scenarios]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise UsageError(f"two scenarios are named '{duplicate}': names must differ in one run")
    return scenarios


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


SetOption = Annotated[list[str], typer.Option(
    "--set", "-s", metavar="KEY=VALUE",
    help="Override a scenario value by its dotted key, e.g. --set types.MiG-29.count=18."
         " Repeatable; the value is read as TOML (numbers, strings, true/false).")]


@app.command()
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files or names.")],
             set_: SetOption = []) -> None:
    """Check scenario files against the schema; one line per file."""
    bad = 0
    for arg in files:
        try:
            scenario = load(resolve_scenario(arg), set_)
        except ScenarioError as exc:
            err.print(f"[bold red]error:[/] {exc.line()}", highlight=False, soft_wrap=True)
            bad += 1
            continue
        tails = sum(t.count for t in scenario.types.values())
        out.print(f"ok {arg}: '{scenario.name}', {len(scenario.types)} aircraft types,"
                  f" {tails} tails, {scenario.run.years:g} years", highlight=False)
    if bad:
        raise typer.Exit(2)


@app.command()
def show(file: Annotated[str, typer.Argument(help="Scenario file or name.")],
         set_: SetOption = []) -> None:
    """Print the fully resolved scenario (inheritance, overrides and defaults) as TOML."""
    try:
        scenario = load(resolve_scenario(file), set_)
    except ScenarioError as exc:
        fail(exc.line())
    sys.stdout.write(tomlfmt.dumps(dump(scenario)))


@app.command()
def run(
    scenarios: Annotated[list[str] | None, typer.Argument(
        help=f"Scenario files or names of shipped scenarios [default: {DEFAULT_SCENARIO}].",
        show_default=False)] = None,
    replications: Annotated[int, typer.Option("--replications", "-n", min=1,
                                              help="Replications per scenario.")] = 10,
    years: Annotated[float | None, typer.Option(
        help="Horizon in years, overriding each scenario's run.years.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Root seed of the batch.")] = 20230101,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Results directory [default: results/<scenario>[+<scenario>...]].",
        show_default=False)] = None,
    set_: SetOption = [],
    force: Annotated[bool, typer.Option(help="Replace an existing results directory.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no table.")] = False,
) -> None:
    """Run replications of each scenario and write the results directory."""
    from .results import ResultsWriter

    overrides = list(set_) + ([f"run.years={years}"] if years is not None else [])
    try:
        loaded = load_all(scenarios or [DEFAULT_SCENARIO], overrides)
    except (ScenarioError, UsageError) as exc:
        fail(exc.line() if isinstance(exc, ScenarioError) else str(exc))
    target = out_dir or Path("results") / "+".join(s.name for s in loaded)
    if (target / "manifest.json").exists():
        if not force:
            fail(f"{target}: holds results already; use --force to replace them or --out elsewhere")
        shutil.rmtree(target)
    writer = ResultsWriter(target, loaded, replications, seed)
    total = replications * len(loaded)
    with _progress(quiet or not out.is_terminal) as progress:
        task = progress.add_task("replications", total=total)
        try:
            for finished in run_batch(loaded, replications, seed):
                writer.add(finished)
                progress.advance(task)
        except KeyboardInterrupt:
            writer.close("interrupted")
            fail(f"interrupted; finished replications are in {target}", 130)
    summary = writer.close()
    if not quiet:
        print_summary(summary)
    events = sum(r["events"] for r in writer.manifest["runs"])
    wall = sum(r["wall_seconds"] for r in writer.manifest["runs"])
    out.print(f"{total} replications, {events:,} events, {wall:.1f} s of simulation;"
              f" results in {target}", highlight=False, soft_wrap=True)


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=err, disable=quiet, transient=True)


def print_summary(summary) -> None:
    """The whole-fleet headline metrics per scenario, mean and 95% interval."""
    table = Table(title="Whole fleet (ALL), mean over replications [95% CI]")
    table.add_column("metric")
    rows = summary[summary["aircraft_type"] == "ALL"]
    names = list(dict.fromkeys(rows["scenario"]))
    for name in names:
        table.add_column(name, justify="right")
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


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False):
    if version:
        out.print(f"fleetsim {__version__}")
        raise typer.Exit()


def main() -> None:
    app()

