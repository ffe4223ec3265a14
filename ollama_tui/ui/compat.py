"""Where ollama-tui relies on a Textual internal, each with a canary test
(``tests/test_compat.py``) that fails when Textual changes it.

Nothing else in the package uses a Textual private name: the widgets use the
functions and mixins here (``tests/test_textual_privates.py`` checks). A mixin
that overrides one of Textual's internal methods is listed first in a widget's
bases, and is no ``DOMNode``, so the widget still takes its CSS from the Textual
class after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from markdown_it.token import Token
from textual.app import App
from textual.content import Content
from textual.dom import DOMNode
from textual.geometry import Size
from textual.notifications import Notification
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import AwaitMount, Widget
from textual.widgets import Input, TextArea

# Textual defines these only in its private module (``textual.widgets.markdown``
# exports Markdown, MarkdownBlock, MarkdownFence and MarkdownStream).
from textual.widgets._markdown import (
    MarkdownBulletList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
    MarkdownTable,
)
from textual.widgets.markdown import Markdown, MarkdownBlock, MarkdownFence

__all__ = [
    "ALT_ENTER",
    "BuildsBlocks",
    "FenceContextHook",
    "MarkdownBulletList",
    "MarkdownListItem",
    "MarkdownOrderedList",
    "MarkdownParagraph",
    "MarkdownTable",
    "UpdatedInPlace",
    "block_content",
    "child_blocks",
    "clear_child_blocks",
    "drawn_lines",
    "forget_cached_styles",
    "highlighted_code",
    "notifications",
    "on_each_frame",
    "only_own_component_classes",
    "recognise_alt_enter",
    "set_block_content",
    "set_size_updates_lay_out",
    "size_updates_lay_out",
    "steady_cursors",
    "table_cells",
]

if TYPE_CHECKING:
    # What the mixins below are mixed into. At run time they derive from ``object``:
    # Textual takes a widget's CSS from its first base that is a ``DOMNode``.
    BlockBase = MarkdownBlock
    MarkdownBase = Markdown
else:
    BlockBase = object
    MarkdownBase = object

DOMNodeClass = TypeVar("DOMNodeClass", bound=type[DOMNode])

# Keys

ALT_ENTER = "\x1b\r"
"""What Alt+Enter sends in tmux, screen and xterm-like terminals (ESC, then CR)."""


@dataclass(frozen=True)
class _KeyName:
    """Stands in for a ``textual.keys.Keys`` member: the parser only reads ``value``."""

    value: str


def recognise_alt_enter() -> None:
    """Make ESC CR the key ``alt+enter``.

    Textual's parser has no entry for it, waits out the escape delay and reissues
    the two characters; the Enter it then finds in its table loses the Alt, so
    without this entry Alt+Enter (a new line in the prompt) would send the prompt.
    The entry goes in the parser's table (``textual._ansi_sequences``).
    """
    from textual import _ansi_sequences

    table = _ansi_sequences.ANSI_SEQUENCES_KEYS
    assert isinstance(table, dict)
    table[ALT_ENTER] = (_KeyName("alt+enter"),)


# Layout

_textual_size_updated = Widget._size_updated


def _size_updated_without_layout(
    self: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
) -> bool:
    return _textual_size_updated(self, size, virtual_size, container_size, layout=False)


def set_size_updates_lay_out(lay_out: bool) -> None:
    """Whether a widget given a new size by a layout asks for another layout.

    Textual's ``Widget._size_updated(size, virtual_size, container_size, layout)``
    stores a widget's new sizes, and with ``layout`` stores the virtual size
    through a reactive that asks for a layout; Textual passes ``layout=False``
    itself when it lays out after a scroll. With ``lay_out`` off every layout does
    that, for every widget, process-wide (see ``widgets/layout_once.py`` for why).
    """
    Widget._size_updated = (  # type: ignore[method-assign]
        _textual_size_updated if lay_out else _size_updated_without_layout
    )


def size_updates_lay_out() -> bool:
    """What ``set_size_updates_lay_out`` last set (Textual's own behaviour: True)."""
    return Widget._size_updated is _textual_size_updated


# Styles


def only_own_component_classes(cls: DOMNodeClass) -> DOMNodeClass:
    """A class decorator: ``cls`` has only the component classes it names itself.

    Textual styles each component class of each new widget (~0.1 ms each), so a
    widget that draws with few classes is made faster by not inheriting its bases'.
    DOMNode takes ``inherit_component_classes`` as a class keyword, but Widget's
    ``__init_subclass__`` does not pass it on; this sets the class attribute it
    would have set, ``DOMNode._inherit_component_classes``.
    """
    cls._inherit_component_classes = False
    return cls


# Notifications


def notifications(app: App[Any]) -> list[Notification]:
    """Every notification the app shows, oldest first.

    Textual keeps them only in ``App._notifications`` (the tests read what the app
    told the user).
    """
    return list(app._notifications)


# Markdown blocks


def child_blocks(block: MarkdownBlock) -> list[MarkdownBlock]:
    """The blocks Textual built inside ``block`` (a list's items, an item's
    paragraphs), which it mounts when the block is composed.

    They are Textual's ``MarkdownBlock._blocks``: the list itself, not a copy.
    """
    return block._blocks


def clear_child_blocks(block: MarkdownBlock) -> None:
    """Drop the blocks built inside ``block``, so that composing it mounts none
    (``MarkdownBlock.compose`` mounts ``_blocks``)."""
    block._blocks.clear()


def block_content(block: MarkdownBlock) -> Content:
    """A block's inline text (a paragraph's, a table cell's), as Textual built it
    from its token: ``MarkdownBlock._content``."""
    return block._content


def set_block_content(block: MarkdownBlock, content: Content) -> None:
    """Store a block's inline text where Textual keeps it (``MarkdownBlock._content``),
    for a block that shows it itself instead of through ``MarkdownBlock.set_content``."""
    block._content = content


def table_cells(table: MarkdownTable) -> tuple[list[Content], list[list[Content]]]:
    """A table's header cells and rows of cells, from the blocks Textual built
    inside it (``MarkdownTable._get_headers_and_rows``)."""
    return table._get_headers_and_rows()


def highlighted_code(fence: MarkdownFence) -> Content:
    """A code block's code as Textual highlighted it for the current theme
    (``MarkdownFence._highlighted_code``)."""
    return fence._highlighted_code


class UpdatedInPlace(BlockBase):
    """A Markdown block that takes a stream's additions to itself.

    When an append continues the last block of a ``Markdown``, Textual builds that
    block again from the longer source and calls ``_update_from_block(new)`` on the
    block shown: ``MarkdownBlock``'s removes the block and mounts the new one, and
    some block classes (paragraphs, code, tables) update themselves instead. This
    routes that call to ``update_from``.
    """

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        await self.update_from(block)

    async def update_from(self, block: MarkdownBlock) -> None:
        """Show ``block``, built from the longer source: by default as the Textual
        block class does."""
        await super()._update_from_block(block)


class FenceContextHook(BlockBase):
    """A code block told when Textual updates it from a longer one.

    Textual's ``MarkdownFence._update_from_block`` copies the code, its language
    and its highlighting from the newer block with ``_copy_context``; this calls
    ``context_copied(block)`` after each such copy.
    """

    def _copy_context(self, block: MarkdownBlock) -> None:
        super()._copy_context(block)
        self.context_copied(block)

    def context_copied(self, block: MarkdownBlock) -> None:
        """Called once Textual has copied what it keeps of ``block`` into this block."""


class BuildsBlocks(MarkdownBase):
    """A Markdown widget that chooses the blocks built for its tokens, and which of
    them are mounted.

    Textual's ``Markdown._parse_markdown(tokens)`` builds the blocks that ``update``
    and ``append`` mount, which they then mount with ``mount_all``: this routes the
    first call to ``build_blocks`` and passes what the second mounts through
    ``blocks_to_mount``.
    """

    def _parse_markdown(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        return self.build_blocks(tokens)

    def build_blocks(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        """The blocks for ``tokens``: by default, those Textual builds."""
        return super()._parse_markdown(tokens)

    def mount_all(
        self,
        widgets: Iterable[Widget],
        *,
        before: int | str | Widget | None = None,
        after: int | str | Widget | None = None,
    ) -> AwaitMount:
        return super().mount_all(self.blocks_to_mount(list(widgets)), before=before, after=after)

    def blocks_to_mount(self, blocks: list[Widget]) -> list[Widget]:
        """Of the blocks ``build_blocks`` made, those mounted now: by default, all."""
        return blocks


# What the tests and benchmarks look at: the screen as drawn


def drawn_lines(screen: Screen[Any]) -> list[Strip]:
    """Every line of ``screen`` as the terminal was last sent it
    (``Screen._compositor.render_strips``)."""
    return screen._compositor.render_strips()


def on_each_frame(screen: Screen[Any], callback: Callable[[], None]) -> None:
    """Call ``callback`` after each frame ``screen`` draws
    (``Screen._compositor_refresh``, which every screen update goes through)."""
    refresh = screen._compositor_refresh

    def refresh_then_call() -> None:
        refresh()
        callback()

    screen._compositor_refresh = refresh_then_call  # type: ignore[method-assign]


def forget_cached_styles(widget: Widget) -> None:
    """Make ``widget`` draw its lines again (``Widget._styles_cache``)."""
    widget._styles_cache.clear()


def steady_cursors() -> None:
    """Text cursors that never blink, for pictures that do not depend on timing
    (``Input._toggle_cursor``, ``TextArea._toggle_cursor_blink_visible``)."""
    for widget_class, name in (
        (Input, "_toggle_cursor"),
        (TextArea, "_toggle_cursor_blink_visible"),
    ):
        if name not in vars(widget_class):
            raise AttributeError(f"{widget_class.__name__}.{name} is gone from Textual")
        setattr(widget_class, name, lambda self: None)
