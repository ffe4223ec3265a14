"""Find in the log: the search the find bar drives, the current match scrolled into
view, and every match marked where a line is drawn."""

from __future__ import annotations

from typing import Protocol

from ollama_tui.ui.chatlog.find import Finder, Match
from ollama_tui.ui.chatlog.look import Look
from ollama_tui.ui.chatlog.scrolled import ScrolledLog
from ollama_tui.ui.chatlog.strips import Span
from ollama_tui.ui.render.line import ChatLine


class SearchedLog(ScrolledLog, Protocol):
    @property
    def look(self) -> Look: ...


class LogSearch:
    def __init__(self, log: SearchedLog) -> None:
        self.log = log
        self.finder: Finder | None = None
        """What the find bar looks for: marked wherever it is drawn."""
        self.current: tuple[int, int] | None = None
        """The log line and character where the current match starts."""

    def find(self, text: str) -> int:
        """Mark every match of ``text``; the number of matches."""
        log = self.log
        self.finder = Finder(log.turns.sources(), log.lines_of)
        total = self.finder.search(text)
        self.current = None
        log.refresh()
        return total

    def step(self, direction: int) -> tuple[int, int]:
        """Show the next (1) or previous (-1) match; which it is, and how many."""
        log, finder = self.log, self.finder
        if finder is None or not log.turns.entries:
            return 0, 0
        turn, row = log.turns.index.locate(round(log.scroll_y))
        match = finder.step(direction, Match(max(0, turn), row, -1))
        if match is not None:
            y = log.turns.index.start(match.turn) + match.row
            self.current = (y, match.column)
            height = log.scrollable_content_region.height
            if not log.scroll_y <= y < log.scroll_y + height:
                log.scroll_to(y=y - height // 2, animate=False, immediate=True, force=True)
            log.refresh()
        return finder.ordinal(), finder.total

    def end(self) -> None:
        self.finder, self.current = None, None
        self.log.refresh()

    def spans(self, y: int, line: ChatLine) -> list[Span]:
        """The matches on log line ``y``, the current one marked as such."""
        finder = self.finder
        if finder is None or not finder.word or not line.parts:
            return []
        current = self.current
        column = current[1] if current is not None and current[0] == y else None
        look = self.log.look
        return finder.spans(line.text, column, look.match, look.current_match)
