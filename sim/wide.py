"""The comparison laid out wide, for many scenarios (sweep variants): one row per scenario,
one column per metric.

On the terminal a cell is the mean, and for an alternative its paired difference from the
baseline (`*` where its interval excludes zero); the intervals themselves go to a file
(`--layout wide --format csv -o FILE`): per metric its mean, interval, difference, interval
of the difference and relative change.
"""

from __future__ import annotations

import pandas as pd

from .compare import decimals, number

FIELDS = ["mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "rel_change",
          "significant"]


def pivot(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (aircraft_type, scenario), columns `<metric>.<field>` for FIELDS."""
    frame = frame.assign(label=frame.get("label", frame["scenario"]))
    index = ["aircraft_type", "scenario", "label"]
    wide = frame.pivot_table(index=index, columns="metric", values=FIELDS, aggfunc="first",
                             sort=False, dropna=False)
    metrics = list(dict.fromkeys(frame["metric"]))
    wide.columns = [f"{m}.{f}" for f, m in wide.columns]
    wide = wide[[f"{m}.{f}" for m in metrics for f in FIELDS]]
    order = list(dict.fromkeys(zip(*(frame[c] for c in index))))
    return wide.reindex(order).reset_index()


def cell(row, baseline: str) -> str:
    """`mean` for the baseline, `mean (Δ diff*)` for an alternative."""
    p = decimals((row["ci_high"] - row["ci_low"]) / 2, row["mean"])
    text = number(row["mean"], p)
    if row["scenario"] != baseline and row["diff"] == row["diff"]:
        q = decimals((row["diff_high"] - row["diff_low"]) / 2, row["diff"])
        text += f" ({number(row['diff'], q, sign=True)}{'*' if row['significant'] else ''})"
    return text


def table_rows(frame: pd.DataFrame, baseline: str) -> tuple[list[str], list[list[str]]]:
    """The header (type, scenario, each metric) and the text rows of the wide table."""
    metrics = list(dict.fromkeys(frame["metric"]))
    labels = frame.get("label", frame["scenario"])
    out = []
    for (t, scenario), block in frame.assign(label=labels).groupby(
            ["aircraft_type", "scenario"], sort=False):
        by_metric = {r["metric"]: r for _, r in block.iterrows()}
        label = block["label"].iloc[0]
        out.append([t, label] + [cell(by_metric[m], baseline) if m in by_metric else ""
                                 for m in metrics])
    return ["type", "scenario", *metrics], out
