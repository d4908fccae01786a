"""Results over parameter draws (`fleetsim run --sample-ranges N` or `--posterior DIR`):
what we don't know beside what is luck.

Such a directory holds scenarios `S/dNN` (draw NN of scenario S) and a design.parquet
saying which; draw NN of every scenario has the same parameter values for the keys they
share and the same replications, and each draw has replications of its own. A comparison
pools the draws of each scenario (its replications are still paired across scenarios, draw
by draw) and adds, for each mean and each paired difference, the interval from parameter
uncertainty and noise together, the noise-only interval, and the share of each in the
variance of one replication's value (`sim.analysis.sensitivity.both`: a one-way
random-effects split over draws).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

COLUMNS = ["total_low", "total_high", "noise_low", "noise_high", "parameter_share",
           "noise_share"]
DIFF_COLUMNS = [f"diff_{c}" for c in COLUMNS]


def read(sources) -> tuple[dict[str, tuple[str, int]], dict[str, bool]]:
    """({shown variant name: (scenario, draw)}, {scenario: whether its draws differ}) of the
    directories made by a run over draws; empty if none is."""
    found, varied = {}, {}
    for s in sources:
        meta_path, table_path = s.path / "design.json", s.path / "design.parquet"
        if not (meta_path.is_file() and table_path.is_file()):
            continue
        try:
            meta = json.loads(meta_path.read_text())
            table = pd.read_parquet(table_path)
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict) or not meta.get("draws"):
            continue
        keys = [k for f in meta.get("factors", []) for k in f.get("keys", [])]
        for row in table.itertuples():
            if row.scenario in s.names:
                found[s.names[row.scenario]] = (row.base, int(row.point))
        for base, rows in table.groupby("base"):
            varied[base] = varied.get(base, False) or any(
                rows[k].nunique(dropna=True) > 1 for k in keys if k in rows)
    return found, varied


def collapse(frame: pd.DataFrame, found: dict[str, tuple[str, int]]) -> pd.DataFrame:
    """The values with each variant's scenario and its draw (column `draw`)."""
    frame = frame[frame["scenario"].isin(found)].copy()
    pairs = frame["scenario"].map(found)
    frame["draw"] = pairs.map(lambda p: p[1])
    frame["scenario"] = pairs.map(lambda p: p[0])
    return frame.reset_index(drop=True)


def annotate(frame: pd.DataFrame, values: pd.DataFrame, baseline: str,
             varied: dict[str, bool]) -> pd.DataFrame:
    """The comparison `frame` with both intervals and the shares of each mean
    (COLUMNS) and of each difference from the baseline (DIFF_COLUMNS)."""
    from .analysis.sensitivity import both
    from .windows import zero_when_absent

    out = frame.copy()
    for c in COLUMNS + DIFF_COLUMNS:
        out[c] = math.nan
    wide = values.set_index(["aircraft_type", "metric", "draw", "replication", "scenario"]
                            )["value"].unstack("scenario")
    for i, row in out.iterrows():
        key = (row["aircraft_type"], row["metric"])
        try:
            block = wide.xs(key, level=(0, 1))
        except KeyError:
            continue
        if row["scenario"] not in block:
            continue
        x = block[row["scenario"]]
        if zero_when_absent(row["metric"]):
            x = x.fillna(0.0)
        stats_ = both(_matrix(x), varied.get(row["scenario"], True))
        out.loc[i, COLUMNS] = [stats_[c] for c in COLUMNS]
        if row["scenario"] != baseline and baseline in block:
            b = block[baseline].fillna(0.0) if zero_when_absent(row["metric"]) \
                else block[baseline]
            d = both(_matrix(x - b), varied.get(row["scenario"], True)
                     or varied.get(baseline, True))
            out.loc[i, DIFF_COLUMNS] = [d[c] for c in COLUMNS]
    return out


def _matrix(x: pd.Series) -> np.ndarray:
    """draws x replications of a series indexed by (draw, replication)."""
    rows = [g.to_numpy(float) for _, g in x.groupby(level="draw", sort=True)]
    r = min((len(v) for v in rows), default=0)
    return np.array([v[:r] for v in rows]) if rows else np.empty((0, 0))


def note(draws: int, reps: int) -> str:
    """The caption's sentence on the two intervals."""
    return (f" Over {draws} parameter draws x {reps} replications: 'all' is the 95% interval"
            f" from parameter uncertainty and noise together, 'noise' the interval a run at"
            f" one draw shows, 'unknown' the share of one replication's variance that is"
            f" parameter uncertainty (between draws; the rest is noise).")
