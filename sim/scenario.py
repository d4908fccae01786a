"""Scenario files: TOML loading, `extends` inheritance and `--set` overrides.

The schema itself is in `sim.schema` (re-exported here): frozen pydantic models that reject
unknown keys by name, so a typo never silently falls back to a default. A problem becomes a
`ScenarioError` that names the file, the dotted key and what is wrong, in one line.

Whatever a file holds, loading ends in a Scenario or in that one line: a scenario (and every
file it extends) must be a regular UTF-8 text file of at most MAX_FILE_BYTES, its tables and
arrays nested at most MAX_DEPTH deep, its `extends` chain at most MAX_EXTENDS files long and
without a cycle. Keys and names with control characters are quoted in messages.
"""

from __future__ import annotations

import copy
import json
import os
import stat
import tomllib
from pathlib import Path

from pydantic import ValidationError

from .schema import (  # noqa: F401  (re-exported: the scenario API in one place)
    Accidents, AircraftType, Cannibalization, Conversion, Delivery, Distribution, Flying, Fuel,
    FuelChannel, Inspection, Lru, Maintenance, Overhaul, PartChannel, Pilots, RepairShop, Run,
    Sanctions, Scenario, Surge,
    Range,
)


class ScenarioError(Exception):
    """A scenario that cannot be used: names the file, the dotted key and the problem."""

    def __init__(self, path: str | Path | None, key: str, message: str):
        self.path, self.key, self.message = (str(path) if path else "<scenario>"), key, message
        super().__init__(self.line())

    def line(self) -> str:
        where = f"{quoted(self.path)}: {quoted(self.key)}" if self.key else quoted(self.path)
        return printable(f"{where}: {self.message}")


MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 24
MAX_EXTENDS = 16


def quoted(text: str) -> str:
    """`text` as it is, or as a JSON string if it holds control characters."""
    return json.dumps(text) if any(c < " " or c == "\x7f" for c in text) else text


def printable(text: str) -> str:
    """One line: control characters written as escapes."""
    return "".join(json.dumps(c)[1:-1] if c < " " or c == "\x7f" else c for c in text)


# ---------------------------------------------------------------------------------------
# loading


def load(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read a scenario file, resolve `extends`, apply `key=value` overrides, validate."""
    path = Path(path)
    raw = read_raw(path)
    for item in overrides:
        apply_override(raw, item, path)
    return validate(raw, path)


def read_raw(path: str | Path) -> dict:
    """The file's mapping with `extends` resolved and `name` defaulted, before validation."""
    path = Path(path)
    raw = _read_resolved(path, ())
    _check_depth(raw, path)
    raw.setdefault("name", path.stem)
    return raw


def validate(raw: dict, path: str | Path | None = None) -> Scenario:
    """Validate a raw mapping, turning the first problem into a one-line ScenarioError."""
    _check_depth(raw, path)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc, path) from None


def apply_override(raw: dict, item: str, path: str | Path | None = None) -> None:
    """Apply one `dotted.key=value` override; the value is read as a TOML value."""
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(path, item, "an override must read dotted.key=value")
    set_key(raw, key, parse_value(text), path)


def parse_value(text: str) -> object:
    """A command-line value read as TOML (number, boolean, string, array), else as text."""
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text.strip()


def set_key(raw: dict, key: str, value: object, path: str | Path | None = None) -> None:
    """Set `value` at the dotted `key` of a raw mapping, creating tables on the way; a number
    after a list picks its item (`types.A.deliveries.0.count`)."""
    node = raw
    parts = key.split(".")
    if len(parts) > MAX_DEPTH:
        raise ScenarioError(path, key, f"more than {MAX_DEPTH} tables deep")
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[_item(node, part, key, path)]
            continue
        child = node.setdefault(part, {})
        if not isinstance(child, (dict, list)):
            raise ScenarioError(path, key, f"'{part}' is a value, not a table")
        node = child
    if isinstance(node, list):
        node[_item(node, parts[-1], key, path)] = value
    else:
        node[parts[-1]] = value


def _item(items: list, part: str, key: str, path: str | Path | None) -> int:
    if not part.isdigit() or int(part) >= len(items):
        raise ScenarioError(path, key, f"'{part}' is not an item of a list of {len(items)}")
    return int(part)


class _FileProblem(Exception):
    """A file that cannot be read as a scenario (the message says why)."""


