"""A misbehaving server, seen from the TUI: the app stays responsive, says what is
happening, Esc works, nothing received is lost, and it recovers by itself."""

from __future__ import annotations

from textual.widgets import DataTable

from ollama_tui.core.conversation import ReplyStatus
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.emulator.models import RawReply
from ollama_tui.ui.screens.chat_status import STALL_NOTE_SECONDS, WAIT_NOTE_SECONDS
from tests.chat_helpers import (
    app_for,
    chat_of,
    last_reply_turn,
    send,
    status_text,
    wait_until,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_server_that_never_answers_can_be_stopped(emulator: OllamaEmulator) -> None:
    emulator.respond_raw("/api/chat", RawReply.silence())
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        clock = FakeClock()
        chat.session.clock = clock
        await wait_until(pilot, lambda: chat.composer.has_focus)
        await pilot.press(*"anyone there?", "enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 1)
        clock.now += WAIT_NOTE_SECONDS + 40
        await wait_until(pilot, lambda: "(waiting 43 s)" in status_text(chat))
        await pilot.press(*"typing still works")
        assert chat.composer.text == "typing still works"
        await pilot.press("escape")
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.STOPPED
        await wait_until(pilot, lambda: "/api/chat" in emulator.disconnects)
        await pilot.press("ctrl+u")
        assert chat.composer.text == ""
        await send(pilot, "and now?")
        last = last_reply_turn(chat)
        assert last.reply.content == "You said: and now?"


async def test_a_stalled_stream_says_so_and_keeps_its_text(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["half ", "a ", "sentence"], hold_after=2))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        clock = FakeClock()
        chat.session.clock = clock
        await wait_until(pilot, lambda: chat.composer.has_focus)
        await pilot.press(*"go", "enter")
        await wait_until(pilot, lambda: "".join(chat.session.received.content) == "half a ")
        clock.now += STALL_NOTE_SECONDS + 5
        await wait_until(pilot, lambda: "(no text for 15 s)" in status_text(chat))
        await wait_until(pilot, emulator.holding.is_set)
        emulator.release()
        # Once the reply has ended, the status bar is redrawn without it.
        await wait_until(pilot, lambda: "replying" not in status_text(chat))
        assert chat.session.streaming is None
        assert "no text for" not in status_text(chat)
        turn = last_reply_turn(chat)
        assert (turn.reply.content, turn.reply.status) == ("half a sentence", ReplyStatus.COMPLETE)


async def test_a_restarted_server_is_used_again_by_itself(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "before")
        emulator.restart()
        await send(pilot, "after")
        turn = last_reply_turn(chat)
        assert (turn.reply.content, turn.reply.status) == ("You said: after", ReplyStatus.COMPLETE)
        assert app.shared.health.state.connected is not False


async def test_a_server_dying_mid_stream_keeps_the_text_and_comes_back(
    emulator: OllamaEmulator,
) -> None:
    emulator.script(ChatReply(content=["kept ", "words ", "lost"], hold_after=2))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.composer.has_focus)
        await pilot.press(*"go", "enter")
        await wait_until(pilot, emulator.holding.is_set)
        emulator.go_down()
        await wait_until(pilot, lambda: chat.session.streaming is None)
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.INTERRUPTED
        assert turn.reply.content == "kept words "
        await wait_until(pilot, lambda: app.shared.health.state.connected is False)
        emulator.come_back()
        await wait_until(pilot, lambda: app.shared.health.state.connected is True, timeout=20)
        await send(pilot, "again")
        last = last_reply_turn(chat)
        assert last.reply.status is ReplyStatus.COMPLETE


async def test_a_model_listed_twice_is_shown_once(emulator: OllamaEmulator) -> None:
    from ollama_tui.emulator import FakeModel
    from ollama_tui.ui.screens.model_picker import ModelPicker

    emulator.models.append(FakeModel("llama3.2:latest"))
    emulator.models.append(FakeModel(""))
    app = app_for(emulator, model="")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        await wait_until(pilot, lambda: bool(picker.rows))
        names = [row.summary.name for row in picker.rows]
        assert names.count("llama3.2:latest") == 1 and "" not in names
        await pilot.press("f5")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ModelsScreen")
        table = app.screen.query_one("#models-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 4)  # each name once
        assert app.is_running
