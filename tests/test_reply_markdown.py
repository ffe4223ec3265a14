"""Finished Markdown blocks are painted into stored lines: they must look the same."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets._markdown import MarkdownBlock

from ollama_tui.ui.compat import drawn_lines
from ollama_tui.ui.widgets.reply_markdown import RESIZE_SETTLE, LiveMarkdown, ReplyMarkdown
from tests.chat_helpers import (
    app_for,
    chat_of,
    last_reply_view,
    reply_settled,
    screen_settled,
    send,
    wait_until,
)
from tests.emulator import OllamaEmulator
from tests.emulator.demo import long_reply

Cells = list[list[tuple[str, Style | None]]]


async def reply_rows(pilot: Pilot[None], scroll_to: int) -> Cells:
    """The chat log's rows, cell by cell, with the log scrolled to ``scroll_to``."""
    log = chat_of(pilot).chat_log
    log.scroll_to(y=scroll_to, animate=False, immediate=True)
    await pilot.pause()
    await pilot.pause()
    top, bottom = log.region.y, log.region.bottom
    lines = drawn_lines(pilot.app.screen)[top:bottom]
    return [[(char, segment.style) for segment in line for char in segment.text] for line in lines]


async def looks(pilot: Pilot[None]) -> list[Cells]:
    # Scroll positions that show the reply's painted part, above its stats line.
    return [await reply_rows(pilot, y) for y in (0, 25, 50)]


async def stream_long_reply(emulator: OllamaEmulator, painting: bool) -> list[list[Cells]]:
    """How the reply looks after streaming, after a resize and after a theme change."""
    emulator.script(long_reply(600, delay=0.001))
    app = app_for(emulator)
    seen = []
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "go")
        body = last_reply_view(pilot).body
        if painting:
            await wait_until(pilot, lambda: body.live_blocks == 1)
        seen.append(await looks(pilot))
        await pilot.resize_terminal(90, 40)
        if painting:
            await wait_until(pilot, lambda: body.live_blocks == 1 and body.painted_width < 90)
        seen.append(await looks(pilot))
        app.theme = "ollama-light"
        await pilot.pause()
        if painting:
            await wait_until(pilot, lambda: body.live_blocks == 1)
        seen.append(await looks(pilot))
    return seen


