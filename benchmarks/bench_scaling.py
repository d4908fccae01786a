"""Scaling benchmark (issue 15, item 3): the cost of a status-quo replication against fleet
size and horizon, and the parent's peak memory of a batch against its replications.

    python benchmarks/bench_scaling.py                    # reduced size: 3.5-year base
    python benchmarks/bench_scaling.py --years 14 --repeat 3 --memory-years 14

Fleet: the air force times 1, 2, 4 (every type's tails and pilots, and with them the shops,
spares and fuel that serve them, see `scaled`; the same horizon);
horizon: `run.years` times 1, 2, 4 (the same fleet). `run.warmup_days` is set to 0 so that a
short horizon is valid (it does not change the work the run does). Each configuration is
timed inside this process in CPU time (`time.process_time`: the machine is shared, and
another process's load stretches wall time, not this one's CPU time), the configurations in
alternation `--repeat` times, and the median kept; the slope of log(time) against log(factor) is the least-squares fit over the
three factors (1: cost proportional to size). Events and sorties are printed beside the
times, so that a slope can be read against the work (a fleet with more tails but the same
repair shops, stocks and fuel does not fly exactly twice the sorties).

Memory: a fresh process runs `sim.batch.run` on a process pool of 2 workers for N
replications (by default 20 and 200, at `--memory-years`, a shortened horizon so that 200
replications take a minute or so) and reports its peak traced Python allocation
(tracemalloc) and its peak resident set (ru_maxrss), workers excluded. Targets: slopes
within 0.9-1.1, peak memory flat (at most 10% more at 200 than at 20).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model.world import simulate  # noqa: E402
from sim.scenario import load  # noqa: E402

FACTORS = (1, 2, 4)
SLOPE_RANGE = (0.9, 1.1)
MEMORY_TARGET = 1.10
MEMORY_CODE = """
import json, resource, sys, tempfile, tracemalloc
from pathlib import Path
sys.path.insert(0, {root!r})
tracemalloc.start()
from sim.batch import Batch, run
from sim.executors import process_pool
from sim.scenario import load
scenario = load({root!r} + "/scenarios/status_quo.toml", {overrides!r})
with tempfile.TemporaryDirectory() as tmp, process_pool(2) as pool:
    tracemalloc.reset_peak()
    run(Batch([scenario], {n}, 1, Path(tmp) / "out"), pool)
    traced = tracemalloc.get_traced_memory()[1]
