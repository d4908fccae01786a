"""A batch's progress on the terminal: one bar per scenario with the replications done, the
rate and the time left. Silent when disabled (--quiet, or stderr is not a terminal)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task,
                           TextColumn, TimeRemainingColumn)
from rich.text import Text

from .runner import Outcome


class RateColumn(ProgressColumn):
    """Replications per second, over the last half minute."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f}/s" if speed else "    -/s", style="progress.data.speed")


class BatchProgress:
    """A `batch.Listener` that draws the bars."""

    def __init__(self, console: Console, enabled: bool):
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), RateColumn(), TimeRemainingColumn(),
                                  TextColumn("{task.fields[failed]}", style="red"),
                                  console=console, disable=not enabled, transient=False)
        self._tasks: dict[str, int] = {}
        self._failed: dict[str, int] = {}

    def __enter__(self) -> BatchProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def planned(self, scenario: str, total: int, done: int) -> None:
        task = self._tasks.get(scenario)
        if task is None:
            self._tasks[scenario] = self._progress.add_task(scenario, total=total,
                                                            completed=done, failed="")
        else:
            self._progress.update(task, total=total)

    def finished(self, outcome: Outcome) -> None:
        failed = ""
        if outcome.error is not None:
            self._failed[outcome.scenario] = self._failed.get(outcome.scenario, 0) + 1
            failed = f"{self._failed[outcome.scenario]} failed"
        self._progress.update(self._tasks[outcome.scenario], advance=1,
                              **({"failed": failed} if failed else {}))