def _read_resolved(path: Path, chain: tuple[Path, ...]) -> dict:
    try:
        raw = _read_file(path)
    except _FileProblem as exc:
        raise ScenarioError(path, "", str(exc)) from None
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent or any(c < " " for c in parent):
        raise ScenarioError(path, "extends", "must be a file name")
    if len(chain) + 1 >= MAX_EXTENDS:
        raise ScenarioError(path, "extends", f"more than {MAX_EXTENDS} files deep")
    here, target = _resolve(path), path.parent / parent
    if _resolve(target) in chain + (here,):
        raise ScenarioError(path, "extends", f"{parent}: circular inheritance")
    try:
        _read_file(target, check_only=True)
    except _FileProblem as exc:
        raise ScenarioError(path, "extends", f"{parent}: {exc}") from None
    base = _read_resolved(target, chain + (here,))
    base.pop("name", None)
    base.pop("description", None)
    return deep_merge(base, raw)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: reading it fails with its own message
        return path.absolute()


def _read_file(path: Path, check_only: bool = False) -> dict:
    """The TOML mapping in `path`: a regular UTF-8 text file, not too large, not too deep."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _FileProblem("no such file") from None
    except ValueError:
        raise _FileProblem("its name holds a NUL byte") from None
    except OSError as exc:
        raise _FileProblem(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise _FileProblem(f"{kind} (a scenario is a TOML file)")
    if info.st_size > MAX_FILE_BYTES:
        raise _FileProblem(f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    if check_only:
        return {}
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _FileProblem(exc.strerror or str(exc)) from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _FileProblem("UTF-16 text; save it as UTF-8")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise _FileProblem(f"not UTF-8 text (byte {exc.start}); a scenario is a UTF-8"
                           " TOML file") from None
    if "\x00" in text:
        raise _FileProblem("holds a NUL byte (a binary file?)")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _FileProblem(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise _FileProblem(f"arrays or tables nested more than {MAX_DEPTH} deep") from None
    key = _too_deep(raw)
    if key is not None:
        raise _FileProblem(f"{key}: tables or arrays nested more than {MAX_DEPTH} deep")
    return raw


def _check_depth(raw: dict, path: str | Path | None) -> None:
    """Refuse tables and arrays nested more than MAX_DEPTH deep."""
    key = _too_deep(raw)
    if key is not None:
        raise ScenarioError(path, key, f"tables or arrays nested more than {MAX_DEPTH} deep")


def _too_deep(raw: dict) -> str | None:
    """The start of the first key nested more than MAX_DEPTH deep (found without recursing)."""
    stack = [(raw, 1, [])]
    while stack:
        node, depth, key = stack.pop()
        if depth > MAX_DEPTH:
            return ".".join(key[:3]) + "..."
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            if isinstance(v, (dict, list)):
                stack.append((v, depth + 1, key + [str(k)]))
    return None


def deep_merge(base: dict, top: dict) -> dict:
    """Merge `top` into a copy of `base`; tables merge key by key, `top` wins."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


RETIRED_KEYS = {  # keys of older files, and what replaced them
    "low_proficiency_factor": "replaced by risk_hours, risk_multiplier and reference_12m_hours:"
                              " see the README, Scenario keys",
}


def _first_error(exc: ValidationError, path: str | Path | None) -> ScenarioError:
    errors = exc.errors()
    err = errors[0]
    key = ".".join(str(p) for p in err["loc"] if not _union_tag(p))
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown key"
        hint = RETIRED_KEYS.get(str(err["loc"][-1])) if err["loc"] else None
        if hint:
            message += f" ({hint})"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
        head, sep, rest = message.partition(": ")
        if sep and " " not in head:  # the message names its own (nested) key
            key = f"{key}.{head}" if key else head
            message = rest
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(path, key, message)


def _union_tag(part) -> bool:
    """A location step that names a branch of a union ('constrained-int'), not a key."""
    return isinstance(part, str) and (part.startswith(("constrained-", "literal[", "function-"))
                                      or part in ("int", "float", "str", "bool"))


# ---------------------------------------------------------------------------------------
# shipped scenarios, by name


def shipped_dir() -> Path:
    """The shipped scenarios: package data `sim/scenarios` (in a checkout, a link to the
    repository's scenarios/; in an installed wheel, the files themselves)."""
    return Path(__file__).resolve().parent / "scenarios"


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up: ./scenarios, then the shipped scenarios."""
    return [Path.cwd() / "scenarios", shipped_dir()]


def resolve(arg: str | Path) -> Path:
    """A scenario argument is a file path, or the name of a shipped scenario."""
    path = Path(arg)
    if path.exists() or path.suffix == ".toml":
        return path
    for folder in scenario_dirs():
        candidate = folder / f"{arg}.toml"
        if candidate.exists():
            return candidate
    raise ScenarioError(str(arg), "", "no such file or shipped scenario")


def dump(scenario: Scenario) -> dict:
    """The fully resolved scenario as plain TOML-ready data."""
    return scenario.model_dump(mode="python")


def to_toml(data: dict) -> str:
    """TOML text of resolved scenario data (tomli-w); unset (None) values are left out."""
    import tomli_w

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if v is not None}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    return tomli_w.dumps(plain(data))
