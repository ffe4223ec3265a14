"""Attachment chips in lines, each chip whole: one cut across two lines reads as two."""

from __future__ import annotations

from rich.cells import cell_len


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
