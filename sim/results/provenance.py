"""Provenance: which code and which scenario made a result.

The code revision is `git describe` when fleetsim runs from a checkout, its package version
otherwise; it is recorded for the reader. What decides whether results can be mixed is the
code hash: a SHA-256 of the source files that determine a replication's numbers (the model,
the random streams and the part encoder). A scenario's hash is a SHA-256 of its resolved
content (every default filled in), so two files that resolve alike hash alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from pathlib import Path

from .. import __version__

PACKAGE = Path(__file__).resolve().parent.parent
# the sources a replication's numbers depend on (relative to the package directory)
CODE = ("model/*.py", "rng.py", "results/parts.py")


@functools.cache
def code_hash() -> str:
    """SHA-256 over the model's source files, by relative path, in sorted order."""
    digest = hashlib.sha256()
    files = sorted({p for pattern in CODE for p in PACKAGE.glob(pattern)})
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def code_revision() -> str:
    """`git describe --always --dirty` of the checkout fleetsim runs from, else its version."""
    try:
        done = subprocess.run(["git", "-C", str(PACKAGE), "describe", "--always", "--dirty",
                               "--tags"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return __version__
    text = done.stdout.strip()
    return f"git {text}" if done.returncode == 0 and text else __version__


def scenario_hash(resolved: dict) -> str:
    """SHA-256 of a resolved scenario's plain JSON data (keys sorted)."""
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
