"""Attachment chips in lines, each chip whole: one cut across two lines reads as two."""

from __future__ import annotations

from rich.cells import cell_len

from ollama_tui.ui.widgets.plain import Plain


def packed(chips: list[str], width: int) -> str:
    """``chips`` in lines of at most ``width`` cells, none broken between lines (a chip
    wider than ``width`` alone is left to wrap)."""
    lines: list[str] = []
    for chip in chips:
        if lines and cell_len(lines[-1]) + 2 + cell_len(chip) <= width:
            lines[-1] += "  " + chip
        else:
            lines.append(chip)
    return "\n".join(lines)


class ChipBar(Plain):
    """The chips of the next prompt's attachments, packed again whenever the bar's
    width changes (the sidebar opening takes some of it, without a screen resize)."""

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.chips: list[str] = []

    def show_chips(self, chips: list[str]) -> None:
        self.chips = chips
        self.display = bool(chips)
        self._pack()

    def on_resize(self) -> None:
        self._pack()

    def _pack(self) -> None:
        # Hidden until now, it has no width yet: the screen's less its padding, until
        # its first resize.
        width = self.content_region.width or self.screen.size.width - 2
        self.update(packed(self.chips, width))
