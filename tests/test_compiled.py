"""The optional compiled build (`python -m sim.build_compiled`) computes exactly what the
pure-Python package does: short replications run from the pure package and from a compiled
copy, each in its own process, agree bit for bit (every value, every monthly series, the
surge rows and the event count).

Skipped when Cython is not installed (the `test` extra pulls it in). The copy is built into
a temporary directory (about two minutes on two cores); `FLEETSIM_COMPILED=DIR` uses a copy
already built in DIR instead, if it is up to date with the work tree's sources.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from sim.build_compiled import MODULES, build, stale

from .helpers import ROOT, SCENARIOS

TESTS = ROOT / "tests" / "scenarios"
# the compiled modules that have a Python source (cqueue is written for Cython only)
PY_MODULES = [m for m in MODULES if (ROOT / "sim" / f"{m}.py").exists()]
RUNS = [  # (scenario file, overrides, replications)
    (SCENARIOS / "status_quo.toml", ["run.years=2", "run.warmup_days=0"], 1),
    (SCENARIOS / "russian_transfer.toml", ["run.years=2", "run.warmup_days=0"], 1),
    (TESTS / "tiny.toml", [], 2),
    (TESTS / "tiny_b.toml", [], 2),
]
RUNNER = """
import importlib, pickle, sys
from sim.model.world import simulate
from sim.scenario import load
modules = [importlib.import_module("sim." + m.replace("/", ".")) for m in {modules!r}]
files = [m.__file__ for m in modules]
out = {{"files": files}}
for path, overrides, n in {runs!r}:
    scenario = load(path, overrides)
    for k in range(n):
        r = simulate(scenario, k, {seed})
        out[(path, k)] = (r.values, r.monthly, r.months, r.surge_daily, r.events)
with open(sys.argv[1], "wb") as f:
    pickle.dump(out, f)
"""


@pytest.fixture(scope="module")
def compiled_dir(tmp_path_factory):
    pytest.importorskip("Cython", minversion="3")
    given = os.environ.get("FLEETSIM_COMPILED")
    if given:
        if stale(given):
            pytest.fail(f"FLEETSIM_COMPILED={given} is out of date: {stale(given)}")
        return given
    out = tmp_path_factory.mktemp("compiled")
    build(out)
    return out


def _results(package, path, seed=20230101) -> dict:
    code = RUNNER.format(modules=PY_MODULES, seed=seed,
                         runs=[(str(p), o, n) for p, o, n in RUNS])
    env = {**os.environ, "PYTHONPATH": str(package)}
    done = subprocess.run([sys.executable, "-c", code, str(path)], env=env, cwd=path.parent,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(path, "rb") as f:
        return pickle.load(f)


def _differences(a: dict, b: dict) -> list[str]:
    """Every difference between two runs' results (empty: bit for bit the same)."""
    diffs = []
    for key in a:
        if key == "files":
            continue
        (av, am, amonths, asurge, aevents), (bv, bm, bmonths, bsurge, bevents) = a[key], b[key]
        if (amonths, asurge, aevents) != (bmonths, bsurge, bevents):
            diffs.append(f"{key}: months, surge rows or events")
        if av.keys() != bv.keys() or am.keys() != bm.keys():
            diffs.append(f"{key}: groups")
            continue
        for group in av:
            if av[group].keys() != bv[group].keys():
                diffs.append(f"{key} {group}: metrics")
                continue
            for metric, x in av[group].items():
                y = bv[group][metric]
                if not (x == y or (np.isnan(x) and np.isnan(y))):
                    diffs.append(f"{key} values {group}.{metric}: {x!r} != {y!r}")
            for metric, xs in am[group].items():
                if not np.array_equal(xs, bm[group][metric], equal_nan=True):
                    diffs.append(f"{key} monthly {group}.{metric}")
    return diffs


@pytest.fixture(scope="module")
def pure(tmp_path_factory):
    return _results(ROOT, tmp_path_factory.mktemp("pure") / "pure.pkl")


