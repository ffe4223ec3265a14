"""A widget that grows costs one layout, not Textual's two."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ollama_tui.ui import compat
from ollama_tui.ui.widgets import layout_once
from tests.chat_helpers import screen_settled, wait_until


class GrowingText(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            # Already taller than the screen: a scroll bar appearing costs a layout of its own.
            yield Static("\n".join(f"line {n}" for n in range(15)))


@pytest.fixture(autouse=True)
def textual_layouts() -> Iterator[None]:
    """Textual's own behaviour for the test (making an ``OllamaTUI`` changes it for
    the whole process), and afterwards whatever was there before."""
    before = compat.size_updates_lay_out()
    compat.set_size_updates_lay_out(True)
    yield
    compat.set_size_updates_lay_out(before)


@pytest.mark.parametrize(("once", "layouts"), [(False, 2), (True, 1)])
async def test_growing_text_is_laid_out(once: bool, layouts: int) -> None:
    # Without the change, Textual's second layout: if this part fails, Textual
    # no longer does it and ``layout_once`` can go.
    if once:
        layout_once.lay_out_once()
    app = GrowingText()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        seen: list[Screen[object]] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, seen.append)
        text = app.query_one(Static)
        scroll = app.query_one(VerticalScroll)
        text.update("\n".join(f"line {n}" for n in range(20)))
        # Laid out in full either way: the text's height and the scrolling range.
        await wait_until(pilot, lambda: text.size.height == 20 and scroll.max_scroll_y == 10)
        await screen_settled(pilot)
        assert len(seen) == layouts
