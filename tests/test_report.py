"""fleetsim report: findings first, valid PNGs of capped width, a complete methods section
described from the resolved scenarios, zero-only metrics left out with a sentence, and an
HTML document whose every image loads in a real (headless) browser."""

import re
import shutil
import subprocess

import matplotlib.image as mpimg
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import figures, report
from sim.cli import app

from .helpers import write_scenario

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
MAX_PX = figures.MAX_WIDTH * figures.DPI


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def made_figures(md: str) -> list[str]:
    return re.findall(r"\]\(([\w.]+\.png)\)", md)


def report_of_small(tmp_path, years: str = "0.3"):
    """The results directory of the small test scenario (2 replications), with its report."""
    path = write_scenario(tmp_path, "small")
    out = tmp_path / "small"
    assert invoke("run", path, "-n", "2", "--years", years, "-q", "-w", "1",
                  "--out", out).exit_code == 0
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_report_of_a_two_scenario_run(tmp_path):
    out = tmp_path / "sweep"
    result = invoke("sweep", "status_quo", "--grid", "cannibalization.policy=full,none",
                    "-n", "3", "--years", "0.5", "-q", "-w", "2", "--out", out,
                    "--set", "run.warmup_days=0", "--set", "run.start_date=2023-01-01")
    assert result.exit_code == 0, result.output
    result = invoke("report", out, "--warmup-months", "1")
    assert result.exit_code == 0, result.output
    folder = out / "report"
    md = (folder / "report.md").read_text()
    html = (folder / "report.html").read_text()
    names = made_figures(md)
    assert {"mc_rate.png", "mc_rate_by_type.png", "states_by_type.png",
            "cann_per_100_sorties.png"} <= set(names)
    for name in names:
        data = (folder / name).read_bytes()
        assert data.startswith(PNG) and 5_000 < len(data) < 600_000, name
        image = mpimg.imread(folder / name)
        assert image.shape[0] > 200 and 300 < image.shape[1] <= MAX_PX, name
    assert html.count("data:image/png;base64,") == len(names)
    headings = ["## Findings", "## Comparison with the baseline", "### 1. Objectives",
                "### 2. Logic", "### 3. Data", "### 4. Experimentation",
                "### 5. Implementation", "### 6. Code access"]
    positions = [md.index(h) for h in headings]
    assert positions == sorted(positions)  # findings first, STRESS-DES order
    assert "warm-up of 1 months excluded" in md
    # the sweep's values, and each variant described from its resolved values
    assert "| `cannibalization.policy` | full | none |" in md
    assert "| status_quo/2 | none |" in md
    variant2 = md[md.index("#### policy=none (status_quo/2)"):md.index("### 3. Data")]
    resolved = variant2[variant2.index("Resolved:"):]
    assert "no cannibalization" in resolved and "full cannibalization" not in resolved
    assert "File description (before overrides and sweep values): KPAAF" in variant2


def test_methods_list_every_difference_and_the_overrides(tmp_path):
    changes = {"cannibalization": {"policy": "capped", "max_actions_per_month": 3,
                                   "hours_per_action": 5.0, "damage_probability": 0.1},
               "flying": {"window_hours": 11},
               "types": {"A": {"count": 11, "sortie_hours": 1.1, "turnaround_hours": 0.5,
                               "age_years": 3.0, "aging_per_year": 0.01,
                               "repair": {"channels": 3}}}}
    base = write_scenario(tmp_path, "base")
    other = write_scenario(tmp_path, "other", changes)
    out = tmp_path / "out"
    result = invoke("run", base, other, "-n", "2", "--years", "0.3", "-q", "-w", "1",
                    "--set", "maintenance.allocation=fifo", "--out", out)
    assert result.exit_code == 0, result.output
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    md = (out / "report" / "report.md").read_text()
    keys = ["cannibalization.policy", "cannibalization.max_actions_per_month",
            "cannibalization.hours_per_action", "cannibalization.damage_probability",
            "flying.window_hours", "types.A.count", "types.A.sortie_hours",
            "types.A.turnaround_hours", "types.A.age_years", "types.A.aging_per_year",
            "types.A.repair.channels"]
    for key in keys:  # more than 8: none cut
        assert f"| `{key}` |" in md, key
    assert f"Differences from base ({len(keys)}):" in md
    assert "Overrides on the command line: maintenance.allocation=fifo, --years 0.3" in md
    logic = md[md.index("#### other"):md.index("### 3. Data")]
    assert "cannibalization capped at 3 actions a month" in logic


