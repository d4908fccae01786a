"""Verification of a spares package by simulation (`fleetsim spares --verify N`).

The baseline (no package), the optimised package and the alternative (hand-made) one, and
optionally packages along the curve, run as one batch under common random numbers: the
same replication draws the same failures and repairs in every variant, so the paired
difference in FMC aircraft of the type is measured with a narrow interval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import paired_interval, t_interval
from .schema import Scenario
from .spares import Point, channel_fragment, merged, window_fmc

PACKAGE_CHANNEL = "optimised_spares"
HAND_CHANNEL = "hand_spares"


@dataclass(frozen=True)
class Verification:
    values: pd.DataFrame  # scenario x replication: the type's FMC aircraft
    diffs: pd.DataFrame  # comparison, mean difference, 95% CI
    curve: pd.DataFrame  # cost, screen FMC, simulated FMC and its 95% CI


def variants(base: Scenario, type_name: str, chosen: Point, hand: dict[str, int],
             arrives: dt.date | None, points: list[Point], curve_points: int) -> list[Scenario]:
    """Baseline, optimised, alternative, and `curve_points` packages along the curve."""
    out = [base,
           merged(base, "optimised", channel_fragment(type_name, chosen.package,
                                                      PACKAGE_CHANNEL, arrives)),
           merged(base, "alternative", channel_fragment(type_name, hand, HAND_CHANNEL, arrives))]
    for i, p in enumerate(along(points, curve_points)):
        out.append(merged(base, f"curve_{i}",
                          channel_fragment(type_name, p.package, PACKAGE_CHANNEL, arrives)))
    return out


def along(points: list[Point], k: int) -> list[Point]:
    """k points spread evenly (by step) along the curve, its ends included."""
    if k <= 0:
        return []
    index = np.unique(np.round(np.linspace(0, len(points) - 1, k)).astype(int))
    return [points[i] for i in index]


def fmc_values(folder: Path, type_name: str) -> pd.DataFrame:
    frame = pd.read_parquet(folder / "replications.parquet",
                            filters=[("metric", "==", "fmc_aircraft"),
                                     ("aircraft_type", "==", type_name)])
    frame["scenario"] = frame["scenario"].astype(str)
    return frame.pivot_table(index="replication", columns="scenario", values="value")


def summarise(wide: pd.DataFrame, points: list[Point], curve_points: int,
              level: float = 0.95, window: list[float] | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paired differences (optimised vs baseline, alternative vs baseline, optimised vs
    alternative) and the screen's curve against the simulated FMC."""
    rows = []
    for a, b in (("optimised", "baseline"), ("alternative", "baseline"),
                 ("optimised", "alternative")):
        d, low, high = paired_interval(wide[b].to_numpy(), wide[a].to_numpy(), level)
        rows.append({"comparison": f"{a} - {b}", "diff_fmc": d, "ci_low": low, "ci_high": high})
    curve = []
    for i, p in enumerate(along(points, curve_points)):
        mean, _, low, high = t_interval(wide[f"curve_{i}"].to_numpy(), level)
        row = {"cost_musd": p.cost_musd, "screen_fmc": p.fmc, "simulated_fmc": mean,
               "ci_low": low, "ci_high": high, "gap": mean - p.fmc}
        if window is not None:
            row.update(screen_window_fmc=window[i], window_gap=mean - window[i])
        curve.append(row)
    return pd.DataFrame(rows), pd.DataFrame(curve)


def verify(base: Scenario, type_name: str, chosen: Point, hand: dict[str, int],
           arrives: dt.date | None, points: list[Point], replications: int, curve_points: int,
           seed: int, workers: int | None, folder: Path) -> Verification:
    """Run the variants through the batch engine, print and return the comparison."""
    from .batch import Batch, BatchError, run
    from .cli import fail, out
    from .executors import ExecutorError, cores, process_pool
    from .results.store import StoreError
    from .runner import ExecutorFailure

    scenarios = variants(merged(base, "baseline"), type_name, chosen, hand,
                         arrives, points, curve_points)
    runs = folder / "verify"
    try:
        with process_pool(workers or cores()) as pool:
            run(Batch(scenarios, replications, seed, runs, force=True), pool)
    except (StoreError, ExecutorError, BatchError, ExecutorFailure) as exc:
        fail(f"--verify: {exc}")
    wide = fmc_values(runs, type_name)
    window = [window_fmc(base, type_name, p.package, arrives) for p in along(points, curve_points)]
    diffs, curve = summarise(wide, points, curve_points, window=window)
    out.print(f"Simulated FMC {type_name} ({replications} replications, CRN, after the"
              f" warm-up), paired differences [95% CI]:", highlight=False)
    for r in diffs.itertuples():
        out.print(f"  {r.comparison:28} {r.diff_fmc:+7.2f} [{r.ci_low:+.2f}, {r.ci_high:+.2f}]",
                  highlight=False)
    if len(curve):
        out.print("Curve: cost MUSD, screen FMC at the date, screen FMC over the window,"
                  " simulated FMC [95% CI]:", highlight=False)
        for r in curve.itertuples():
            out.print(f"  {r.cost_musd:8.2f} {r.screen_fmc:7.2f} {r.screen_window_fmc:7.2f}"
                      f" {r.simulated_fmc:7.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]",
                      highlight=False)
    diffs.to_csv(folder / "verify.csv", index=False)
    curve.to_csv(folder / "verify_curve.csv", index=False)
    return Verification(wide, diffs, curve)