async def test_painted_reply_looks_like_the_live_one(
    emulator: OllamaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    painted = await stream_long_reply(emulator, painting=True)

    async def leave_live(self: ReplyMarkdown) -> None:
        pass

    monkeypatch.setattr(ReplyMarkdown, "_paint_finished_blocks", leave_live)
    live = await stream_long_reply(emulator, painting=False)
    for stage, (painted_stage, live_stage) in enumerate(zip(painted, live, strict=True)):
        for position, (painted_rows, live_rows) in enumerate(
            zip(painted_stage, live_stage, strict=True)
        ):
            for row, (painted_row, live_row) in enumerate(
                zip(painted_rows, live_rows, strict=True)
            ):
                assert painted_row == live_row, (stage, position, row)


def count_rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The widths painted replies are rebuilt for from now on."""
    rebuilds = []
    rebuild = ReplyMarkdown._rebuild_from_source

    async def counted(self: ReplyMarkdown) -> None:
        rebuilds.append(self.size.width)
        await rebuild(self)

    monkeypatch.setattr(ReplyMarkdown, "_rebuild_from_source", counted)
    return rebuilds


@dataclass
class ManualTimer:
    delay: float
    callback: Callable[[], Awaitable[None]]
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True


def manual_timers(monkeypatch: pytest.MonkeyPatch) -> list[ManualTimer]:
    """Every timer replies set from now on (they wait for a new width to last): each
    fires only when the test fires it, so how long the machine takes between two
    steps of a test changes nothing."""
    timers: list[ManualTimer] = []

    def set_timer(
        self: ReplyMarkdown, delay: float, callback: Callable[[], Awaitable[None]]
    ) -> ManualTimer:
        timers.append(ManualTimer(delay, callback))
        return timers[-1]

    monkeypatch.setattr(ReplyMarkdown, "set_timer", set_timer)
    return timers


async def test_a_reply_outgrowing_the_log_keeps_its_width(
    emulator: OllamaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The log's scroll bar appearing must not narrow the reply: that would re-wrap
    # the text under the reader's eyes and rebuild the painted part.
    rebuilds = count_rebuilds(monkeypatch)
    timers = manual_timers(monkeypatch)
    emulator.script(long_reply(400, delay=0.005))
    app = app_for(emulator)
    # Tall enough that blocks are painted before the reply outgrows the log.
    async with app.run_test(size=(120, 80)) as pilot:
        await send(pilot, "go")
        body = last_reply_view(pilot).body
        log = chat_of(pilot).chat_log
        await wait_until(pilot, lambda: log.max_scroll_y > 0 and body.painted_width > 0)
        await reply_settled(pilot)
        # No new width was waited for, so no rebuild is on its way.
        assert timers == []
        assert rebuilds == []
        assert body.painted_width == body.size.width


async def test_a_dragged_window_edge_rebuilds_the_reply_once(
    emulator: OllamaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilds = count_rebuilds(monkeypatch)
    timers = manual_timers(monkeypatch)
    emulator.script(long_reply(300, delay=0.001))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "go")
        body = last_reply_view(pilot).body
        await wait_until(pilot, lambda: body.live_blocks == 1)
        # Each new width starts the wait again, so the drag leaves one timer running.
        for width in (110, 100, 90):
            before = body.size.width
            await pilot.resize_terminal(width, 40)
            await wait_until(pilot, lambda: body.size.width < before)  # noqa: B023
        await screen_settled(pilot)
        running = [timer for timer in timers if not timer.stopped]
        assert len(timers) >= 3 and len(running) == 1
        assert running[0].delay == RESIZE_SETTLE
        assert rebuilds == []
        body.call_later(running[0].callback)  # the new width has lasted
        await wait_until(pilot, lambda: body.live_blocks == 1 and body.painted_width < 90)
        assert rebuilds == [body.painted_width]


class ScrollingReply(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield ReplyMarkdown()


async def stream_and_paint(pilot: Pilot[None], markdown: str) -> None:
    """Stream ``markdown`` in one write, then wait until its finished blocks are painted."""
    body = pilot.app.query_one(ReplyMarkdown)
    body.start_stream()
    await body.write(markdown)
    await body.stop()
    await wait_until(pilot, lambda: body.live_blocks == 1)


async def paragraphs_shown(pilot: Pilot[None]) -> list[int]:
    """The numbers of the "Paragraph N." lines, in the order scrolling down shows them."""
    app = pilot.app
    scroller = app.query_one(VerticalScroll)
    seen = []
    for top in range(0, int(scroller.max_scroll_y) + scroller.size.height, 10):
        scroller.scroll_to(y=top, animate=False, immediate=True)
        await pilot.pause()
        region = scroller.region
        strips = drawn_lines(app.screen)[region.y : region.bottom]
        seen.extend(re.findall(r"Paragraph (\d+)", " ".join(s.text for s in strips)))
    return list(dict.fromkeys(int(number) for number in seen))


async def test_a_burst_shows_its_end_first_then_fills_in_above(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown_first: list[list[int]] = []
    held_back: list[int] = []
    mount_held_back = LiveMarkdown.mount_held_back

    async def note_what_was_shown(self: LiveMarkdown) -> None:
        if self.held_back:
            shown_first.append([block.source_range[0] for block in self.query(MarkdownBlock)])
            held_back.append(sum(len(held.groups) for held in self.held_back))
        await mount_held_back(self)

    monkeypatch.setattr(LiveMarkdown, "mount_held_back", note_what_was_shown)
    app = ScrollingReply()
    async with app.run_test(size=(60, 20)) as pilot:
        await stream_and_paint(pilot, "".join(f"Paragraph {n}.\n\n" for n in range(60)))
        shown = await paragraphs_shown(pilot)
    # First the paragraphs that fill the screen's 20 lines, ending with the last one
    # (paragraph n starts on source line 2n); then all of them, in order.
    assert shown_first
    assert 10 <= len(shown_first[0]) < 20
    assert shown_first[0][-1] == 118
    # The rest were not even built yet: they waited as Markdown tokens.
    assert held_back[0] == 60 - len(shown_first[0])
    assert shown == list(range(60))


async def test_bursts_in_quick_succession_fill_in_in_order() -> None:
    app = ScrollingReply()
    async with app.run_test(size=(60, 20)) as pilot:
        body = app.query_one(ReplyMarkdown)
        body.start_stream()
        live = body._live
        # Two big appends before any layout: each holds back its middle.
        await live.append("".join(f"Paragraph {n}.\n\n" for n in range(60)))
        await live.append("".join(f"Paragraph {n}.\n\n" for n in range(60, 120)))
        assert len(live.held_back) == 2
        await body.stop()
        await wait_until(pilot, lambda: body.live_blocks == 1)
        shown = await paragraphs_shown(pilot)
    assert shown == list(range(120))


async def test_a_reply_ending_in_an_empty_block_is_painted() -> None:
    # "-" alone is a list with one empty item: a block with no height.
    app = ScrollingReply()
    async with app.run_test(size=(60, 20)) as pilot:
        await stream_and_paint(pilot, "".join(f"Paragraph {n}.\n\n" for n in range(20)) + "-")
        assert await paragraphs_shown(pilot) == list(range(20))
