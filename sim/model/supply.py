"""When supply channels deliver: opening dates, sanctions, steady and Poisson arrivals.

A channel is open between its `start_date` and `end_date`; while the sanctions regime is in
force its rate is multiplied by its `sanctions_factor` (0: cut off, 0.5: halved). `RateProfile`
turns those dates into a piecewise-constant multiplier over model time, and inverts the
cumulative rate so that arrivals can be placed exactly: steady arrivals come each time the
expected count passes a whole number, Poisson arrivals when it passes a sum of Exp(1) draws
(a time-changed Poisson process). A dated change of a channel's rate sets a new `level`
from its date on, so that arrivals before it stay exactly where they were.
"""

from __future__ import annotations

import datetime as dt
import math

from ..schema import Run, Sanctions, _Window


class RateProfile:
    """Piecewise-constant rate multiplier of a channel over [0, horizon] (days): its window
    (0 closed, 1 open, the sanctions factor while sanctions bite) times a `level` (the
    channel's own rate; 1 unless given) that dated changes may move."""

    def __init__(self, window: _Window, run: Run, sanctions: Sanctions, horizon: float,
                 level: float = 1.0):
        def day(date: dt.date | None, default: float) -> float:
            return default if date is None else run.day_of(date)

        opens, closes = day(window.start_date, -math.inf), day(window.end_date, math.inf)
        s_on, s_off = day(sanctions.start_date, math.inf), day(sanctions.end_date, math.inf)
        if sanctions.start_date is None:
            s_on = math.inf
        cuts = sorted({0.0, horizon} | {t for t in (opens, closes, s_on, s_off) if 0 < t < horizon})
        self.opens = max(0.0, opens)
        self.opens_before_start = opens < 0 and window.start_date is not None
        self.window: list[tuple[float, float, float]] = []
        for a, b in zip(cuts, cuts[1:]):
            mid = (a + b) / 2
            m = 0.0 if not opens <= mid < closes else (
                window.sanctions_factor if s_on <= mid < s_off else 1.0)
            self.window.append((a, b, m))
        self.levels = [(0.0, level)]
        self.segments = [(a, b, m * level) for a, b, m in self.window]

    def set_level(self, t0: float, level: float) -> None:
        """From `t0` on, the multiplier is the window's times `level`."""
        self.levels.append((t0, level))
        cuts = sorted({t for a, b, _ in self.window for t in (a, b)} |
                      {t for t, _ in self.levels if self.window[0][0] < t < self.window[-1][1]})
        self.segments = []
        for a, b in zip(cuts, cuts[1:]):
            m = next(m for wa, wb, m in self.window if wa <= a < wb)
            lv = [lv for t, lv in self.levels if t <= a][-1]
            self.segments.append((a, b, m * lv))

    def at(self, t: float) -> float:
        for a, b, m in self.segments:
            if a <= t < b:
                return m
        return 0.0

    def after(self, t0: float, days: float) -> float:
        """First time from `t0` on at which `days` multiplier-days have passed, inside an
        open segment (`days` = 0: `t0` if open, else the next opening; inf: never)."""
        for a, b, m in self.segments:
            if b <= t0 or m <= 0:
                continue
            start = max(a, t0)
            span = (b - start) * m
            if span >= days:
                return start + days / m
            days -= span
        return math.inf

    def time_of(self, count: float) -> float:
        """First time at which `rate_integral` (multiplier-days) reaches `count` (inf: never)."""
        done = 0.0
        for a, b, m in self.segments:
            if m > 0:
                span = (b - a) * m
                if done + span >= count:
                    return a + (count - done) / m
                done += span
        return math.inf
