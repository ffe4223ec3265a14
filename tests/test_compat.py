"""Canaries for ``ollama_tui/ui/compat.py``: each fails when the Textual internal it
relies on changes, so the workaround is looked at again (or dropped).

Each test names the internal it watches. Signatures are compared whole, so an
added parameter is noticed too.
"""

from __future__ import annotations

import inspect

from textual import _ansi_sequences, events
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.widget import Widget

from ollama_tui.ui import compat

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
