"""Canaries for ``ollama_tui/ui/compat.py``: each fails when the Textual internal it
relies on changes, so the workaround is looked at again (or dropped)."""

from __future__ import annotations

from textual import _ansi_sequences, events
from textual._xterm_parser import XTermParser

from ollama_tui.ui import compat


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
