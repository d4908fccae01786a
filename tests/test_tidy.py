"""Tidy result tables: months as dates, a unit for every metric, the component split out of
the metric name, monthly names that say what they are, a per-replication stream key."""

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.units import UNITS

from .helpers import SCENARIOS, write_scenario

runner = CliRunner()
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tidy")
    path = write_scenario(folder, "tidy", {"run": {"years": 0.3}})
    out = folder / "out"
    result = runner.invoke(app, ["run", str(path), str(SCENARIOS / "validation" /
                                                       "d2_pilot_hours.toml"),
                                 "-n", "2", "-q", "-w", "1", "-o", str(out), "--years", "0.3",
                                 "--set", "run.warmup_days=0"])
    assert result.exit_code == 0, result.output
    return (out, pd.read_parquet(out / "replications.parquet"),
            pd.read_parquet(out / "timeseries.parquet"))


def test_month_is_the_first_day_of_the_month(tables):
    _, _, ts = tables
    months = sorted(set(ts["month"]))
    assert all(isinstance(m, dt.date) and m.day == 1 for m in months)
    assert months[0] == dt.date(2023, 1, 1) and months[1] == dt.date(2023, 2, 1)


def test_every_metric_has_a_unit_and_components_are_split(tables):
    _, reps, ts = tables
    for frame in (reps, ts):
        assert (frame["unit"].astype(str) != "").all(), \
            set(frame.loc[frame["unit"].astype(str) == "", "metric"])
        assert not frame["metric"].astype(str).str.contains(r"\.").any()
    radar = reps[(reps.component == "radar") & (reps.metric == "backorders")]
    assert len(radar) == 2 and (radar["unit"] == "units").all()
    assert set(reps.loc[reps.metric == "mc_rate", "component"]) == {""}
    sorties = ts[ts.metric == "sorties"]["unit"].unique()
    assert list(sorties) == ["sorties per month"]


def test_summary_csv_is_tidy_like_the_parquet_tables(tables):
    out, reps, _ = tables
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False,
                          na_values={c: [""] for c in ("mean", "std", "ci_low", "ci_high")})
    assert list(summary.columns) == ["scenario", "aircraft_type", "component", "metric",
                                     "unit", "n", "mean", "std", "ci_low", "ci_high"]
    assert not summary["metric"].str.contains(r"\.").any()
    assert (summary["unit"] != "").all(), set(summary.loc[summary["unit"] == "", "metric"])
    # the same (type, component, metric) rows and units as replications.parquet
    keys = ["scenario", "aircraft_type", "component", "metric", "unit"]
    stored = reps[keys].astype(str).drop_duplicates()
    assert len(summary) == len(stored)
    assert set(map(tuple, summary[keys].to_numpy())) == set(map(tuple, stored.to_numpy()))
    radar = summary[(summary.aircraft_type == "A") & (summary.component == "radar")
                    & (summary.metric == "backorders")]
    values = reps[(reps.scenario == "tidy") & (reps.aircraft_type == "A")
                  & (reps.component == "radar") & (reps.metric == "backorders")]["value"]
    row = radar[radar.scenario == "tidy"].iloc[0]
    assert row["unit"] == "units" and row["mean"] == pytest.approx(values.mean())


def test_the_api_reads_the_tidy_summary(tables):
    import fleetsim

    out, _, _ = tables
    res = fleetsim.load(out)
    own = res.summary[(res.summary.component == "") & (res.summary.aircraft_type == "ALL")]
    assert "mc_rate" in set(own.metric) and (own.metric != "backorders").any()
    assert res.summary["mean"].dtype == float


def test_monthly_hours_per_pilot_is_named_annualised(tables):
    _, reps, ts = tables
    assert "hours_per_pilot" in set(reps.metric) and "hours_per_pilot" not in set(ts.metric)
    annual = ts[(ts.metric == "hours_per_pilot_annualised") & (ts.scenario == "d2_pilot_hours")]
    hours = ts[(ts.metric == "pilot_flight_hours") & (ts.scenario == "d2_pilot_hours")]
    pilots = ts[(ts.metric == "pilots") & (ts.scenario == "d2_pilot_hours")]
    first = [frame[(frame.replication == 0)].sort_values("month")["value"].iloc[0]
             for frame in (annual, hours, pilots)]
    # the month's hours per pilot, times 12 (months weigh as the model's snapshots do)
    assert first[0] == pytest.approx(first[1] / first[2] * 12, rel=0.03)
    assert first[0] > 3 * first[1] / first[2]


def test_stream_key_names_root_seed_and_replication(tables):
    _, reps, _ = tables
    assert set(reps["stream_key"].astype(str)) == {"20230101/0", "20230101/1"}
    assert "seed" not in reps


def test_a_multi_scenario_run_writes_compare_csv(tables):
    out, _, _ = tables
    table = pd.read_csv(out / "compare.csv")
    assert set(table["scenario"]) == {"tidy", "d2_pilot_hours"}


def test_readme_metric_dictionary_matches_the_units():
    """Every metric of the units dictionary is in the README's metric dictionary and the
    other way round."""
    text = README.read_text().split("### Metric dictionary", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            documented |= {n.rpartition(".")[2] for n in re.findall(r"`([^`]+)`", first)}
    assert set(UNITS) <= documented, set(UNITS) - documented
    assert documented <= set(UNITS), documented - set(UNITS)
