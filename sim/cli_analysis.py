"""The analysis commands: explore a design over the [ranges], sensitivity indices of an
explored directory, calibration to observations, and scenario discovery. Registered on the
`fleetsim` app; bad input ends in one line naming the file or option, and exit status 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .cli import SetOption, UsageError, app, fail, out, resolve_scenario
from .cli_run import (Force, Out, Quiet, RetryFailed, RunOptions, Scheduler, Seed, Workers,
                      Years, _overrides, execute)
from .results.store import atomic_write
from .scenario import ScenarioError
from .sweep import Expanded

__all__ = ["explore", "sensitivity", "calibrate", "discover", "UsageError"]

DEFAULT_OUTPUTS = ["ALL:mc_rate", "ALL:fmc_aircraft"]

MetricsOpt = Annotated[list[str], typer.Option(
    "--metric", "-m", metavar="[TYPE:]METRIC",
    help="An output to analyse, of the whole fleet (ALL) unless a type is given, e.g."
         " MiG-29:fmc_aircraft. Repeatable [default: ALL:mc_rate, ALL:fmc_aircraft].")]


def _analysis_extra():
    try:
        import SALib  # noqa: F401
    except ImportError:
        fail("the analysis commands need SALib: pip install 'fleetsim[analysis]'")


@app.command()
def explore(
    scenarios: Annotated[list[str], typer.Argument(
        help="Scenario files or names; the design is over the first one's [ranges], and"
             " every point is run in each scenario under the same replications.")],
    design: Annotated[str, typer.Option(
        "--design", "-d", help="lhs | sobol | morris | factorial | tornado.")] = "lhs",
    n: Annotated[int, typer.Option(
        "--n", help="Points (lhs), Saltelli blocks (sobol, a power of 2), Morris trajectories,"
                    " levels a factor (factorial); tornado ignores it.")] = 16,
    reps: Annotated[int, typer.Option("--reps", "-r", min=1,
                                      help="Replications of each point.")] = 5,
    levers: Annotated[bool, typer.Option(
        "--levers", help="Vary the levers ([ranges] of kind = \"lever\") too [default: off].")] = False,
    only: Annotated[list[str], typer.Option(
        "--factor", "-f", metavar="NAME",
        help="Vary only this factor (a [ranges] key or a [range_groups] name); repeatable [default: every factor].")
    ] = [],
    posterior: Annotated[Path | None, typer.Option(
        metavar="DIR", help="Instead of a design: --n weighted draws of the points of a"
                            " calibration (fleetsim calibrate's directory) [default: off].")] = None,
    years: Years = None, seed: Seed = 20230101, out_dir: Out = None, set_: SetOption = [],
    force: Force = False, quiet: Quiet = False, workers: Workers = None,
    scheduler: Scheduler = None, retry_failed: RetryFailed = False,
) -> None:
    """Run a design over the scenarios' uncertainties (resumable, as `run`) and write
    design.parquet beside the usual tables."""
    _analysis_extra()
    from .analysis import experiment
    from .analysis.design import DesignError

    kinds = ("uncertainty", "lever") if levers else ("uncertainty",)
    try:
        paths = [resolve_scenario(a) for a in scenarios]
        p = experiment.plan(paths, _overrides(set_, years)[:len(set_)], design, n, reps,
                            seed, kinds, only, posterior, years)
    except ScenarioError as exc:
        fail(exc.line())
    except experiment.ExploreError as exc:
        fail(str(exc))
    except DesignError as exc:
        fail(f"{paths[0]}: {exc}")
    expanded = [Expanded(s, [s], None) for s in p.scenarios]
    design = p.meta["method"]
    target = out_dir or Path("results") / f"{'+'.join(p.meta['scenarios'])}-{design}"
    opts = RunOptions(reps, seed, target, force, quiet, workers, scheduler, retry_failed,
                      None, "mc_rate", reps)
    execute(expanded, opts, p.first_replication)
    experiment.write(target, p)
    say(f"design {design}: {p.table.point.nunique()} points x {reps} replications in"
        f" {p.table.block.nunique()} blocks, {len(p.meta['factors'])} factors;"
        f" {target / experiment.DESIGN_TABLE}")


@app.command()
def sensitivity(
    directory: Annotated[Path, typer.Argument(help="A directory made by fleetsim explore.")],
    metrics: MetricsOpt = [],
    quiet: Quiet = False,
) -> None:
    """Sensitivity indices of an explored design (Morris, Sobol with a dummy, the variance
    split into parameter uncertainty and noise, tornado): indices.csv and figures/."""
    _analysis_extra()
    from .analysis import experiment, figures, sensitivity as sa

    import pandas as pd

    try:
        explored = experiment.read(directory)
        frames = []
        bases = explored.meta["scenarios"]
        for spec in metrics or DEFAULT_OUTPUTS:
            aircraft_type, _, metric = spec.rpartition(":")
            aircraft_type = aircraft_type or "ALL"
            ys = {b: explored.outputs(b, aircraft_type, metric) for b in bases}
            for b in bases[1:]:
                ys[f"{b}-{bases[0]}"] = ys[b] - ys[bases[0]]
            for name, y in ys.items():
                output = f"{name}:{aircraft_type}:{metric}"
                if np.isnan(y).any():
                    raise experiment.ExploreError(
                        f"{directory}: {output}: {int(np.isnan(y).sum())} replications missing"
                        f" or undefined (resume explore with --retry-failed)")
                base = name if name in bases else bases[1]
                frames.append(sa.analyse(explored.meta["method"],
                                         explored.meta["design_factors"],
                                         explored.unit(base), explored.block(base), y, output))
    except experiment.ExploreError as exc:
        fail(str(exc))
    indices = pd.concat(frames, ignore_index=True)
    indices.to_csv(directory / "indices.csv", index=False)
    drawn = figures.draw(indices, directory / "figures")
    if not quiet:
        _print_indices(indices)
    say(f"{len(indices)} indices in {directory / 'indices.csv'}, {len(drawn)} figures in"
        f" {directory / 'figures'}")


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="Scenario file or name.")],
    observations: Annotated[Path, typer.Option(
        "--observations", "-O", help="The observations TOML file (see the README) [default: none: required].")],
    n: Annotated[int, typer.Option("--n", help="Points a wave (a Latin hypercube).")] = 32,
    reps: Annotated[int, typer.Option("--reps", "-r", min=2,
                                      help="Replications of each point.")] = 3,
    waves: Annotated[int, typer.Option("--waves", min=1, help="History-matching waves.")] = 3,
    only: Annotated[list[str], typer.Option(
        "--factor", "-f", metavar="NAME", help="Calibrate only this factor; repeatable [default: every factor].")
    ] = [],
    years: Years = None, seed: Seed = 20230101, out_dir: Out = None, set_: SetOption = [],
    force: Force = False, quiet: Quiet = False, workers: Workers = None,
    scheduler: Scheduler = None,
) -> None:
    """History matching in waves, then rejection ABC: posterior.parquet (the points, their
    implausibility and weights), posterior.csv (90% intervals) and posterior.png."""
    _analysis_extra()
    from .analysis import calibrate as cal, experiment, posterior, space
    from .analysis import observations as obsmod

    try:
        path = resolve_scenario(scenario)
        obs = obsmod.read(observations)
        raws, bases, fs = experiment.space_of([path], _overrides(set_, years)[:len(set_)],
                                              ("uncertainty",), only, years)
        raw, base = raws[0], bases[0]
        if not fs:
            fail(f"{path}: ranges: no uncertainties to calibrate")
        posterior.check_metrics(raw, base, obs, observations, seed)
    except (ScenarioError, obsmod.ObservationError) as exc:
        fail(exc.line() if isinstance(exc, ScenarioError) else str(exc))
    if n < 2:
        fail(f"{path}: --n {n}: a wave needs at least 2 points")
    target = out_dir or Path("results") / f"{base.name}-calibration"
    names: list[str] = []

    def run_wave(w, unit, firsts, r):
        width = len(str(len(unit)))
        scenarios = [experiment.variant(raw, f"{base.name}/w{w}p{i:0{width}d}",
                                        space.point_values(base, fs, u), path)
                     for i, u in enumerate(unit)]
        wave_names = [s.name for s in scenarios]
        wave_dir = target / f"wave{w}"
        execute([Expanded(s, [s], None) for s in scenarios],
                RunOptions(r, seed, wave_dir, force, True, workers, scheduler, False, None,
                           "mc_rate", r), dict(zip(wave_names, map(int, firsts))))
        names.extend(wave_names)
        try:
            return {o.name: posterior.readings(o, wave_dir, wave_names, firsts, r,
                                               observations) for o in obs}
        except obsmod.ObservationError as exc:
            fail(str(exc))

    result = cal.run(obs, run_wave, len(fs), n, reps, waves, seed)
    post = posterior.table(result, base, fs, names)
    atomic_write(target / "posterior.parquet", post.to_parquet(index=False))
    intervals = posterior.summary(post, base, fs)
    intervals.to_csv(target / "posterior.csv", index=False)
    posterior.figure(post, base, fs, target / "posterior.png")
    if not quiet:
        table = Table(title=f"Calibration of {base.name}: 90% intervals")
        for col in ("parameter", "prior", "posterior", "width vs prior"):
            table.add_column(col)
        for row in intervals.itertuples():
            table.add_row(Text(row.parameter), f"[{row.prior_low:.4g}, {row.prior_high:.4g}]",
                          f"[{row.posterior_low:.4g}, {row.posterior_high:.4g}]",
                          f"{row.narrowed:.2f}")
        (out if out.is_terminal else Console(width=max(out.width, 140))).print(table)
    alive = int((result.implausibility < cal.CUTOFF).sum())
    say(f"{len(post)} points in {waves} waves x {reps} replications, {alive} not implausible,"
        f" {int(result.accepted.sum())} accepted, ESS {result.ess():.1f};"
        f" {target / 'posterior.parquet'}")


@app.command()
def discover(
    directory: Annotated[Path, typer.Argument(help="A directory made by fleetsim explore.")],
    metric: Annotated[str, typer.Option(
        "--metric", "-m", metavar="[TYPE:]METRIC",
        help="The output whose threshold makes a case of interest, e.g. MiG-29:fmc_aircraft"
             " [default: none: required].")],
    below: Annotated[float | None, typer.Option(help="Cases: point mean below this [default: none].")] = None,
    above: Annotated[float | None, typer.Option(help="Cases: point mean above this [default: none].")] = None,
    scenario: Annotated[str | None, typer.Option(
        help="The explored scenario [default: the first]; B-A is B's difference from A.")
    ] = None,
    min_coverage: Annotated[float, typer.Option(
        min=0, max=1, help="The box chosen: the densest that keeps this coverage.")] = 0.8,
    alpha: Annotated[float, typer.Option(min=0.01, max=0.5, help="Peeling fraction.")] = 0.05,
) -> None:
    """PRIM boxes: under which assumptions does the metric pass the threshold? Writes
    prim_trajectory.csv and prim_box.csv."""
    from .analysis import discover as prim, experiment

    if (below is None) == (above is None):
        fail(f"{directory}: give one of --below or --above")
    try:
        explored = experiment.read(directory)
        bases = explored.meta["scenarios"]
        name = scenario or bases[0]
        first, _, second = name.partition("-")
        if first not in bases or (second and second not in bases):
            raise experiment.ExploreError(f"{directory}: --scenario {name}: not an explored"
                                          f" scenario (one of {', '.join(bases)}, or B-A)")
        aircraft_type, _, m = metric.rpartition(":")
        y = explored.outputs(first, aircraft_type or "ALL", m)
        if second:
            y = y - explored.outputs(second, aircraft_type or "ALL", m)
    except experiment.ExploreError as exc:
        fail(str(exc))
    means = np.nanmean(y, axis=1)
    cases = means < below if below is not None else means > above
    keys = [k for f in explored.meta["factors"] for k in f["keys"]]
    rows = explored.table[explored.table.base == first].sort_values("point")
    x = rows[keys].to_numpy(float)
    threshold = f"{'<' if below is not None else '>'} {below if below is not None else above:g}"
    boxes = prim.peel(x, cases, alpha)
    if not boxes:
        say(f"no design point has {name}:{metric} {threshold}: no box")
        return
    prim.trajectory(boxes, keys, x).to_csv(directory / "prim_trajectory.csv", index=False)
    box = prim.choose(boxes, min_coverage)
    table = prim.describe(box, keys, x)
    table.to_csv(directory / "prim_box.csv", index=False)
    shown = Table(title=Text(f"{name}:{metric} {threshold}: {int(cases.sum())} of"
                             f" {len(cases)} points; box coverage {box.coverage:.2f},"
                             f" density {box.density:.2f}"))
    for col in ("parameter", "box", "explored"):
        shown.add_column(col)
    for row in table[table.restricted].itertuples():
        shown.add_row(Text(row.parameter), f"[{row.low:.4g}, {row.high:.4g}]",
                      f"[{row.explored_low:.4g}, {row.explored_high:.4g}]")
    (out if out.is_terminal else Console(width=max(out.width, 140))).print(shown)
    say(f"{len(boxes)} boxes on the peeling trajectory in {directory / 'prim_trajectory.csv'};"
        f" the chosen box in {directory / 'prim_box.csv'}")


def say(text: str) -> None:
    """One plain line on stdout (no markup, no emoji codes such as ':A:')."""
    out.print(Text(text), soft_wrap=True)


def _print_indices(indices) -> None:
    table = Table(title="Sensitivity (95% intervals)")
    for col in ("output", "parameter", "method", "index", "value", "interval"):
        table.add_column(col, justify="right" if col in ("value", "interval") else "left")
    for row in indices.itertuples():
        interval = "" if np.isnan(row.ci_low) else f"[{row.ci_low:.3g}, {row.ci_high:.3g}]"
        table.add_row(Text(row.output), Text(row.parameter), row.method, row.index,
                      f"{row.value:.3g}", interval)
    (out if out.is_terminal else Console(width=max(out.width, 160))).print(table)

