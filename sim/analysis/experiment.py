"""An explored design: the scenarios of its points, its design table, and reading it back.

Point i of scenario S is the scenario `S/pNNNN` (zero-padded to the design's size) with the
point's values set at their dotted keys; with several scenarios, point i has the same values
in each, and the same replications, so differences between scenarios are paired point by
point. `design.parquet` has one row per (scenario, point): scenario, base, point, block,
first_replication, replications, `u:FACTOR` (the unit coordinates the design drew) and each
dotted key's value; it joins replications.parquet on `scenario`. `design.json` says how the
design was made (method, n, replications, seed, factors and their keys).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario import Scenario, ScenarioError, apply_override, read_raw, set_key, validate
from . import space
from .design import Design, make

DESIGN_TABLE, DESIGN_META = "design.parquet", "design.json"


class ExploreError(Exception):
    """An explore directory or option that cannot be used, in one line."""


@dataclass(frozen=True)
class Plan:
    """What `explore` runs: the scenarios, each one's first replication, the design table."""

    scenarios: list[Scenario]
    first_replication: dict[str, int]
    table: pd.DataFrame
    meta: dict


def plan(paths: list[Path], overrides: list[str], method: str, n: int, reps: int,
         seed: int, kinds: tuple[str, ...], only: list[str] = (),
         posterior: Path | None = None, years: float | None = None) -> Plan:
    """The explored scenarios of `paths` over the factors of the first one (of `kinds`,
    and only those named in `only` if it names any); with `posterior` (a calibration's
    directory), n weighted draws of its points instead of a design."""
    raws, bases, fs = space_of(paths, overrides, kinds, only, years)
    if posterior is None:
        d = make(method, [f.name for f in fs], n, seed)
    else:
        method = "posterior"
        d = _posterior_design(Path(posterior), fs, n, seed)
    table, scenarios, first = _points(paths, raws, bases, fs, d, reps)
    meta = {"method": method, "n": n, "replications": reps, "seed": seed,
            "kinds": list(kinds), "scenarios": [b.name for b in bases],
            "factors": [{"name": f.name, "keys": list(f.keys), "kind": f.kind} for f in fs],
            "design_factors": d.factors}
    return Plan(scenarios, first, table, meta)


def _posterior_design(folder: Path, fs: list[space.Factor], n: int, seed: int) -> Design:
    """Draws of a calibration's posterior.parquet; factors it did not calibrate stay at the
    scenario's values."""
    from .design import resample

    path = folder / "posterior.parquet"
    if not path.exists():
        raise ExploreError(f"{path}: no such file (make it with fleetsim calibrate)")
    post = pd.read_parquet(path)
    cols = [f"u:{f.name}" for f in fs]
    if not any(c in post for c in cols):
        raise ExploreError(f"{path}: calibrates none of the scenario's factors")
    unit = np.column_stack([post[c] if c in post else np.full(len(post), np.nan)
                            for c in cols])
    return resample([f.name for f in fs], unit, post.weight.to_numpy(), n, seed)


def space_of(paths: list[Path], overrides: list[str], kinds: tuple[str, ...],
             only: list[str] = (), years: float | None = None
             ) -> tuple[list[dict], list[Scenario], list[space.Factor]]:
    """The raw mappings and scenarios of `paths` (with overrides) and the first one's
    factors, checked: every scenario has the same ranges, every range fits its key."""
    raws, bases = [], []
    for path in paths:
        raw, base = _read(path, overrides, years)
        raws.append(raw)
        bases.append(base)
    fs = space.factors(bases[0], kinds)
    if only:
        for name in only:
            if name not in {f.name for f in fs}:
                raise ScenarioError(paths[0], name, "no such [ranges] key or [range_groups]"
                                    f" group of kind {' or '.join(kinds)} (--factor)")
        fs = [f for f in fs if f.name in only]
    for path, raw, base in zip(paths, raws, bases):
        _same_ranges(bases[0], base, fs, path)
        space.check_bounds(raw, base, fs, path)
    return raws, bases, fs


def _read(path: Path, overrides: list[str], years: float | None) -> tuple[dict, Scenario]:
    """The raw mapping (without its sweep) and scenario of `path` with the overrides and,
    with `years`, the horizon run.years = the scenario's own warm-up + years (the --years
    of `run`: years reported after the warm-up)."""
    raw = read_raw(path)
    raw.pop("sweep", None)
    for item in overrides:
        apply_override(raw, item, path)
    if years is not None:
        warmup = validate(raw, path).run.warmup_days / 365.25
        set_key(raw, "run.years", warmup + years, path)
    return raw, validate(raw, path)


def variant(raw: dict, name: str, values: dict, path: Path) -> Scenario:
    """The scenario of `raw` named `name` with `values` at their dotted keys."""
    out = copy.deepcopy(raw)
    out["name"] = name
    for key, value in values.items():
        set_key(out, key, value, path)
    return validate(out, path)


def _same_ranges(first: Scenario, other: Scenario, fs: list[space.Factor], path: Path) -> None:
    for f in fs:
        for key in f.keys:
            if other.ranges.get(key) != first.ranges[key]:
                raise ScenarioError(path, f"ranges.{key}", "differs from the first scenario's"
                                    " (explored scenarios share one parameter space)")


