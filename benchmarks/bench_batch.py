"""Batch benchmark: throughput of the status_quo batch on 1 and 2 worker processes and on a
Dask LocalCluster, and the parent's peak memory at 20 and at 200 replications.

Targets (batch engine issue): 2 workers at least 1.8 times the throughput of 1 worker on a
2-core machine; a Dask LocalCluster within 20% of the process pool; the parent's peak
memory flat from 20 to 200 replications (here: at most 10% more). Run:

    python benchmarks/bench_batch.py            # about two minutes on 2 cores

Throughput is replications per second of wall time from the first task to the assembled
tables (executors are started beforehand). The machine is shared and noisy, so the figures
are ratios within one run: the two setups alternate, `--repeat` times, and each ratio is
the median over pairs. Memory is the peak resident set (ru_maxrss) of a fresh
`fleetsim run` process, workers excluded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPEEDUP_TARGET = 1.8
DASK_TARGET = 0.8
MEMORY_TARGET = 1.10


def throughput(pool, scenario, replications: int, folder: Path) -> float:
    """Replications per second of one batch into a new results directory."""
    from sim.batch import Batch, run

    out = Path(tempfile.mkdtemp(dir=folder))
    start = time.perf_counter()
    run(Batch([scenario], replications, 1, out), pool)
    return replications / (time.perf_counter() - start)


def paired(make_a, make_b, scenario, replications: int, repeat: int, folder: Path) -> dict:
    """Alternate two executors; the median ratio of their throughputs (b over a)."""
    rates_a, rates_b = [], []
    with make_a() as a, make_b() as b:
        throughput(a, scenario, 2, folder)  # warm both up (imports, first parts)
        throughput(b, scenario, 2, folder)
        for _ in range(repeat):
            rates_a.append(throughput(a, scenario, replications, folder))
            rates_b.append(throughput(b, scenario, replications, folder))
    ratios = [rb / ra for ra, rb in zip(rates_a, rates_b)]
    return {"rate_a": round(statistics.median(rates_a), 2),
            "rate_b": round(statistics.median(rates_b), 2),
            "ratio": round(statistics.median(ratios), 3)}


def peak_memory_mb(replications: int, years: float, folder: Path) -> float:
    """Peak RSS of a fresh batch process running `replications` with 2 workers."""
    out = Path(tempfile.mkdtemp(dir=folder))
    code = ("import resource, sys; from sim.cli import app\n"
            "try:\n    app(sys.argv[1:], standalone_mode=False)\n"
            "finally:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", code, "run", "status_quo", "-n",
                           str(replications), "--years", str(years), "-w", "2", "-q",
                           "-o", str(out)], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(proc.stdout.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=24,
                        help="replications per throughput batch")
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--memory", type=int, nargs=2, default=[20, 200], metavar="N")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    from sim.executors import cores, dask_cluster, process_pool
    from sim.scenario import load

    scenario = load(ROOT / "scenarios" / "status_quo.toml", [f"run.years={args.years}"])
    figures: dict = {"scenario": scenario.name, "years": args.years, "cores": cores(),
                     "replications": args.replications, "repeat": args.repeat,
                     "load_before": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        two = paired(lambda: process_pool(1), lambda: process_pool(2), scenario,
                     args.replications, args.repeat, folder)
        figures.update(rate_1_worker=two["rate_a"], rate_2_workers=two["rate_b"],
                       speedup_2_vs_1=two["ratio"])
        if not args.skip_dask:
            dask = paired(lambda: process_pool(2), lambda: dask_cluster("local", 2), scenario,
                          args.replications, args.repeat, folder)
            figures.update(rate_dask_local_2=dask["rate_b"], dask_vs_pool=dask["ratio"])
        low, high = args.memory
        figures[f"peak_mb_{low}"] = round(peak_memory_mb(low, args.years, folder), 1)
        figures[f"peak_mb_{high}"] = round(peak_memory_mb(high, args.years, folder), 1)
    figures["load_after"] = round(os.getloadavg()[0], 2)  # other users of the cores
    memory_ratio = figures[f"peak_mb_{high}"] / figures[f"peak_mb_{low}"]
    figures["memory_ratio"] = round(memory_ratio, 3)
    ok = (figures["speedup_2_vs_1"] >= SPEEDUP_TARGET and memory_ratio <= MEMORY_TARGET
          and figures.get("dask_vs_pool", 1.0) >= DASK_TARGET)
    figures.update(targets={"speedup_2_vs_1": SPEEDUP_TARGET, "dask_vs_pool": DASK_TARGET,
                            "memory_ratio": MEMORY_TARGET}, meets_targets=ok)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