@pytest.mark.slow
def test_the_compiled_copy_gives_the_pure_packages_results_bit_for_bit(compiled_dir, pure,
                                                                         tmp_path):
    compiled = _results(compiled_dir, tmp_path / "compiled.pkl")
    # each process ran the package it should: the source files, or the extension modules
    assert all(f.endswith(".py") and f.startswith(str(ROOT)) for f in pure["files"])
    assert not any(f.endswith(".py") for f in compiled["files"]), compiled["files"]
    assert all(f.startswith(str(compiled_dir)) for f in compiled["files"])
    assert len(pure) == len(compiled) == 1 + sum(n for *_, n in RUNS)
    assert _differences(pure, compiled) == []


@pytest.mark.slow
def test_the_comparison_sees_a_difference(pure, tmp_path):
    """Not vacuous: another seed's results differ in many values."""
    other = _results(ROOT, tmp_path / "other.pkl", seed=7)
    assert len(_differences(pure, other)) > 100


QUEUE_CHECK = """
import random
from sim.model import cqueue, events
assert events.Queue is cqueue.Queue, events.Queue  # the compiled build runs the C heap
rng = random.Random(5)
c, h = cqueue.Queue(), events.HeapQueue()
popped = 0
for step in range(20000):
    if rng.random() < 0.55 or not len(h):
        # ties on purpose: few distinct times (ints and floats alike) and priorities
        now = rng.choice([rng.randint(0, 40), rng.randint(0, 40) / 2, rng.random() * 40])
        priority, value = rng.randint(-3, 1), object()
        callback = None if rng.random() < 0.1 else print
        if rng.random() < 0.5:
            c.push(now, priority, callback, value)
            h.push(now, priority, callback, value)
        else:  # after a delay from the clock (the time an entry would have set)
            c.now = h.now = rng.choice([rng.randint(0, 20), rng.random() * 20])
            c.call(now, callback, value, priority)
            h.call(now, callback, value, priority)
    else:
        a, b = c.pop(), h.pop()
        assert a[0] == b[0] and type(a[0]) is type(b[0]), (step, a, b)
        assert a[1] is b[1] and a[2] is b[2], (step, a, b)
        popped += 1
    assert len(c) == len(h) and c.scheduled == h.scheduled
    if len(h):
        assert c.first_time() == h.first_time()
while len(h):
    assert c.pop()[2] is h.pop()[2]
    popped += 1
from sim.model import aircrew
assert aircrew.PilotQueue is cqueue.PilotQueue
c, h, turn = cqueue.PilotQueue(), aircrew.PilotHeapQueue(), 0
for step in range(20000):
    if rng.random() < 0.55 or not len(h):
        key, pilot, turn = rng.randint(0, 30) / 4, object(), turn + 1
        c.push(key, turn, pilot)
        h.push(key, turn, pilot)
    elif rng.random() < 0.02:  # the monthly rebuild
        entries = [(k + rng.random(), t, p) for k, t, p in h.entries() if rng.random() < 0.9]
        c, h = cqueue.PilotQueue(entries), aircrew.PilotHeapQueue(list(entries))
    else:
        assert c.first() is h.first()
        assert c.pop() is h.pop(), step
        popped += 1
    assert len(c) == len(h)
    assert sorted(c.entries(), key=lambda e: e[1]) == sorted(h.entries(), key=lambda e: e[1])
print(popped)
"""


@pytest.mark.slow
def test_the_compiled_queues_pop_in_the_pure_queues_order(compiled_dir, tmp_path):
    """The C heaps (sim/model/cqueue.pyx) against the pure ones on 20,000 random pushes and
    pops each, with many equal keys: the event queue against `HeapQueue` (many equal times
    and priorities, pushed at a time or with `call` after a delay from the clock; the same
    entries in the same order, at times of the same value and type: an int time stays an
    int on the clock), the pilots' queue against `PilotHeapQueue` (equal keys,
    monthly rebuilds)."""
    env = {**os.environ, "PYTHONPATH": str(compiled_dir)}
    done = subprocess.run([sys.executable, "-c", QUEUE_CHECK], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout) > 10000
