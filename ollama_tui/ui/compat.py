"""Where ollama-tui relies on a Textual internal, each with a canary test
(``tests/test_compat.py``) that fails when Textual changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.geometry import Size
from textual.notifications import Notification
from textual.widget import Widget

__all__ = [
    "ALT_ENTER",
    "notifications",
    "recognise_alt_enter",
    "set_size_updates_lay_out",
    "size_updates_lay_out",
]


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


# Notifications


def notifications(app: App[Any]) -> list[Notification]:
    """Every notification the app shows, oldest first.

    Textual keeps them only in ``App._notifications`` (the tests read what the app
    told the user).
    """
    return list(app._notifications)
