"""One replication's results as one Parquet file: a part.

A worker encodes the part right after the replication, so the parent only has to write its
bytes. The part holds the tidy rows of one replication, `aircraft_type, month, metric,
value`: first its values over the statistics window (month is null), then its monthly
values. Which replication it is, and what it cost, travel in the file's metadata. One file
per replication means that a replication is either entirely on disk or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..model.world import ReplicationResult

LABEL = pa.dictionary(pa.int32(), pa.string())
SCHEMA = pa.schema([("aircraft_type", LABEL), ("month", LABEL), ("metric", LABEL),
                    ("value", pa.float64())])
META_KEY = b"fleetsim.replication"
SURGE_KEY = b"fleetsim.surge_daily"  # rows of maximum-effort days, as JSON (usually absent)
SURGE_COLUMNS = ("aircraft_type", "date", "sorties", "fmc_at_dawn", "sorties_lost_no_aircraft",
                 "sorties_lost_no_pilot", "sorties_lost_no_fuel")


@dataclass(frozen=True)
class Part:
    """A part read back: its record (scenario, replication, seed, events, wall_seconds),
    its window values (aircraft_type, metric, value) and its monthly values."""

    record: dict
    values: pa.Table
    monthly: pa.Table
    surge_daily: list = ()


def encode(result: ReplicationResult, wall_seconds: float) -> bytes:
    """The part of a finished replication, as Parquet bytes."""
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
    meta = {META_KEY: json.dumps(_record(result, wall_seconds))}
    if result.surge_daily:
        meta[SURGE_KEY] = json.dumps([list(row) for row in result.surge_daily])
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(columns, schema=SCHEMA.with_metadata(meta)), sink,
                   write_statistics=False)
    return sink.getvalue().to_pybytes()


def read(path: Path) -> Part:
    """Read a part back from disk."""
    table = pq.read_table(path)
    in_window = pc.is_null(table["month"])
    meta = table.schema.metadata
    return Part(json.loads(meta[META_KEY]),
                table.filter(in_window).drop_columns(["month"]),
                table.filter(pc.invert(in_window)),
                json.loads(meta[SURGE_KEY]) if SURGE_KEY in meta else [])


def read_record(path: Path) -> dict:
    """Only the record of a part (its footer), without decoding the rows."""
    return json.loads(pq.read_schema(path).metadata[META_KEY])


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
