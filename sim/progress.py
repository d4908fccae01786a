"""A batch's progress on the terminal: one overall bar (replications done of the total, the
rate, elapsed time, time left, failures), and one bar per scenario only when a batch has few
scenarios (DETAIL_AT). Silent when disabled (--quiet, or stderr is not a terminal). After
Ctrl-C it says what the batch still waits for before it exits."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task,
                           TextColumn, TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text

from .runner import Outcome

DETAIL_AT = 4  # at most this many scenarios get a bar each, under the overall bar


class RateColumn(ProgressColumn):
    """Replications per second, over the last half minute."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f}/s" if speed else "    -/s", style="progress.data.speed")


class BatchProgress:
    """A `batch.Listener` that draws the bars. `scenarios` is how many the batch runs;
    `announce` prints the line after an interrupt (on by default, off with --quiet)."""

    def __init__(self, console: Console, enabled: bool, scenarios: int | None = None,
                 announce: bool = True, out: str | None = None):
        self._console, self._announce, self._out = console, announce, out
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(),
                                  TextColumn("left"), TimeRemainingColumn(),
                                  TextColumn("{task.fields[failed]}", style="red"),
                                  console=console, disable=not enabled, transient=False)
        self._detail = scenarios is not None and 1 < scenarios <= DETAIL_AT
        self._single = scenarios == 1  # the overall bar takes the scenario's name
        label = "all" if scenarios is None else (
            f"all {scenarios} scenarios" if scenarios > 1 else "replications")
        self._overall = self._progress.add_task(label, total=0, completed=0, failed="")
        self._tasks: dict[str, int] = {}
        self._totals: dict[str, int] = {}
        self._failed: dict[str, int] = {}
        self._done = 0

    def __enter__(self) -> BatchProgress:
        self._progress.start()
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self._progress.stop()
        if kind is KeyboardInterrupt and self._announce:
            total = sum(self._totals.values())
            where = f" in {self._out}" if self._out else ""
            self._console.print(
                f"interrupted after {self._done} of {total} replications: waiting for the"
                f" replications in progress to finish and the workers to stop (finished ones"
                f" are kept{where})", highlight=False, soft_wrap=True, markup=False)

    def planned(self, scenario: str, total: int, done: int) -> None:
        if scenario not in self._totals:
            self._done += done  # kept from an earlier run of the batch
            if self._single:
                self._progress.update(self._overall, description=scenario)
        self._totals[scenario] = total
        self._progress.update(self._overall, total=sum(self._totals.values()),
                              completed=self._done)
        if not self._detail:
            return
        task = self._tasks.get(scenario)
        if task is None:
            self._tasks[scenario] = self._progress.add_task(f"  {scenario}", total=total,
                                                            completed=done, failed="")
        else:
            self._progress.update(task, total=total)

    def finished(self, outcome: Outcome) -> None:
        self._done += 1
        fields = {}
        if outcome.error is not None:
            self._failed[outcome.scenario] = self._failed.get(outcome.scenario, 0) + 1
            fields = {"failed": f"{sum(self._failed.values())} failed"}
        self._progress.update(self._overall, advance=1, **fields)
        task = self._tasks.get(outcome.scenario)
        if task is not None:
            scenario_failed = self._failed.get(outcome.scenario)
            self._progress.update(task, advance=1, **(
                {"failed": f"{scenario_failed} failed"} if outcome.error is not None else {}))
