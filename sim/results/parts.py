"""One replication's results as one Parquet file: a part.

A worker encodes the part right after the replication, so the parent only has to write its
bytes. The part holds the tidy rows of one replication, `aircraft_type, month, metric,
value`: first its values over the statistics window (month is null), then its monthly
values. Which replication it is, and what it cost, travel in the file's metadata. One file
per replication means that a replication is either entirely on disk or not at all.

A part carries its identity (scenario, replication, root seed, the scenario's content hash
and the code hash, see `provenance`) and a SHA-256 of its own bytes, kept in the Parquet
footer with the 64 hex digits of the hash itself counted as zeros. `check` refuses a part
whose bytes changed (flipped, truncated, empty) or that was made for another replication,
scenario, seed or code: a part that fails never enters a table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..model.world import ReplicationResult
from . import provenance

LABEL = pa.dictionary(pa.int32(), pa.string())
SCHEMA = pa.schema([("aircraft_type", LABEL), ("month", LABEL), ("metric", LABEL),
                    ("value", pa.float64())])
META_KEY = b"fleetsim.replication"
SURGE_KEY = b"fleetsim.surge_daily"  # rows of maximum-effort days, as JSON (usually absent)
SURGE_COLUMNS = ("aircraft_type", "date", "sorties", "fmc_at_dawn", "sorties_lost_no_aircraft",
                 "sorties_lost_no_pilot", "sorties_lost_no_fuel")
SHA_KEY = b"fleetsim.sha256"
PLACEHOLDER = b"0" * 64
IDENTITY = ("scenario", "replication", "root_seed", "scenario_sha256", "code")


class Corrupt(Exception):
    """A part (or failure record) that fails its check; the message says why."""


def identity(scenario, replication: int, root_seed: int) -> dict:
    """What a part of `replication` of `scenario` under `root_seed` must say it is."""
    from .manifest import jsonable

    return {"scenario": scenario.name, "replication": replication, "root_seed": root_seed,
            "scenario_sha256": provenance.scenario_hash(jsonable(
                scenario.model_dump(mode="python"))),
            "code": provenance.code_hash()}


def mismatch(found: dict, wanted: dict) -> str | None:
    """The first identity field in which `found` differs from `wanted`, in words."""
    for key in IDENTITY:
        if found.get(key) != wanted[key]:
            words = {"scenario_sha256": "scenario content", "code": "code"}.get(key, key)
            got = found.get(key)
            got = got[:12] if isinstance(got, str) and len(got) == 64 else got
            want = wanted[key][:12] if isinstance(wanted[key], str) and len(wanted[key]) == 64 \
                else wanted[key]
            return f"made for {words} {got}, not {want}"
    return None


@dataclass(frozen=True)
class Part:
    """A part read back: its record (scenario, replication, seed, events, wall_seconds),
    its window values (aircraft_type, metric, value) and its monthly values."""

    record: dict
    values: pa.Table
    monthly: pa.Table
    surge_daily: list = ()


def encode(result: ReplicationResult, wall_seconds: float, scenario=None) -> bytes:
    """The part of a finished replication, as Parquet bytes (with its identity when the
    scenario is given)."""
    labels = _Labels()
    window = [(labels.type(t), labels.metric(m), v)
              for t, metrics in result.values.items() for m, v in metrics.items()]
    series = [(labels.type(t), labels.metric(m), a)
              for t, metrics in result.monthly.items() for m, a in metrics.items()]
    months = len(result.months)
    w_type, w_metric, w_value = (np.array(c) for c in zip(*window))
    s_type, s_metric, s_value = zip(*series)
    in_window = np.arange(len(window) + len(series) * months) < len(window)
    month = np.concatenate([np.zeros(len(window), np.int32),
                            np.tile(np.arange(months, dtype=np.int32), len(series))])
    columns = [
        _labels(np.concatenate([w_type, np.repeat(s_type, months)]), labels.types),
        pa.DictionaryArray.from_arrays(pa.array(month, mask=in_window), list(result.months)),
        _labels(np.concatenate([w_metric, np.repeat(s_metric, months)]), labels.metrics),
        pa.array(np.concatenate([w_value.astype(float), *s_value]), pa.float64()),
    ]
    record = _record(result, wall_seconds)
    if scenario is not None:
        record["identity"] = identity(scenario, result.replication, result.root_seed)
    meta = {META_KEY: json.dumps(record)}
    if result.surge_daily:
        meta[SURGE_KEY] = json.dumps([list(row) for row in result.surge_daily])
    table = pa.table(columns, schema=SCHEMA.with_metadata(meta))
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, table.schema, write_statistics=False) as writer:
        writer.write_table(table)
        writer.add_key_value_metadata({SHA_KEY: PLACEHOLDER})
    data = sink.getvalue().to_pybytes()
    at = data.rindex(PLACEHOLDER)
    return data[:at] + _digest(data).encode() + data[at + len(PLACEHOLDER):]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(data: bytes, wanted: dict | None = None) -> dict:
    """The record of a part's bytes, once its checksum (and identity) hold; else Corrupt."""
    if len(data) < 12 or data[:4] != b"PAR1" or data[-4:] != b"PAR1":
        raise Corrupt("it is not a whole Parquet file (empty, truncated or appended to)")
    try:
        meta = pq.ParquetFile(pa.BufferReader(data)).metadata.metadata or {}
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise Corrupt(f"its footer cannot be read ({_short(exc)})") from None
    sha = meta.get(SHA_KEY, b"")
    at = data.rfind(sha) if len(sha) == len(PLACEHOLDER) else -1
    if at < 0:
        raise Corrupt("it carries no checksum")
    if _digest(data[:at] + PLACEHOLDER + data[at + len(sha):]).encode() != sha:
        raise Corrupt("its checksum does not match its bytes")
    try:
        record = json.loads(meta[META_KEY])
    except (KeyError, ValueError):
        raise Corrupt("its record cannot be read") from None
    if wanted is not None:
        why = mismatch(record.get("identity") or {}, wanted)
        if why:
            raise Corrupt(why)
    return record


