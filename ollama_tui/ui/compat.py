"""Where ollama-tui relies on a Textual internal, each with a canary test
(``tests/test_compat.py``) that fails when Textual changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.notifications import Notification

__all__ = [
    "ALT_ENTER",
    "notifications",
    "recognise_alt_enter",
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
