"""What the UI soak (kiosk/demo/ui_soak.py) reports: the samples taken on the start screen after
the warm-up (RSS after gc and malloc_trim, live widgets, open fds, threads), the budgets they are
held to, and the one line bench/ui_soak.py prints."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any, NamedTuple

BUDGET_MB = 10.0
# The keypad's pad and the option lists are rebuilt per view: which view a screen last showed
# changes the count by up to a pad of keys (A-Z + digits) plus a list of options.
WIDGET_SLACK = 120


FD_SLACK = 8  # sockets to the demo platform and the printer emulator come and go with the calls
THREAD_SLACK = 6  # ...and so do the threads serving them


class Sample(NamedTuple):
    session: int
    rss_mb: float
    widgets: int
    fds: int
    threads: int


@dataclass
class UiSoakReport:
    sessions: int
    warmup: int
    outcomes: dict[str, int]
    faults: dict[str, int]
    taps: int
    stuck: list[str]
    carried_over: list[str]  # what a session left for the next citizen (in sight, in the session)
    kept_hidden: list[str]  # the citizen's data kept by a screen not shown (see carried_over())
    budget_mb: float
    elapsed_s: float
    session_s: float  # of which in sessions (the rest: the measurements' collections)
    slowest: tuple[float, str]  # the slowest session's real time, and which
    samples: list[Sample] = field(default_factory=list)

    def _base(self) -> Sample | None:
        return next((x for x in self.samples if x.session == self.warmup), None)

    def _after(self) -> list[Sample]:
        return [x for x in self.samples if x.session > self.warmup]

    def _span(self, i: int) -> tuple[Any, Any, Any]:
        """(after the warm-up, at the end, most after the warm-up) of sample field i."""
        base, after = self._base(), self._after()
        if base is None or not after:
            return (None if base is None else base[i]), None, None
        return base[i], after[-1][i], max(x[i] for x in after)

    @property
    def rss_growth_mb(self) -> float | None:
        """RSS growth over the measured sessions, read from the trend of all samples after the
        warm-up rather than from two of them: Theil-Sen's slope (the median of the slopes between
        every pair of samples) times the sessions measured. Why: even with its allocator settled
        (kiosk/runtime/malloc_tuning.py) a sample lands wherever glibc's heaps happen to be
        fragmented at that moment, +-10 MB around a flat level, so last-minus-first failed or
        passed by chance; a median of slopes ignores single high or low samples but follows a
        leak, which moves every sample. With two samples it is last-minus-first."""
        points = [(x.session, x.rss_mb) for x in self.samples if x.session >= self.warmup]
        return None if len(points) < 2 else rss_trend_mb(points)

    @property
    def rss_change_mb(self) -> float | None:
        """Last sample minus the first after the warm-up, as reported beside the trend."""
        first, last, _ = self._span(1)
        return None if last is None else last - first

    widgets_after_warmup = property(lambda self: self._span(2)[0])
    widgets_end = property(lambda self: self._span(2)[1])
    widgets_max = property(lambda self: self._span(2)[2])

    def _flat(self, i: int, slack: int) -> bool:
        first, _, most = self._span(i)
        return most is None or most <= first + slack

    widgets_flat = property(lambda self: self._flat(2, WIDGET_SLACK))
    fds_flat = property(lambda self: self._flat(3, FD_SLACK))
    threads_flat = property(lambda self: self._flat(4, THREAD_SLACK))

    @property
    def memory_ok(self) -> bool:
        return self.rss_growth_mb is None or self.rss_growth_mb <= self.budget_mb

    @property
    def ok(self) -> bool:
        return (not self.stuck and not self.carried_over and not self.kept_hidden and self.memory_ok
                and self.widgets_flat and self.fds_flat and self.threads_flat)

    def line(self) -> str:
        growth = "n/a" if self.rss_growth_mb is None else f"{self.rss_growth_mb:.1f}"
        change = "n/a" if self.rss_change_mb is None else f"{self.rss_change_mb:.1f}"
        span = {name: "/".join("-" if v is None else f"{v:.0f}" for v in self._span(i))
                for name, i in (("rss_mb", 1), ("widgets", 2), ("fds", 3), ("threads", 4))}
        return (f"ui_soak: sessions={self.sessions} warmup={self.warmup} outcomes={self.outcomes} "
                f"faults={self.faults} taps={self.taps} stuck={len(self.stuck)} "
                f"carried_over={len(self.carried_over)} kept_hidden={len(self.kept_hidden)} "
                f"rss_growth_mb={growth} (trend; last-first {change}) budget<={self.budget_mb} "
                f"after_warmup/end/max: rss_mb={span['rss_mb']} widgets={span['widgets']} (flat: +{WIDGET_SLACK}) "
                f"fds={span['fds']} (+{FD_SLACK}) threads={span['threads']} (+{THREAD_SLACK}) "
                f"elapsed_s={self.elapsed_s:.0f} s_per_session={self.session_s / max(1, self.sessions):.2f} "
                f"slowest={self.slowest[0]:.1f}s ({self.slowest[1]}) {'OK' if self.ok else 'FAIL'}")


def rss_trend_mb(points: list[tuple[int, float]]) -> float:
    """Theil-Sen: the median slope between pairs of (session, MB) points, times their span."""
    slopes = [(b[1] - a[1]) / (b[0] - a[0]) for i, a in enumerate(points) for b in points[i + 1:] if b[0] != a[0]]
    return statistics.median(slopes) * (points[-1][0] - points[0][0]) if slopes else 0.0
