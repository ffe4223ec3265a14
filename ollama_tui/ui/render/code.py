"""Code blocks: highlighted by Pygments through Rich, drawn in a box that is never
copied, long lines wrapped (never cut), so copying the block gives its code exactly."""

from __future__ import annotations

from functools import cache

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
"""Longer code is shown without colours: lexing it would stall the stream."""


@cache
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


def highlighted(code: str, language: str, palette: Palette) -> list[list[Span]]:
    """``code``'s lines as styled spans (plain for an unknown language)."""
    lines = code.split("\n")
    lexer = _lexer(language.lower()) if language else None
    if lexer is None or len(code) > MAX_HIGHLIGHTED:
        return [[(line, palette.code)] for line in lines]
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
        return [[(line, palette.code)] for line in lines]
    return result[: len(lines)] + [[] for _ in range(len(lines) - len(result))]


def code_lines(code: str, info: str, width: int, palette: Palette) -> list[ChatLine]:
    """A code block in a box, with its info string in the top edge. Copying the lines
    (each line's text and join) gives ``code`` exactly."""
    language = info.split(maxsplit=1)[0] if info.strip() else ""
    body = code[:-1] if code.endswith("\n") else code
    inner = max(width - 4, 2)
    border = palette.code_border
    lines = [*_top(info.strip(), width, palette)]
    first_edge: Part = ("│ ", border, False)
    more_edge: Part = ("┊ ", border, False)
    right_edge: Part = (" │", border, False)
    source_lines = highlighted(body, language, palette)
    for number, spans in enumerate(source_lines):
        last = number == len(source_lines) - 1
        join = "\n" if not last or code.endswith("\n") else ""
        wrapped = wrap_spans(spans or [("", palette.code)], inner, join, keep_spaces=True)
        for index, line in enumerate(wrapped):
            pad = inner - line.cell_length
            edge = first_edge if index == 0 else more_edge
            filler: Part = (" " * pad, palette.code, False)
            lines.append(ChatLine((edge, *line.parts, filler, right_edge), line.join))
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
