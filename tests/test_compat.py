"""Canaries for ``ollama_tui/ui/compat.py``: each fails when the Textual internal it
relies on changes, so the workaround is looked at again (or dropped).

Each test names the internal it watches. Signatures are compared whole, so an
added parameter is noticed too.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

import textual.widgets.markdown
from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual import _ansi_sequences, events
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.content import Content
from textual.dom import DOMNode
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static
from textual.widgets import _markdown as private_markdown
from textual.widgets.markdown import Markdown, MarkdownBlock, MarkdownFence

from ollama_tui.ui import compat


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


# textual._ansi_sequences, textual._xterm_parser


def keys_for(data: str) -> list[str]:
    parser = XTermParser()
    tokens = [*parser.feed(data), *parser.feed("")]
    return [token.key for token in tokens if isinstance(token, events.Key)]


def test_textual_still_reads_alt_enter_as_enter_without_the_entry() -> None:
    table = _ansi_sequences.ANSI_SEQUENCES_KEYS
    assert isinstance(table, dict)
    saved = table.pop(compat.ALT_ENTER, None)
    try:
        # If this fails, Textual now understands ESC CR itself: drop the workaround.
        assert keys_for(compat.ALT_ENTER) == ["enter"]
    finally:
        if saved is not None:
            table[compat.ALT_ENTER] = saved


def test_with_the_entry_alt_enter_is_its_own_key() -> None:
    compat.recognise_alt_enter()
    assert keys_for(compat.ALT_ENTER) == ["alt+enter"]
    assert keys_for("\r") == ["enter"]
    assert keys_for("\x1b") == ["escape"]


# Widget._size_updated (its effect on layouts: tests/test_layout_once.py)


def test_size_updated_takes_the_sizes_and_whether_to_lay_out() -> None:
    signature = inspect.signature(Widget._size_updated)
    assert list(signature.parameters) == [
        "self",
        "size",
        "virtual_size",
        "container_size",
        "layout",
    ]
    assert signature.parameters["layout"].default is True


def test_size_updates_lay_out_can_be_switched_and_back() -> None:
    before = compat.size_updates_lay_out()
    try:
        compat.set_size_updates_lay_out(False)
        assert not compat.size_updates_lay_out()
        compat.set_size_updates_lay_out(True)
        assert compat.size_updates_lay_out()
    finally:
        compat.set_size_updates_lay_out(before)


# DOMNode._inherit_component_classes


def test_widgets_cannot_be_told_to_skip_their_bases_component_classes() -> None:
    # If this fails, Widget passes the keyword on: use it instead of the decorator.
    assert "inherit_component_classes" not in parameters(Widget.__init_subclass__)
    assert DOMNode._inherit_component_classes is True


def test_only_own_component_classes() -> None:
    class Base(Static):
        COMPONENT_CLASSES = {"base--part"}

    @compat.only_own_component_classes
    class Own(Base):
        COMPONENT_CLASSES = {"own--part"}

    class Inheriting(Base):
        COMPONENT_CLASSES = {"own--part"}

    assert Own._get_component_classes() == {"own--part"}
    assert Inheriting._get_component_classes() == {"own--part", "base--part"}


# A mixin that is no DOMNode, first in a widget's bases, leaves its CSS alone.


def test_a_plain_mixin_first_leaves_css_to_the_widget_base() -> None:
    class Mixin:
        pass

    class Plain(MarkdownFence):
        pass

    class Mixed(Mixin, MarkdownFence):
        pass

    assert Mixed._css_bases(Mixed)[1:] == Plain._css_bases(Plain)[1:]
    assert Mixed._css_type_names - {"Mixed"} == Plain._css_type_names - {"Plain"}


# App._notifications


async def test_notifications_lists_what_the_app_shows() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.notify("first")
        app.notify("second", severity="warning")
        await pilot.pause()
        assert [notice.message for notice in compat.notifications(app)] == ["first", "second"]
        app.clear_notifications()
        assert compat.notifications(app) == []


# textual.widgets._markdown: the block classes only it defines


BLOCK_CLASSES = [
    compat.MarkdownBulletList,
    compat.MarkdownListItem,
    compat.MarkdownOrderedList,
    compat.MarkdownParagraph,
    compat.MarkdownTable,
]


def test_the_block_classes_are_in_the_private_module_only() -> None:
    for block_class in BLOCK_CLASSES:
        name = block_class.__name__
        assert getattr(private_markdown, name) is block_class
        assert issubclass(block_class, MarkdownBlock)
        # If this fails, Textual exports it: import it from textual.widgets.markdown.
        assert not hasattr(textual.widgets.markdown, name), name
    assert private_markdown.MarkdownBlock is MarkdownBlock


class Blocks(compat.BuildsBlocks, Markdown):
    pass


def build(source: str) -> list[MarkdownBlock]:
    """The blocks Textual builds for ``source`` (no app needed but for code)."""
    return list(Blocks().build_blocks(MarkdownIt("gfm-like").parse(source)))


# Markdown._parse_markdown (called by update and append: see below)


def test_parse_markdown_builds_blocks_from_tokens() -> None:
    assert parameters(Markdown._parse_markdown) == ["self", "tokens"]
    blocks = build("Some text.\n\n- an item\n")
    assert [type(block) for block in blocks] == [
        compat.MarkdownParagraph,
        compat.MarkdownBulletList,
    ]


# MarkdownBlock._blocks, MarkdownBlock._content


def test_child_blocks_are_what_a_block_was_built_with() -> None:
    (bullets,) = build("- one\n- two\n")
    items = compat.child_blocks(bullets)
    assert [type(item) for item in items] == [private_markdown.MarkdownUnorderedListItem] * 2
    assert all(isinstance(item, compat.MarkdownListItem) for item in items)
    (paragraph,) = compat.child_blocks(items[0])
    assert isinstance(paragraph, compat.MarkdownParagraph)
    assert compat.block_content(paragraph).plain == "one"


def test_composing_a_block_mounts_its_child_blocks_unless_cleared() -> None:
    (bullets,) = build("- one\n- two\n")
    first, second = compat.child_blocks(bullets)
    children = list(compat.child_blocks(first))
    assert children
    assert list(first.compose()) == children
    compat.clear_child_blocks(second)
    assert compat.child_blocks(second) == []
    assert list(second.compose()) == []


def test_block_content_is_set_where_textual_reads_it() -> None:
    (paragraph,) = build("old\n")
    compat.set_block_content(paragraph, Content("new"))
    assert compat.block_content(paragraph).plain == "new"
    assert paragraph._content.plain == "new"


# MarkdownTable._get_headers_and_rows


def test_table_cells() -> None:
    assert parameters(compat.MarkdownTable._get_headers_and_rows) == ["self"]
    (table,) = build("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |\n")
    assert isinstance(table, compat.MarkdownTable)
    headers, rows = compat.table_cells(table)
    assert [cell.plain for cell in headers] == ["a", "b"]
    assert [[cell.plain for cell in row] for row in rows] == [["1", "2"], ["3", ""]]


# MarkdownFence._highlighted_code


class Code(App[None]):
    def compose(self) -> ComposeResult:
        yield Markdown("```python\nx = 1\n```\n")


async def test_highlighted_code_is_the_highlighting_for_the_theme() -> None:
    app = Code()
    async with app.run_test() as pilot:
        await pilot.pause()
        fence = app.query_one(MarkdownFence)
        code = compat.highlighted_code(fence)
        dark = app.current_theme.dark
        expected = MarkdownFence.highlight(
            "x = 1\n", "python", ansi=app.native_ansi_color, dark=dark
        )
        assert code.plain == expected.plain
        assert code.spans == expected.spans
        assert code.spans  # highlighted, not plain


# MarkdownBlock._update_from_block, MarkdownFence._copy_context, and the calls of
# Markdown._parse_markdown and mount_all: what a stream's appends do to the last block.


def test_the_update_methods_take_the_newer_block() -> None:
    assert parameters(MarkdownBlock._update_from_block) == ["self", "block"]
    assert parameters(MarkdownFence._update_from_block) == ["self", "block"]
    assert parameters(MarkdownFence._copy_context) == ["self", "block"]
    assert inspect.iscoroutinefunction(MarkdownBlock._update_from_block)


class Seen:
    """What the hooks below were called with."""

    def __init__(self) -> None:
        self.built: list[int] = []
        self.mounted: list[int] = []
        self.updates: list[str] = []
        self.copied: list[str] = []


SEEN = Seen()


class Paragraph(compat.UpdatedInPlace, compat.MarkdownParagraph):
    async def update_from(self, block: MarkdownBlock) -> None:
        SEEN.updates.append(compat.block_content(block).plain)
        await super().update_from(block)


class Fence(compat.FenceContextHook, MarkdownFence):
    def context_copied(self, block: MarkdownBlock) -> None:
        assert isinstance(block, MarkdownFence)
        SEEN.copied.append(block.code)


class Stream(compat.BuildsBlocks, Markdown):
    BLOCKS = {**Markdown.BLOCKS, "paragraph_open": Paragraph, "fence": Fence}

    def build_blocks(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        blocks = list(super().build_blocks(tokens))
        SEEN.built.append(len(blocks))
        return blocks

    def blocks_to_mount(self, blocks: list[Widget]) -> list[Widget]:
        SEEN.mounted.append(len(blocks))
        return super().blocks_to_mount(blocks)


class Streaming(App[None]):
    def compose(self) -> ComposeResult:
        yield Stream()


async def test_appends_update_the_last_block_through_the_hooks() -> None:
    SEEN.built, SEEN.mounted, SEEN.updates, SEEN.copied = [], [], [], []
    app = Streaming()
    async with app.run_test() as pilot:
        stream = app.query_one(Stream)
        for fragment in ("Some", " text.", "\n\n```python\nx = 1\n", "y = 2\n```\n"):
            await stream.append(fragment)
        await pilot.pause()
        paragraph = app.query_one(Paragraph)
        fence = app.query_one(Fence)
        assert len(stream.children) == 2
        assert compat.block_content(paragraph).plain == "Some text."
        assert fence.code == "x = 1\ny = 2"
        assert compat.highlighted_code(fence).plain == "x = 1\ny = 2"
    # Mounting builds the empty document first; then each append its new source.
    assert SEEN.built == [0, 1, 1, 2, 1]
    # Markdown.update and append mount what they built with mount_all; an append that
    # only continues the last block mounts nothing new.
    assert SEEN.mounted == [1, 1]
    assert SEEN.updates == ["Some text.", "Some text."]
    assert SEEN.copied == ["x = 1\ny = 2"]


# Screen._compositor, Screen._compositor_refresh, Widget._styles_cache,
# Input._toggle_cursor, TextArea._toggle_cursor_blink_visible (tests and benchmarks)


async def test_the_drawn_screen_can_be_read_and_followed_frame_by_frame() -> None:
    from ollama_tui.ui.compat import drawn_lines, forget_cached_styles, on_each_frame

    class Hello(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello there", id="hello")

    app = Hello()
    async with app.run_test(size=(30, 4)) as pilot:
        frames: list[int] = []
        on_each_frame(app.screen, lambda: frames.append(len(frames)))
        static = app.query_one("#hello", Static)
        static.update("changed")
        await pilot.pause()
        assert frames
        assert drawn_lines(app.screen)[0].text.startswith("changed")
        forget_cached_styles(static)
        assert static.render_lines(Region(0, 0, 30, 1))[0].text.startswith("changed")


def test_cursors_can_be_kept_from_blinking() -> None:
    from textual.widgets import Input, TextArea

    from ollama_tui.ui.compat import steady_cursors

    steady_cursors()  # the tests' conftest did it already; it can be done again
    assert parameters(Input._toggle_cursor) == ["self"]
    assert parameters(TextArea._toggle_cursor_blink_visible) == ["self"]
