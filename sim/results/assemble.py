"""The final tables, assembled from the parts in a fixed order.

Rows come scenario by scenario, in the order the batch names them, then replication by
replication, whatever order the replications finished in: the tables do not depend on the
number of workers or on interruptions. Each scenario (each variant of a sweep) has row
groups of its own, with the scenario's min/max statistics, so a reader can load one
scenario alone. Parts are streamed one at a time into Parquet writers, so the memory needed
does not grow with the number of replications.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..units import MONTHLY_NAMES, monthly_unit, unit

from . import parts
from .parts import LABEL
from .store import ResultsDir, temporary

# The columns of the final tables, in one place. A metric's component (an LRU kind, a fuel
# kind; "" for the type's own metric) is split out of the part's dotted metric name
# ("radar.backorders" -> component "radar", metric "backorders"); `unit` comes from
# sim.units; `month` is the first day of the month; `stream_key` names the replication's
# random streams: SeedSequence(root_seed, spawn_key=(replication, ...)) as "root_seed/k".
REPLICATIONS = pa.schema([("scenario", LABEL), ("replication", pa.int64()),
                          ("stream_key", LABEL), ("aircraft_type", LABEL), ("component", LABEL),
                          ("metric", LABEL), ("unit", LABEL), ("value", pa.float64())])
TIMESERIES = pa.schema([("scenario", LABEL), ("replication", pa.int64()),
                        ("aircraft_type", LABEL), ("month", pa.date32()), ("component", LABEL),
                        ("metric", LABEL), ("unit", LABEL), ("value", pa.float64())])
SURGE_DAILY = pa.schema([("scenario", LABEL), ("replication", pa.int64()),
                         ("aircraft_type", LABEL), ("date", pa.date32()),
                         *((name, pa.float64()) for name in parts.SURGE_COLUMNS[2:])])
ROWS_PER_GROUP = 1 << 16
STATISTICS = ["scenario", "replication"]  # min/max for row-group filters; labels cost too much

Plan = Sequence[tuple[str, Sequence[int]]]


def assemble(store: ResultsDir, plan: Plan,
             on_values: Callable[[str, pa.Table], None],
             read: Callable[[str, int], parts.Part] | None = None) -> list[dict]:
    """Write replications.parquet and timeseries.parquet from the parts in `plan`.

    `plan` lists each scenario with its replications, in table order. Each part's window
    values (aircraft_type, metric, value) go to `on_values(scenario, table)` on the way;
    the parts' records (seed, events, wall time) are returned in the same order.
    `read(scenario, k)` reads (and checks) a part; if it raises, no table is written.
    """
    read = read or (lambda scenario, k: parts.read(store.part_path(scenario, k)))
    records, surge = [], []
    with _TableFile(store.path / "replications.parquet", REPLICATIONS) as reps, \
            _TableFile(store.path / "timeseries.parquet", TIMESERIES) as series:
        for scenario, replications in plan:
            for k in replications:
                part = read(scenario, k)
                key = f"{part.record['seed']}/{k}"
                reps.write(_keyed(tidy(part.values), scenario, k, stream_key=key))
                series.write(_keyed(tidy(part.monthly, monthly=True), scenario, k))
                on_values(scenario, part.values)
                records.append({k: v for k, v in part.record.items() if k != "identity"})
                surge += [(scenario, k, *row) for row in part.surge_daily]
            reps.flush()  # a scenario's rows never share a row group with another's
            series.flush()
    path = store.path / "surge_daily.parquet"
    if surge:
        with _TableFile(path, SURGE_DAILY) as daily:
            daily.write(_surge_table(surge))
    else:
        path.unlink(missing_ok=True)
    return records


def _surge_table(rows: list[tuple]) -> pa.Table:
    """The daily rows of maximum-effort surges (a few per replication: kept in memory)."""
    import datetime as dt

    columns = list(zip(*rows))
    arrays = [pa.array(columns[0]).dictionary_encode(), pa.array(columns[1], pa.int64()),
              pa.array(columns[2]).dictionary_encode(),
              pa.array([dt.date.fromisoformat(d) for d in columns[3]], pa.date32()),
              *(pa.array(c, pa.float64()) for c in columns[4:])]
    return pa.table(arrays, schema=SURGE_DAILY)


def _keyed(table: pa.Table, scenario: str, replication: int,
           stream_key: str | None = None) -> pa.Table:
    """`table` with the scenario, replication (and stream key) columns in front."""
    n = table.num_rows
    front = [pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), [scenario]),
             pa.array(np.full(n, replication, np.int64))]
    names = ["scenario", "replication"]
    if stream_key is not None:
        front.append(pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), [stream_key]))
        names.append("stream_key")
    return pa.table(front + table.columns, names=names + table.column_names)


def split_metric(name: str) -> tuple[str, str]:
    """(component, metric) of a part's metric name: 'radar.backorders' -> ('radar',
    'backorders'), 'mc_rate' -> ('', 'mc_rate')."""
    component, _, metric = name.rpartition(".")
    return component, metric


SUMMARY = ["scenario", "aircraft_type", "component", "metric", "unit", "n", "mean", "std",
           "ci_low", "ci_high"]


def tidy_summary(frame):
    """summary.csv's rows, tidy like the Parquet tables: the dotted metric name of the model
    split into `component` and `metric`, and the metric's `unit` (columns `SUMMARY`)."""
    split = [split_metric(m) for m in frame["metric"]]
    out = frame.assign(component=[c for c, _ in split], metric=[m for _, m in split],
                       unit=[unit(m) for m in frame["metric"]])
    return out[SUMMARY]


