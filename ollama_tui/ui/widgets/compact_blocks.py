"""Markdown blocks drawn as text in one widget each.

Textual's Markdown builds a table from a widget per cell (a 3x3 table is fourteen
widgets), a list from three widgets per item and a code block from a scrolling
container and a label. Mounting a widget costs about as much as drawing a screen
of text, so for replies that stream in, these blocks draw themselves as text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from markdown_it.token import Token
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Size
from textual.highlight import highlight
from textual.widgets.markdown import Markdown, MarkdownBlock, MarkdownFence

from ollama_tui.ui.compat import (
    FenceContextHook,
    MarkdownBulletList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
    MarkdownTable,
    UpdatedInPlace,
    block_content,
    child_blocks,
    clear_child_blocks,
    highlighted_code,
    only_own_component_classes,
    set_block_content,
    table_cells,
)

MIN_COLUMN = 3
"""Narrowest a column shrinks to (one character and an ellipsis, padded)."""
WARM_LANGUAGES = ("python", "javascript", "typescript", "bash", "sql", "c")
"""Languages whose highlighter is made ready off the start-up path: a language's
first code block otherwise waits while its lexer compiles (python ~25 ms, the rest
2-16 ms each)."""


def warm_code_highlighting() -> None:
    for language in WARM_LANGUAGES:
        highlight("", language=language)


def fit_columns(natural: list[int], room: int) -> list[int]:
    """Column widths no wider than their text and adding up to at most ``room``.

    The widest column gives up a character at a time, so short columns stay whole.
    """
    widths = natural.copy()
    while sum(widths) > room and max(widths) > MIN_COLUMN:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


class DrawnText(MarkdownBlock):
    """A block that draws itself as lines of text for a given width.

    It comes after Textual's block class in a subclass's bases: Textual takes CSS
    from the first base that is a widget only, and the block's spacing is in
    Textual's CSS.
    """

    _drawn: tuple[int, list[Content]] | None = None
    """The lines last drawn, and the width they were drawn for."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.size.width))

    def _lines(self, width: int) -> list[Content]:
        if self._drawn is None or self._drawn[0] != width:
            self._drawn = (width, self._draw(width))
        return self._drawn[1]

    def _draw(self, width: int) -> list[Content]:
        raise NotImplementedError


@only_own_component_classes
class CompactTable(UpdatedInPlace, MarkdownTable, DrawnText):
    """A Markdown table drawn with box lines, a rule under its header."""

    COMPONENT_CLASSES = MarkdownBlock.COMPONENT_CLASSES | {
        "compact-table--header",
        "compact-table--lines",
    }
    DEFAULT_CSS = """
    CompactTable {
        text-wrap: nowrap;
        text-overflow: clip;
        & > .compact-table--header {
            color: $primary;
            text-style: bold;
        }
        & > .compact-table--lines {
            color: $foreground 30%;
        }
    }
    """

    _cells: tuple[list[Content], list[list[Content]]] = ([], [])
    """The header cells, and each row's cells."""

    def compose(self) -> ComposeResult:
        self._cells = table_cells(self)
        yield from ()

    async def update_from(self, block: MarkdownBlock) -> None:
        if not isinstance(block, MarkdownTable):
            await super().update_from(block)
            return
        self._cells = table_cells(block)
        self._drawn = None
        self.refresh(layout=True)

    def _draw(self, width: int) -> list[Content]:
        headers, body = self._cells
        rows = [headers, *body]
        columns = max(len(row) for row in rows)
        if not columns:
            return []
        rows = [row + [Content()] * (columns - len(row)) for row in rows]
        natural = [max(row[column].cell_length for row in rows) for column in range(columns)]
        # Each column has a space either side of its text and a line on its left;
        # the table has one more line on the right.
        room = max(0, width - 3 * columns - 1)
        widths = fit_columns(natural, room)

        def rule(left: str, middle: str, right: str) -> Content:
            text = left + middle.join("─" * (column + 2) for column in widths) + right
            return Content.styled(text, ".compact-table--lines")

        bar = Content.styled("│", ".compact-table--lines")

        def line(cells: list[Content], style: str = "") -> Content:
            parts = [bar]
            for cell, column in zip(cells, widths, strict=True):
                text = cell.truncate(column, ellipsis=True, pad=True)
                parts += [Content(" "), text.stylize(style) if style else text, Content(" "), bar]
            return Content("").join(parts)

        return [
            rule("┌", "┬", "┐"),
            line(rows[0], ".compact-table--header"),
            rule("├", "┼", "┤"),
            *(line(row) for row in rows[1:]),
            rule("└", "┴", "┘"),
        ]


