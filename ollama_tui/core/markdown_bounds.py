"""Bounded blocks: streamed Markdown with breaks added, so no block grows without end.

While a reply streams, its last block is parsed and drawn again at every update, so
a block that never ends (a 5 MB line, a code block of 100,000 lines) would make each
update cost as much as the whole block, and the reply its size squared. ``BlockBounds``
passes the text through, adding a break where a line or a block passes its bound: a
blank line between paragraphs, a line break inside code, a code fence closed and
opened again (same language), or a table's header and delimiter rows repeated. Every
character still shows; only where lines wrap changes. What is copied or saved is the
reply's own text, not this.
"""

from __future__ import annotations

import re

MAX_LINE = 8000
"""Characters a line may reach before a break is added (at a space, if one is near)."""
MAX_BLOCK_LINES = 200
"""Lines a paragraph or a code block may reach before it is split."""
SPACE_SEARCH = 200
"""How far back from ``MAX_LINE`` a space is looked for, to break between words."""

LINE_START = 100
"""Characters of a line kept to recognise a code fence and its info string."""

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_TABLE_DELIMITER = re.compile(r"^ {0,3}\|?(\s*:?-+:?\s*\|)+(\s*:?-+:?\s*)?$")
"""A table's second line, ``| --- | :-: |`` (with at least one pipe, unlike the
underline of a heading)."""


class BlockBounds:
    """Feed it a reply's text in pieces, in order; it returns the text to draw."""

    def __init__(self) -> None:
        self._line_length = 0
        """Characters of the current line so far (since a newline or an added break)."""
        self._line_start = ""
        """The first characters of the current line, for recognising a fence."""
        self._block_lines = 0
        self._fence: tuple[str, str] | None = None
        """The open code fence's marker and info string, while inside one."""
        self._head: list[str] = []
        """The current block's first two lines, whole: a table's header and delimiter,
        repeated where the table is split."""
        self._line: list[str] = []
        """The current line, while it may still become one of ``_head``."""

    def feed(self, text: str) -> str:
        out: list[str] = []
        for piece in re.split(r"(\n)", text):
            if piece == "\n":
                out.append(self._end_line())
            elif piece:
                out.append(self._add(piece))
        return "".join(out)

    def _add(self, piece: str) -> str:
        out: list[str] = []
        while self._line_length + len(piece) > MAX_LINE:
            room = MAX_LINE - self._line_length
            cut = piece.rfind(" ", max(0, room - SPACE_SEARCH), room) + 1 if room else 0
            if cut <= 0:
                cut = room
            out.append(self._take(piece[:cut]))
            piece = piece[cut:]
            out.append(self._break_line())
        out.append(self._take(piece))
        return "".join(out)

    def _take(self, piece: str) -> str:
        if len(self._head) < 2 and self._fence is None:
            self._line.append(piece)
        if len(self._line_start) < LINE_START:
            self._line_start += piece[: LINE_START - len(self._line_start)]
        self._line_length += len(piece)
        return piece

    def _break_line(self) -> str:
        """A break inside an overlong line."""
        self._line_length, self._line_start, self._line = 0, "", []
        if self._fence is not None:
            return "\n" + self._count_line()
        self._block_lines, self._head = 0, []
        return "\n\n"

    def _end_line(self) -> str:
        start, line = self._line_start, "".join(self._line)
        self._line_length, self._line_start, self._line = 0, "", []
        fence = _FENCE.match(start)
        if self._fence is not None:
            if fence and fence.group(1).startswith(self._fence[0]) and not fence.group(2).strip():
                self._fence, self._block_lines = None, 0
                return "\n"
            return "\n" + self._count_line()
        if fence:
            self._fence, self._block_lines, self._head = (fence.group(1), fence.group(2)), 0, []
            return "\n"
        if not start.strip():
            self._block_lines, self._head = 0, []
            return "\n"
        if len(self._head) < 2:
            self._head.append(line)
        return "\n" + self._count_line()

    def _count_line(self) -> str:
        """Count a line of the current block; split the block once it is long."""
        self._block_lines += 1
        if self._block_lines < MAX_BLOCK_LINES:
            return ""
        self._block_lines = 0
        if self._fence is not None:
            marker, info = self._fence
            return f"{marker}\n{marker}{info}\n"
        if self._is_table():
            header, delimiter = self._head
            return f"\n{header}\n{delimiter}\n"
        return "\n"

    def _is_table(self) -> bool:
        return (
            len(self._head) == 2
            and "|" in self._head[0]
            and _TABLE_DELIMITER.match(self._head[1]) is not None
        )
