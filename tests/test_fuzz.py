"""Fuzzing kept as a test: mutations of the shipped scenarios, as an adversarial user would
make them (a `--set` of any key to any kind of value, or an edit of the file's bytes).

`fleetsim validate` must either accept a mutation (one line, exit 0) or refuse it in exactly
one line with exit 2; every accepted mutation must run one short replication, or fail it
with a one-line error. Bounded: FUZZ_EXAMPLES examples (a minute or two on one core). The
counts (tried, accepted, refused, and what each accepted one did) are printed at the end
(`pytest -s tests/test_fuzz.py`).
"""

import datetime as dt
import json
import math
import os
import shutil
import tomllib
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.runner import run_one
from sim.scenario import ScenarioError, load

from .helpers import SCENARIOS

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.toml"))
SHORT = ["run.warmup_days=0", "run.years=0.2"]
runner = CliRunner()
COUNTS: Counter = Counter()
ACCEPTED: list[str] = []


def leaves(node, prefix=()):
    """Keys (as tuples) of the values in a raw scenario (tables only: arrays are set whole)."""
    for key, value in node.items():
        if isinstance(value, dict):
            yield from leaves(value, prefix + (key,))
        else:
            yield prefix + (key,)


RAW = {name: tomllib.loads((SCENARIOS / name).read_text()) for name in SHIPPED}
KEYS = {name: sorted(leaves(raw)) for name, raw in RAW.items()}


def value_at(raw: dict, parts: tuple):
    for part in parts:
        raw = raw[part]
    return raw


def toml_float(x: float) -> str:
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf") if math.isinf(x) else repr(x)


values = st.one_of(
    st.integers(-2**70, 2**70).map(str),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**9]).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(toml_float),
    st.sampled_from(["1e-300", "1e-6", "1e300", "0.0", "-0.0", "5e-324"]),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.text(max_size=12).map(json.dumps),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.lists(st.integers(-5, 5), max_size=4).map(lambda v: "[" + ", ".join(map(str, v)) + "]"),
    st.just("{a = 1}"),
    st.text(max_size=8),  # not TOML: read as a string
)


@st.composite
def overrides(draw):
    name = draw(st.sampled_from(SHIPPED))
    keys = KEYS[name]
    kind = draw(st.integers(0, 9))  # mostly a real key, sometimes a new or a junk one
    parts = draw(st.sampled_from(keys))
    key = ".".join(parts) if kind < 7 else ".".join(parts[:-1] + ("x",)) if kind < 9 else \
        draw(st.text(min_size=1, max_size=12))
    original = value_at(RAW[name], parts) if kind < 7 else None
    if isinstance(original, (int, float)) and not isinstance(original, bool) \
            and draw(st.booleans()):  # near the shipped value: often accepted
        factor = draw(st.sampled_from([0, 0.5, 0.9, 1.1, 2, 10, -1]))
        value = original * factor
        text = str(int(value)) if isinstance(original, int) else toml_float(float(value))
        return name, f"{key}={text}"
    return name, f"{key}={draw(values)}"


@st.composite
def edits(draw):
    """A byte-level edit of a shipped file: delete, duplicate or overwrite a span."""
    name = draw(st.sampled_from(SHIPPED))
    data = (SCENARIOS / name).read_bytes()
    at = draw(st.integers(0, len(data) - 1))
    size = draw(st.integers(1, 40))
    how = draw(st.sampled_from(["delete", "duplicate", "overwrite", "insert"]))
    junk = draw(st.binary(min_size=1, max_size=size))
    if how == "delete":
        data = data[:at] + data[at + size:]
    elif how == "duplicate":
        data = data[:at] + data[at:at + size] * 2 + data[at + size:]
    elif how == "overwrite":
        data = data[:at] + junk + data[at + len(junk):]
    else:
        data = data[:at] + junk + data[at:]
    return name, f"{how} {size} bytes at {at}", data


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A copy of the shipped scenarios, so that `extends` resolves next to an edited file."""
    out = tmp_path_factory.mktemp("fuzz")
    for name in SHIPPED:
        shutil.copy(SCENARIOS / name, out / name)
    yield out
    print(f"\nfuzz: {COUNTS['tried']} mutations tried, {COUNTS['accepted']} accepted,"
          f" {COUNTS['refused']} refused; accepted replications: {COUNTS['ran']} ran,"
          f" {COUNTS['failed']} failed with one line")
    for line in ACCEPTED:
        print(f"  accepted: {line}")


def check(path, what: str, overrides: list[str]) -> None:
    COUNTS["tried"] += 1
    result = runner.invoke(app, ["validate", str(path), *sum((["--set", o] for o in overrides),
                                                             [])])
    lines = result.output.strip().splitlines()
    assert "Traceback" not in result.output and result.exception is None \
        or isinstance(result.exception, SystemExit), (what, result.output)
    assert len(lines) == 1, (what, result.output)
    if result.exit_code == 2:
        COUNTS["refused"] += 1
        assert lines[0].startswith("error: "), (what, result.output)
        return
    assert result.exit_code == 0 and lines[0].startswith("ok "), (what, result.output)
    COUNTS["accepted"] += 1
    try:
        scenario = load(path, overrides + SHORT)
    except ScenarioError as exc:  # a long horizon cut short may no longer fit its warm-up
        ACCEPTED.append(f"{what}: not run ({exc.line()})")
        return
    outcome = run_one(scenario, 0, 1)
    if outcome.error is None:
        COUNTS["ran"] += 1
        ACCEPTED.append(f"{what}: ran one replication")
    else:
        COUNTS["failed"] += 1
        assert "\n" not in outcome.error, (what, outcome.error)
        ACCEPTED.append(f"{what}: failed in one line: {outcome.error}")


FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(overrides())
def test_a_mutated_override_is_accepted_or_refused_in_one_line(folder, mutation):
    name, item = mutation
    check(folder / name, f"{name} --set {item!r}", [item])


@FUZZ
@given(edits())
def test_an_edited_file_is_accepted_or_refused_in_one_line(folder, mutation):
    name, what, data = mutation
    path = folder / f"edited_{name}"
    path.write_bytes(data)
    check(path, f"{name}: {what}", [])


def test_the_fuzzing_refused_and_accepted_something(folder):
    """Runs after the two above (file order): the fuzzing exercised both outcomes."""
    assert COUNTS["tried"] == COUNTS["accepted"] + COUNTS["refused"] > 0
    assert COUNTS["refused"] > 0 and COUNTS["accepted"] > 0
