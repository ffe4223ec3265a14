"""The one way text reaches a widget: made inert, and never parsed as markup.

Text from outside (model output, error messages, model names and details, file
names, config values) can hold Textual or Rich markup (``[/INST]`` is a real template
token, and parsing it as markup raises) and terminal escape sequences. Every widget
in the app that shows text is a ``Plain`` or is given ``plain``/``cell`` content, and
the app's ``notify`` goes through ``sanitize`` too, so no call site can forget.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Static

from ollama_tui.core.sanitize import sanitize, sanitize_line


def plain(text: str) -> Content:
    """``text`` as content: unsafe characters made visible, no markup."""
    return Content(sanitize(text))


def plain_line(text: str, limit: int = 200) -> Content:
    """One line of ``text`` (see ``sanitize_line``) as content."""
    return Content(sanitize_line(text, limit))


def cell(text: str, limit: int = 200) -> Text:
    """A table cell: one line, never parsed as markup (``DataTable`` parses strings)."""
    return Text(sanitize_line(text, limit), no_wrap=True, overflow="ellipsis")


class Plain(Static):
    """A ``Static`` whose strings are always shown as they are, made inert."""

    def __init__(
        self,
        text: str = "",
        *,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(plain(text), markup=False, id=id, classes=classes)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(plain(content) if isinstance(content, str) else content, layout=layout)