def tidy(table: pa.Table, monthly: bool = False) -> pa.Table:
    """A part's rows with the metric split into component and metric, its unit, and (in
    the monthly table) the month as a date and monthly names (`units.MONTHLY_NAMES`)."""
    metric = table["metric"].combine_chunks()
    names = metric.dictionary.to_pylist()
    if monthly:
        names = [_monthly_name(n) for n in names]
    parts = [split_metric(n) for n in names]
    units = [(monthly_unit if monthly else unit)(n) for n in names]
    index = metric.indices.to_numpy(zero_copy_only=False)
    columns = {"aircraft_type": table["aircraft_type"]}
    if monthly:
        month = table["month"].combine_chunks()
        days = pa.array([dt.date(int(m[:4]), int(m[5:7]), 1)
                         for m in month.dictionary.to_pylist()], pa.date32())
        columns["month"] = pc.take(days, month.indices)
    columns["component"] = _relabel(index, [c for c, _ in parts])
    columns["metric"] = _relabel(index, [m for _, m in parts])
    columns["unit"] = _relabel(index, units)
    columns["value"] = table["value"]
    return pa.table(columns)


def _monthly_name(name: str) -> str:
    component, metric = split_metric(name)
    renamed = MONTHLY_NAMES.get(metric, metric)
    return f"{component}.{renamed}" if component else renamed


def _relabel(index: np.ndarray, labels: list[str]) -> pa.DictionaryArray:
    """Dictionary indices `index` into `labels`, re-encoded over the distinct labels."""
    distinct = list(dict.fromkeys(labels))
    position = np.array([distinct.index(x) for x in labels], np.int32)
    return pa.DictionaryArray.from_arrays(position[index] if len(index) else
                                          np.zeros(0, np.int32), distinct)


class _TableFile:
    """A Parquet file written in row groups of about ROWS_PER_GROUP rows, under a temporary
    name, and renamed into place only when complete."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.path, self.schema, self.tmp = path, schema, temporary(path)
        self._buffer: list[pa.Table] = []
        self._rows = 0

    def __enter__(self) -> _TableFile:
        self._writer = pq.ParquetWriter(self.tmp, self.schema, write_statistics=STATISTICS)
        return self

    def write(self, table: pa.Table) -> None:
        self._buffer.append(table.cast(self.schema))
        self._rows += table.num_rows
        if self._rows >= ROWS_PER_GROUP:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one row group."""
        if self._buffer:
            group = pa.concat_tables(self._buffer).unify_dictionaries().combine_chunks()
            self._writer.write_table(group, row_group_size=group.num_rows)
            self._buffer, self._rows = [], 0

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self.flush()
        finally:
            self._writer.close()
        if kind is not None:
            self.tmp.unlink(missing_ok=True)
            return
        fd = os.open(self.tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(self.tmp, self.path)