def _points(paths, raws, bases, fs, d: Design, reps: int, tag: str = "p", own=None):
    """The design's scenarios and table; `own` (one list of factors a scenario, default
    `fs` for each) lets a scenario take only the factors its own [ranges] have."""
    own = own or [fs] * len(bases)
    width = len(str(len(d.unit)))
    firsts = d.replications(reps)
    rows, scenarios, first = [], [], {}
    names = [f for f in d.factors if f != space.DUMMY]
    column = {name: j for j, name in enumerate(names)}
    keys = list(dict.fromkeys(key for f in fs for key in f.keys))
    integers = [space.integer_keys(base) for base in bases]
    for i, unit in enumerate(d.unit):
        for path, raw, base, mine, ints in zip(paths, raws, bases, own, integers):
            values = space.point_values(base, mine, [unit[column[f.name]] for f in mine],
                                        ints)
            name = f"{base.name}/{tag}{i:0{width}d}"
            try:
                scenarios.append(variant(raw, name, values, path))
            except ScenarioError as exc:
                raise ScenarioError(exc.path, exc.key, f"{exc.message} (design point {i})"
                                    ) from None
            first[name] = int(firsts[i])
            mine_keys = {key for f in mine for key in f.keys}
            rows.append({"scenario": name, "base": base.name, "point": i,
                         "block": int(d.block[i]), "first_replication": int(firsts[i]),
                         "replications": reps,
                         **{f"u:{f}": float(u) for f, u in zip(d.factors, unit)},
                         **{key: _scenario_value(base, key, values) if key in mine_keys
                            else np.nan for key in keys}})
    return pd.DataFrame(rows), scenarios, first


def draws(paths: list[Path], overrides: list[str], n: int, reps: int, seed: int,
          posterior: Path | None = None, years: float | None = None) -> Plan:
    """`run --sample-ranges N` (or `--posterior DIR`): n draws of the scenarios'
    uncertainties, a Latin hypercube over the union of their factors (or weighted draws of
    a calibration's points). Draw i of every scenario has the same unit value for a factor
    they share, and the same replications (paired across scenarios); each draw has
    replications of its own (independent noise across draws, so that the spread over draws
    splits into parameter uncertainty and noise). Scenario `S/dNN` is draw NN of S."""
    raws, bases, own = [], [], []
    for path in paths:
        raw, base = _read(path, overrides, years)
        mine = space.factors(base, ("uncertainty",))
        space.check_bounds(raw, base, mine, path)
        raws.append(raw)
        bases.append(base)
        own.append(mine)
    fs = list({f.name: f for mine in own for f in mine}.values())
    if not fs:
        raise ExploreError(f"{paths[0]}: ranges: no uncertainties to sample (--sample-ranges)")
    if posterior is None:
        method, d = "lhs", make("lhs", [f.name for f in fs], n, seed)
    else:
        method, d = "posterior", _posterior_design(Path(posterior), fs, n, seed)
    table, scenarios, first = _points(paths, raws, bases, fs, d, reps, "d", own)
    meta = {"method": method, "draws": True, "n": n, "replications": reps, "seed": seed,
            "kinds": ["uncertainty"], "scenarios": [b.name for b in bases],
            "factors": [{"name": f.name, "keys": list(f.keys), "kind": f.kind} for f in fs],
            "design_factors": d.factors}
    return Plan(scenarios, first, table, meta)


def _scenario_value(base: Scenario, key: str, values: dict):
    return values[key] if key in values else space._value(base, key)


def write(out: Path, p: Plan) -> None:
    """Write design.parquet and design.json into the results directory `out`."""
    from ..results.store import atomic_write

    buf = p.table.to_parquet(index=False)
    atomic_write(out / DESIGN_TABLE, buf)
    atomic_write(out / DESIGN_META, json.dumps(p.meta, indent=2) + "\n")


@dataclass(frozen=True)
class Explored:
    """An explore directory read back: its design, its metadata and its replications."""

    path: Path
    table: pd.DataFrame
    meta: dict
    replications: pd.DataFrame

    def unit(self, base: str) -> np.ndarray:
        rows = self.table[self.table.base == base].sort_values("point")
        return rows[[f"u:{f}" for f in self.meta["design_factors"]]].to_numpy(float)

    def block(self, base: str) -> np.ndarray:
        return self.table[self.table.base == base].sort_values("point").block.to_numpy()

    def outputs(self, base: str, aircraft_type: str, metric: str) -> np.ndarray:
        """Points (in design order) x replications of one output of scenario `base`."""
        rows = self.table[self.table.base == base].sort_values("point")
        reps = self.replications
        sel = reps[(reps.aircraft_type == aircraft_type) & (reps.metric == metric)
                   & reps.scenario.isin(rows.scenario)]
        if sel.empty:
            raise ExploreError(f"--metric {aircraft_type}:{metric}: no such output in"
                               f" {self.path / 'replications.parquet'}")
        wide = sel.pivot_table(index="scenario", columns="replication", values="value",
                               observed=True, aggfunc="first")
        r = self.meta["replications"]
        y = np.full((len(rows), r), np.nan)
        for i, (name, first) in enumerate(zip(rows.scenario, rows.first_replication)):
            if name in wide.index:
                got = wide.loc[name].reindex(range(first, first + r)).to_numpy(float)
                y[i] = got
        return y


def read(path: Path) -> Explored:
    """The explore directory `path` (made by `fleetsim explore`)."""
    path = Path(path)
    for name in (DESIGN_TABLE, DESIGN_META, "replications.parquet"):
        if not (path / name).exists():
            raise ExploreError(f"{path / name}: no such file (make the directory with"
                               f" fleetsim explore)")
    meta = json.loads((path / DESIGN_META).read_text())
    return Explored(path, pd.read_parquet(path / DESIGN_TABLE), meta,
                    pd.read_parquet(path / "replications.parquet"))
