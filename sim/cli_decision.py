"""`fleetsim screen` and `fleetsim spares`: the analytic screen, the spares optimiser and its
verification by simulation under common random numbers. Bad input: one line, exit 2."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .scenario import to_toml
from .cli import SetOption, UsageError, app, fail, load_all, out, resolve_scenario
from .scenario import ScenarioError, load

DEFAULT_ALTERNATIVE = "russian_transfer:russia"

DateOpt = Annotated[str | None, typer.Option(
    "--date", metavar="YYYY-MM-DD", show_default=False,
    help="The date the screen is evaluated at (aging, deliveries, condemnations so far)"
         " [default: the middle of the statistics window].")]


def _date(text: str | None, option: str = "--date") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text}: not a date (YYYY-MM-DD)")


@app.command()
def screen(
    scenarios: Annotated[list[str], typer.Argument(help="Scenario files or names.")],
    date: DateOpt = None,
    csv: Annotated[Path | None, typer.Option(
        "--csv", metavar="FILE", show_default=False,
        help="Where to write the table [default: results/screen-<names>.csv].")] = None,
    set_: SetOption = [],
) -> None:
    """Analytic readiness screen (METRIC / VARI-METRIC): expected NMCM, NMCS with and
    without cannibalization, FMC, MC rate and the binding LRU kind per type, in milliseconds."""
    import pandas as pd

    from .screen import default_date, screen as run_screen

    when = _date(date)
    try:
        loaded = [s for e in load_all(scenarios, list(set_)) for s in e.scenarios]
    except ScenarioError as exc:
        fail(exc.line())
    except UsageError as exc:
        fail(str(exc))
    rows = []
    for scen in loaded:
        at = when or default_date(scen)
        started = time.perf_counter()
        result = run_screen(scen, at)
        ms = (time.perf_counter() - started) * 1000
        table = Table(title=f"{scen.name}: analytic screen at {at} ({ms:.0f} ms),"
                            f" cannibalization {scen.cannibalization.policy}")
        for col in ("type", "active", "depot", "FH/day", "NMCM", "down none", "down full",
                    "NMCS", "NMCB", "PMC", "FMC", "MC rate", "FMC rate", "binding"):
            table.add_column(col, justify="left" if col in ("type", "binding") else "right")
        for t in result:
            table.add_row(t.name, f"{t.active:.1f}", f"{t.depot:.1f}",
                          f"{t.flight_hours_per_day:.1f}", f"{t.nmcm_only:.1f}",
                          f"{t.nmcs_none:.1f}", f"{t.nmcs_full:.1f}", f"{t.nmcs_only:.1f}",
                          f"{t.nmcb:.1f}", f"{t.pmc:.1f}", f"{t.fmc:.1f}", f"{t.mc_rate:.3f}",
                          f"{t.fmc_rate:.3f}", t.binding)
            rows.append({"scenario": scen.name, "date": at.isoformat(), "aircraft_type": t.name,
                         "active_aircraft": t.active, "depot_aircraft": t.depot,
                         "possessed_aircraft": t.possessed,
                         "flight_hours_per_day": t.flight_hours_per_day,
                         "nmcm_aircraft": t.nmcm_only, "nmcs_none_aircraft": t.nmcs_none,
                         "nmcs_full_aircraft": t.nmcs_full, "nmcs_aircraft": t.nmcs_only,
                         "nmcb_aircraft": t.nmcb,
                         "pmc_aircraft": t.pmc, "fmc_aircraft": t.fmc,
                         "flyable_aircraft": t.flyable, "mc_rate": t.mc_rate,
                         "fmc_rate": t.fmc_rate, "binding_kind": t.binding})
        _show(table)
    path = csv or Path("results") / f"screen-{'+'.join(s.name for s in loaded)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    out.print(f"table in {path}", highlight=False)


@app.command()
def spares(
    scenario: Annotated[str, typer.Argument(help="Scenario file or name.")],
    type_: Annotated[str, typer.Option("--type", "-t", help="The aircraft type [default: none: required].")],
    budget: Annotated[float | None, typer.Option(
        "--budget", metavar="MUSD", show_default=False,
        help="Spend at most this (million USD) [default: the alternative's cost].")] = None,
    target_fmc: Annotated[float | None, typer.Option(
        "--target-fmc", metavar="F", show_default=False,
        help="Stop once the screen's FMC aircraft of the type reach F [default: off].")] = None,
    alternative: Annotated[str, typer.Option(
        "--alternative", metavar="SCENARIO:CHANNEL",
        help="The hand-made package to cost and compare: the one-off units of a supply"
             " channel of the type in a scenario.")] = DEFAULT_ALTERNATIVE,
    delivery: Annotated[str | None, typer.Option(
        "--delivery-date", metavar="YYYY-MM-DD", show_default=False,
        help="When the package arrives [default: the alternative channel's start_date, or"
             " the start of the run].")] = None,
    date: DateOpt = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", show_default=False,
        help="Directory for curve.csv, curve.png, package.toml (and the verification runs)"
             " [default: results/spares-SCENARIO-TYPE].")] = None,
    scenario_out: Annotated[Path | None, typer.Option(
        "--scenario-out", metavar="FILE", show_default=False,
        help="Also write a scenario that extends SCENARIO with the optimised package in"
             " place of the alternative's channel [default: off].")] = None,
    verify: Annotated[int, typer.Option(
        "--verify", metavar="N", min=0,
        help="Simulate N replications (CRN) of the baseline, the optimised and the"
             " alternative package and print the paired differences in FMC.")] = 0,
    curve_points: Annotated[int, typer.Option(
        "--curve-points", metavar="K", min=0,
        help="With --verify: also simulate K packages along the curve against the screen.")] = 0,
    seed: Annotated[int, typer.Option(help="Root seed of --verify.")] = 20230101,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes of --verify [default: the cores].", show_default=False)] = None,
    set_: SetOption = [],
) -> None:
    """The spares package that buys the most FMC aircraft per dollar (greedy marginal
    analysis on the screen), its cost/effectiveness curve, and its check by simulation."""
    from . import spares as sp

    path = resolve_or_fail(scenario)
    try:
        scen = load(path, list(set_))
        alt_name, _, channel = alternative.rpartition(":")
        if not alt_name or not channel:
            fail(f"--alternative {alternative}: must read SCENARIO:CHANNEL")
        alt = load(resolve_or_fail(alt_name))
    except ScenarioError as exc:
        fail(exc.line())
    at, arrives = _date(date), _date(delivery, "--delivery-date")
    try:
        sp.unit_costs(scen, type_)
        if type_ not in alt.types:
            raise sp.SparesError("--alternative", f"no aircraft type '{type_}' in {alt_name}")
        hand = sp.hand_package(alt, type_, channel)
        if not hand:
            raise sp.SparesError("--alternative", f"no supply channel '{channel}' in any LRU"
                                 f" kind of types.{type_} in {alt_name}")
        if arrives is None:
            arrives = next((lru.supply[channel].start_date for lru in alt.types[type_].lrus.values()
                            if channel in lru.supply), None)
        hand_cost = sp.cost_of(scen, type_, hand)
        base = sp.merged(scen, f"{scen.name}_no_package", sp.without_channel(type_, scen, channel))
        if budget is None and target_fmc is None:
            budget = hand_cost
        points = sp.curve(base, type_, budget, target_fmc, at)
    except sp.SparesError as exc:
        fail(f"{path}: {exc}" if exc.key.startswith("types.") else str(exc))
    chosen = points[-1]
    folder = out_dir or Path("results") / f"spares-{scen.name}-{type_}"
    folder.mkdir(parents=True, exist_ok=True)
    hand_point = sp.evaluate(base, type_, hand, at)
    _write_curve(folder, points, hand_point, type_, scen.name)
    fragment = sp.channel_fragment(type_, chosen.package, "optimised_spares", arrives)
    (folder / "package.toml").write_text(
        f"# fleetsim spares {scenario} --type {type_}: the optimised package,"
        f" {chosen.cost_musd:.2f}"
        f" MUSD, screen FMC {chosen.fmc:.1f}\n" + to_toml(fragment))
    _print_package(type_, base, points, chosen, hand, hand_point, alternative)
    if scenario_out is not None:
        _write_scenario(scenario_out, path, scen, type_, channel, fragment, chosen, hand_point)
    out.print(f"curve, figure and package in {folder}", highlight=False)
    if verify:
        from .spares_verify import verify as run_verify
        run_verify(base, type_, chosen, hand, arrives, points, verify, curve_points, seed,
                   workers, folder)


def resolve_or_fail(arg: str) -> Path:
    try:
        return resolve_scenario(arg)
    except ScenarioError as exc:
        fail(exc.line())


def _write_curve(folder: Path, points, hand_point, type_: str, name: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    kinds = list(points[0].package)
    frame = pd.DataFrame([{"cost_musd": p.cost_musd, "fmc_aircraft": p.fmc,
                           "nmcs_aircraft": p.nmcs, "binding_kind": p.binding,
                           "efficient": p.efficient,
                           **{f"units_{k}": p.package.get(k, 0) for k in kinds}} for p in points])
    frame.to_csv(folder / "curve.csv", index=False)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.step(frame["cost_musd"], frame["fmc_aircraft"], where="post",
            label="optimised (marginal analysis, the budget's remainder searched)")
    ax.plot([hand_point.cost_musd], [hand_point.fmc], "o", color="C3", label="alternative")
    ax.set_xlabel("package cost (million USD)")
    ax.set_ylabel(f"expected FMC {type_} (screen)")
    ax.set_title(f"{name}: spares cost/effectiveness, {type_}")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "curve.png", dpi=110)
    plt.close(fig)


def _print_package(type_, base, points, chosen, hand, hand_point, alternative) -> None:
    table = Table(title=f"{type_} spares: screen FMC by package")
    for col in ("package", "cost MUSD", "FMC", "NMCS", "binding", *points[0].package):
        table.add_column(col, justify="left" if col in ("package", "binding") else "right")
    kinds = list(points[0].package)
    for label, p in (("none", points[0]), ("optimised", chosen), (alternative, hand_point)):
        table.add_row(label, f"{p.cost_musd:.2f}", f"{p.fmc:.2f}", f"{p.nmcs:.2f}", p.binding,
                      *(str(p.package.get(k, 0)) for k in kinds))
    _show(table)


def _write_scenario(target: Path, source: Path, scen, type_, channel, fragment, chosen,
                    hand_point) -> None:
    import os

    from . import spares as sp

    zero = sp.without_channel(type_, scen, channel)
    from .scenario import deep_merge
    body = deep_merge(zero, fragment)
    rel = os.path.relpath(source.resolve(), target.resolve().parent)
    head = {"extends": rel, "name": f"{scen.name}_optimised_spares",
            "description": f"{scen.name} with the {type_} spares package optimised by"
                           f" marginal analysis ({chosen.cost_musd:.2f} MUSD) in place of"
                           f" '{channel}'"}
    text = (f"# Written by fleetsim spares: the {type_} package of marginal analysis on"
            f" the screen,\n# {chosen.cost_musd:.2f} MUSD for screen FMC {chosen.fmc:.1f}"
            f" (the hand-made '{channel}': {hand_point.cost_musd:.2f} MUSD,"
            f" {hand_point.fmc:.1f}).\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text + to_toml({**head, **body}))
    try:
        load(target)
    except ScenarioError as exc:
        fail(exc.line())
    out.print(f"scenario in {target}", highlight=False)


def _show(table: Table) -> None:
    """A pipe or a file gets the whole table; a terminal wraps it to its own width."""
    (out if out.is_terminal else Console(width=max(out.width, 120))).print(table)
