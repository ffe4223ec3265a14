"""One drawn line of the chat log, and the text it copies as."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

Part = tuple[str, Style | None, bool]
"""Text, its style, and whether it is copied (False for a box, a gutter, a bullet's
indent, a line number: drawn, never copied)."""


@dataclass(frozen=True, slots=True)
class ChatLine:
    """A line as drawn (at most the width it was rendered for) and as copied.

    ``join`` separates this line's copied text from the next line's: a newline, or a
    space (or nothing) where a paragraph was wrapped, so a copied paragraph is one
    line again."""

    parts: tuple[Part, ...]
    join: str = "\n"

    @classmethod
    def of(cls, parts: Iterable[Part], join: str = "\n") -> ChatLine:
        return cls(tuple(part for part in parts if part[0]), join)

    @classmethod
    def plain(cls, text: str, style: Style | None = None, join: str = "\n") -> ChatLine:
        return cls(((text, style, True),) if text else (), join)

    @classmethod
    def blank(cls) -> ChatLine:
        return cls(())

    @property
    def text(self) -> str:
        """What copying the whole line gives."""
        return "".join(text for text, _, copied in self.parts if copied)

    @property
    def cell_length(self) -> int:
        return sum(cell_len(text) for text, _, _ in self.parts)

    def segments(self) -> list[Segment]:
        return [Segment(text, style) for text, style, _ in self.parts]
