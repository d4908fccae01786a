"""The results directory on disk: lock, identity, resume and atomic writes.

A directory belongs to one batch definition: the fleetsim version, the root seed and the
resolved scenarios, in order (its identity, kept in the manifest). Running the same batch
again resumes it: every replication whose part is on disk is kept. A directory made by
another batch is refused unless the caller forces its replacement. A lock keeps two
processes from writing to one directory; the operating system drops it if the process dies.

Every file is written under a temporary name and renamed into place, so a reader (or a
resumed batch) never sees half a file, whenever the writer is killed.

A part or failure record that fails its check (see `parts.check`) is set aside: moved to
`parts/quarantine/` with a line in `parts/quarantine/quarantine.log` saying why, so that its
replication runs again and the file stays there for a look.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from pathlib import Path
from urllib.parse import quote

from . import parts

MANIFEST = "manifest.json"
FINAL = ("replications.parquet", "timeseries.parquet", "summary.csv", "sweep.csv")
PARTS = "parts"
LOCK = ".lock"
TMP_MARK = ".tmp-"
QUARANTINE = "quarantine"


class StoreError(Exception):
    """A results directory that cannot be used, in one line naming the directory."""


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, rename it over."""
    tmp = temporary(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise


def temporary(path: Path) -> Path:
    """The temporary name under which `path` is written before it is renamed."""
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")


def write_json(path: Path, data: dict) -> None:
    atomic_write(path, json.dumps(data, indent=2, allow_nan=True) + "\n")


class ResultsDir:
    """An open, locked results directory."""

    def __init__(self, path: Path, lock_fd: int):
        self.path, self._lock_fd = Path(path), lock_fd

    @classmethod
    def open(cls, path: Path, identity: dict, mismatch, force: bool = False) -> ResultsDir:
        """Open `path` for the batch `identity`, creating it or checking it can be resumed.

        `mismatch(stored_manifest, identity)` names the first difference, or returns None.
        """
        path = Path(path)
        try:
            if path.exists() and not path.is_dir():
                raise StoreError(f"{path}: not a directory; choose another --out")
            path.mkdir(parents=True, exist_ok=True)
            lock = _lock(path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot be written ({exc.strerror or exc});"
                             " choose another --out") from None
        store = cls(path, lock)
        try:
            store._check(identity, mismatch, force)
            store._remove_temporaries()
        except BaseException:
            store.close()
            raise
        return store

    def _check(self, identity: dict, mismatch, force: bool) -> None:
        manifest = self.path / MANIFEST
        if not manifest.exists():
            foreign = [p.name for p in self.path.iterdir() if p.name not in (LOCK, PARTS)]
            if foreign:
                raise StoreError(f"{self.path}: not a fleetsim results directory (no {MANIFEST}"
                                 f" but {foreign[0]}); choose another --out")
            return
        try:
            stored = json.loads(manifest.read_text())
            why = mismatch(stored, identity)
        except (ValueError, KeyError, TypeError, AttributeError, OSError):
            why = f"its {MANIFEST} cannot be read"
        if why and not force:
            raise StoreError(f"{self.path}: {why}; use --force to replace it, or --out elsewhere")
        if force:
            self._wipe()

    def _wipe(self) -> None:
        shutil.rmtree(self.path / PARTS, ignore_errors=True)
        for name in (MANIFEST, *FINAL):
            (self.path / name).unlink(missing_ok=True)

    def _remove_temporaries(self) -> None:
        """Half-written files of a killed batch (never visible under their final name)."""
        for folder in [self.path, *self._scenario_dirs()]:
            for p in folder.iterdir():
                if p.name.startswith(".") and TMP_MARK in p.name:
                    p.unlink(missing_ok=True)

    def _scenario_dirs(self) -> list[Path]:
        folder = self.path / PARTS
        return [p for p in folder.iterdir() if p.is_dir() and p.name != QUARANTINE] \
            if folder.exists() else []

    def close(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    # ---- parts and failures of each replication

    def scenario_dir(self, scenario: str) -> Path:
        return self.path / PARTS / quote(scenario, safe="")

    def part_path(self, scenario: str, replication: int) -> Path:
        return self.scenario_dir(scenario) / f"{replication:06d}.parquet"

    def failure_path(self, scenario: str, replication: int) -> Path:
        return self.scenario_dir(scenario) / f"{replication:06d}.failed.json"

    def finished(self, scenario: str) -> set[int]:
        """Replications of `scenario` whose part is on disk."""
        return self._numbers(scenario, ".parquet")

    def failures(self, scenario: str) -> dict[int, dict]:
        """Failure records of `scenario`, by replication (as checked by `audit`)."""
        out = {}
        for k in sorted(self._numbers(scenario, ".failed.json")):
            try:
                out[k] = json.loads(self.failure_path(scenario, k).read_text())
            except (OSError, ValueError):
                continue  # set aside by the next audit
        return out

    def audit(self, scenario: str, wanted) -> list[str]:
        """Check every part and failure record of `scenario` against `wanted(k)`, its
        identity; set aside each one that fails. Returns the lines saying why."""
        lines = []
        for k in sorted(self.finished(scenario)):
            path = self.part_path(scenario, k)
            try:
                parts.read_record(path, wanted(k))
            except parts.Corrupt as exc:
                lines.append(self.quarantine(scenario, path, str(exc)))
        for k in sorted(self._numbers(scenario, ".failed.json")):
            path = self.failure_path(scenario, k)
            try:
                record = json.loads(path.read_text())
                why = parts.mismatch(record.get("identity") or {}, wanted(k)) \
                    if isinstance(record, dict) else "it is not a failure record"
            except (OSError, ValueError) as exc:
                why = f"it cannot be read ({type(exc).__name__})"
            if why:
                lines.append(self.quarantine(scenario, path, why))
        return lines

    def quarantine(self, scenario: str, path: Path, why: str) -> str:
        """Move `path` to parts/quarantine/ and log why; the line logged is returned."""
        folder = self.path / PARTS / QUARANTINE
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{quote(scenario, safe='')}@{path.name}"
        i = 1
        while target.exists():
            target = folder / f"{quote(scenario, safe='')}@{path.name}.{i}"
            i += 1
        os.replace(path, target)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        line = f"{scenario} {path.name}: {why} (moved to {PARTS}/{QUARANTINE}/{target.name})"
        with open(folder / "quarantine.log", "a") as log:
            log.write(f"{now} {line}\n")
        return line

    def _numbers(self, scenario: str, suffix: str) -> set[int]:
        folder = self.scenario_dir(scenario)
        if not folder.exists():
            return set()
        return {int(p.name[:-len(suffix)]) for p in folder.iterdir()
                if p.name.endswith(suffix) and p.name[:-len(suffix)].isdigit()}

    def save_part(self, scenario: str, replication: int, data: bytes) -> None:
        folder = self.scenario_dir(scenario)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.part_path(scenario, replication), data)
        self.failure_path(scenario, replication).unlink(missing_ok=True)

    def save_failure(self, scenario: str, replication: int, record: dict) -> None:
        self.scenario_dir(scenario).mkdir(parents=True, exist_ok=True)
        write_json(self.failure_path(scenario, replication), record)

    def forget_failures(self) -> None:
        """Drop every failure record, so that the failed replications run again."""
        for folder in self._scenario_dirs():
            for p in folder.glob("*.failed.json"):
                p.unlink()

    # ---- manifest and final tables

    def write_manifest(self, manifest: dict) -> None:
        write_json(self.path / MANIFEST, manifest)

    def read_manifest(self) -> dict | None:
        """The manifest of the batch resumed here (None for a new directory)."""
        path = self.path / MANIFEST
        return json.loads(path.read_text()) if path.exists() else None

    def write_csv(self, name: str, frame) -> None:
        """Write a (small, pandas) table as `<out>/<name>`."""
        atomic_write(self.path / name, frame.to_csv(index=False))

    def remove_final(self) -> None:
        """Remove tables assembled by an earlier run: they are rebuilt at the end."""
        for name in FINAL:
            (self.path / name).unlink(missing_ok=True)


def _lock(path: Path) -> int:
    fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise StoreError(f"{path}: another fleetsim batch (pid {holder}) is writing to it;"
                         f" wait for it to finish or choose another --out") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd
