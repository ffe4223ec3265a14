"""A reply's Markdown body that stays cheap to lay out while it streams.

Textual lays out every widget on the screen whenever one of them changes size, and
a long Markdown reply is hundreds of widgets (a 3x3 table alone is fourteen). So
the blocks a stream has finished with are painted once into stored lines and their
widgets removed; only the block still being written stays a live widget. Stored
lines depend on the width and the theme, so a change of either rebuilds the reply
from its source. Painted text gives up in-app mouse selection; the copy actions and
the terminal's own selection remain. When a stream delivers many blocks at once, the
last screenful is built and mounted first and the rest just after, above it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from itertools import chain

from markdown_it.token import Token
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Vertical
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets.markdown import Markdown, MarkdownBlock, MarkdownStream

from ollama_tui.core.markdown_parser import reply_parser
from ollama_tui.ui.compat import BuildsBlocks
from ollama_tui.ui.widgets.alike_lines import AlikeLines
from ollama_tui.ui.widgets.compact_blocks import (
    CompactBulletList,
    CompactFence,
    CompactOrderedList,
    CompactTable,
)
from ollama_tui.ui.widgets.painted_lines import (
    PaintedLines,
    is_laid_out,
    is_placed,
    one_update,
    paint,
)

PAINT_AFTER_BLOCKS = 3
"""Finished blocks a stream gathers before they are painted, so a paint is worth its layout."""
TAIL_FIRST_BLOCKS = 12
"""A stream's append that brings more new blocks than this builds and mounts first
the last ones, as many as fill the screen, and the rest once a layout has placed
those: a reply arriving all at once shows its end without waiting for its middle."""
RESIZE_SETTLE = 0.2
"""Seconds a new width must last before painted replies are rebuilt for it, so that
dragging a window's edge rebuilds them once (about 0.2 s of CPU per long reply)."""


def top_level_groups(tokens: Iterable[Token]) -> list[list[Token]]:
    """Tokens grouped by the top-level block each belongs to."""
    groups: list[list[Token]] = []
    for token in tokens:
        if not groups or (token.level == 0 and token.nesting >= 0):
            groups.append([])
        groups[-1].append(token)
    return groups


class HeldBack(MarkdownBlock):
    """Stands in an append's blocks for top-level blocks not built yet: building
    a block (highlighting code, a widget per table cell) costs about as much as
    mounting it."""

    def __init__(self, markdown: Markdown, groups: list[list[Token]]) -> None:
        super().__init__(markdown, groups[0][0])
        self.groups = groups
        self.before: Widget | None = None
        """The block the held-back ones go before."""
        self.source_range = (self.source_range[0], (groups[-1][0].map or (0, 0))[1])

    def place(self, blocks: list[MarkdownBlock]) -> None:
        """Give the blocks built from ``groups`` their lines in the whole source, as
        Textual gave this block its own."""
        offset = self.source_range[0] - (self.groups[0][0].map or (0, 0))[0]
        for block in blocks:
            start, end = block.source_range
            block.source_range = (start + offset, end + offset)


