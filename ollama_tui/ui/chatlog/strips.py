"""A ``ChatLine`` drawn as a strip: the gutter, selection and find highlights, and the
offsets that let Textual's mouse selection map a cell to a character of the line's
copied text (decoration maps to the text next to it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import pairwise

from rich.segment import Segment
from rich.style import Style
from textual.selection import Selection
from textual.strip import Strip

from ollama_tui.ui.render.line import ChatLine

Span = tuple[int, int, Style]
"""Characters ``start`` to ``end`` of a line's copied text, drawn in a style."""


def _offset(x: int, y: int) -> Style:
    return Style.from_meta({"offset": (x, y)})


def _split(text: str, style: Style, at: int, spans: Iterable[Span]) -> list[tuple[str, Style]]:
    """``text`` (copied characters ``at`` onwards) cut where the spans begin and end."""
    cuts = {0, len(text)}
    for start, end, _ in spans:
        for edge in (start - at, end - at):
            if 0 < edge < len(text):
                cuts.add(edge)
    edges = sorted(cuts)
    pieces: list[tuple[str, Style]] = []
    for left, right in pairwise(edges):
        piece_style = style
        for start, end, span_style in spans:
            if start <= at + left and at + right <= end:
                piece_style = piece_style + span_style
        pieces.append((text[left:right], piece_style))
    return pieces


def draw(
    line: ChatLine,
    y: int,
    width: int,
    base: Style,
    gutter: tuple[str, Style] | None,
    spans: list[Span],
) -> Strip:
    """The strip for ``line`` on line ``y`` of the log, ``width`` cells wide."""
    segments: list[Segment] = []
    position = 0
    if gutter is not None:
        bar, bar_style = gutter
        segments.append(Segment(bar, base + bar_style + _offset(0, y)))
    for text, style, copied in line.parts:
        part_style: Style = base + style if style is not None else base
        if not copied:
            # A click on decoration selects from the text beside it (clamped when
            # the selection is read).
            segments.append(Segment(text, part_style + _offset(position, y)))
        elif spans:
            for piece, piece_style in _split(text, part_style, position, spans):
                segments.append(Segment(piece, piece_style + _offset(position, y)))
                position += len(piece)
            continue
        else:
            segments.append(Segment(text, part_style + _offset(position, y)))
        if copied:
            position += len(text)
    strip = Strip(segments)
    cells = strip.cell_length
    if cells < width:
        strip = Strip([*segments, Segment(" " * (width - cells), base + _offset(position, y))])
    elif cells > width:
        strip = strip.crop(0, width)
    return strip


def selected_text(
    selection: Selection, total: int, line_at: Callable[[int], ChatLine | None]
) -> str:
    """The copied text of ``selection`` in a log of ``total`` lines: from its start
    to the character under its end, wrapped lines joined again."""
    start, end = selection
    first = start.y if start is not None else 0
    last = end.y if end is not None else total - 1
    pieces: list[str] = []
    for y in range(first, last + 1):
        line = line_at(y)
        if line is None:
            continue
        text = line.text
        left = min(start.x, len(text)) if start is not None and y == first else 0
        right = min(end.x, len(text)) if end is not None and y == last else len(text)
        pieces.append(text[left:right])
        if y < last:
            pieces.append(line.join)
    return "".join(pieces)
