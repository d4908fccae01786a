"""Parameter sweeps: one scenario and a grid of dotted keys, expanded into named variants.

A grid gives each dotted key a list of values; the variants are the cartesian product, the
first key varying slowest. Variant i (counted from 1) of scenario S is named `S/i`,
zero-padded to the width of the count (S/01 ... S/12); the manifest and sweep.csv say which
values each variant has. The grid comes from a `[sweep]` table in the scenario file and from
`--grid key=v1,v2,...` options, which add keys or replace the table's. All variants run in
one batch under one root seed, so replication k draws the same random numbers in every
variant (common random numbers) and differences between variants are paired.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scenario import (Scenario, ScenarioError, apply_override, parse_value, read_raw, set_key,
                       validate)


MAX_VARIANTS = 1_000


class GridError(Exception):
    """A malformed --grid option, in one line."""


@dataclass(frozen=True)
class Expanded:
    """The scenarios a file stands for: its base scenario, or the variants of its sweep
    (then `sweep` describes them: base, file, grid, and the values of each variant)."""

    base: Scenario
    scenarios: list[Scenario]
    sweep: dict | None


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """`--grid dotted.key=v1,v2,...` options as {key: [values]}; values are read as TOML."""
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key, values = key.strip(), [v.strip() for v in text.split(",")]
        if not sep or not key or not all(values) or " " in key:
            raise GridError(f"--grid {item}: must read dotted.key=value1,value2,...")
        if key in grid:
            raise GridError(f"--grid {key}: given twice")
        grid[key] = [parse_value(v) for v in values]
    return grid


def expand(path: Path, overrides: list[str] = (), grid: dict[str, list[Any]] | None = None
           ) -> Expanded:
    """The scenario in `path` with `overrides`, or its sweep variants if it has a grid."""
    raw = read_raw(path)
    axes = {**_table_grid(raw.pop("sweep", None), path), **(grid or {})}
    for item in overrides:
        apply_override(raw, item, path)
    base = validate(raw, path)
    if not axes:
        return Expanded(base, [base], None)
    count = math.prod(len(v) for v in axes.values())
    if count > MAX_VARIANTS:
        raise ScenarioError(path, "sweep", f"{count:,} variants, more than {MAX_VARIANTS:,}")
    points = list(itertools.product(*axes.values()))
    width = len(str(len(points)))
    scenarios, variants = [], {}
    for i, point in enumerate(points, start=1):
        name = f"{base.name}/{i:0{width}d}"
        values = dict(zip(axes, point))
        scenarios.append(_variant(raw, name, values, path))
        variants[name] = values
    return Expanded(base, scenarios, {"base": base.name, "file": str(path), "grid": axes,
                                "variants": variants})


MAX_YEARS = 100  # run.years' upper bound in the schema


class YearsError(ValueError):
    """Years to report that the scenario's horizon cannot hold, in one line naming the
    option."""


def expand_years(path: Path, overrides: list[str] = (), grid: dict[str, list[Any]] | None = None,
                 years: float | None = None, option: str = "--years") -> Expanded:
    """`expand`, with `years` (when given) the years reported after the scenario's own
    warm-up: the horizon run.years becomes warm-up + years. `option` names the option in
    errors (`--years` on the command line, `years=` in the Python API)."""
    expanded = expand(path, overrides, grid)
    if years is None:
        return expanded
    warmup = expanded.base.run.warmup_days / 365.25
    if not math.isfinite(years) or years <= 0 or warmup + years > MAX_YEARS:
        raise YearsError(f"{option} {years:g}: must be above 0 and, with the {warmup:g}-year"
                         f" warm-up of {path}, at most {MAX_YEARS - warmup:g} (the horizon"
                         f" run.years is warm-up + years, at most {MAX_YEARS})")
    return expand(path, [*overrides, f"run.years={warmup + years!r}"], grid)


class NameClash(ValueError):
    """Two scenarios of one batch with the same name."""


def expand_all(paths: list[Path], overrides: list[str] = (),
               grid: dict[str, list[Any]] | None = None, years: float | None = None,
               option: str = "--years") -> list[Expanded]:
    """Each file's scenario, or its sweep variants (`expand_years`); names must differ
    across them all."""
    expanded = [expand_years(p, overrides, grid, years, option) for p in paths]
    names = [s.name for e in expanded for s in e.scenarios]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise NameClash(f"two scenarios are named '{duplicate}': names must differ in one run")
    return expanded


def _variant(raw: dict, name: str, values: dict[str, Any], path: Path) -> Scenario:
    variant = copy.deepcopy(raw)
    variant["name"] = name
    for key, value in values.items():
        set_key(variant, key, value, path)
    try:
        return validate(variant, path)
    except ScenarioError as exc:
        point = ", ".join(f"{k}={v!r}" for k, v in values.items())
        raise ScenarioError(exc.path, exc.key, f"{exc.message} (sweep variant {name}: {point})"
                            ) from None


def _table_grid(table: Any, path: Path, prefix: str = "") -> dict[str, list[Any]]:
    """A `[sweep]` table as {dotted key: values}; nested tables are dotted keys too."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ScenarioError(path, "sweep", "must be a table of dotted.key = [values]")
    grid: dict[str, list[Any]] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            grid.update(_table_grid(value, path, f"{dotted}."))
        elif isinstance(value, list) and value:
            grid[dotted] = value
        else:
            raise ScenarioError(path, f"sweep.{dotted}", "must be a non-empty array of values")
    return grid
