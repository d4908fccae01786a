"""Engine benchmark: one replication of the full status_quo fleet (the shipped file's
horizon, 14 years, unless `--years`), against bare SimPy loops measured in the same process.

Two floors: a bare loop of as many timeouts as the model processes events (the event-rate
ratio of issue 2) and a bare loop of one timeout per sortie flown, the limit of a
sortie-level model in CPython. The headline (issue 15) is `cost_ratio_vs_sortie_loop`, the
replication's wall time over that loop's; target <= 4 (about 8 when the issue was filed).
Run:  python benchmarks/bench_engine.py   (prints the git revision it measured)
Figures are ratios in one run because the machine is shared and noisy: the model and the
bare loops run in alternation, `--repeat` times, and each ratio is the median over them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model.world import simulate  # noqa: E402
from sim.scenario import load  # noqa: E402

RATE_TARGET = 0.5
COST_TARGET = 4.0  # issue 15: a replication at most 4x the one-event-per-sortie loop


def bare_simpy(events: int, processes: int = 200) -> float:
    """Seconds for `events` timeouts spread over many processes, the SimPy floor."""
    env = simpy.Environment()
    per = events // processes

    def proc(env, i):
        delay = 1.0 + i / processes
        for _ in range(per):
            yield env.timeout(delay)

    for i in range(processes):
        env.process(proc(env, i))
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def revision() -> str:
    """The git revision measured (with "+dirty" when the work tree has changes)."""
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--",
                                "sim", "benchmarks"], capture_output=True, text=True,
                               check=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "status_quo.toml"))
    parser.add_argument("--years", type=float, default=None,
                        help="override run.years (default: the scenario file's horizon)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    overrides = [f"run.years={args.years}"] if args.years else []
    scenario = load(args.scenario, overrides)
    walls, bares, sortie_walls, ratios, costs = [], [], [], [], []
    for rep in range(args.repeat):
        start = time.perf_counter()
        result = simulate(scenario, 0, 1)
        walls.append(time.perf_counter() - start)
        # every sortie of the run, warm-up included (the values table starts after it)
        events, sorties = result.events, int(result.monthly["ALL"]["sorties"].sum())
        bares.append(bare_simpy(events))
        sortie_walls.append(bare_simpy(sorties))
        ratios.append(bares[-1] / walls[-1])
        costs.append(walls[-1] / sortie_walls[-1])
    wall, bare = statistics.median(walls), statistics.median(bares)
    figures = {"revision": revision(), "scenario": scenario.name,
               "years": scenario.run.years, "wall_s": round(wall, 4),
               "events": events, "sorties": sorties,
               "events_per_sortie": round(events / sorties, 3),
               "events_per_s": round(events / wall),
               "bare_simpy_events_per_s": round(events / bare),
               "rate_ratio": round(statistics.median(ratios), 3),
               "cost_ratio_vs_sortie_loop": round(statistics.median(costs), 3),
               "rate_target": RATE_TARGET, "cost_target": COST_TARGET,
               "load_average": round(os.getloadavg()[0], 2)}
    ok = figures["cost_ratio_vs_sortie_loop"] <= COST_TARGET
    figures["meets_targets"] = ok
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
