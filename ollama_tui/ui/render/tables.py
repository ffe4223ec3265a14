"""Tables: columns aligned as the delimiter row says and fitted to the width, long
cells wrapped; a table that cannot fit is shown as "header: value" lines instead."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token
from rich.cells import cell_len
from rich.style import Style

from ollama_tui.ui.render.inline import inline_lines
from ollama_tui.ui.render.line import ChatLine, Part
from ollama_tui.ui.render.palette import Palette
from ollama_tui.ui.render.plain import Span, wrap_spans

MIN_COLUMN = 3
"""Narrower columns would show a word a few letters a line: rows read better then."""
_CONTAINER_MARKS = re.compile(r"^[ >]*")


@dataclass(frozen=True)
class Cell:
    spans: list[Span]
    align: str


@dataclass(frozen=True)
class Table:
    header: list[Cell]
    rows: list[list[Cell]]


def _cell(inline: Token | None, align: str, palette: Palette, base: Style | None) -> Cell:
    spans: list[Span] = []
    if inline is not None:
        for index, line in enumerate(inline_lines(inline.children or (), palette, base)):
            if index:
                spans.append((" ", base))
            spans.extend(line)
    return Cell(spans, align)


def _align(token: Token) -> str:
    style = str(token.attrGet("style") or "")
    return style.removeprefix("text-align:")


def _extra_cells(row: Token, columns: int, source: Sequence[str]) -> str:
    """Cells past the header's count, which markdown-it drops: shown, not lost."""
    if row.map is None or row.map[0] >= len(source):
        return ""
    line = _CONTAINER_MARKS.sub("", source[row.map[0]]).strip()
    cells = escapedSplit(line)
    if cells and not cells[0].strip():
        cells.pop(0)
    if cells and not cells[-1].strip():
        cells.pop()
    if len(cells) <= columns:
        return ""
    return " | ".join(cell.strip() for cell in cells[columns:])


def read_table(tokens: Sequence[Token], palette: Palette, source: Sequence[str]) -> Table:
    """The header and rows of a table's tokens (from table_open to table_close)."""
    header: list[Cell] = []
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    row_token: Token | None = None
    in_head = False
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row, row_token = [], token
        elif kind in ("th_open", "td_open"):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            inline = following if following is not None and following.type == "inline" else None
            base = palette.table_header if in_head else None
            row.append(_cell(inline, _align(token), palette, base))
        elif kind == "tr_close":
            if in_head:
                header = row
            else:
                extra = _extra_cells(row_token, len(header), source) if row_token else ""
                if extra and row:
                    last = row[-1]
                    row[-1] = Cell([*last.spans, (f" | {extra}", palette.html)], last.align)
                rows.append(row)
    return Table(header, rows)


def _width(spans: Sequence[Span]) -> int:
    return sum(cell_len(text) for text, _ in spans)


def _longest_word(spans: Sequence[Span]) -> int:
    words = "".join(text for text, _ in spans).split()
    return max((cell_len(word) for word in words), default=0)


def _column_widths(table: Table, room: int) -> list[int] | None:
    """Column widths that fit ``room`` cells, or None when the table cannot fit."""
    columns = len(table.header)
    every_row = [table.header, *table.rows]
    natural = [
        max(1, *(_width(row[j].spans) for row in every_row if j < len(row))) for j in range(columns)
    ]
    if sum(natural) <= room:
        return natural
    least = [min(size, MIN_COLUMN) for size in natural]
    if sum(least) > room:
        return None
    words = [
        min(
            size, max(least[j], *(_longest_word(row[j].spans) for row in every_row if j < len(row)))
        )
        for j, size in enumerate(natural)
    ]
    floor = words if sum(words) <= room else least
    widths = list(floor)
    spare = room - sum(widths)
    wanted = [size - given for size, given in zip(natural, widths, strict=True)]
    total_wanted = sum(wanted)
    for j in range(columns):
        share = spare * wanted[j] // total_wanted if total_wanted else 0
        widths[j] += share
    leftover = room - sum(widths)
    for j in sorted(range(columns), key=lambda j: wanted[j], reverse=True):
        if leftover <= 0:
            break
        if widths[j] < natural[j]:
            widths[j] += 1
            leftover -= 1
    return widths


def _edge(left: str, middle: str, right: str, widths: list[int], style: Style) -> ChatLine:
    text = left + middle.join("─" * (size + 2) for size in widths) + right
    return ChatLine(((text, style, True),))


def _row_lines(cells: list[Cell], widths: list[int], palette: Palette) -> list[ChatLine]:
    border = palette.table_border
    wrapped: list[list[ChatLine]] = []
    for j, size in enumerate(widths):
        cell = cells[j] if j < len(cells) else Cell([], "")
        wrapped.append(wrap_spans(cell.spans or [("", None)], size))
    height = max(len(lines) for lines in wrapped)
    result: list[ChatLine] = []
    for index in range(height):
        parts: list[Part] = [("│", border, True)]
        for j, size in enumerate(widths):
            line = wrapped[j][index] if index < len(wrapped[j]) else ChatLine(())
            pad = size - line.cell_length
            align = cells[j].align if j < len(cells) else ""
            left = pad if align == "right" else pad // 2 if align == "center" else 0
            parts.append((" " * (left + 1), None, True))
            parts.extend(line.parts)
            parts.append((" " * (pad - left + 1), None, True))
            parts.append(("│", border, True))
        result.append(ChatLine.of(parts))
    return result


def _records(table: Table, width: int, palette: Palette) -> list[ChatLine]:
    """Each row as "header: value" lines, for a table too wide for any layout."""
    headers = [cell.spans for cell in table.header]
    lines: list[ChatLine] = []
    if not table.rows:
        for spans in headers:
            lines.extend(wrap_spans(spans or [("", None)], width))
        return lines
    for number, row in enumerate(table.rows):
        if number:
            lines.append(ChatLine.blank())
        for j, spans in enumerate(headers):
            value = row[j].spans if j < len(row) else []
            label = [(text, palette.table_header) for text, _ in spans]
            lines.extend(wrap_spans([*label, (": ", palette.table_header), *value], width))
    return lines


def table_lines(
    tokens: Sequence[Token], width: int, palette: Palette, source: Sequence[str]
) -> list[ChatLine]:
    table = read_table(tokens, palette, source)
    if not table.header:
        return []
    widths = _column_widths(table, width - (3 * len(table.header) + 1))
    if widths is None:
        return _records(table, width, palette)
    border = palette.table_border
    lines = [_edge("┌", "┬", "┐", widths, border)]
    lines.extend(_row_lines(table.header, widths, palette))
    lines.append(_edge("├", "┼", "┤", widths, border))
    for row in table.rows:
        lines.extend(_row_lines(row, widths, palette))
    lines.append(_edge("└", "┴", "┘", widths, border))
    return lines
