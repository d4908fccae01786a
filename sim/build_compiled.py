"""The optional compiled build: a copy of the `sim` package whose hot modules are compiled
with Cython (issue 15, speed for experiments).

    pip install -e ".[compiled]"                 # Cython and a C compiler (gcc, clang)
    python -m sim.build_compiled --out build/compiled
    PYTHONPATH=build/compiled fleetsim ...       # or python -m sim ..., or any script

What is compiled: the model's event loop and the modules a replication spends its time in
(`MODULES`: the environment and its loop, the flying programme and its sorties, the pilots,
maintenance, the fleet's states, failures, the ledger's levels and counters, parts, the
scheduled maintenance, fuel, planning and the random-number blocks), and nothing else: the
scenario schema, the batch machinery, analysis and reports stay Python. Why: a replication
costs about ten bare SimPy timeouts per sortie of pure-Python work spread over those
modules (benchmarks/README.md), which micro-optimisation no longer reduces; compiling them
removes the interpreter's dispatch around that work.

How: the source files are compiled unchanged, in Cython's pure-Python mode, with
`annotation_typing=False`, so that the annotations keep their Python meaning (a `float`
argument stays whatever object it is given) and the compiled code computes exactly what the
interpreter does, bit for bit (`benchmarks/check_unchanged.py --compiled DIR`,
tests/test_compiled.py). One module is written for Cython and has no Python twin:
`model/cqueue.pyx`, the environment's queue of future events as a heap of C structs, which
`sim.model.events` takes in place of its `HeapQueue` when it is there (the same entries in
the same (time, priority, eid) order). Where a hot function declares C types for the compiler
(`cython.locals`, from `sim.model._cython`), they are types whose arithmetic is the
interpreter's (C doubles are IEEE doubles, as Python floats are); run as Python, those
declarations do nothing.

The build writes a complete copy of the `sim` package to `OUT/sim`, the extension modules
(`.so`) beside their `.py` files (Python imports an extension module before a source file
of the same name); the checkout itself gets no compiled file. The pure package stays the
default: `pip install -e .` compiles nothing, and the compiled copy is used only where
`OUT` comes first on `sys.path` (`PYTHONPATH=OUT`). Rebuild after changing the source.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import os
import shutil
import sys
import sysconfig
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parent  # the `sim` package to copy

# the compiled modules, relative to the package (the hot ones: see the module docstring);
# `model/cqueue` is the one written in Cython (a .pyx), the C heap of the event queue
MODULES = ("model/cqueue", "model/events", "model/flying", "model/aircrew", "model/maintenance",
           "model/fleet", "model/failures", "model/metrics", "model/parts",
           "model/scheduled", "model/fuel", "model/planning", "model/supply", "rng")

# Python semantics everywhere: annotations are not C types, integer division, `**` and `%`
# behave as in Python, and errors raise as they do there
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "binding": True,
              "cdivision": False, "cpow": False, "embedsignature": True}

# no fused multiply-add or other reassociation: every floating-point operation rounds as
# the interpreter's does
CFLAGS = ["-O2", "-ffp-contract=off", "-fno-fast-math", "-Wno-unused-function",
          "-Wno-unreachable-code"]


def build(out: Path, source: Path = SOURCE, modules: tuple[str, ...] = MODULES,
          jobs: int | None = None, quiet: bool = True) -> Path:
    """Copy the package at `source` to `out/sim` and compile `modules` there; return the
    copy's directory. An existing copy at `out/sim` is replaced."""
    try:
        from Cython.Build import cythonize
    except ImportError as exc:  # pragma: no cover - the message is the point
        raise SystemExit("the compiled build needs Cython: pip install -e \".[compiled]\"") \
            from exc
    from setuptools import Distribution, Extension

    out = Path(out).resolve()
    dest = out / "sim"
    if dest.exists():
        shutil.rmtree(dest)
    # a full copy (sim/scenarios, a link to the checkout's scenarios/, becomes files)
    shutil.copytree(source, dest, symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c", "*.pyd"))
    extensions = [Extension("sim." + name.replace("/", "."), [str(_source_file(dest, name))],
                            extra_compile_args=CFLAGS) for name in modules]
    jobs = jobs or os.cpu_count() or 1
    ext_modules = cythonize(extensions, compiler_directives=DIRECTIVES, nthreads=jobs,
                            quiet=quiet, build_dir=str(out / "build" / "cython"))
    dist = Distribution({"name": "fleetsim-compiled", "ext_modules": ext_modules,
                         "script_args": ["build_ext"]})
    cmd = dist.get_command_obj("build_ext")
    cmd.build_lib = str(out)  # sim/model/flying.<suffix> lands beside flying.py
    cmd.build_temp = str(out / "build" / "temp")
    cmd.parallel = jobs
    if quiet:
        from distutils import log  # setuptools' vendored distutils
        log.set_verbosity(0)
    cmd.ensure_finalized()
    cmd.run()
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    missing = [name for name in modules if not (dest / f"{name}{suffix}").exists()]
    if missing:
        raise RuntimeError(f"not compiled: {missing}")
    return dest


def _source_file(package: Path, name: str) -> Path:
    """A compiled module's source: its .pyx (written for Cython), or else its .py."""
    pyx = package / f"{name}.pyx"
    return pyx if pyx.exists() else package / f"{name}.py"


def stale(out: Path, source: Path = SOURCE) -> list[str]:
    """The package's source files (.py, .pxd, .pyx) whose copy in `out/sim` differs from
    `source`'s or is missing (empty: the copy is up to date)."""
    dest = Path(out) / "sim"
    return sorted(str(path.relative_to(source)) for pattern in ("*.py", "*.pxd", "*.pyx")
                  for path in source.rglob(pattern) if "__pycache__" not in path.parts
                  and (not (dest / path.relative_to(source)).exists()
                       or (dest / path.relative_to(source)).read_bytes() != path.read_bytes()))


def compiled(module) -> bool:
    """Whether an imported module is an extension module (the compiled build's)."""
    return not str(getattr(module, "__file__", "")).endswith(".py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True,
                        help="directory of the compiled copy (OUT/sim); use PYTHONPATH=OUT")
    parser.add_argument("--source", type=Path, default=SOURCE,
                        help="the `sim` package to copy (default: this one)")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="parallel Cython and C compiler jobs (default: the CPU count)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    dest = build(args.out, args.source, jobs=args.jobs, quiet=not args.verbose)
    print(f"compiled {len(MODULES)} modules of {dest} in {time.perf_counter() - start:.0f} s "
          f"(Python {sysconfig.get_python_version()}); use PYTHONPATH={args.out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
