"""Where each turn's lines start in the whole log, and which turn a line belongs to."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate


class LineIndex:
    """The height of every turn, exact once it has been rendered, estimated before.

    A reopened conversation of thousands of turns is laid out from estimates, so it
    opens at once; a turn is rendered when it comes into view, and its exact height
    replaces the estimate."""

    def __init__(self) -> None:
        self.heights: list[int] = []
        self.exact: list[bool] = []
        self._starts: list[int] | None = None

    def __len__(self) -> int:
        return len(self.heights)

    def reset(self, estimates: list[int]) -> None:
        self.heights = list(estimates)
        self.exact = [False] * len(estimates)
        self._starts = None

    def append(self, height: int) -> None:
        self.heights.append(height)
        self.exact.append(True)
        self._starts = None

    def set(self, turn: int, height: int) -> int:
        """Record ``turn``'s exact height; returns by how much it changed."""
        change = height - self.heights[turn]
        self.exact[turn] = True
        if change:
            self.heights[turn] = height
            self._starts = None
        return change

    def estimate(self, turn: int, height: int) -> None:
        self.exact[turn] = False
        if height != self.heights[turn]:
            self.heights[turn] = height
            self._starts = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *accumulate(self.heights)]
        return self._starts

    @property
    def total(self) -> int:
        return self.starts[-1]

    def start(self, turn: int) -> int:
        return self.starts[turn]

    def locate(self, y: int) -> tuple[int, int]:
        """The turn drawn on line ``y`` of the log, and the row within it; (-1, 0)
        past the end."""
        starts = self.starts
        if not 0 <= y < starts[-1]:
            return -1, 0
        turn = bisect_right(starts, y) - 1
        return turn, y - starts[turn]

    def turns_between(self, top: int, bottom: int) -> range:
        """The turns with a line in ``top`` up to ``bottom`` (exclusive)."""
        if not self.heights or bottom <= top:
            return range(0)
        first, _ = self.locate(max(0, min(top, self.total - 1)))
        last, _ = self.locate(max(0, min(bottom - 1, self.total - 1)))
        return range(first, last + 1)
