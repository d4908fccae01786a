"""The comparison as text: the cells shared by the rich table, markdown and the report, the
caption (`note`), and the csv, markdown and json renderings of `compare.compare`'s frame."""

from __future__ import annotations

import json
import math

import pandas as pd

from .windows import Values

HEADER = ["type", "metric", "scenario", "mean [95% CI]", "Δ vs baseline [95% CI]", "change",
          ""]


def decimals(half: float, value: float) -> int:
    """Decimals that show a half-width to two significant digits (0 to 3); without a
    half-width, 3 below 10 and 0 above."""
    if half == half and half > 0:
        return int(min(3, max(0, 1 - math.floor(math.log10(half)))))
    return 3 if value != value or abs(value) < 10 else 0


def number(x: float, places: int, sign: bool = False) -> str:
    if x != x:
        return "–"
    x = round(x, places) + 0.0  # no "-0"
    return f"{x:{'+' if sign else ''},.{places}f}"


def cells(row, baseline: str) -> list[str]:
    """The text cells of one comparison row (HEADER's columns)."""
    p = decimals((row["ci_high"] - row["ci_low"]) / 2, row["mean"])
    mean = number(row["mean"], p)
    if row["n"] > 1:
        mean += f" [{number(row['ci_low'], p)}, {number(row['ci_high'], p)}]"
    shown = row.get("label")
    shown = shown if isinstance(shown, str) and shown else row["scenario"]
    if row["scenario"] == baseline:
        return [row["aircraft_type"], row["metric"], shown, mean, "baseline", "", ""]
    if row["diff"] == row["diff"]:
        q = decimals((row["diff_high"] - row["diff_low"]) / 2, row["diff"])
        diff = (f"{number(row['diff'], q, sign=True)} [{number(row['diff_low'], q)},"
                f" {number(row['diff_high'], q)}]")
    else:
        diff = "–"
    change = f"{row['rel_change']:+.1%}" if row["rel_change"] == row["rel_change"] else "–"
    return [row["aircraft_type"], row["metric"], shown, mean, diff, change,
            "*" if row["significant"] else ""]


HEADER_BOTH = ["type", "metric", "scenario", "mean [95%: all]", "noise only", "unknown",
               "Δ vs baseline [95%: all]", "noise only", "unknown", ""]


def both_cells(row, baseline: str) -> list[str]:
    """The text cells of one row of a comparison over parameter draws (HEADER_BOTH)."""
    def interval(centre, low, high, sign=False):
        if low != low:
            return "–"
        p = decimals((high - low) / 2, centre)
        return (f"{number(centre, p, sign)} [{number(low, p)}, {number(high, p)}]")

    def share(x):
        return "–" if x != x else f"{x:.0%}"

    base = cells(row, baseline)
    mean = interval(row["mean"], row["total_low"], row["total_high"])
    noise = interval(row["mean"], row["noise_low"], row["noise_high"])
    if row["scenario"] == baseline:
        return base[:3] + [mean, noise, share(row["parameter_share"]), "baseline", "", "", ""]
    diff = interval(row["diff"], row["diff_total_low"], row["diff_total_high"], True)
    dnoise = interval(row["diff"], row["diff_noise_low"], row["diff_noise_high"], True)
    excludes = row["diff_total_low"] > 0 or row["diff_total_high"] < 0
    return base[:3] + [mean, noise, share(row["parameter_share"]), diff, dnoise,
                       share(row["diff_parameter_share"]), "*" if excludes else ""]


def row_cells(frame: pd.DataFrame):
    """(header, the function giving a row's cells) of a comparison frame."""
    return (HEADER_BOTH, both_cells) if "total_low" in frame else (HEADER, cells)


def note(baseline: str, values: Values, n: int, adjust: str | None = None,
         alternatives: int = 0) -> str:
    """The caption of a comparison: baseline, replications, intervals, window."""
    text = (f"Baseline {baseline}; {n} replications, means with Student-t 95% intervals;"
            f" differences paired by replication (common random numbers); * marks a"
            f" difference whose interval excludes zero.")
    if adjust == "holm":
        text += (f" Difference intervals Holm-adjusted over the {alternatives} alternatives"
                 " (family-wise 95%).")
    elif alternatives >= HOLM_HINT_AT:
        text += (f" With {alternatives} alternatives, some 95% intervals miss by chance:"
                 " --adjust holm widens them.")
    return text + f" Window: {values.window}."


HOLM_HINT_AT = 6  # alternatives from which the caption suggests --adjust holm


def to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def to_markdown(frame: pd.DataFrame, baseline: str, caption: str = "") -> str:
    header, cell = row_cells(frame)
    lines = ["| " + " | ".join(header[:-1] + ["sig."]) + " |",
             "| " + " | ".join(["---"] * 3 + ["---:"] * (len(header) - 4) + [":---:"]) + " |"]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cell(row, baseline))
                     + " |")
    return "\n".join(lines) + (f"\n\n{caption}\n" if caption else "\n")


def to_json(frame: pd.DataFrame, baseline: str, values: Values) -> str:
    rows = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in r.items()} for r in frame.to_dict(orient="records")]
    return json.dumps({"baseline": baseline, "window": values.window,
                       "warmup_months": values.warmup_months, "level": 0.95, "rows": rows},
                      indent=2) + "\n"
