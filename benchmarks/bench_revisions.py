"""Cost of a status-quo replication at two code revisions, as a ratio measured in one run.

Each revision is checked out in a temporary git worktree; replications of its own
scenarios/status_quo.toml (by default 10 years) run in fresh processes, alternating between
the revisions, each timed inside its process (imports and scenario loading excluded). The
figure is the median over pairs of (this revision's wall time) / (the base's), so the noise
of a shared machine falls on both alike.

    python benchmarks/bench_revisions.py --base 1d428bb            # base vs the work tree
    python benchmarks/bench_revisions.py --base A --head B --pairs 9

Target (issue 9): the cost per replication within 20% of the start of the issue (ratio <= 1.2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMER = """
import json, sys, time
sys.path.insert(0, {root!r})
from sim.scenario import load
from sim.model.world import simulate
scenario = load({root!r} + "/scenarios/status_quo.toml", ["run.years={years}"])
start = time.perf_counter()
result = simulate(scenario, {rep}, 1)
print(json.dumps({{"wall": time.perf_counter() - start, "events": result.events,
                  "sorties": result.values["ALL"]["sorties"]}}))
"""


def checkout(revision: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(into),
                    revision], check=True)
    return into


def time_one(root: Path, years: float, rep: int) -> dict:
    code = TIMER.format(root=str(root), years=years, rep=rep)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare with")
    parser.add_argument("--head", default=None, help="git revision (default: the work tree)")
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = checkout(args.base, Path(tmp) / "base")
        head = checkout(args.head, Path(tmp) / "head") if args.head else ROOT
        try:
            pairs = []
            for rep in range(args.pairs):
                a, b = time_one(base, args.years, rep), time_one(head, args.years, rep)
                pairs.append((a, b))
        finally:
            for path in (base, head):
                if path != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                    str(path)], check=False)
    ratio = statistics.median(b["wall"] / a["wall"] for a, b in pairs)
    figures = {
        "base": args.base, "head": args.head or "work tree", "years": args.years,
        "base_wall_s": round(statistics.median(a["wall"] for a, _ in pairs), 3),
        "head_wall_s": round(statistics.median(b["wall"] for _, b in pairs), 3),
        "base_events": round(statistics.median(a["events"] for a, _ in pairs)),
        "head_events": round(statistics.median(b["events"] for _, b in pairs)),
        "base_sorties": round(statistics.median(a["sorties"] for a, _ in pairs)),
        "head_sorties": round(statistics.median(b["sorties"] for _, b in pairs)),
        "cost_ratio": round(ratio, 3), "target": 1.2, "load_average": os.getloadavg()[0],
    }
    figures["meets_target"] = ratio <= 1.2
    for key, value in figures.items():
        print(f"{key:>14}: {value}")
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