def list_items(blocks: list[MarkdownBlock]) -> list[tuple[MarkdownListItem, Content]] | None:
    """Each item with its text, if every item is a single paragraph; else None."""
    items = []
    for block in blocks:
        if not isinstance(block, MarkdownListItem):
            continue
        inner = child_blocks(block)
        if len(inner) != 1 or not isinstance(inner[0], MarkdownParagraph):
            return None
        items.append((block, block_content(inner[0])))
    return items


def hang(marker: Content, text: Content, width: int) -> list[Content]:
    """``text`` wrapped after ``marker``, its later lines indented to match."""
    indent = marker.cell_length
    lines = text.wrap(max(1, width - indent))
    return [marker + lines[0], *(Content(" " * indent) + line for line in lines[1:])]


LIST_MARKER_CSS = """
& > .compact-list--marker {
    color: $text-primary;
}
&:light > .compact-list--marker {
    color: $text-secondary;
}
"""


class DrawnList(DrawnText):
    """A list of one-paragraph items drawn as text; other lists keep Textual's widgets."""

    _items: list[tuple[str, Content]] | None = None
    """Marker and text of each item, when the list is drawn as text."""

    def _take_simple_items(self, markers: Callable[[list[MarkdownListItem]], list[str]]) -> bool:
        items = list_items(child_blocks(self))
        if items is None:
            return False
        texts = [text for _, text in items]
        self._items = list(zip(markers([item for item, _ in items]), texts, strict=True))
        clear_child_blocks(self)
        return True

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self._items is None:
            return MarkdownBlock.get_content_height(self, container, viewport, width)
        return super().get_content_height(container, viewport, width)

    def render(self) -> Content:
        return Content() if self._items is None else super().render()

    def _draw(self, width: int) -> list[Content]:
        return [
            line
            for marker, text in self._items or []
            for line in hang(Content.styled(marker, ".compact-list--marker"), text, width)
        ]


def bullets(items: list[MarkdownListItem]) -> list[str]:
    return [item.bullet for item in items]


def numbers(items: list[MarkdownListItem]) -> list[str]:
    """Numbers from the first item's, right-aligned as Textual aligns them."""
    start = int(items[0].bullet) if items and items[0].bullet.isdigit() else 1
    labels = [f"{number}. " for number in range(start, start + len(items))]
    width = max((len(label) for label in labels), default=0)
    return [label.rjust(width + 1) for label in labels]


class CompactBulletList(MarkdownBulletList, DrawnList):
    COMPONENT_CLASSES = MarkdownBlock.COMPONENT_CLASSES | {"compact-list--marker"}
    DEFAULT_CSS = f"CompactBulletList {{ {LIST_MARKER_CSS} }}"

    def compose(self) -> ComposeResult:
        if not self._take_simple_items(bullets):
            yield from super().compose()


class CompactOrderedList(MarkdownOrderedList, DrawnList):
    COMPONENT_CLASSES = MarkdownBlock.COMPONENT_CLASSES | {"compact-list--marker"}
    DEFAULT_CSS = f"CompactOrderedList {{ {LIST_MARKER_CSS} }}"

    def compose(self) -> ComposeResult:
        if not self._take_simple_items(numbers):
            yield from super().compose()


@only_own_component_classes
class CompactFence(FenceContextHook, MarkdownFence):
    """A code block drawn by the block itself, long lines wrapped.

    Textual's code block scrolls sideways: it is a scroll container holding a label,
    and every change to its size costs a second layout pass. Wrapped lines keep all
    the code in view without a mouse; the copy action copies it exactly.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = set()  # highlighted code has no inline Markdown

    DEFAULT_CSS = """
    CompactFence {
        overflow: hidden hidden;
        padding: 1 2;
        &:ansi {
            padding: 1 0;
        }
    }
    """

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        super().__init__(markdown, token, code)
        self.highlighted_for = self._highlight_key()
        """What the code was last highlighted for: see ``_highlight_key``."""

    def _highlight_key(self) -> tuple[str, str, bool, bool]:
        return (self.code, self.lexer, self.app.native_ansi_color, self.app.current_theme.dark)

    def notify_style_update(self) -> None:
        # Textual highlights the code again on every style update (each mount, each
        # class change), though only a change of theme changes the result.
        if self._highlight_key() != self.highlighted_for:
            super().notify_style_update()
            self.highlighted_for = self._highlight_key()
        else:
            MarkdownBlock.notify_style_update(self)

    def context_copied(self, block: MarkdownBlock) -> None:
        if isinstance(block, CompactFence):
            self.highlighted_for = block.highlighted_for

    def compose(self) -> ComposeResult:
        yield from ()

    def render(self) -> Content:
        return highlighted_code(self)

    def set_content(self, content: Content) -> None:
        set_block_content(self, content)
        self.refresh(layout=True)
