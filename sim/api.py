"""The Python API for notebooks: run scenarios, get DataFrames, compare with a baseline.

`run("status_quo", "russian_transfer", replications=10)` runs the same batch as
`fleetsim run` (the same engine, seeds and common random numbers, so the same numbers) and
returns a `Results`: the summary, per-replication and monthly tables as pandas DataFrames,
and `compare()`, the paired comparison of `fleetsim compare`. Scenarios are given by the
name of a shipped scenario or by a file path. Without `out=` the batch is written to a
temporary directory that lives as long as the `Results` (it is removed with it); with
`out=` the results directory stays, and running again on it resumes it.
"""

from __future__ import annotations

import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import compare as cmp
from .batch import Batch, run as run_batch
from .executors import cores, process_pool
from .scenario import resolve
from .sweep import NameClash, YearsError, expand_all

DEFAULT_SEED = 20230101


@dataclass
class Results:
    """A finished batch: its tables as DataFrames and its manifest.

    summary       scenario, aircraft_type, component, metric, unit, n, mean, std, ci_low,
                  ci_high
    replications  scenario, replication, stream_key, aircraft_type, component, metric, unit,
                  value (the value over [warm-up, horizon])
    timeseries    scenario, replication, aircraft_type, month, component, metric, unit, value

    `component` is the LRU or fuel kind of a per-component metric, "" for the type's own.
    """

    path: Path
    manifest: dict
    summary: pd.DataFrame
    replications: pd.DataFrame
    timeseries: pd.DataFrame
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def scenarios(self) -> list[str]:
        return list(self.manifest.get("scenarios", {}))

    def compare(self, baseline: str | None = None, metrics: list[str] | str | None = None,
                types: list[str] | str | None = None, years: str | None = None,
                last_years: float | None = None, warmup_months: int | None = None,
                ) -> pd.DataFrame:
        """The paired comparison with `baseline` (default: the first scenario), as
        `fleetsim compare` computes it: one row per (aircraft_type, metric, scenario) with
        mean, ci_low, ci_high, diff, diff_low, diff_high, rel_change and significant.
        `years`, `last_years` and `warmup_months` are the window options of the command."""
        metrics = [metrics] if isinstance(metrics, str) else metrics
        types = [types] if isinstance(types, str) else list(types or ["ALL"])
        sources = cmp.open_sources([self.path])
        names = cmp.scenarios(sources)
        baseline = baseline or names[0]
        if baseline not in names:
            raise cmp.CompareError(f"baseline {baseline}: no such scenario ({', '.join(names)})")
        present, _ = cmp.available(sources)
        metrics = list(metrics or [m for m in cmp.DEFAULT_METRICS if m in present])
        window = cmp.Window(cmp.parse_years(years) if years else None, last_years,
                            warmup_months)
        values = cmp.load(sources, metrics, types, window)
        return cmp.compare(values.frame, baseline, metrics=metrics, types=types)


def run(*scenarios: str | Path, replications: int = 10, years: float | None = None,
        seed: int = DEFAULT_SEED, workers: int | None = None, out: str | Path | None = None,
        overrides: list[str] | tuple[str, ...] = (), force: bool = False) -> Results:
    """Run `replications` of each scenario (shipped names or files; a file with a [sweep]
    table stands for its variants) and return the Results. `years` is the number of years
    reported after each scenario's own warm-up, as `fleetsim run --years` (the horizon
    run.years becomes warm-up + years; `years=3` on the status quo reports 2023-2025);
    `overrides` are `dotted.key=value` items as `--set` takes them."""
    if not scenarios:
        raise ValueError("give at least one scenario (a shipped name or a file)")
    expanded = expand_all([resolve(s) for s in scenarios], list(overrides), None, years,
                          "years=")
    asked = list(overrides) + ([f"--years {years:g}"] if years is not None else [])
    tmp = None
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="fleetsim-")
        path = Path(tmp.name) / "results"
    else:
        path = Path(out)
    batch = Batch([s for e in expanded for s in e.scenarios], replications, seed, path, force,
                  sweeps=[e.sweep for e in expanded if e.sweep], overrides=asked)
    with process_pool(workers or cores()) as pool:
        run_batch(batch, pool)
    return load(path, _tmp=tmp)


def load(path: str | Path, _tmp: tempfile.TemporaryDirectory | None = None) -> Results:
    """The Results of a finished results directory (made by `run` or `fleetsim run`)."""
    path = Path(path)
    sources = cmp.open_sources([path])  # checks that it is a finished directory
    results = Results(path, sources[0].manifest, read_summary(path / "summary.csv"),
                      _plain(pd.read_parquet(path / "replications.parquet")),
                      _plain(pd.read_parquet(path / "timeseries.parquet")), _tmp)
    if _tmp is not None:
        weakref.finalize(results, _tmp.cleanup)
    return results


def read_summary(path: Path) -> pd.DataFrame:
    """summary.csv, with the empty `component` and `unit` of a type's own metric as "" (not
    NaN), so that `summary.component == ""` selects them."""
    return pd.read_csv(path, dtype={"component": str, "unit": str},
                       keep_default_na=False, na_values={c: [""] for c in (
                           "n", "mean", "std", "ci_low", "ci_high")})


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain strings, so that filters and merges behave."""
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = frame[c].astype(str)
    return frame


__all__ = ["NameClash", "Results", "YearsError", "run", "load"]