class LiveMarkdown(BuildsBlocks, Markdown, AlikeLines):
    """The Markdown a stream appends to.

    Before each append it has the blocks that earlier appends finished painted, in
    the same batch, so that painting costs no layout of its own.
    """

    BLOCKS = {
        **Markdown.BLOCKS,
        "table_open": CompactTable,
        "bullet_list_open": CompactBulletList,
        "ordered_list_open": CompactOrderedList,
        "fence": CompactFence,
        "code_block": CompactFence,
    }

    def __init__(self, paint_finished: Callable[[], Awaitable[None]]) -> None:
        super().__init__(open_links=False, parser_factory=reply_parser)
        self._paint_finished = paint_finished
        self._appending: AwaitComplete | None = None
        self.paint_before_append = True
        """Off for a stream's last append, whose text should not wait for a paint."""
        self.tail_first = False
        """On while a stream appends: see ``TAIL_FIRST_BLOCKS``."""
        self.held_back: list[HeldBack] = []
        """Blocks of big appends still to be built and mounted."""
        self._appending_blocks = False

    def append(self, markdown: str) -> AwaitComplete:
        append = super().append

        async def paint_then_append() -> None:
            with one_update(self):
                if self.paint_before_append:
                    await self._paint_finished()
                self._appending_blocks = True
                try:
                    await append(markdown)
                finally:
                    self._appending_blocks = False

        self._appending = AwaitComplete(paint_then_append())
        return self._appending

    def build_blocks(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        build = super().build_blocks
        if not (self._appending_blocks and self.tail_first):
            return build(tokens)
        groups = top_level_groups(tokens)
        split = self._tail_start(groups) if len(groups) > TAIL_FIRST_BLOCKS else 0
        if split < 2:
            return build(chain.from_iterable(groups))
        # The first block may continue the one the last append ended with, so it is
        # built now; Textual updates that block from it.
        first = list(build(groups[0]))
        shown = list(build(chain.from_iterable(groups[split:])))
        if not first or not shown:
            return build(chain.from_iterable(groups))
        held = HeldBack(self, groups[1:split])
        return [*first, held, *shown]

    def blocks_to_mount(self, blocks: list[Widget]) -> list[Widget]:
        for index, block in enumerate(blocks):
            if isinstance(block, HeldBack):
                block.before = blocks[index + 1]
                self.held_back.append(block)
                del blocks[index]
                break
        return blocks

    def _tail_start(self, groups: list[list[Token]]) -> int:
        """Where the blocks that fill the screen's height begin (by source lines)."""
        lines = 0
        for index in range(len(groups) - 1, 0, -1):
            start, end = groups[index][0].map or (0, 0)
            lines += end - start + 1
            if lines >= self.screen.size.height:
                return index
        return 1

    async def mount_held_back(self) -> None:
        """Build and mount the blocks big appends held back, once a layout has
        placed (and so the screen has shown) the ones after them."""
        ready = [
            held for held in self.held_back if held.before is not None and is_placed(held.before)
        ]
        if not ready:
            return
        async with self.lock:
            with one_update(self):
                for held in ready:
                    self.held_back.remove(held)
                    # ``before`` leaves only with this whole widget, when a rebuild
                    # replaces it.
                    if held.before is not None and held.before.parent is self:
                        groups = chain.from_iterable(held.groups)
                        blocks = list(super().build_blocks(groups))
                        held.place(blocks)
                        await super().mount_all(blocks, before=held.before)

    async def appended(self) -> None:
        """Wait for the last append, which ``MarkdownStream.stop()`` can leave running."""
        if self._appending is not None:
            await self._appending


class ReplyMarkdown(Vertical, AlikeLines):
    """Painted finished blocks above a live ``Markdown`` that the stream appends to."""

    DEFAULT_CSS = """
    ReplyMarkdown {
        height: auto;
        & > Markdown {
            padding: 0;
            margin: 0;
        }
    }
    """

    def __init__(self, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._lock = asyncio.Lock()
        self._painted = PaintedLines()
        self._live = LiveMarkdown(self._paint_finished_blocks)
        self._stream: MarkdownStream | None = None
        self._resize_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self._painted
        yield self._live

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.screen.screen_layout_refresh_signal.subscribe(self, self._after_layout)

    @property
    def source(self) -> str:
        return self._live.source

    @property
    def live_blocks(self) -> int:
        held = sum(len(held.groups) for held in self._live.held_back)
        return len(self._live.children) + held

    @property
    def painted_width(self) -> int:
        return self._painted.painted_width if self._painted.lines else 0

    async def update(self, markdown: str) -> None:
        """Show a whole document, replacing what is shown."""
        async with self._lock:
            await self._rebuild(markdown)
        self._paint_when_idle()

    def start_stream(self) -> None:
        self._live.tail_first = True
        self._stream = Markdown.get_stream(self._live)

    async def write(self, fragment: str) -> None:
        async with self._lock:
            if self._stream is not None:
                await self._stream.write(fragment)

    async def stop(self) -> None:
        async with self._lock:
            await self._stop_stream()
        self._paint_when_idle()

    async def _stop_stream(self) -> None:
        if self._stream is not None:
            self._live.paint_before_append = False
            await self._stream.stop()
            await self._live.appended()
            self._stream = None

    def on_resize(self) -> None:
        if not self._painted.lines or self._painted.painted_width == self.size.width:
            return
        if self._resize_timer is not None:
            self._resize_timer.stop()
        self._resize_timer = self.set_timer(RESIZE_SETTLE, self._rebuild_if_resized)

    async def _rebuild_if_resized(self) -> None:
        if self._painted.lines and self._painted.painted_width != self.size.width:
            await self._rebuild_from_source()

    async def _theme_changed(self, theme: Theme) -> None:
        if self._painted.lines:
            await self._rebuild_from_source()

    async def _rebuild_from_source(self) -> None:
        async with self._lock:
            await self._rebuild()
        self._paint_when_idle()

    async def _rebuild(self, markdown: str | None = None) -> None:
        """Everything as live widgets again, from ``markdown`` or the current source."""
        streaming = self._stream is not None
        await self._stop_stream()  # which writes what it holds into the source
        if markdown is None:
            markdown = self._live.source
        old, self._live = self._live, LiveMarkdown(self._paint_finished_blocks)
        with one_update(self):
            self._painted.clear()
            await self.mount(self._live, after=old)
            await self._live.append(markdown)
            await old.remove()
        if streaming:
            self.start_stream()

    async def _after_layout(self, screen: Screen[object]) -> None:
        # Held-back blocks wait until the screen has shown what follows them (inside
        # a batch, the refresh comes after this signal). Blocks can be painted once a
        # layout has measured them.
        if self._live.held_back:
            self.call_after_refresh(self._live.mount_held_back)
        await self._paint_settled_blocks()

    def _paint_when_idle(self) -> None:
        """Paint what is settled once the screen shows it, after whatever else waits
        for that refresh: painting changes nothing on screen."""
        self.call_after_refresh(self.call_later, self._paint_settled_blocks)

    async def _paint_settled_blocks(self) -> None:
        """Paint what a finished stream or a whole document left live."""
        if self._stream is None and len(self._live.children) > 1 and not self._lock.locked():
            async with self._lock:
                await self._paint_finished_blocks()

    async def _paint_finished_blocks(self) -> None:
        """Paint every block but the last, if a layout has measured them.

        The last block stays live: the stream may still be writing it, and the
        layout cannot tell whether its final text has been measured yet.
        """
        live = self._live
        async with live.lock:
            if live.held_back:
                return  # painted lines must stay in the reply's order
            blocks = list(live.children)
            wanted = PAINT_AFTER_BLOCKS if self._stream is not None else 1
            if len(blocks) - 1 < wanted:
                return
            *finished, tail = blocks
            if not all(is_laid_out(widget) for widget in (live, *blocks)):
                return
            width = live.region.width
            if self._painted.lines and self._painted.painted_width != width:
                return  # a rebuild for the new width is on its way
            rows = tail.region.y - tail.styles.margin.top - live.region.y
            lines = paint(live, finished, rows)
            with one_update(self):
                self._painted.add(lines, width)
                await live.remove_children(finished)
