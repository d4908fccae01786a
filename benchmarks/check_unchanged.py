"""Results unchanged: the replication values and monthly series of scenarios at a base
revision and at the work tree (or `--head`), compared bit for bit.

    python benchmarks/check_unchanged.py --base 17829cb
    python benchmarks/check_unchanged.py --base 17829cb --replications 4 --seed 20230101 \
        --scenarios status_quo russian_transfer
    python benchmarks/check_unchanged.py --compiled build/compiled   # pure vs compiled

Each revision is run in a fresh process from its own checkout (a temporary git worktree),
`simulate(scenario, k, seed)` for k in 0..replications-1. With `--compiled DIR` the base is
the work tree as pure Python and the head the compiled copy of the package at `DIR/sim`
(`python -m sim.build_compiled --out DIR`, built first when DIR holds none; each run checks
that it imported the model it should: `.py` files, or extension modules), on the work
tree's scenario files. Every `values[group][metric]` and every monthly array (NaN-aware, `np.array_equal(..., equal_nan=True)`), the months, the
surge rows and the event counts (reported, not required) are compared. Exit status 0 when
the values and series are identical, 1 otherwise. Speed work must pass this unchanged.
"""

from __future__ import annotations

import argparse
import math
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RUNNER = """
import pickle, sys
sys.path.insert(0, {package!r})
from sim.scenario import load
from sim.model.world import simulate
import sim.model.flying
if {compiled!r} is not None:  # the model imported is the one meant: compiled or not
    assert sim.model.flying.__file__.endswith(".py") != {compiled!r}, sim.model.flying.__file__
out = {{}}
for name in {scenarios!r}:
    scenario = load({root!r} + "/scenarios/" + name + ".toml")
    for k in range({replications}):
        r = simulate(scenario, k, {seed})
        out[(name, k)] = (r.values, r.monthly, r.months, r.surge_daily, r.events)
with open({path!r}, "wb") as f:
    pickle.dump(out, f)
"""


def run_at(root: Path, scenarios: list[str], replications: int, seed: int, path: Path,
           package: Path | None = None, compiled: bool | None = None) -> dict:
    """The results of the package at `package` (default: `root`'s), on `root`'s scenario
    files; with `compiled` True or False the run checks the model's modules are (not)
    extension modules."""
    code = RUNNER.format(root=str(root), package=str(package or root), compiled=compiled,
                         scenarios=scenarios, replications=replications, seed=seed,
                         path=str(path))
    subprocess.run([sys.executable, "-c", code], check=True)
    with open(path, "rb") as f:
        return pickle.load(f)


def same_value(a: float, b: float) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a)
                      and math.isnan(b))


def compare(base: dict, head: dict) -> list[str]:
    """Every difference between two runs, as lines of text (empty: identical)."""
    diffs = []
    for key in sorted(set(base) | set(head)):
        if key not in base or key not in head:
            diffs.append(f"{key}: only in one run")
            continue
        (bv, bm, bmonths, bsurge, _), (hv, hm, hmonths, hsurge, _) = base[key], head[key]
        if bmonths != hmonths:
            diffs.append(f"{key}: months differ")
        if bsurge != hsurge:
            diffs.append(f"{key}: surge rows differ")
        for label, b, h in (("values", bv, hv), ("monthly", bm, hm)):
            if set(b) != set(h):
                diffs.append(f"{key} {label}: groups differ {set(b) ^ set(h)}")
            for group in sorted(set(b) & set(h)):
                if set(b[group]) != set(h[group]):
                    diffs.append(f"{key} {label} {group}: metrics differ "
                                 f"{sorted(set(b[group]) ^ set(h[group]))}")
                for metric in sorted(set(b[group]) & set(h[group])):
                    x, y = b[group][metric], h[group][metric]
                    ok = same_value(x, y) if label == "values" else \
                        np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True)
                    if not ok:
                        diffs.append(f"{key} {label} {group}.{metric}: {x!r} != {y!r}"
                                     if label == "values" else
                                     f"{key} {label} {group}.{metric} differs")
    return diffs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=None, help="git revision to compare with")
    parser.add_argument("--head", default=None, help="git revision (default: the work tree)")
    parser.add_argument("--scenarios", nargs="+", default=["status_quo", "russian_transfer"])
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20230101)
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the base's results in this file and reuse them")
    parser.add_argument("--compiled", type=Path, default=None, metavar="DIR",
                        help="compare the work tree, pure Python, with its compiled copy at "
                             "DIR/sim (built there first if DIR holds none)")
    args = parser.parse_args()
    if (args.base is None) == (args.compiled is None):
        parser.error("give --base REV or --compiled DIR")
    if args.compiled is not None:
        return main_compiled(args)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roots = {}
        try:
            if args.cache is not None and args.cache.exists():
                with open(args.cache, "rb") as f:
                    base = pickle.load(f)
            else:
                roots["base"] = tmp / "base"
                subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q",
                                str(roots["base"]), args.base], check=True)
                base = run_at(roots["base"], args.scenarios, args.replications, args.seed,
                              args.cache or tmp / "base.pkl")
            if args.head:
                roots["head"] = tmp / "head"
                subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q",
                                str(roots["head"]), args.head], check=True)
            head = run_at(roots.get("head", ROOT), args.scenarios, args.replications,
                          args.seed, tmp / "head.pkl")
        finally:
            for path in roots.values():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(path)], check=False)
    return report(base, head, f"base {args.base} vs head {args.head or 'work tree'}", args)


def main_compiled(args) -> int:
    """The work tree as pure Python against its compiled copy, on the same scenarios."""
    if args.head:
        sys.exit("--compiled compares the work tree: no --head")
    out = args.compiled.resolve()
    sys.path.insert(0, str(ROOT))
    from sim.build_compiled import MODULES, build, stale
    if not (out / "sim").exists():
        print(f"building the compiled copy in {out} ...", flush=True)
        build(out)
    elif stale(out):
        print(f"the compiled copy in {out} is older than the work tree's sources: "
              f"{', '.join(stale(out))}; rebuild it (python -m sim.build_compiled --out {out})")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = run_at(ROOT, args.scenarios, args.replications, args.seed, tmp / "pure.pkl",
                      compiled=False)
        head = run_at(ROOT, args.scenarios, args.replications, args.seed, tmp / "comp.pkl",
                      package=out, compiled=True)
    return report(base, head, f"pure work tree vs compiled copy {out} ({len(MODULES)} "
                  f"modules compiled)", args)


def report(base: dict, head: dict, title: str, args) -> int:
    diffs = compare(base, head)
    n_values = sum(len(ms) for v, *_ in base.values() for ms in v.values())
    n_series = sum(len(ms) for _, m, *_ in base.values() for ms in m.values())
    events = [(k, base[k][4], head[k][4]) for k in sorted(base) if k in head]
    print(f"{title}: scenarios {args.scenarios}, replications {args.replications}, seed {args.seed}")
    print(f"compared {n_values} values and {n_series} monthly series")
    for key, b, h in events:
        print(f"  {key[0]} rep {key[1]}: events {b} -> {h}")
    if diffs:
        print(f"DIFFERENT: {len(diffs)} differences")
        for line in diffs[:40]:
            print("  " + line)
        return 1
    print("IDENTICAL: every value and monthly series equal (NaN-aware)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
