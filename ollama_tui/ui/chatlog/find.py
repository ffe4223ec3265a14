"""Finding text in the conversation: which turns hold it, and the matches in each as
drawn, one after another.

Turns are first picked by their source text (cheap, for thousands of turns); a turn's
matches are then looked for in its drawn lines, so a match is what the reader sees
highlighted. Matches are counted in the sources, so the count is known before every
turn is drawn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.style import Style

from ollama_tui.ui.chatlog.strips import Span
from ollama_tui.ui.render.line import ChatLine


@dataclass(frozen=True)
class Match:
    turn: int
    row: int
    """The line of the turn it is on."""
    column: int
    """Where it starts in that line's text."""


def _starts(text: str, word: str) -> list[int]:
    found, start = [], text.find(word)
    while start >= 0:
        found.append(start)
        start = text.find(word, start + len(word))
    return found


class Finder:
    def __init__(
        self, sources: Sequence[str], lines_of: Callable[[int], Sequence[ChatLine]]
    ) -> None:
        self.sources = sources
        self.lines_of = lines_of
        self.word = ""
        self.counts: list[int] = []
        self.current: Match | None = None

    @property
    def total(self) -> int:
        return sum(self.counts)

    def search(self, text: str) -> int:
        """Look for ``text`` (case folded); the number of matches."""
        self.word = text.casefold()
        self.current = None
        self.counts = [
            source.casefold().count(self.word) if self.word else 0 for source in self.sources
        ]
        return self.total

    def _matches_in(self, turn: int) -> list[Match]:
        return [
            Match(turn, row, column)
            for row, line in enumerate(self.lines_of(turn))
            for column in _starts(line.text.casefold(), self.word)
        ]

    def step(self, direction: int, start: Match) -> Match | None:
        """The next (1) or previous (-1) match after the current one, or after
        ``start`` (where the reader is) when there is none yet; round past either
        end. None when there is no match."""
        if not self.word or not self.total:
            return None
        here = self.current or start
        turns = len(self.counts)
        turn = here.turn
        for _ in range(turns + 1):
            if self.counts[turn]:
                for match in self._matches_in(turn)[:: 1 if direction > 0 else -1]:
                    key, mark = (
                        (match.turn, match.row, match.column),
                        (here.turn, here.row, here.column),
                    )
                    # Past ``here`` in the direction of travel, or in a later turn round.
                    if key != mark and ((key > mark) == (direction > 0) or turn != here.turn):
                        self.current = match
                        return match
            turn = (turn + direction) % turns
            if turn == here.turn:
                here = Match(turn, -1 if direction > 0 else 1 << 30, 0)
        return None

    def ordinal(self) -> int:
        """Which match the current one is, counting from 1 (0 when there is none)."""
        current = self.current
        if current is None:
            return 0
        before = sum(self.counts[: current.turn])
        in_turn = self._matches_in(current.turn)
        here = next((number for number, match in enumerate(in_turn) if match == current), 0)
        return min(self.total, before + here + 1)

    def spans(
        self, text: str, current: int | None, style: Style, current_style: Style
    ) -> list[Span]:
        """Where ``text`` (a drawn line) holds a match, the one starting at column
        ``current`` marked as the current match."""
        length = len(self.word)
        return [
            (start, start + length, current_style if start == current else style)
            for start in _starts(text.casefold(), self.word)
        ]
