"""Engine benchmark: one 10-year replication of the full status_quo fleet, against a bare
SimPy loop on the same number of events, measured in the same process.

Targets (issue 2): the model's event rate at least 0.5 of the bare loop's, and one
replication in under 1 second on one core. Run:  python benchmarks/bench_engine.py
Figures are ratios in one run because the machine is shared and noisy: the model and the
bare loop run in alternation, `--repeat` pairs, and the ratio is the median over pairs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model.world import simulate  # noqa: E402
from sim.scenario import load  # noqa: E402

RATE_TARGET = 0.5
WALL_TARGET_S = 1.0


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "status_quo.toml"))
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    scenario = load(args.scenario, [f"run.years={args.years}"])
    walls, bares, ratios = [], [], []
    for rep in range(args.repeat):
        start = time.perf_counter()
        events = simulate(scenario, 0, 1).events
        walls.append(time.perf_counter() - start)
        bares.append(bare_simpy(events))
        ratios.append(bares[-1] / walls[-1])
    wall, bare = statistics.median(walls), statistics.median(bares)
    figures = {"scenario": scenario.name, "years": args.years, "wall_s": round(wall, 4),
               "events": events, "events_per_s": round(events / wall),
               "bare_simpy_events_per_s": round(events / bare),
               "rate_ratio": round(statistics.median(ratios), 3),
               "rate_target": RATE_TARGET, "wall_target_s": WALL_TARGET_S}
    ok = figures["rate_ratio"] >= RATE_TARGET and wall < WALL_TARGET_S
    figures["meets_targets"] = ok
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
