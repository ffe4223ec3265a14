"""Wrapping styled text into lines of at most a width, keeping what it copies as.

A wrap at spaces moves the spaces into the line's ``join``, and a word longer than the
width is cut with an empty join, so joining the lines' copied text gives back the
text exactly."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from rich.cells import cell_len
from rich.style import Style

from ollama_tui.ui.render.line import ChatLine

Span = tuple[str, Style | None]
"""Copied text and its style."""

TAB_SIZE = 4
_SPACES = re.compile(" +")
MIN_WRAP_WIDTH = 2
"""Room for one wide character: the narrowest a line is ever wrapped to."""


class _Text:
    """Spans as one string, with where each span starts, to measure and slice lines."""

    __slots__ = ("starts", "styles", "text")

    def __init__(self, spans: Sequence[Span]) -> None:
        self.text = "".join(text for text, _ in spans)
        self.styles = [style for _, style in spans]
        starts: list[int] = []
        offset = 0
        for text, _ in spans:
            starts.append(offset)
            offset += len(text)
        self.starts = starts

    def pieces(self, start: int, end: int) -> list[Span]:
        """The text from ``start`` to ``end``, split where its style changes."""
        starts = self.starts
        index = bisect_right(starts, start) - 1
        pieces: list[Span] = []
        position = start
        while position < end:
            following = starts[index + 1] if index + 1 < len(starts) else len(self.text)
            stop = min(end, following)
            if stop > position:
                pieces.append((self.text[position:stop], self.styles[index]))
            position = stop
            index += 1
        return pieces

    def cells(self, start: int, end: int) -> int:
        """Cells the text takes as drawn: each piece is measured on its own, as a
        ``ChatLine`` measures its parts."""
        if len(self.starts) == 1:
            return cell_len(self.text[start:end])
        return sum(cell_len(text) for text, _ in self.pieces(start, end))

    def fit(self, start: int, width: int) -> int:
        """The furthest end such that the text from ``start`` fits ``width`` cells
        (at least one character, so wrapping always moves on)."""
        text = self.text
        length = len(text)
        end = min(start + width, length)
        if text[start:end].isascii():
            # Only a zero-width character right after the window could still fit.
            if end < length and not text[end].isascii():
                return self._grow(start, end, width)
            return end
        used = self.cells(start, end)
        if used > width:
            return self._search(start, start + 1, end, width)
        return self._grow(start, end, width)

    def _grow(self, start: int, end: int, width: int) -> int:
        """Zero-width characters (combining marks, joiners) may fit past ``end``."""
        length = len(self.text)
        used = self.cells(start, end)
        while used < width and end < length:
            further = min(length, end + width - used)
            further_used = self.cells(start, further)
            if further_used > width:
                return self._search(start, end, further, width)
            end, used = further, further_used
        while end < length and self.cells(start, end + 1) <= width:
            end += 1
            if end - start > 4 * width:
                break
        return end

    def _search(self, start: int, low: int, high: int, width: int) -> int:
        """The largest end in [low, high] that fits, or ``low`` when none does."""
        best = low
        while low <= high:
            middle = (low + high) // 2
            if self.cells(start, middle) <= width:
                best, low = middle, middle + 1
            else:
                high = middle - 1
        return max(best, start + 1)


def wrap_spans(
    spans: Sequence[Span], width: int, join: str = "\n", keep_spaces: bool = False
) -> list[ChatLine]:
    """``spans`` (one line: no newlines) as lines of at most ``width`` cells, wrapped
    at spaces, or cut where a word is longer than the width. The last line's join is
    ``join``; a wrapped line's join is the spaces the wrap took (or "" for a cut).
    With ``keep_spaces`` (code) the spaces stay drawn at the end of the line and
    every wrapped line's join is ""."""
    width = max(width, MIN_WRAP_WIDTH)
    if len(spans) == 1:
        text, style = spans[0]
        if len(text) <= width and (text.isascii() or cell_len(text) <= width):
            return [ChatLine(((text, style, True),) if text else (), join)]
    styled = _Text(spans)
    text = styled.text
    length = len(text)
    lines: list[ChatLine] = []
    start = 0
    while True:
        end = styled.fit(start, width)
        if end >= length:
            lines.append(_line(styled.pieces(start, length), join))
            return lines
        space = text.rfind(" ", start + 1, end + 1)
        if space <= start:
            lines.append(_line(styled.pieces(start, end), ""))
            start = end
            continue
        cut = len(text[start:space].rstrip(" ")) + start
        cut = max(cut, start + 1)
        following = _SPACES.match(text, space).end()  # type: ignore[union-attr]
        if keep_spaces:
            end = following if following <= end else end
            lines.append(_line(styled.pieces(start, end), "" if end < length else join))
            if end >= length:
                return lines
            start = end
            continue
        if following >= length:
            # Spaces ending the text stay drawn (on a line of their own), so that
            # copying keeps them even where the last line's join is not copied.
            following = space + 1
        lines.append(_line(styled.pieces(start, cut), text[cut:following]))
        start = following


def _line(pieces: list[Span], join: str) -> ChatLine:
    return ChatLine(tuple((text, style, True) for text, style in pieces if text), join)


def plain_lines(text: str, width: int, style: Style | None = None) -> list[ChatLine]:
    """Plain text (a prompt, thinking) as lines: its newlines kept, long lines wrapped at
    spaces (cut where a word is longer than ``width``). Tabs are expanded; otherwise
    copying the lines gives back ``text``."""
    lines: list[ChatLine] = []
    for line in text.expandtabs(TAB_SIZE).split("\n"):
        lines.extend(wrap_spans([(line, style)], width))
    return lines
