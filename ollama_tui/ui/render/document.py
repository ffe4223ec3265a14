"""Stand-in until the renderer lands (replaced by the render branch)."""

from __future__ import annotations

from collections.abc import Sequence

from ollama_tui.ui.render.line import ChatLine
from ollama_tui.ui.render.palette import Palette
from ollama_tui.ui.render.plain import plain_lines


class MarkdownDocument:
    def __init__(self, source: str = "") -> None:
        self._source = source
        self._lines: list[ChatLine] | None = None
        self._key: tuple[int, Palette] | None = None
        self.first_changed = 0

    @property
    def source(self) -> str:
        return self._source

    def append(self, text: str) -> None:
        self._source += text
        self._lines = None

    def replace(self, source: str) -> None:
        self._source = source
        self._lines = None

    def lines(self, width: int, palette: Palette) -> Sequence[ChatLine]:
        if self._lines is None or self._key != (width, palette):
            self._lines = plain_lines(self._source, width)
            self._key = (width, palette)
            self.first_changed = 0
        return self._lines
