"""[ranges] with distributions, kinds and groups; list items addressed by index."""

from __future__ import annotations

import numpy as np
import pytest

from sim.scenario import to_toml
from sim.analysis import space
from sim.scenario import ScenarioError, dump, load, read_raw
from sim.sweep import expand, parse_grid

MINI = """
name = "mini"
[types.A]
count = 3
sortie_hours = 1.0
fleet_hours_per_day = 2.0
[[types.A.deliveries]]
date = 2024-01-01
count = 2
[[types.A.deliveries]]
date = 2025-01-01
count = 4
[types.A.lrus.radar]
mtbf_flight_hours = 100
"""

RANGES = MINI + """
[ranges]
"types.A.count" = [1, 6]
"types.A.lrus.radar.mtbf_flight_hours" = { low = 20, high = 200, distribution = "loguniform" }
"types.A.sortie_hours" = { low = 0.5, high = 2.0, distribution = "triangular", mode = 1.2 }
"types.A.deliveries.1.count" = { low = 0, high = 8, kind = "lever" }
"types.A.fleet_hours_per_day" = [1, 4]
[range_groups]
size = ["types.A.count", "types.A.fleet_hours_per_day"]
"""


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_old_pair_form_and_tables_load(tmp_path):
    s = load(write(tmp_path, RANGES))
    assert (s.ranges["types.A.count"].low, s.ranges["types.A.count"].high) == (1, 6)
    assert s.ranges["types.A.count"].distribution == "uniform"
    assert s.ranges["types.A.lrus.radar.mtbf_flight_hours"].distribution == "loguniform"
    assert s.ranges["types.A.deliveries.1.count"].kind == "lever"


def test_dump_round_trips_through_toml(tmp_path):
    s = load(write(tmp_path, RANGES))
    text = to_toml(dump(s))
    assert '"types.A.count" = [' in text  # a plain range is written in its plain form
    again = load(write(tmp_path, text, "again.toml"))
    assert again.ranges == s.ranges and again.range_groups == s.range_groups


@pytest.mark.parametrize("entry, key, words", [
    ('"types.A.count" = { low = 1, high = 6, distribution = "normal" }',
     "ranges.types.A.count.distribution",
     "uniform"),
    ('"types.A.count" = { low = 0, high = 6, distribution = "loguniform" }',
     "ranges.types.A.count.low", "loguniform"),
    ('"types.A.count" = { low = 1, high = 6, distribution = "triangular" }',
     "ranges.types.A.count.mode", "needs a mode"),
    ('"types.A.count" = { low = 1, high = 6, distribution = "triangular", mode = 9 }',
     "ranges.types.A.count.mode", "outside"),
    ('"types.A.count" = [9, 1]', "ranges.types.A.count.low", "above high"),
    ('"types.A.count" = [1, 2, 3]', "ranges.types.A.count", "[low, high]"),
    ('"types.A.deliveries.5.count" = [0, 9]', "ranges.types.A.deliveries.5.count", "no such key"),
])
def test_bad_ranges_name_the_key(tmp_path, entry, key, words):
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, MINI + "[ranges]\n" + entry + "\n"))
    assert info.value.line().startswith(f"{tmp_path / 's.toml'}: {key}: "), info.value.line()
    assert words in info.value.line()


@pytest.mark.parametrize("groups, key, words", [
    ('g = ["types.A.count", "types.A.colour"]', "range_groups.g.1", "no entry"),
    ('g = ["types.A.count"]\nh = ["types.A.count"]', "range_groups.h.0", "in group 'g'"),
    ('g = ["types.A.count", "types.A.deliveries.1.count"]', "range_groups.g", "mixes"),
])
def test_bad_groups_name_the_key(tmp_path, groups, key, words):
    text = RANGES.split("[range_groups]")[0] + "[range_groups]\n" + groups + "\n"
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, text))
    assert f": {key}: " in info.value.line() and words in info.value.line(), info.value.line()


def test_set_and_grid_reach_list_items(tmp_path):
    path = write(tmp_path, MINI)
    s = load(path, ["types.A.deliveries.1.count=7"])
    assert [d.count for d in s.types["A"].deliveries] == [2, 7]
    e = expand(path, [], parse_grid(["types.A.deliveries.0.count=1,5"]))
    assert [sc.types["A"].deliveries[0].count for sc in e.scenarios] == [1, 5]
    with pytest.raises(ScenarioError, match="types.A.deliveries.2.count: '2' is not an item"):
        load(path, ["types.A.deliveries.2.count=7"])


def test_factors_groups_and_kinds(tmp_path):
    s = load(write(tmp_path, RANGES))
    fs = space.factors(s)
    assert [f.name for f in fs] == ["size", "types.A.lrus.radar.mtbf_flight_hours",
                                    "types.A.sortie_hours"]
    assert fs[0].keys == ("types.A.count", "types.A.fleet_hours_per_day")
    levers = space.factors(s, ("lever",))
    assert [f.name for f in levers] == ["types.A.deliveries.1.count"]
    values = space.point_values(s, fs, np.array([1.0, 0.0, np.nan]))
    assert values == {"types.A.count": 6, "types.A.fleet_hours_per_day": 4.0,
                      "types.A.lrus.radar.mtbf_flight_hours": pytest.approx(20.0)}


def test_distributions_map_the_unit_interval():
    u = (np.arange(20000) + 0.5) / 20000
    r = load_range({"low": 10, "high": 1000, "distribution": "loguniform"})
    x = np.array([space.value(r, v) for v in u])
    assert np.median(x) == pytest.approx(100, rel=1e-3)  # the geometric midpoint
    t = load_range({"low": 0, "high": 3, "distribution": "triangular", "mode": 2})
    x = np.array([space.value(t, v) for v in u])
    assert x.mean() == pytest.approx(5 / 3, rel=1e-3)  # (low + mode + high) / 3
    c = load_range({"low": 1, "high": 4})
    counts = np.bincount([space.value(c, v, integer=True) for v in u])
    assert list(counts[1:]) == [5000] * 4  # each whole value equally likely, ends included


def load_range(data):
    from sim.scenario import Range
    return Range.model_validate(data)


def test_range_outside_the_keys_own_bounds(tmp_path):
    path = write(tmp_path, MINI + '[ranges]\n"types.A.count" = [-2, 6]\n')
    s = load(path)
    with pytest.raises(ScenarioError) as info:
        space.check_bounds(read_raw(path), s, space.factors(s), path)
    line = info.value.line()
    assert line.startswith(f"{path}: ranges.types.A.count: low -2 is outside"), line
