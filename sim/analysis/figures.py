"""Figures of indices.csv: Sobol bars with the noise floor, Morris mu*-sigma, tornado."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw(indices: pd.DataFrame, folder: Path) -> list[Path]:
    """One PNG per output and method in `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    drawn = []
    for (output, method), rows in indices.groupby(["output", "method"], sort=False):
        painter = {"sobol": _sobol, "morris": _morris, "tornado": _tornado}.get(method)
        if painter is None:
            continue
        path = folder / file_name(output, method)
        plt = _pyplot()
        height = 5.0 if method == "morris" else 0.35 * rows.parameter.nunique() + 1.8
        fig, ax = plt.subplots(figsize=(7, height))
        painter(ax, rows)
        ax.set_title(f"{output}: {method}", fontsize=10)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        drawn.append(path)
    return drawn


def _sobol(ax, rows):
    wide = {i: rows[rows["index"] == i].set_index("parameter") for i in ("S1", "ST")}
    order = wide["ST"].value.sort_values().index
    y = np.arange(len(order))
    for shift, index, colour in ((-0.2, "S1", "tab:blue"), (0.2, "ST", "tab:orange")):
        w = wide[index].loc[order]
        ax.barh(y + shift, w.value, 0.4, xerr=[w.value - w.ci_low, w.ci_high - w.value],
                label=index, color=colour)
    if "dummy" in order:
        ax.axvline(wide["ST"].loc["dummy", "ci_high"], color="grey", ls="--",
                   label="noise floor (dummy ST)")
    ax.set_yticks(y, order, fontsize=7)
    ax.set_xlabel("Sobol index")
    ax.legend(fontsize=7)


MORRIS_NAMED = 12  # the factors of largest mu* named on the mu*-sigma plot


def _morris(ax, rows):
    mu = rows[rows["index"] == "mu_star"].set_index("parameter").value
    sigma = rows[rows["index"] == "sigma"].set_index("parameter").value
    ax.scatter(mu, sigma.loc[mu.index], s=12)
    for name in mu.drop("dummy", errors="ignore").sort_values().index[-MORRIS_NAMED:]:
        ax.annotate(name, (mu[name], sigma[name]), fontsize=6)
    if "dummy" in mu.index:
        ax.axvline(mu["dummy"], color="grey", ls="--", label="noise floor (dummy mu*)")
        ax.legend(fontsize=7)
    ax.set_xlabel("mu* (mean |elementary effect|)")
    ax.set_ylabel("sigma")


CAPTIONS = {
    "sobol": "Sobol indices of {output} (S1 and ST with bootstrap 95% intervals, sorted by"
             " ST; the dashed line is the noise floor, the dummy factor's ST){top}.",
    "morris": "Morris screening of {output}: mu* against sigma (the {named} factors of largest"
              " mu* named; the dashed line is the dummy's mu*, a noise floor that common"
              " random numbers within a trajectory make 0: it does not bound the noise in"
              " the other factors' effects){top}.",
    "tornado": "Tornado of {output}: each factor at its low and high end, the others at the"
               " scenario's value, CRN-paired differences with 95% intervals{top}.",
}


def caption(indices: pd.DataFrame, output: str, method: str, top: int = 5) -> str:
    """A figure's caption: what it shows and its `top` factors (from indices.csv)."""
    rows = indices[(indices.output == output) & (indices.method == method)]
    index = {"sobol": "ST", "morris": "mu_star", "tornado": None}[method]
    if index is None:
        spread = rows.groupby("parameter").value.agg(lambda v: v.max() - v.min())
    else:
        spread = rows[rows["index"] == index].set_index("parameter").value
    spread = spread.drop("dummy", errors="ignore").sort_values(ascending=False).head(top)
    n, r = (int(rows.N.iloc[0]), int(rows.R.iloc[0])) if len(rows) else (0, 0)
    name = {"sobol": "ST", "morris": "mu*", "tornado": "swing"}[method]
    listed = ", ".join(f"{p} ({v:.3g})" for p, v in spread.items())
    return CAPTIONS[method].format(output=output, named=MORRIS_NAMED, top=(
        f"; N = {n}, {r} replications a point; largest {name}: {listed}" if listed else ""))


def file_name(output: str, method: str) -> str:
    """The PNG `draw` writes for one output and method."""
    return f"{method}_{_safe(output)}.png"


def _tornado(ax, rows):
    low = rows[rows["index"] == "low"].set_index("parameter")
    high = rows[rows["index"] == "high"].set_index("parameter")
    order = (high.value - low.value).abs().sort_values().index
    y = np.arange(len(order))
    for w, colour, label in ((low.loc[order], "tab:blue", "low end"),
                             (high.loc[order], "tab:red", "high end")):
        ax.barh(y, w.value, 0.6, xerr=[w.value - w.ci_low, w.ci_high - w.value], color=colour,
                alpha=0.7, label=label)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, order, fontsize=7)
    ax.set_xlabel("difference from the baseline (CRN-paired, 95% CI)")
    ax.legend(fontsize=7)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)
