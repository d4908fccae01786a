"""Progress that scales: one overall bar, a bar per scenario only for a few scenarios, and a
line after Ctrl-C saying what the batch waits for."""

import io

import pytest
from rich.console import Console

from sim.progress import DETAIL_AT, BatchProgress
from sim.runner import Outcome


def _draw(scenarios: int, fail: int = 0, interrupt: bool = False) -> str:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160)
    names = [f"variant_{i:02d}" for i in range(scenarios)]
    try:
        with BatchProgress(console, True, scenarios, out="results/x") as bar:
            for name in names:
                bar.planned(name, 3, 1)
            for i, name in enumerate(names):
                for k in (1, 2):
                    error = "boom" if i * 2 + k - 1 < fail else None
                    bar.finished(Outcome(name, k, 1, 0.1, error=error))
            if interrupt:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    return screen.getvalue()


def test_many_scenarios_get_one_overall_bar():
    text = _draw(12, fail=2)
    assert "all 12 scenarios" in text and "36/36" in text and "2 failed" in text
    assert "variant_00" not in text


def test_few_scenarios_get_a_bar_each_under_the_overall_bar():
    text = _draw(DETAIL_AT)
    assert f"all {DETAIL_AT} scenarios" in text and f"{3 * DETAIL_AT}/{3 * DETAIL_AT}" in text
    assert all(f"variant_{i:02d}" in text for i in range(DETAIL_AT))


def test_an_interrupt_says_what_it_waits_for():
    text = _draw(2, interrupt=True)
    assert "interrupted after 6 of 6 replications: waiting for the replications in progress" \
        in text and "results/x" in text
    assert "interrupted" not in _draw(2)