print(json.dumps({{"traced_peak_mb": traced / 2**20,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _times(model, fields: tuple[str, ...], f: int, **nested):
    """A copy of a frozen scenario model with numeric `fields` times f (ints stay ints;
    None, "unlimited" and inf stay as they are) and `nested` models replaced."""
    update = dict(nested)
    for name in fields:
        value = getattr(model, name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) \
                and value != math.inf:
            update[name] = value * f
    return model.model_copy(update=update)


def scaled(base_years: float, fleet: int, horizon: int):
    """The status quo at `horizon` times the base horizon, without warm-up, and with the
    air force `fleet` times as large: every type's tails and deliveries, its pilots (count,
    elite, cadre, intake, conversions), its shops (repair channels, docks, depot slots), its
    spares (initial stock, supply rates and batches), its fleet-hour cap, and every fuel's
    stock, reserve and channels, so that each tail lives in the same world. Set on the
    validated scenario (the counts leave the `[ranges]` the file declares for them)."""
    scenario = load(ROOT / "scenarios" / "status_quo.toml",
                    [f"run.years={base_years * horizon}", "run.warmup_days=0"])
    if fleet == 1:
        return scenario
    f, types = fleet, {}
    for name, cfg in scenario.types.items():
        nested = {"repair": _times(cfg.repair, ("channels",), f),
                  "deliveries": [_times(d, ("count",), f) for d in cfg.deliveries],
                  "lrus": {k: _times(lru, ("initial_stock", "repair_channels"), f, supply={
                      c: _times(ch, ("units_per_year", "units"), f)
                      for c, ch in lru.supply.items()}) for k, lru in cfg.lrus.items()}}
        if cfg.pilots is not None:
            nested["pilots"] = _times(cfg.pilots, ("count", "intake_per_year", "elite",
                                                   "cadre_pilots"), f, conversions={
                c: _times(conv, ("pilots",), f) for c, conv in cfg.pilots.conversions.items()})
        if cfg.inspection is not None:
            nested["inspection"] = _times(cfg.inspection, ("docks",), f)
        if cfg.overhaul is not None:
            nested["overhaul"] = _times(cfg.overhaul, ("depot_slots",), f)
        types[name] = _times(cfg, ("count", "max_operating", "min_fmc", "fleet_hours_per_day",
                                   "max_fleet_hours_per_year"), f, **nested)
    fuel = {kind: _times(cfg, ("initial_t", "reserve_t"), f, channels={
        c: _times(ch, ("t_per_year", "cap_t_per_year"), f) for c, ch in cfg.channels.items()})
        for kind, cfg in scenario.fuel.items()}
    return scenario.model_copy(update={"types": types, "fuel": fuel})


def slope(factors, times) -> float:
    xs, ys = [math.log(f) for f in factors], [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def scaling(base_years: float, repeat: int) -> dict:
    scenarios = {("fleet", f): scaled(base_years, f, 1) for f in FACTORS[1:]}
    scenarios.update({("horizon", f): scaled(base_years, 1, f) for f in FACTORS[1:]})
    scenarios[("base", 1)] = scaled(base_years, 1, 1)  # factor 1 of both axes, timed once
    simulate(scenarios[("base", 1)], 0, 1)  # warm up (first-call costs, caches)
    walls: dict = {key: [] for key in scenarios}
    work: dict = {}
    for _ in range(repeat):
        for key, scenario in scenarios.items():
            start = time.process_time()  # CPU time: the cores are shared
            result = simulate(scenario, 0, 1)
            walls[key].append(time.process_time() - start)
            work[key] = (result.events, int(result.monthly["ALL"]["sorties"].sum()))
    out = {}
    for axis in ("fleet", "horizon"):
        walls[(axis, 1)], work[(axis, 1)] = walls[("base", 1)], work[("base", 1)]
        times = [statistics.median(walls[(axis, f)]) for f in FACTORS]
        out[axis] = {
            "factors": list(FACTORS), "cpu_s": [round(t, 3) for t in times],
            "events": [work[(axis, f)][0] for f in FACTORS],
            "sorties": [work[(axis, f)][1] for f in FACTORS],
            "slope_time": round(slope(FACTORS, times), 3),
            "slope_events": round(slope(FACTORS, [work[(axis, f)][0] for f in FACTORS]), 3),
            "slope_time_per_event": round(slope(FACTORS, [t / work[(axis, f)][0] for f, t
                                                          in zip(FACTORS, times)]), 3),
        }
    return out


def memory(n: int, years: float) -> dict:
    code = MEMORY_CODE.format(root=str(ROOT), n=n, overrides=[f"run.years={years}",
                                                               "run.warmup_days=0"])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=3.5, help="horizon at factor 1")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", type=int, nargs=2, default=[20, 200], metavar="N")
    parser.add_argument("--memory-years", type=float, default=1.0)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict = {"base_years": args.years, "repeat": args.repeat,
                     "load_before": round(os.getloadavg()[0], 2)}
    figures.update(scaling(args.years, args.repeat))
    ok = all(SLOPE_RANGE[0] <= figures[a]["slope_time"] <= SLOPE_RANGE[1]
             for a in ("fleet", "horizon"))
    if not args.skip_memory:
        low, high = args.memory
        figures["memory_years"] = args.memory_years
        figures[f"memory_{low}"] = {k: round(v, 1) for k, v in
                                    memory(low, args.memory_years).items()}
        figures[f"memory_{high}"] = {k: round(v, 1) for k, v in
                                     memory(high, args.memory_years).items()}
        ratios = {k: round(figures[f"memory_{high}"][k] / figures[f"memory_{low}"][k], 3)
                  for k in figures[f"memory_{low}"]}
        figures["memory_ratio"] = ratios
        ok = ok and ratios["maxrss_mb"] <= MEMORY_TARGET
    figures["load_after"] = round(os.getloadavg()[0], 2)
    figures["meets_targets"] = ok
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>14}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
