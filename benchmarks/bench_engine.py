"""Engine benchmark: one replication of the full status_quo fleet (the shipped file's
horizon, 14 years, unless `--years`), against bare SimPy loops measured in the same process.

Two floors: a bare loop of as many timeouts as the model processes events (the event-rate
ratio of issue 2) and a bare loop of one timeout per sortie flown, the limit of a
sortie-level model in CPython. The headline (issue 15) is `cost_ratio_vs_sortie_loop`, the
replication's wall time over that loop's; target <= 4 (about 8 when the issue was filed).
Run:  python benchmarks/bench_engine.py   (prints the git revision it measured)
Figures are ratios in one run because the machine is shared and noisy: the model and the
bare loops run in alternation, `--repeat` times, and each ratio is the median over them.

    python benchmarks/bench_engine.py --compiled build/compiled

measures the pure work tree and its compiled copy (`python -m sim.build_compiled --out
build/compiled`) in alternation: two worker processes, one importing each package, take
turns at a round (a replication and its two bare loops), so that both see the same load;
each process's ratios are its own (its replication over its own bare loops, SimPy itself
being pure Python in both), and `speedup` is the median over rounds of pure wall time /
compiled wall time.
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


def one_round(scenario) -> dict:
    """One replication and the two bare loops after it, timed in this process."""
    from sim.model.world import simulate
    start = time.perf_counter()
    result = simulate(scenario, 0, 1)
    wall = time.perf_counter() - start
    # every sortie of the run, warm-up included (the values table starts after it)
    events, sorties = result.events, int(result.monthly["ALL"]["sorties"].sum())
    return {"wall": wall, "bare": bare_simpy(events), "sortie_wall": bare_simpy(sorties),
            "events": events, "sorties": sorties}


def load_scenario(args):
    from sim.scenario import load
    overrides = [f"run.years={args.years}"] if args.years else []
    return load(args.scenario, overrides)


def worker(args) -> int:
    """A round on each line read ("go"), its timings printed as one JSON line."""
    import sim.model.flying
    import sim.model.world  # noqa: F401 (imported before the first round is timed)
    scenario = load_scenario(args)
    print(json.dumps({"ready": True, "model": sim.model.flying.__file__}), flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        print(json.dumps(one_round(scenario)), flush=True)
    return 0


def compare_compiled(args) -> int:
    """The pure work tree and the compiled copy at `args.compiled`, round by round."""
    sys.path.insert(0, str(ROOT))
    from sim.build_compiled import stale
    out = args.compiled.resolve()
    if not (out / "sim").exists() or stale(out):
        sys.exit(f"no up-to-date compiled copy in {out}: python -m sim.build_compiled "
                 f"--out {out}")
    cmd = [sys.executable, __file__, "--worker", "--scenario", args.scenario]
    if args.years:
        cmd += ["--years", str(args.years)]
    procs = {}
    for label, package in (("pure", ROOT), ("compiled", out)):
        env = {**os.environ, "PYTHONPATH": str(package)}
        procs[label] = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        ready = json.loads(procs[label].stdout.readline())
        compiled = not ready["model"].endswith(".py")
        if compiled != (label == "compiled"):
            sys.exit(f"the {label} worker imported {ready['model']}")
    rounds = {label: [] for label in procs}
    try:
        for rep in range(args.repeat):
            order = ("pure", "compiled") if rep % 2 == 0 else ("compiled", "pure")
            for label in order:
                procs[label].stdin.write("go\n")
                procs[label].stdin.flush()
                rounds[label].append(json.loads(procs[label].stdout.readline()))
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    figures = {"revision": revision(), "scenario": Path(args.scenario).stem,
               "repeat": args.repeat}
    for label, rs in rounds.items():
        figures[label] = summary(rs)
    figures["speedup"] = round(statistics.median(
        p["wall"] / c["wall"] for p, c in zip(rounds["pure"], rounds["compiled"])), 3)
    figures["cost_ratio_pure_over_compiled"] = round(
        figures["pure"]["cost_ratio_vs_sortie_loop"]
        / figures["compiled"]["cost_ratio_vs_sortie_loop"], 3)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    ok = figures["compiled"]["cost_ratio_vs_sortie_loop"] <= COST_TARGET
    figures["compiled_meets_target"] = ok
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            if isinstance(value, dict):
                print(f"{key}:")
                for k, v in value.items():
                    print(f"{k:>28}: {v}")
            else:
                print(f"{key:>30}: {value}")
    return 0 if ok else 1


def summary(rounds: list[dict]) -> dict:
    """The medians of one process's rounds."""
    wall = statistics.median(r["wall"] for r in rounds)
    return {"wall_s": round(wall, 4),
            "sortie_loop_s": round(statistics.median(r["sortie_wall"] for r in rounds), 4),
            "rate_ratio": round(statistics.median(r["bare"] / r["wall"] for r in rounds), 3),
            "cost_ratio_vs_sortie_loop": round(statistics.median(
                r["wall"] / r["sortie_wall"] for r in rounds), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "status_quo.toml"))
    parser.add_argument("--years", type=float, default=None,
                        help="override run.years (default: the scenario file's horizon)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--compiled", type=Path, default=None, metavar="DIR",
                        help="measure the work tree pure and its compiled copy at DIR/sim, "
                             "in alternation")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # the package is the one on PYTHONPATH
        return worker(args)
    if args.compiled is not None:
        return compare_compiled(args)
    sys.path.insert(0, str(ROOT))
    scenario = load_scenario(args)
    walls, bares, sortie_walls, ratios, costs = [], [], [], [], []
    for rep in range(args.repeat):
        r = one_round(scenario)
        walls.append(r["wall"])
        events, sorties = r["events"], r["sorties"]
        bares.append(r["bare"])
        sortie_walls.append(r["sortie_wall"])
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
