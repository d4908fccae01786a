"""A small TOML writer for resolved scenarios (`fleetsim show`): tables, scalars, arrays."""

from __future__ import annotations

import datetime as dt
import math
import re

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def dumps(data: dict) -> str:
    """TOML text for a mapping of scalars, lists and nested mappings (None values are left out)."""
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines).strip() + "\n"


def _table(data: dict, path: tuple[str, ...], lines: list[str]) -> None:
    scalars = {k: v for k, v in data.items() if v is not None and not _is_table(v)}
    tables = {k: v for k, v in data.items() if _is_table(v)}
    if path and (scalars or not tables):
        lines.append("")
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables.items():
        _table(value, path + (key,), lines)


def _is_table(value) -> bool:
    return isinstance(value, dict)


def _key(key: str) -> str:
    return key if _BARE.match(key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return "nan"
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):  # a table inside an array: inline
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()
                                if v is not None) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
