"""The report's methods section, generated from the manifest in the order of the STRESS-DES
checklist (Monks et al. 2019): objectives, logic (each scenario described from its resolved
values, not from its name, and every key at which it differs from the baseline), data (the
`--set` overrides, each sweep's variants and their values), experimentation,
implementation, code access."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import pandas as pd

from .windows import Values


def methods(m: dict, baseline: str, values: Values, frame: pd.DataFrame,
            label: Callable[[str], str] = str) -> dict:
    """The methods section's content, in the order of the STRESS-DES checklist; `label`
    gives a scenario's display label (`sim.report.label`)."""
    scen = m.get("scenarios", {})
    base = scen.get(baseline, {})
    v, env = m.get("versions", {}), m.get("environment", {})
    start = {s.get("run", {}).get("start_date") for s in scen.values()}
    given = m["overrides"] if "overrides" in m else overrides(m.get("command") or [])
    changed = bool(given or m.get("sweeps"))
    return {
        "objectives": (f"Compare {len(scen)} scenarios with the baseline {label(baseline)} on:"
                       f" {', '.join(dict.fromkeys(frame['metric'])) or 'no metric'} (aircraft"
                       f" type {', '.join(dict.fromkeys(frame['aircraft_type'])) or '–'})."),
        "scenarios": [{"name": _heading(name, label), "description": _sentence(s.get("description")),
                       "logic": describe(s), "changed": changed,
                       "differences": None if name == baseline else [
                           (".".join(p), _value(_at(base, p)), _value(_at(s, p)))
                           for p in diff_paths(base, s)]}
                      for name, s in scen.items()],
        "baseline": label(baseline),
        "overrides": given,
        "sweeps": [_sweep(s, label) for s in m.get("sweeps") or []],
        "experimentation": [
            f"Initialisation: every tail starts on {', '.join(map(str, sorted(start)))} as"
            f" the scenario states it; warm-up in the run (days):"
            f" {_join(m.get('warmup_days'))}.",
            f"Run length (days): {_join(m.get('horizon_days'))}.",
            f"Comparison window: {values.window}.",
            f"Replications: {m.get('replications')}; chosen by:"
            f" {(m.get('stop') or {}).get('reason', '?')}.",
            "Estimation: mean over independent replications with Student-t 95% intervals;"
            " differences paired by replication under common random numbers."],
        "implementation": [
            "Software: " + ", ".join(f"{k} {x}" for k, x in v.items()) + ".",
            f"Random sampling: root seed {m.get('root_seed')}; {m.get('seeding', '')}.",
            f"Model execution: {m.get('executor', {})}; wall time {m.get('wall_seconds', '?')}"
            f" s; events {(m.get('events') or {}).get('total', '?')}.",
            f"System: {env.get('platform', '?')}, {env.get('cpus', '?')} CPUs."],
        "code": (f"fleetsim {m.get('version')} (open source); command:"
                 f" {' '.join(m.get('command', []))}."),
    }


def describe(s: dict) -> str:
    """One scenario's logic in words, from its resolved values (not from its name)."""
    types = s.get("types") or {}
    counts = ", ".join(f"{t} {spec.get('count', 0)}" for t, spec in types.items())
    delivered = {t: sum(d.get("count", 0) for d in spec.get("deliveries") or [])
                 for t, spec in types.items()}
    delivered = {t: n for t, n in delivered.items() if n}
    cann = s.get("cannibalization") or {}
    policy = cann.get("policy", "?")
    cann_text = {"none": "no cannibalization",
                 "full": "full cannibalization (missing parts consolidated onto as few tails"
                         " as possible)",
                 "capped": f"cannibalization capped at {cann.get('max_actions_per_month', 0)}"
                           " actions a month per type",
                 "demand": "cannibalization on demand (only when the day's sorties"
                           + (f" or a floor of {cann['min_fmc']} FMC tails a type"
                              if cann.get("min_fmc") else "")
                           + " cannot be met otherwise)"}.get(policy,
                                                             f"cannibalization {policy}")
    flying = s.get("flying") or {}
    sanctions = s.get("sanctions") or {}
    parts = [f"{len(types)} aircraft types, {sum(t.get('count', 0) for t in types.values())}"
             f" tails on {s.get('run', {}).get('start_date', '?')} ({counts})",
             f"programme {flying.get('programme', '?')}",
             cann_text]
    if delivered:
        parts.append("deliveries: " + ", ".join(f"{n} {t}" for t, n in delivered.items()))
    if sanctions.get("start_date") or sanctions.get("end_date"):
        parts.append(f"sanctions from {sanctions.get('start_date') or 'the start'} to"
                     f" {sanctions.get('end_date') or 'the end'}")
    fuel = list((s.get("fuel") or {}))
    parts.append(f"fuel kinds: {', '.join(fuel)}" if fuel else "no fuel constraint")
    piloted = [t for t, spec in types.items() if spec.get("pilots")]
    parts.append(f"pilots on {len(piloted)} types" if piloted else "no pilot constraint")
    if flying.get("surges"):
        parts.append(f"{len(flying['surges'])} surges")
    if s.get("changes"):
        parts.append(f"{len(s['changes'])} dated changes")
    return "Resolved: " + "; ".join(parts) + "."


