"""The `fleetsim` command line: the app, one-line errors, scenario arguments, and the
scenario commands `validate`, `show` and `list`. The other commands register on the same
app from their modules: `run` and `sweep` (sim.cli_run), `compare` and `report`
(sim.cli_compare), the analysis commands (sim.cli_analysis), `screen` and `spares`
(sim.cli_decision). Bad input ends in one line naming the file or option, and exit
status 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from . import scenario as scenario_mod
from .scenario import ScenarioError, dump, printable, to_toml
from .sweep import Expanded, NameClash, YearsError, expand, expand_all

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

WIDE_AT = 5  # scenarios from which a comparison is laid out wide


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


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False):
    if version:
        out.print(f"fleetsim {__version__}")
        raise typer.Exit()


from . import cli_run  # noqa: E402,F401  (run, sweep)
from . import cli_compare  # noqa: E402,F401  (compare, report)
from . import cli_analysis  # noqa: E402,F401  (explore, sensitivity, calibrate, discover)


def main() -> None:
    app()


from . import cli_decision  # noqa: E402,F401  (registers `screen` and `spares` on the app)

