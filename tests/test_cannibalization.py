"""Cannibalization under common random numbers: consolidating missing parts onto few tails
grounds fewer tails for supply than waiting for parts."""

import pytest

from .helpers import interval, replicate, scenario, values

STARVED = {"run": {"years": 3.0, "warmup_days": 90},
           "types": {"A": {"count": 16, "fleet_hours_per_day": 5.0}}}


@pytest.mark.slow
def test_full_cannibalization_grounds_fewer_tails_for_supply():
    n = 20
    full = replicate(scenario(STARVED | {"cannibalization": {"policy": "full"}}), n, 99)
    none = replicate(scenario(STARVED | {"cannibalization": {"policy": "none"}}), n, 99)
    diff = values(full, "A", "nmcs_aircraft") - values(none, "A", "nmcs_aircraft")
    low, high = interval(diff)
    assert high < 0, f"full - none NMCS tails: CI [{low:.3f}, {high:.3f}]"
    assert values(full, "A", "cannibalizations").min() > 0


def test_capped_policy_respects_its_monthly_quota():
    capped = scenario(STARVED | {"cannibalization": {"policy": "capped",
                                                     "max_actions_per_month": 2}})
    result = replicate(capped, 1, 3)[0]
    per_month = result.monthly["A"]["cannibalizations"]
    assert per_month.max() <= 2
    assert per_month.sum() > 0


def test_no_policy_means_no_actions():
    result = replicate(scenario(STARVED | {"cannibalization": {"policy": "none"}}), 1, 3)[0]
    assert result.values["ALL"]["cannibalizations"] == 0
    assert result.values["A"]["nmcs_aircraft"] > 0
