"""Watching a running app: a look at its screen and CPU time every ~10 ms, and the
figures drawn from the looks and the emulator's send log."""

from __future__ import annotations

import bisect
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.feel_screen import (
    CLOCK_TICK,
    Pane,
    chat_area,
    composer_text,
    cpu_seconds,
    replying,
    top_marker,
)
from bench.feel_world import Stream
from ollama_tui.emulator.demo import marker_numbers

INTERVAL = 0.01


class BenchError(RuntimeError):
    """A run did not go as a user's would; the message ends with the screen."""


@dataclass(frozen=True)
class Look:
    t: float
    """``time.monotonic()`` when the capture came back: the screen looked so at some
    moment before, so a time measured to it is never short, by at most a capture's
    round trip (well under a millisecond)."""
    cpu: float
    """The app's CPU seconds so far."""
    changed: bool
    """The chat area differs from the previous look: a frame."""
    marker: int
    """The highest marker word in the chat area."""
    composer: str
    replying: bool


class Watch:
    """Looks at ``pane`` (whose app is ``pid``) when asked, keeping every look."""

    def __init__(self, pane: Pane, pid: int) -> None:
        self.pane, self.pid = pane, pid
        self.looks: list[Look] = []
        self.screen: list[str] = []
        self.area = ""
        self.next_at = time.monotonic()

    def look(self) -> Look:
        screen = self.pane.screen()
        moment = time.monotonic()
        cpu = cpu_seconds(self.pid)
        area = chat_area(screen)
        look = Look(
            moment,
            cpu,
            bool(self.looks) and area != self.area,
            top_marker(area),
            composer_text(screen),
            replying(screen),
        )
        self.screen, self.area = screen, area
        self.looks.append(look)
        return look

    def pause(self) -> None:
        """Sleep to the next 10 ms tick (at once if the last look took longer)."""
        self.next_at = max(self.next_at + INTERVAL, time.monotonic())
        time.sleep(max(0.0, self.next_at - time.monotonic()))

    def until(
        self,
        done: Callable[[Look], bool],
        what: str,
        deadline: float,
        each: Callable[[Look], None] | None = None,
    ) -> Look:
        """Look until ``done`` holds (calling ``each`` with every look); that look."""
        until = time.monotonic() + deadline
        while True:
            look = self.look()
            if each is not None:
                each(look)
            if done(look):
                return look
            if time.monotonic() > until:
                self.fail(f"no {what} within {deadline:.0f} s")
            self.pause()

    def until_idle(self, window: float = 0.3, deadline: float = 10.0) -> Look:
        """Look until the app has used at most one clock tick of CPU for ``window``
        seconds; the look that began the quiet spell (its CPU is the total "until
        idle"). A blinking caret costs a tick now and then, hence the one allowed."""
        until = time.monotonic() + deadline
        start = len(self.looks)
        while True:
            self.look()
            now = self.looks[-1]
            first = start
            while self.looks[first].t < now.t - window:
                first += 1
            if first > start and now.cpu - self.looks[first - 1].cpu <= 1.0 / CLOCK_TICK:
                return self.looks[first - 1]
            if time.monotonic() > until:
                return now
            self.pause()

    def fail(self, problem: str) -> None:
        raise BenchError(problem + "\n\nLast screen:\n" + "\n".join(self.screen))

    # -- figures ------------------------------------------------------------------------

    def frames(self, start: float, end: float) -> list[float]:
        return [look.t for look in self.looks if look.changed and start <= look.t <= end]

    def cpu_at(self, moment: float) -> float:
        """The app's CPU time at ``moment``, between the looks on either side."""
        times = [look.t for look in self.looks]
        after = bisect.bisect_left(times, moment)
        if after <= 0:
            return self.looks[0].cpu
        if after >= len(times):
            return self.looks[-1].cpu
        a, b = self.looks[after - 1], self.looks[after]
        return a.cpu + (b.cpu - a.cpu) * (moment - a.t) / (b.t - a.t)

    def first_showing(self, marker: int) -> float | None:
        """When a marker numbered ``marker`` or higher was first on screen."""
        return next((look.t for look in self.looks if look.marker >= marker), None)


def marker_sends(stream: Stream) -> list[tuple[int, int, float]]:
    """(marker number, token index, sent at) for every marker in the stream."""
    return [
        (number, index, sent)
        for index, (text, sent) in enumerate(zip(stream.texts, stream.sent, strict=True))
        for number in marker_numbers(text)
    ]


def while_arriving(watch: Watch, stream: Stream) -> dict[str, float]:
    """Screen updates and CPU from the first token sent to the last."""
    start, end = stream.first, stream.last
    span = max(end - start, 1e-9)
    frames = watch.frames(start, end)
    gaps = [b - a for a, b in itertools.pairwise(frames)]
    figures = {
        "updates/s while tokens arrive": len(frames) / span,
        "% of a core while tokens arrive": (watch.cpu_at(end) - watch.cpu_at(start)) / span * 100,
        "sent rate tok/s": (stream.tokens - 1) / span,
    }
    if gaps:
        figures["update gap median ms"] = statistics.median(gaps) * 1000
        figures["update gap p95 ms"] = percentile(gaps, 95) * 1000
    return figures


def lags(watch: Watch, stream: Stream) -> dict[str, float]:
    """From a marker word leaving the emulator to it (or a later one) being on screen."""
    delays = [
        seen - sent
        for number, _, sent in marker_sends(stream)
        if (seen := watch.first_showing(number)) is not None
    ]
    if not delays:
        return {}
    return {
        "lag median ms": statistics.median(delays) * 1000,
        "lag p95 ms": percentile(delays, 95) * 1000,
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]
