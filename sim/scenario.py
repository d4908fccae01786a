"""Scenario files: TOML loading, `extends` inheritance and `--set` overrides.

The schema itself is in `sim.schema` (re-exported here): frozen pydantic models that reject
unknown keys by name, so a typo never silently falls back to a default. A problem becomes a
`ScenarioError` that names the file, the dotted key and what is wrong, in one line.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from pydantic import ValidationError

from .schema import (  # noqa: F401  (re-exported: the scenario API in one place)
    Accidents, AircraftType, Cannibalization, Conversion, Delivery, Distribution, Flying, Fuel,
    FuelChannel, Inspection, Lru, Maintenance, Overhaul, PartChannel, Pilots, RepairShop, Run,
    Sanctions, Scenario, Surge,
)


class ScenarioError(Exception):
    """A scenario that cannot be used: names the file, the dotted key and the problem."""

    def __init__(self, path: str | Path | None, key: str, message: str):
        self.path, self.key, self.message = (str(path) if path else "<scenario>"), key, message
        super().__init__(self.line())

    def line(self) -> str:
        where = f"{self.path}: {self.key}" if self.key else self.path
        return f"{where}: {self.message}"


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
    raw.setdefault("name", path.stem)
    return raw


def validate(raw: dict, path: str | Path | None = None) -> Scenario:
    """Validate a raw mapping, turning the first problem into a one-line ScenarioError."""
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
    except tomllib.TOMLDecodeError:
        return text.strip()


def set_key(raw: dict, key: str, value: object, path: str | Path | None = None) -> None:
    """Set `value` at the dotted `key` of a raw mapping, creating tables on the way."""
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ScenarioError(path, key, f"'{part}' is a value, not a table")
        node = child
    node[parts[-1]] = value


def _read_resolved(path: Path, chain: tuple[Path, ...]) -> dict:
    resolved = path.resolve()
    if resolved in chain:
        raise ScenarioError(path, "extends", "circular inheritance")
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(path, "", "no such file") from None
    except OSError as exc:
        raise ScenarioError(path, "", exc.strerror or str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path, "", f"not valid TOML: {exc}") from None
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", "must be a file name")
    base = _read_resolved(path.parent / parent, chain + (resolved,))
    base.pop("name", None)
    base.pop("description", None)
    return deep_merge(base, raw)


def deep_merge(base: dict, top: dict) -> dict:
    """Merge `top` into a copy of `base`; tables merge key by key, `top` wins."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _first_error(exc: ValidationError, path: str | Path | None) -> ScenarioError:
    errors = exc.errors()
    err = errors[0]
    key = ".".join(str(p) for p in err["loc"])
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
        head, sep, rest = message.partition(": ")
        if sep and " " not in head:  # the message names its own (nested) key
            key = f"{key}.{head}" if key else head
            message = rest
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(path, key, message)


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
