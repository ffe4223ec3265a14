"""Code blocks: highlighted by Pygments through Rich, drawn in a box that is never
copied, long lines wrapped (never cut), so copying the block gives its code exactly."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache, lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich.cells import cell_len
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme

from ollama_tui.ui.render.line import ChatLine, Part
from ollama_tui.ui.render.palette import Palette
from ollama_tui.ui.render.plain import Span, plain_lines, wrap_spans

MAX_HIGHLIGHTED = 200_000
"""A longer piece is shown without colours: lexing it would stall the stream."""
PIECE_CHARS = 1_500
"""Code is highlighted in pieces of about this much (see ``pieces``)."""
_PIECE_END = re.compile(r"\n[ \t]*\n(?=\S)")
"""A blank line before a line starting at the margin: where a piece may end."""


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, stripall=False, ensurenl=False)
    except (ClassNotFound, ValueError):
        return None


@cache
def _theme(name: str) -> PygmentsSyntaxTheme:
    return PygmentsSyntaxTheme(name)


@cache
def _token_style(theme_name: str, base: Style, token_type: tuple[str, ...]) -> Style:
    style = _theme(theme_name).get_style_for_token(token_type)
    # The box's background is the palette's: a token's own background would patch it.
    return base + Style(color=style.color, bold=style.bold, italic=style.italic)


def _plain(code: str, palette: Palette) -> tuple[tuple[Span, ...], ...]:
    return tuple(((line, palette.code),) for line in code.split("\n"))


@lru_cache(maxsize=1024)
def highlighted(code: str, language: str, palette: Palette) -> tuple[tuple[Span, ...], ...]:
    """``code``'s lines as styled spans (plain for an unknown language)."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None or len(code) > MAX_HIGHLIGHTED:
        return _plain(code, palette)
    result: list[list[Span]] = [[]]
    pieces: list[str] = []
    for token_type, value in lexer.get_tokens(code):
        pieces.append(value)
        style = _token_style(palette.code_theme, palette.code, token_type)
        first, *others = value.split("\n")
        if first:
            result[-1].append((first, style))
        for other in others:
            result.append([(other, style)] if other else [])
    if "".join(pieces) != code:
        # A lexer that changed the text (some normalise it) must not change the copy.
        return _plain(code, palette)
    return tuple(tuple(line) for line in result)


def pieces(code: str, language: str, palette: Palette) -> list[str]:
    """``code`` cut into pieces highlighted each on its own, so that while a long block
    streams only its last piece is highlighted again (the others are cached).

    A piece ends at a blank line before a line at the margin, once it is
    ``PIECE_CHARS`` long, and only where that next line is highlighted the same with
    the piece before it as on its own: not inside a string or a comment, nor where
    the language's state carries on. The cuts depend only on the code up to them."""
    result: list[str] = []
    start = 0
    search_from = PIECE_CHARS
    while (found := _PIECE_END.search(code, search_from)) is not None:
        end = found.end()
        next_line_end = code.find("\n", end)
        if next_line_end < 0:
            break  # the next line may still grow: no cut is decided on it
        piece = code[start:end]
        in_context = highlighted(code[start:next_line_end], language, palette)[-1]
        if in_context == highlighted(code[end:next_line_end], language, palette)[0]:
            result.append(piece)
            start = end
            search_from = end + PIECE_CHARS
        else:
            search_from = end
    result.append(code[start:])
    return result


@lru_cache(maxsize=1024)
def _boxed(piece: str, language: str, width: int, palette: Palette) -> tuple[ChatLine, ...]:
    """A piece's lines in the box, each with the join "\n"."""
    inner = max(width - 4, 2)
    border = palette.code_border
    first_edge: Part = ("│ ", border, False)
    more_edge: Part = ("┊ ", border, False)
    right_edge: Part = (" │", border, False)
    lines: list[ChatLine] = []
    for spans in highlighted(piece, language, palette):
        wrapped = wrap_spans(spans or [("", palette.code)], inner, keep_spaces=True)
        for index, line in enumerate(wrapped):
            edge = first_edge if index == 0 else more_edge
            filler: Part = (" " * (inner - line.cell_length), palette.code, False)
            lines.append(ChatLine((edge, *line.parts, filler, right_edge), line.join))
    return tuple(lines)


def code_lines(code: str, info: str, width: int, palette: Palette) -> list[ChatLine]:
    """A code block in a box, with its info string in the top edge. Copying the lines
    (each line's text and join) gives ``code`` exactly."""
    language = info.split(maxsplit=1)[0] if info.strip() else ""
    body = code[:-1] if code.endswith("\n") else code
    lines = [*_top(info.strip(), width, palette)]
    cut = pieces(body, language, palette)
    for piece in cut[:-1]:
        # A piece ends with the newline of its blank line: that newline is the join
        # of the piece's last line, not a line of its own.
        lines.extend(_boxed(piece[:-1], language, width, palette))
    lines.extend(_boxed(cut[-1], language, width, palette))
    if not code.endswith("\n"):
        lines[-1] = replace(lines[-1], join="")
    border = palette.code_border
    lines.append(ChatLine((("╰" + "─" * max(width - 2, 0) + "╯", border, False),), ""))
    return lines


def _top(label: str, width: int, palette: Palette) -> list[ChatLine]:
    """The box's top edge, naming the language; an info string too long for the edge
    is shown on lines of its own inside the box (still never copied)."""
    border = palette.code_border
    room = width - 6
    if label and "\n" not in label and cell_len(label) <= room:
        rest = "─" * (room - cell_len(label) + 1)
        parts: tuple[Part, ...] = (
            ("╭─ ", border, False),
            (label, palette.code_label, False),
            (f" {rest}╮", border, False),
        )
        return [ChatLine(parts, "")]
    edge = ChatLine((("╭" + "─" * max(width - 2, 0) + "╮", border, False),), "")
    if not label:
        return [edge]
    label_lines = plain_lines(label, max(width - 4, 2), palette.code_label)
    return [
        edge,
        *(
            ChatLine(
                (
                    ("│ ", border, False),
                    *((text, style, False) for text, style, _ in line.parts),
                    (" " * (width - 4 - line.cell_length), palette.code, False),
                    (" │", border, False),
                ),
                "",
            )
            for line in label_lines
        ),
    ]