def _sentence(text: str | None) -> str:
    text = (text or "").strip()
    return text + ("" if not text or text[-1] in ".!?" else ".")


def overrides(command: list[str]) -> list[str]:
    """The `--set` overrides (and --years) of a command line (for manifests that do not
    record their overrides)."""
    out = []
    for i, arg in enumerate(command):
        for flag in ("--set", "-s", "--years"):
            if arg == flag and i + 1 < len(command):
                out.append(command[i + 1] if flag != "--years" else
                           f"run.years={command[i + 1]}")
            elif arg.startswith(flag + "="):
                value = arg[len(flag) + 1:]
                out.append(value if flag != "--years" else f"run.years={value}")
    return out


def _heading(name: str, label: Callable[[str], str]) -> str:
    """A scenario's label, with its stored name when they differ: `policy=none
    (status_quo/2)`, so that the methods section ties the label to the tables' name."""
    shown = label(name)
    return shown if shown == name else f"{shown} ({name})"


def _sweep(s: dict, label: Callable[[str], str]) -> dict:
    """A sweep's table: each variant by the name the result tables give it (the `scenario`
    column) and its values; the labels elsewhere in the report are made of these values."""
    keys = list(s.get("grid") or {})
    return {"base": label(s.get("base", "?")), "file": s.get("file", "?"),
            "columns": keys,
            "rows": [[name] + [_value(vals.get(k)) for k in keys]
                     for name, vals in (s.get("variants") or {}).items()]}


_ABSENT = object()


def _at(tree, path: tuple):
    """The value at a key path, or _ABSENT."""
    node = tree
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def _value(v) -> str:
    """A resolved value in a few words: tables by their plain values, lists inline."""
    if v is _ABSENT:
        return "(absent)"
    if isinstance(v, dict):
        plain = [f"{k} = {_value(x)}" for k, x in v.items() if not isinstance(x, dict)]
        nested = [k for k, x in v.items() if isinstance(x, dict)]
        return "; ".join(plain + ([f"tables: {', '.join(nested)}"] if nested else [])) or "{}"
    if isinstance(v, list):
        return "[" + ", ".join("{" + _value(x) + "}" if isinstance(x, dict) else _value(x)
                               for x in v) + "]"
    if isinstance(v, float):
        return f"{v:g}" if math.isfinite(v) else str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def _join(by_scenario) -> str:
    values = sorted(set((by_scenario or {}).values()))
    return ", ".join(f"{x:g}" for x in values) or "?"


def differences(a, b) -> list[str]:
    """Dotted keys at which two resolved scenarios differ (name and description aside): all
    of them; a table present on one side only is one key."""
    return [".".join(p) for p in diff_paths(a, b)]


def diff_paths(a, b, prefix: tuple = ()) -> list[tuple]:
    """The key paths at which two resolved scenarios differ (keys may hold dots)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in dict.fromkeys([*a, *b]):
            if not prefix and key in ("name", "description"):
                continue
            where = prefix + (str(key),)
            out += diff_paths(a.get(key), b.get(key), where) if key in a and key in b \
                else [where]
        return out
    return [] if a == b else [prefix]


