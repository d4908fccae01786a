"""`[[changes]]` entries reached by index (`changes.0.value`) in --set, --grid and [ranges],
validated as the key they change is; a drawn change value is whole only if that key is."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("SALib")

from .helpers import TINY, invoke, one_line_error  # noqa: E402


def scenario(folder: Path, ranges: str = '"changes.0.value" = [5, 40]') -> Path:
    path = folder / "tinyc.toml"
    path.write_text(
        f'extends = "{TINY}"\nname = "tinyc"\n'
        '[[changes]]\ndate = 2023-04-01\nkey = "types.A.lrus.radar.repair_days.mean"\n'
        'value = 10\n'
        '[[changes]]\ndate = 2023-04-01\nkey = "types.A.repair.channels"\nvalue = 3\n'
        f'[ranges]\n{ranges}\n')
    return path


def one_line(result, *words):
    line = one_line_error(result)
    for w in words:
        assert w in line, line


def test_set_reaches_a_change_by_index(tmp_path):
    path = scenario(tmp_path)
    result = invoke("show", path, "--set", "changes.0.value=30")
    assert result.exit_code == 0 and "value = 30" in result.output, result.output
    one_line(invoke("validate", path, "--set", "changes.0.value=60"), "ranges.changes.0.value",
             "outside its range")
    other = scenario(tmp_path, "")
    one_line(invoke("validate", other, "--set", "changes.0.value=-5"), "changes.0.value",
             "greater than 0")
    one_line(invoke("validate", path, "--set", "changes.5.value=3"), "changes.5.value",
             "not an item")


def test_grid_sweeps_a_change(tmp_path):
    path = scenario(tmp_path)
    out = tmp_path / "sweep"
    result = invoke("sweep", path, "--grid", "changes.0.value=5,40", "-n", 2, "--years", 0.5,
                    "-w", 1, "-q", "-o", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(s["changes"][0]["value"] for s in manifest["scenarios"].values()) == [5, 40]
    one_line(invoke("sweep", path, "--grid", "changes.0.value=-5,40", "-n", 2, "-q",
                    "-o", tmp_path / "bad"), "changes.0.value")


def test_ranges_draw_a_change_value_as_its_key_is(tmp_path):
    path = scenario(tmp_path, '"changes.0.value" = [5, 40]\n"changes.1.value" = [1, 4]')
    out = tmp_path / "draws"
    result = invoke("run", path, "--sample-ranges", 4, "-n", 2, "--years", 0.5, "-w", 1,
                    "-q", "-o", out)
    assert result.exit_code == 0, result.output
    design = pd.read_parquet(out / "design.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    days = design["changes.0.value"]
    assert days.between(5, 40).all() and (days != days.round()).any()  # a mean in days
    channels = design["changes.1.value"]
    assert (channels == channels.round()).all() and channels.between(1, 4).all()
    for row in design.itertuples():
        changes = manifest["scenarios"][row.scenario]["changes"]
        assert changes[0]["value"] == pytest.approx(design.loc[row.Index, "changes.0.value"])
        assert isinstance(changes[1]["value"], int)


@pytest.mark.parametrize("ranges, words", [
    ('"changes.0.value" = [-5, 40]', ["ranges.changes.0.value", "low -5", "greater than 0"]),
    ('"changes.4.value" = [5, 40]', ["ranges.changes.4.value", "no such key"]),
    ('"changes.0.valu" = [5, 40]', ["ranges.changes.0.valu", "no such key"]),
])
def test_bad_change_ranges_are_one_line(tmp_path, ranges, words):
    path = scenario(tmp_path, ranges)
    one_line(invoke("explore", path, "--n", 2, "--reps", 1, "--years", 0.5, "-q",
                    "-o", tmp_path / "o"), *words)