def test_findings_cover_every_type_and_scenario(tmp_path):
    two = {"types": {"B": {"count": 6, "sortie_hours": 1.0, "fleet_hours_per_day": 4.0,
                           "lrus": {"engine": {"mtbf_flight_hours": 100}}}}}
    base = write_scenario(tmp_path, "base", two)
    worse = write_scenario(tmp_path, "worse", {**two, "cannibalization": {"policy": "none"}})
    out = tmp_path / "out"
    assert invoke("run", base, worse, "-n", "3", "--years", "0.4", "-q", "-w", "1",
                  "--out", out).exit_code == 0
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    md = (out / "report" / "report.md").read_text()
    findings = md[md.index("## Findings"):md.index("## Comparison")]
    rows = [line for line in findings.splitlines() if "| worse |" in line]
    assert [r.split("|")[1].strip() for r in rows] == ["whole fleet", "A", "B"]
    comparison = pd.read_parquet(out / "replications.parquet")
    comparison = comparison[(comparison["metric"] == "fmc_aircraft")
                            & (comparison["aircraft_type"] == "ALL")]
    wide = comparison.pivot(index="replication", columns="scenario", values="value")
    diff = (wide["worse"] - wide["base"]).mean()
    places = 3 if abs(diff) < 1 else 2
    assert f"{diff:+.{places}f}"[:4] in rows[0].split("|")[5]


def test_figures_whose_metrics_are_absent_are_skipped_with_a_note(tmp_path):
    out = report_of_small(tmp_path)  # no pilots, no fuel
    md = (out / "report" / "report.md").read_text()
    assert (out / "report" / "mc_rate.png").read_bytes().startswith(PNG)
    assert not (out / "report" / "fuel_stock.png").exists()
    assert "Fuel stock by fuel kind: skipped" in md
    assert "Pilot hours per year by type, over replications: skipped" in md


def test_zero_only_metrics_are_left_out_with_a_sentence():
    rows = []
    for metric, value in (("mc_rate", 0.5), ("proficient_pilots", 0.0)):
        for s in ("a", "b"):
            rows.append({"aircraft_type": "ALL", "metric": metric, "scenario": s,
                         "mean": value, "ci_low": value, "ci_high": value})
    kept, gone = report.drop_zero_only(pd.DataFrame(rows))
    assert gone == ["proficient_pilots"] and set(kept["metric"]) == {"mc_rate"}


def test_seven_scenarios_make_a_grid_of_capped_width():
    fig, axes = figures.grid(7, cols=3)
    assert len(axes) == 7 and fig.get_size_inches()[0] <= figures.MAX_WIDTH
    assert len({round(ax.get_position().y0, 3) for ax in axes}) == 3  # three rows


def test_dated_events_are_read_from_the_manifest_whatever_their_shape():
    class Change:  # a [[changes]] entry as an object rather than a mapping
        date, key, value = "2026-01-01", "types.A.count", 3

    manifest = {"scenarios": {"s": {
        "types": {"A": {"deliveries": [{"date": "2025-09-01", "count": 10}]}},
        "changes": [{"date": "2027-03-01", "key": "fuel.jet.initial_t", "value": 5}, Change()],
        "flying": {"surges": [{"start_date": "2024-01-01", "end_date": "2024-02-01",
                               "multiplier": 2.0}]}}}}
    ev = report.events(manifest)["s"]
    assert [(e.kind, str(e.start.date())) for e in ev] == [
        ("delivery", "2025-09-01"), ("change", "2027-03-01"), ("change", "2026-01-01"),
        ("surge", "2024-01-01")]
    assert ev[0].aircraft_type == "A" and str(ev[-1].end.date()) == "2024-02-01"


def test_label_is_the_one_place_for_display_names(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "label", lambda name, manifest=None: f"<{name}>")
    out = report_of_small(tmp_path, "0.2")
    assert "fleetsim report: <small>" in (out / "report" / "report.md").read_text()
    assert "&lt;small&gt;" in (out / "report" / "report.html").read_text()  # escaped


ROLES = {"cannibalization": {"policy": "full"},
         "types": {"A": {"role": "air_defence"},
                   "B": {"count": 6, "sortie_hours": 1.0, "fleet_hours_per_day": 4.0,
                         "role": "transport",
                         "lrus": {"engine": {"mtbf_flight_hours": 100}}}}}


