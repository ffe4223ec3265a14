from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from ollama_tui.ui.compat import forget_cached_styles
from ollama_tui.ui.widgets.alike_lines import AlikeLines


class Frame(Vertical, AlikeLines):
    pass


def frame_app(css: str) -> App[None]:
    class FrameApp(App[None]):
        CSS = f"Frame {{ height: 12; background: $panel; {css} }}"

        def compose(self) -> ComposeResult:
            with Frame():
                yield Static("text")

    return FrameApp()


def drawn_the_usual_way(widget: Widget, crop: Region) -> list[Any]:
    forget_cached_styles(widget)
    return Widget.render_lines(widget, crop)


@pytest.mark.parametrize(
    "css",
    [
        "border-left: thick $primary; padding: 0 1;",
        "border: round $primary;",  # lines differ: drawn the usual way
        "padding: 1 2;",
        "border-title-align: center; border-top: solid red;",
    ],
)
async def test_alike_lines_draws_what_textual_would(css: str) -> None:
    app = frame_app(css)
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        frame = app.query_one(Frame)
        for crop in (Region(0, 0, 40, 12), Region(0, 3, 40, 5), Region(2, 1, 10, 1)):
            forget_cached_styles(frame)
            assert frame.render_lines(crop) == drawn_the_usual_way(frame, crop)


async def test_alike_lines_draws_one_line_for_a_side_border() -> None:
    app = frame_app("border-left: thick $primary;")
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        frame = app.query_one(Frame)
        drawn: list[int] = []
        render_line = frame.render_line

        def counting(y: int) -> Any:
            drawn.append(y)
            return render_line(y)

        frame.render_line = counting  # type: ignore[method-assign]
        forget_cached_styles(frame)
        frame.render_lines(Region(0, 0, 40, 12))
        assert drawn == [0]
