"""Canaries for ``ollama_tui/ui/compat.py``: each fails when the Textual internal it
relies on changes, so the workaround is looked at again (or dropped).

Each test names the internal it watches. Signatures are compared whole, so an
added parameter is noticed too.
"""

from __future__ import annotations

import inspect
from typing import Any

from textual import _ansi_sequences, events
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.widgets import Static

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


async def test_the_drawn_screen_can_be_read_and_followed_frame_by_frame() -> None:
    from ollama_tui.ui.compat import drawn_lines, on_each_frame

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


def test_cursors_can_be_kept_from_blinking() -> None:
    from textual.widgets import Input, TextArea

    from ollama_tui.ui.compat import steady_cursors

    steady_cursors()  # the tests' conftest did it already; it can be done again
    assert parameters(Input._toggle_cursor) == ["self"]
    assert parameters(TextArea._toggle_cursor_blink_visible) == ["self"]