@pytest.fixture(scope="module")
def role_sweep(tmp_path_factory):
    """A sweep of two variants over a fleet of two types with roles, and its report, with
    the panel titles and legend labels of every figure that has a legend."""
    folder = tmp_path_factory.mktemp("roles")
    path = write_scenario(folder, "roles", ROLES,
                          extra='\n[sweep]\n"cannibalization.policy" = ["none", "full"]\n')
    out = folder / "out"
    result = invoke("run", path, "-n", "2", "--years", "0.3", "-q", "-w", "1", "--out", out)
    assert result.exit_code == 0, result.output
    drawn = {}
    original = figures.legend_below

    def recording(fig, f, extra=None):
        original(fig, f, extra)
        title = fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title()
        drawn[title] = ([ax.get_title() for ax in fig.axes if ax.get_visible()],
                        [t.get_text() for t in fig.legends[-1].get_texts()])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(figures, "legend_below", recording)
        result = invoke("report", out)
    assert result.exit_code == 0, result.output
    return out, (out / "report" / "report.md").read_text(), drawn


def test_report_labels_sweep_variants_by_their_values(role_sweep):
    out, md, drawn = role_sweep
    assert md.startswith("# fleetsim report: policy=none, policy=full")
    findings = md[md.index("## Findings"):md.index("## Comparison")]
    table = md[md.index("## Comparison"):md.index("## Figures")]
    assert "| policy=full |" in findings and "roles/" not in findings
    assert "| policy=full |" in table and "roles/2" not in table
    assert "#### policy=full (roles/2)" in md and "| roles/2 | full |" in md  # methods
    legends = [labels for _, labels in drawn.values()]
    assert legends and all({"policy=none", "policy=full"} <= set(x) for x in legends)
    assert not any(label.startswith("roles/") for x in legends for label in x)


def test_report_findings_and_figures_by_role(role_sweep):
    out, md, drawn = role_sweep
    findings = md[md.index("## Findings"):md.index("## Comparison")]
    blocks = [line.split("|")[1].strip() for line in findings.splitlines()
              if "| policy=full |" in line]
    assert blocks == ["whole fleet", "combat types (COMBAT)", "role air_defence"
                      " (role:air_defence)", "role transport (role:transport)", "A", "B"]
    by_type = next(v for k, v in drawn.items() if k.startswith("MC rate by aircraft type"))
    by_role = next(v for k, v in drawn.items() if k.startswith("MC rate by role"))
    assert by_type[0] == ["A", "B"]  # types only
    assert by_role[0] == ["COMBAT", "role:air_defence", "role:transport"]
    assert "mc_rate_by_role.png" in made_figures(md)


def test_compare_takes_a_role_group_as_type(role_sweep):
    out, _, _ = role_sweep
    result = invoke("compare", out, "-t", "role:air_defence", "-t", "COMBAT", "-f", "csv",
                    "-m", "mc_rate")
    assert result.exit_code == 0, result.output
    from io import StringIO

    table = pd.read_csv(StringIO(result.stdout))
    assert list(dict.fromkeys(table["aircraft_type"])) == ["role:air_defence", "COMBAT"]
    reps = pd.read_parquet(out / "replications.parquet")
    a = reps[(reps.aircraft_type == "A") & (reps.metric == "mc_rate")]
    group = reps[(reps.aircraft_type == "role:air_defence") & (reps.metric == "mc_rate")]
    assert group["value"].to_numpy() == pytest.approx(a["value"].to_numpy())  # A alone
    result = invoke("compare", out, "-t", "role:strike")
    assert result.exit_code == 2 and "--type role:strike: no such aircraft type" in result.output


def test_no_roles_no_role_figure(tmp_path):
    assert report.role_groups({"scenarios": {"s": {"types": {"A": {}}}}}) == []
    assert report.role_groups({"scenarios": {"s": {"types": {"A": {"role": "strike"},
                                                             "B": {"role": None}}}}}) \
        == ["COMBAT", "role:strike"]
    frame = figures.Frame(pd.DataFrame(columns=["scenario", "aircraft_type", "date", "metric",
                                                "value"]), pd.DataFrame(), [], {}, ["ALL"])
    assert figures.fig_mc_rate_by_role(frame) == "no aircraft type has a role"


BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
               None)
CHECK = ("<script>window.addEventListener('load',()=>{document.body.setAttribute("
         "'data-images',[...document.images].map(i=>i.complete&&i.naturalWidth>0?1:0)"
         ".join(''))})</script></body>")


@pytest.mark.skipif(BROWSER is None, reason="no headless browser (chromium) installed")
def test_every_image_of_report_html_loads_in_a_browser(tmp_path):
    out = report_of_small(tmp_path)
    html = (out / "report" / "report.html").read_text()
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", CHECK))
    dom = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
                          "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    loaded = re.search(r'data-images="([01]*)"', dom)
    assert loaded is not None, dom[-500:]
    shown = made_figures((out / "report" / "report.md").read_text())
    assert loaded[1] == "1" * len(shown) and len(shown) >= 3


def test_report_bad_input_is_one_line(tmp_path):
    result = invoke("report", tmp_path / "nothing")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
