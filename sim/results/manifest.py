"""What a batch was: the manifest's content (the STRESS-DES reporting checklist).

Strong Reporting of Simulation Studies asks a run to state its software and computing
environment, its random-number seeds, its run length and warm-up, its number of
replications and how it was chosen, and what the run cost. The manifest holds these, the
resolved scenarios (every default filled in), and each replication's seed, events and wall
time; together with the scenario files it is enough to reproduce every number.

The identity of a batch (fleetsim version, code hash, root seed, resolved scenarios in
order) decides whether a results directory can be resumed; the code revision (git describe,
or the package version) is recorded beside it for the reader.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sys
from importlib import metadata

from .. import __version__
from ..scenario import Scenario
from . import provenance

DEPENDENCIES = ("simpy", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "typer", "rich",
                "dask", "distributed")
SEEDING = ("replication k of every scenario draws from numpy PCG64 streams seeded with"
           " SeedSequence(root_seed, spawn_key=(k, stream_key(name))), one per named stream"
           " (common random numbers across scenarios)")


def versions() -> dict[str, str]:
    out = {"fleetsim": __version__, "python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def environment() -> dict:
    return {"platform": platform.platform(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "python_implementation": platform.python_implementation()}


def jsonable(value):
    """Plain JSON data: infinities as text, dates in ISO format, tuples as lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def identity(scenarios: list[Scenario], root_seed: int) -> dict:
    """What a results directory must match to be resumed."""
    return {"version": __version__, "code": provenance.code_hash(), "root_seed": root_seed,
            "scenarios": {s.name: jsonable(s.model_dump(mode="python")) for s in scenarios}}


def mismatch(stored: dict, wanted: dict) -> str | None:
    """The first difference between a stored manifest and a batch identity, in words."""
    if stored.get("tool") != "fleetsim":
        return "it was not made by fleetsim"
    if stored["version"] != wanted["version"]:
        return f"it was made by fleetsim {stored['version']}, this is {wanted['version']}"
    if stored.get("code") != wanted["code"]:
        made = stored.get("revision") or "code without a recorded hash"
        return (f"it was made by other code ({made}, model hash"
                f" {str(stored.get('code'))[:12]}; this is {provenance.code_revision()},"
                f" {wanted['code'][:12]})")
    if stored["root_seed"] != wanted["root_seed"]:
        return f"it was made with --seed {stored['root_seed']}, not {wanted['root_seed']}"
    old, new = stored["scenarios"], wanted["scenarios"]
    if list(old) != list(new):
        return f"it holds scenarios {', '.join(old)}, not {', '.join(new)}"
    for name in new:
        key = first_difference(old[name], new[name])
        if key is not None:
            return f"scenario '{name}' differs at {key or 'its top level'}"
    return None


def first_difference(a, b, prefix: str = "") -> str | None:
    """The dotted key of the first difference between two JSON trees, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(dict.fromkeys([*a, *b])):
            where = f"{prefix}.{key}" if prefix else str(key)
            if key not in a or key not in b:
                return where
            found = first_difference(a[key], b[key], where)
            if found is not None:
                return found
        return None
    return None if a == b else prefix


def start(scenarios: list[Scenario], root_seed: int, replications: int, created: str | None,
          extra: dict) -> dict:
    """The manifest of a batch that starts (or resumes)."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return {
        "tool": "fleetsim",
        **identity(scenarios, root_seed),
        "revision": provenance.code_revision(),
        "scenario_sha256": {s.name: provenance.scenario_hash(jsonable(s.model_dump(mode="python")))
                            for s in scenarios},
        "versions": versions(),
        "environment": environment(),
        "command": sys.argv,
        "created": created or now,
        "updated": now,
        "status": "running",
        "seeding": SEEDING,
        "replications": replications,
        "horizon_days": {s.name: s.run.horizon_days for s in scenarios},
        "warmup_days": {s.name: s.run.warmup_days for s in scenarios},
        **extra,
        "runs": [],
        "failures": [],
    }
