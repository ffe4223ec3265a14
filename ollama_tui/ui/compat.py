"""Where ollama-tui relies on a Textual internal, each with a canary test
(``tests/test_compat.py``) that fails when Textual changes it.

Nothing else in the package uses a Textual private name: the app uses the
functions here (``tests/test_textual_privates.py`` checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.notifications import Notification
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Input, TextArea

__all__ = [
    "ALT_ENTER",
    "drawn_lines",
    "notifications",
    "on_each_frame",
    "recognise_alt_enter",
    "steady_cursors",
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


# Notifications


def notifications(app: App[Any]) -> list[Notification]:
    """Every notification the app shows, oldest first.

    Textual keeps them only in ``App._notifications`` (the tests read what the app
    told the user).
    """
    return list(app._notifications)


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
