"""The unit of every metric: one dictionary, used by the result tables' `unit` column and
checked against the README's metric dictionary.

Keys are metric names without their component (`backorders`, not `radar.backorders`).
Values over a window (replications.parquet) are time averages for levels and totals for
counts; in the monthly table (timeseries.parquet) a count is the month's total, so its
unit reads "... per month" (`monthly_unit`).
"""

from __future__ import annotations

import re

UNITS = {
    # tails, time averages
    "fmc_aircraft": "tails", "nmcm_aircraft": "tails", "nmcs_aircraft": "tails",
    "pmc_aircraft": "tails", "nmcb_aircraft": "tails", "depot_aircraft": "tails",
    "flyable_aircraft": "tails", "tnmcs_aircraft": "tails", "tnmcm_aircraft": "tails",
    "possessed_aircraft": "tails", "active_aircraft": "tails", "lost_aircraft": "tails", "retired_aircraft": "tails",
    "crewed_fmc_aircraft": "tails", "crewed_fmc_<h>h": "tails",
    "mc_rate": "fraction", "fmc_rate": "fraction", "fill_rate": "fraction", "ready_rate": "fraction",
    "repair_utilization": "fraction", "inspection_utilization": "fraction",
    "overhaul_utilization": "fraction",
    # counts
    "sorties": "sorties", "sorties_lost_no_aircraft": "sorties",
    "sorties_planned": "sorties", "sorties_demanded": "sorties",
    "surge_sorties_per_day": "sorties per day",
    "sorties_lost_no_pilot": "sorties", "sorties_lost_no_fuel": "sorties",
    "flight_hours": "FH", "pilot_flight_hours": "FH",
    "cannibalizations": "actions", "cann_per_100_sorties": "actions per 100 sorties",
    "cann_per_1000_fh": "actions per 1000 FH", "cann_per_aircraft_year": "actions per aircraft-year",
    "cann_fill_share": "fraction", "backorder_fills": "units", "cann_fills": "units",
    "removals": "units", "condemned": "units", "resupplied": "units", "repaired": "units",
    "shelf_fills": "units", "losses": "tails", "delivered_aircraft": "tails",
    "losses_per_100k_fh": "losses per 100,000 FH",
    "inspections": "inspections", "overhauls": "overhauls",
    "downtime_days": "tail-days", "returns_to_fmc": "returns",
    "mean_downtime_days": "days", "repair_turnaround_days": "unit-days",
    "pilots_departed": "pilots", "pilots_lost": "pilots",
    "fuel_used_t": "t", "fuel_delivered_t": "t",
    # levels of units, channels, pilots, fuel
    "backorders": "units", "stock": "units", "in_repair": "units", "on_order": "units",
    "reserve_aircraft": "tails",
    "repair_busy": "channels", "repair_queue": "units", "repair_channels": "channels",
    "inspection_channels": "docks", "overhaul_channels": "depot slots",
    "inspection_busy": "docks", "inspection_queue": "tails",
    "overhaul_busy": "depot slots", "overhaul_queue": "tails",
    "pilots": "pilots", "pilots_in_conversion": "pilots", "proficient_pilots": "pilots",
    "pilots_over_<h>h": "pilots",
    "pilot_12m_hours": "FH per pilot (rolling 12 months)",
    "pilot_12m_hours_p<q>": "FH per pilot (rolling 12 months)",
    "hours_per_pilot": "FH per pilot per year",
    "hours_per_pilot_annualised": "FH per pilot per year",
    "fuel_stock_t": "t",
}

# monthly names that differ from the window's: the monthly hours per pilot is the month's
# hours per pilot times 12, and says so
MONTHLY_NAMES = {"hours_per_pilot": "hours_per_pilot_annualised"}


# metric names made from a scenario's values (a proficiency threshold, a decile), and the
# dictionary's name for them
TEMPLATES = [(re.compile(r"pilots_over_[0-9p]+h"), "pilots_over_<h>h"),
             (re.compile(r"crewed_fmc_[0-9p]+h"), "crewed_fmc_<h>h"),
             (re.compile(r"pilot_12m_hours_p[0-9]+"), "pilot_12m_hours_p<q>")]


def unit(metric: str) -> str:
    """The unit of a metric over a window ('' when unknown)."""
    name = metric.rpartition(".")[2]
    if name not in UNITS:
        name = next((t for pattern, t in TEMPLATES if pattern.fullmatch(name)), name)
    return UNITS.get(name, "")


def monthly_unit(metric: str) -> str:
    """The unit of a metric's monthly value: a count's is per month."""
    from .windows import kind

    base = unit(metric)
    return f"{base} per month" if base and kind(metric) == "count" else base
