"""The status line: what matters most stays visible at any width.

Each part has a rank; when the line is too narrow, the lowest-ranked parts go first
(the host before anything else), and the rest keep their order. A problem (the
server is down) is never cut: it gets its own lines below.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Size

from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.ui.widgets.plain import Plain

SEPARATOR = " │ "


@dataclass(frozen=True)
class Part:
    text: str
    rank: int
    """0 is kept longest."""
    short: str = ""
    """A shorter way to say it, used when the full text does not fit."""


def lay_out(parts: list[Part], width: int) -> str:
    """The parts that fit in ``width`` cells, best ranked first, in their order; a
    part that does not fit is given its short form, and once one does not fit at
    all, no lower-ranked part is shown in its place."""
    chosen: dict[int, str] = {}
    used = 0
    for index in sorted(range(len(parts)), key=lambda i: parts[i].rank):
        part = parts[index]
        separator = len(SEPARATOR) if chosen else 0
        text = next(
            (
                candidate
                for candidate in (part.text, part.short)
                if candidate and used + separator + cell_len(candidate) <= width
            ),
            None,
        )
        if text is None:
            if not chosen:
                chosen[index] = part.short or part.text  # the best part, cut if it must
            break
        chosen[index] = text
        used += separator + cell_len(text)
    return SEPARATOR.join(chosen[index] for index in sorted(chosen))


class StatusLine(Plain):
    """Lays its parts out again whenever its width changes."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._parts: list[Part] = []
        self._problem = ""

    def show(self, parts: list[Part], problem: str = "") -> None:
        self._parts = [
            Part(sanitize_line(part.text, 120), part.rank, sanitize_line(part.short, 60))
            for part in parts
        ]
        self._problem = sanitize_line(problem, 400)
        self.set_class(bool(problem), "-down")
        self.refresh(layout=True)

    @property
    def text(self) -> str:
        """What the line shows at its current width."""
        line = lay_out(self._parts, max(1, self.content_size.width))
        return f"{line}\n{self._problem}" if self._problem else line

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        problem_lines = len(Content(self._problem).wrap(max(1, width))) if self._problem else 0
        return 1 + problem_lines

    def render(self) -> Content:
        return Content(self.text)
