"""Stand-in until the renderer lands (replaced by the render branch)."""

from __future__ import annotations

from rich.style import Style

from ollama_tui.ui.render.line import ChatLine


def plain_lines(text: str, width: int, style: Style | None = None) -> list[ChatLine]:
    lines: list[ChatLine] = []
    for source in text.split("\n"):
        pieces = [source[i : i + width] for i in range(0, len(source), width)] or [""]
        for number, piece in enumerate(pieces):
            join = "" if number < len(pieces) - 1 else "\n"
            lines.append(ChatLine.plain(piece, style, join))
    return lines