def read(path: Path, wanted: dict | None = None) -> Part:
    """Read a part back from disk, checked (see `check`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise Corrupt(f"it cannot be read ({exc.strerror or exc})") from None
    record = check(data, wanted)
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise Corrupt(f"its rows cannot be decoded ({_short(exc)})") from None
    if table.schema.remove_metadata() != SCHEMA:
        raise Corrupt("its columns are not those of a part")
    in_window = pc.is_null(table["month"])
    meta = table.schema.metadata
    return Part(record, table.filter(in_window).drop_columns(["month"]),
                table.filter(pc.invert(in_window)),
                json.loads(meta[SURGE_KEY]) if SURGE_KEY in meta else [])


def read_record(path: Path, wanted: dict | None = None) -> dict:
    """Only the checked record of a part, without decoding the rows."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise Corrupt(f"it cannot be read ({exc.strerror or exc})") from None
    return check(data, wanted)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:120] or type(exc).__name__


def _labels(indices: np.ndarray, names: list[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(indices.astype(np.int32), names)


def _record(result: ReplicationResult, wall_seconds: float) -> dict:
    return {"scenario": result.scenario, "replication": result.replication,
            "seed": result.root_seed, "events": result.events,
            "wall_seconds": round(wall_seconds, 4)}


class _Labels:
    """Dictionary indices of aircraft types and metrics, in order of first appearance."""

    def __init__(self):
        self.types: list[str] = []
        self.metrics: list[str] = []
        self._t: dict[str, int] = {}
        self._m: dict[str, int] = {}

    def type(self, name: str) -> int:
        return _index(self._t, self.types, name)

    def metric(self, name: str) -> int:
        return _index(self._m, self.metrics, name)


def _index(index: dict[str, int], names: list[str], name: str) -> int:
    i = index.get(name)
    if i is None:
        i = index[name] = len(names)
        names.append(name)
    return i
