"""The chat screen, driven with Textual's pilot against the loopback emulator."""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ollama_tui.cli.main import make_app
from ollama_tui.core import paths
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import AssistantTurn, Conversation, ReplyStatus, UserTurn
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.pulls import PullJob, PullTracker
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.services.health import BACKOFF_STEPS, ConnectionState
from ollama_tui.services.pull_queue import PullChange
from ollama_tui.ui.app import ServiceNews
from ollama_tui.ui.compat import drawn_lines, on_each_frame
from ollama_tui.ui.screens.confirm import Confirm
from ollama_tui.ui.screens.dialogs import AttachPrompt, CopyPicker
from ollama_tui.ui.screens.help import HelpScreen
from ollama_tui.ui.screens.model_picker import ModelPicker
from tests.chat_helpers import (
    app_for,
    chat_of,
    drawn_log,
    last_reply_entry,
    last_reply_turn,
    notices,
    reply_settled,
    send,
    status_text,
    turn_text,
    wait_until,
)
from tests.test_history import sample

KEYS_HANDLED_WITHIN = 30.0
"""Seconds a stand-in for a slow disk waits for a test's keys: only a test that has
already failed waits this long."""

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def test_picker_opens_without_a_model_and_chooses(emulator: OllamaEmulator) -> None:
    app = app_for(emulator, model="")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        await wait_until(pilot, lambda: len(picker.rows) == 4)
        await pilot.press(*"qwen")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModelPicker))
        assert app.chat.conversation.model == "qwen3:8b"
        status = str(app.chat.query_one("#status-bar", Static).render())
        assert "qwen3:8b" in status
        # What the picker learnt from /api/show is reused, not fetched again.
        await wait_until(
            pilot, lambda: "think on" in str(app.chat.query_one("#status-bar", Static).render())
        )
        shows = [r.json["model"] for r in emulator.requests_to("/api/show")]
        assert shows.count("qwen3:8b") == 1


async def test_picker_marks_embedding_models_unchoosable(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        await wait_until(pilot, lambda: all(r.capabilities is not None for r in picker.rows))
        await pilot.press(*"nomic", "enter")
        # Enter has been handled once it says why the model cannot be chosen.
        await wait_until(
            pilot, lambda: any("only makes embeddings" in n.message for n in notices(app))
        )
        assert isinstance(app.screen, ModelPicker)
        await pilot.press("escape")
        assert app.chat.conversation.model == "llama3.2:latest"


async def test_multi_turn_sends_system_and_history(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        chat.conversation.settings.system = "Be brief."
        await send(pilot, "hello")
        await send(pilot, "and again")
        second = emulator.chat_requests()[-1]
        assert second["messages"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "You said: hello"},
            {"role": "user", "content": "and again"},
        ]
        assert second["model"] == "llama3.2:latest"
        assert "think" not in second
        reply = last_reply_turn(chat)
        assert reply.reply.content == "You said: and again"
        assert reply.reply.status is ReplyStatus.COMPLETE
        assert "You said: and again" in last_reply_entry(pilot).document.source


async def test_stop_keeps_partial_reply_and_closes_stream(emulator: OllamaEmulator) -> None:
    # The server holds part-way, so that Esc certainly lands before it is done.
    emulator.script(ChatReply(content=[f"word{i} " for i in range(400)], hold_after=10))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.conversation.model != "")
        chat.composer.text = "long story"
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                chat.session.streaming is not None and "word3" in chat.session.streaming.content
            ),
        )
        await pilot.pause()
        # How to stop is on screen, not pushed off the bar by the host and the model.
        bar = app.screen.query_one("#status-bar", Static)
        assert "Esc stops" in drawn_lines(app.screen)[bar.region.y].text
        # Sending again while it streams is refused, and the draft is kept.
        chat.composer.text = "too soon"
        await pilot.press("enter")
        assert len(emulator.chat_requests()) == 1
        assert chat.composer.text == "too soon"
        await pilot.press("escape")
        assert chat.session.streaming is None
        reply = last_reply_turn(chat)
        assert reply.reply.status is ReplyStatus.STOPPED
        assert reply.reply.content.startswith("word0 word1 word2 word3")
        assert "word399" not in reply.reply.content
        await wait_until(pilot, lambda: emulator.disconnects == ["/api/chat"])
        assert "stopped" in turn_text(pilot, -1)
        # The composer is free at once.
        await send(pilot, "next")
        assert emulator.chat_requests()[-1]["messages"][-1] == {"role": "user", "content": "next"}


async def test_regenerate_keeps_versions(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["first"]), ChatReply(content=["second"]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hi")
        await pilot.press("ctrl+r")
        await wait_until(
            pilot, lambda: chat.session.streaming is None and len(emulator.chat_requests()) == 2
        )
        await wait_until(pilot, lambda: chat.session.streaming is None)
        assert emulator.chat_requests()[-1]["messages"] == [{"role": "user", "content": "hi"}]
        turn = last_reply_turn(chat)
        assert [v.content for v in turn.versions] == ["first", "second"]
        view = last_reply_entry(pilot)
        assert view.document.source == "second"
        await pilot.press("alt+left")
        assert turn.selected == 0
        assert view.document.source == "first"
        assert "llama3.2:latest · 1/2" in turn_text(pilot, -1)
        await pilot.press("alt+right")
        assert view.document.source == "second"
        # The next prompt carries the version on screen.
        await pilot.press("alt+left")
        await send(pilot, "more")
        assert emulator.chat_requests()[-1]["messages"][1] == {
            "role": "assistant",
            "content": "first",
        }


async def test_edit_last_prompt_and_resend(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "helo wrld")
        await pilot.press("f2")
        assert chat.composer.text == "helo wrld"
        chat.composer.text = "hello world"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 2)
        await wait_until(pilot, lambda: chat.session.streaming is None)
        assert emulator.chat_requests()[-1]["messages"] == [
            {"role": "user", "content": "hello world"}
        ]
        prompt, reply = chat.conversation.turns
        assert isinstance(prompt, UserTurn) and isinstance(reply, AssistantTurn)
        assert prompt.content == "hello world"
        assert prompt.earlier_versions == ["helo wrld"]
        assert [v.content for v in reply.versions] == [
            "You said: helo wrld",
            "You said: hello world",
        ]
        # Each version is shown under the prompt that produced it.
        assert turn_text(pilot, -2) == "\nhello world"
        await pilot.press("alt+left")
        await pilot.pause()
        assert turn_text(pilot, -2) == "\nhelo wrld"
        assert "You said: helo wrld" in last_reply_entry(pilot).document.source
        await pilot.press("alt+right")
        await pilot.pause()
        assert turn_text(pilot, -2) == "\nhello world"


async def test_editing_can_be_left_and_keeps_the_draft(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "first question")
        await pilot.press(*"a draft")
        await pilot.press("f2")
        assert chat.composer.text == "first question"
        assert chat.query_one("#editing").display  # a visible marker
        await pilot.press("escape")
        assert not chat.editing.active and not chat.query_one("#editing").display
        assert chat.composer.text == "a draft"
        # Leaving and typing a new question sends a new prompt, not an edit.
        await pilot.press("ctrl+u", *"second question", "enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 2)
        await wait_until(pilot, lambda: chat.session.streaming is None)
        contents = [turn.content for turn in chat.conversation.turns if isinstance(turn, UserTurn)]
        assert contents == ["first question", "second question"]
        # An edit that is sent gives the draft back afterwards.
        await pilot.press(*"later", "f2", "ctrl+u", *"second, better", "enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 3)
        await wait_until(pilot, lambda: chat.session.streaming is None)
        assert chat.composer.text == "later"
        last = chat.conversation.last_user_turn
        assert last is not None and last.texts == ["second question", "second, better"]


async def test_thinking_streams_then_collapses(emulator: OllamaEmulator) -> None:
    emulator.script(
        ChatReply(thinking=["Let me ", "think."], content=["Answer."], delay=0.01),
        ChatReply(content=["No thoughts."]),
    )
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.catalog.info("qwen3:8b") is not None)
        await send(pilot, "why?")
        assert emulator.chat_requests()[-1]["think"] is True
        view = last_reply_entry(pilot)
        assert view.reply.thinking == "Let me think."
        assert view.reply.content == "Answer."
        assert view.thinking_folded
        assert "▸ Thoughts  13 characters · a click (or Alt+↑, t) unfolds" in drawn_log(pilot)
        assert "Let me think." not in drawn_log(pilot)
        await pilot.press("ctrl+t")
        assert chat.conversation.settings.think is False
        await send(pilot, "again")
        assert emulator.chat_requests()[-1]["think"] is False
        # Earlier thinking is not sent back.
        assert emulator.chat_requests()[-1]["messages"][1] == {
            "role": "assistant",
            "content": "Answer.",
        }


async def test_think_tags_in_content_are_shown_as_thinking(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["<thi", "nk>hmm, ", "ok</think>", "The answer."]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
        view = last_reply_entry(pilot)
        assert view.reply.thinking == "hmm, ok"
        assert view.reply.content == "The answer."
        assert view.document.source == "The answer."


async def test_never_sends_think_to_a_model_without_it(emulator: OllamaEmulator) -> None:
    app = app_for(emulator, model="llama3.2:latest")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.shared.catalog.info("llama3.2:latest") is not None)
        await pilot.press("ctrl+t")
        await send(pilot, "hi")
        assert "think" not in emulator.chat_requests()[-1]


async def test_images_go_to_vision_models_only(emulator: OllamaEmulator, tmp_path: Path) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(PNG)
    app = app_for(emulator, model="llama3.2:latest")
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.catalog.info("llama3.2:latest") is not None)
        await pilot.press("ctrl+g")
        await pilot.press(*str(image), "enter")
        assert [a.name for a in chat.attachments.images] == ["cat.png"]
        chat.composer.text = "what is this?"
        await pilot.press("enter")
        # Sending has been refused once it says why, and the prompt is given back.
        await wait_until(
            pilot,
            lambda: (
                any("cannot see images" in n.message for n in notices(app))
                and chat.composer.text == "what is this?"
            ),
        )
        assert chat.session.streaming is None
        assert emulator.chat_requests() == []
        chat.set_model("llava:7b")
        await wait_until(pilot, lambda: app.shared.catalog.info("llava:7b") is not None)
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: len(emulator.chat_requests()) == 1 and chat.session.streaming is None
        )
        sent = emulator.chat_requests()[-1]
        assert sent["messages"] == [
            {"role": "user", "content": "what is this?", "images": [base64.b64encode(PNG).decode()]}
        ]
        assert chat.attachments.images == []


async def test_stats_line(emulator: OllamaEmulator) -> None:
    emulator.script(
        ChatReply(
            content=["Hi"],
            done_reason="length",
            stats={
                "eval_count": 40,
                "eval_duration": 800_000_000,
                "prompt_eval_count": 27,
                "load_duration": 2_300_000_000,
            },
        )
    )
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        line = turn_text(pilot, -1)
        assert "40 tokens" in line
        assert "50.0 tok/s" in line
        assert "first token" in line
        assert "prompt 27 tokens" in line
        assert "load 2.3 s" in line
        assert "cut off (num_predict or context)" in line


async def test_server_down_at_start_then_back(emulator: OllamaEmulator) -> None:
    emulator.go_down()
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.health.state.connected is False)
        status = str(chat.query_one("#status-bar", Static).render())
        assert "Cannot connect" in status and "ollama serve" in status
        assert "retrying in" in status or "retrying now" in status  # as the clock has it
        emulator.come_back()
        # The next check comes after the backoff reached so far: on a busy machine the
        # first checks fail slowly, and the wait grows to its last step (15 s).
        longest = BACKOFF_STEPS[-1] + 5
        await wait_until(pilot, lambda: app.shared.health.state.connected is True, longest)
        await wait_until(pilot, lambda: any(n.message == "Ollama is back." for n in notices(app)))
        assert "● Ollama 0.12.6" in str(chat.query_one("#status-bar", Static).render())
        await send(pilot, "are you there?")
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.COMPLETE


async def test_server_gone_mid_chat_is_noticed(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.health.state.connected is True)
        emulator.go_down()
        await send(pilot, "hello?")
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.ERROR
        assert "Cannot connect" in turn.reply.error
        await wait_until(pilot, lambda: app.shared.health.state.connected is False)


async def test_404_says_model_not_installed(emulator: OllamaEmulator) -> None:
    app = app_for(emulator, model="missing:1b")
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hi")
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.ERROR
        assert "not installed" in turn.reply.error
        assert "ollama pull missing:1b" in turn.reply.error
        assert "not installed" in turn_text(pilot, -1)


async def test_mid_stream_error_keeps_partial(emulator: OllamaEmulator) -> None:
    emulator.script(
        ChatReply(content=["Part", "ial", " never"], error_after=2, error="runner crashed")
    )
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hi")
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.INTERRUPTED
        assert turn.reply.content == "Partial"
        assert "runner crashed" in turn.reply.error
        view = last_reply_entry(pilot)
        assert view.document.source == "Partial"
        assert "interrupted: " in turn_text(pilot, -1)


async def test_dropped_connection_keeps_partial(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["kept", " text", " lost"], close_after=2))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        turn = chat_of(pilot).conversation.turns[-1]
        assert isinstance(turn, AssistantTurn)
        assert turn.reply.status is ReplyStatus.INTERRUPTED
        assert turn.reply.content == "kept text"


async def test_escape_sequences_never_reach_the_terminal(emulator: OllamaEmulator) -> None:
    evil = "Hi\x1b]52;c;ZXZpbA==\x07 there\x1b[2J\x9b31m\x00!"
    emulator.script(ChatReply(content=[evil], thinking=["\x1b[31mred\x1b[0m"]))
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "\x1b[5mblink")
        view = last_reply_entry(pilot)
        assert view.reply.content == evil
        shown = view.document.source
        assert shown == "Hi␛]52;c;ZXZpbA==␇ there␛[2J\ufffd31m␀!"
        thinking = view.thinking
        assert "\x1b" not in thinking and "␛[31mred" in thinking
        screen_text = app.export_screenshot()
        for char in ("\x1b", "\x07", "\x9b", "\x00"):
            assert char not in screen_text.replace("&#27;", "")
        assert chat_of(pilot).conversation.title == "␛[5mblink"


async def test_composer_keys(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "first prompt")
        await pilot.press(*"line one", "ctrl+j", *"line two")
        assert chat.composer.text == "line one\nline two"
        await pilot.press("ctrl+u", "backspace", "ctrl+u")  # clear both lines
        assert chat.composer.text == ""
        await pilot.press("up")
        assert chat.composer.text == "first prompt"
        await pilot.press("down")
        assert chat.composer.text == ""
        big = "x" * 200_000 + "\nend"
        app.post_message(events.Paste(big))
        await pilot.pause()
        assert chat.composer.text == big


async def test_copy_reply_and_code_block(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["Try:\n\n```python\nprint('hi')\n```\n"]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "code")
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, CopyPicker)
        await pilot.press("1")
        assert app.clipboard == "print('hi')"
        await pilot.press("ctrl+l")
        await pilot.press("0")
        assert app.clipboard.startswith("Try:")


async def test_new_chat_starts_afresh(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "one")
        await pilot.press("ctrl+n")
        assert chat.conversation.turns == []
        assert chat.conversation.model == "llama3.2:latest"
        await send(pilot, "two")
        assert emulator.chat_requests()[-1]["messages"] == [{"role": "user", "content": "two"}]


async def test_help_lists_every_binding(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        for phrase in ("Stop", "Regenerate", "Edit", "Copy", "Think", "Newline", "Model", "Quit"):
            assert phrase in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_worker_messages_arriving_as_the_app_exits_are_ignored(emulator: OllamaEmulator) -> None:
    # Exiting removes the screens before the app's queue is empty; an app that has
    # not started has no screens either.
    app = app_for(emulator)
    job = PullJob("m", PullTracker("m"))
    for news in (ConnectionState(True, "0.12.6"), PullChange(job, job.state)):
        app.on_service_news(ServiceNews(news))
    assert app.shared.health.state.connected is None


def eight_word_paragraphs(words: int) -> list[str]:
    """Tokens enough to outgrow a small chat log."""
    return [f"word{i} " + ("\n\n" if i % 8 == 7 else "") for i in range(words)]


async def start_sending(pilot: Pilot[None], prompt: str) -> None:
    """Send ``prompt`` without waiting for the reply."""
    chat = chat_of(pilot)
    await wait_until(pilot, lambda: chat.conversation.model != "")
    chat.composer.text = prompt
    await pilot.press("enter")


async def assert_following(pilot: Pilot[None]) -> None:
    """The next three times the reply grows the log (fewer if it ends first, as on a
    busy machine, where the app shows it in fewer, larger steps), the log's view is at
    its end."""
    chat = chat_of(pilot)
    log = chat.chat_log
    grown = 0
    while grown < 3:
        height = log.max_scroll_y
        await wait_until(
            pilot,
            lambda: log.max_scroll_y > height or chat.session.streaming is None,  # noqa: B023
        )
        assert log.scroll_y == log.max_scroll_y
        if log.max_scroll_y <= height:
            break  # the reply has ended
        grown += 1
    assert grown, "the reply never grew the log"


def assert_reply_end_in_view(pilot: Pilot[None]) -> None:
    """The log is at its end, and the last reply's stats line is in view."""
    log = chat_of(pilot).chat_log
    assert log.scroll_y == log.max_scroll_y
    last_line = log.lines_of(len(log.turns.entries) - 1)[-1].text
    assert last_line and last_reply_entry(pilot).footer().endswith(last_line)
    assert drawn_log(pilot).rstrip().splitlines()[-1] == f"▌ {last_line}"


async def test_the_log_follows_a_stream_until_the_reader_scrolls_up(
    emulator: OllamaEmulator,
) -> None:
    emulator.script(ChatReply(content=eight_word_paragraphs(400), delay=0.01))
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        await start_sending(pilot, "go")
        # Following: once the reply outgrows the log, the view is at its end.
        await wait_until(pilot, lambda: log.max_scroll_y > 10)
        await assert_following(pilot)
        # The reader scrolls up: the view stays where they put it as text arrives.
        log.scroll_to(y=5, animate=False, immediate=True)
        height_then = log.max_scroll_y
        await wait_until(pilot, lambda: log.max_scroll_y > height_then + 5)
        assert log.scroll_y == 5
        # Back at the bottom, it follows again, and the reply's end is in view.
        log.scroll_end(animate=False, immediate=True)
        await reply_settled(pilot)
        assert_reply_end_in_view(pilot)


async def test_a_reply_that_overflows_only_as_it_ends_shows_its_end(
    emulator: OllamaEmulator,
) -> None:
    # Its text comes with the final chunk, so the log first overflows after the
    # stream has ended.
    burst = "".join(eight_word_paragraphs(200))
    emulator.script(ChatReply(content=["Here:\n\n"], final_content=burst))
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        await start_sending(pilot, "go")
        await wait_until(pilot, lambda: chat.session.streaming is None and log.max_scroll_y > 10)
        await reply_settled(pilot)
        assert_reply_end_in_view(pilot)


async def test_every_frame_of_a_followed_reply_shows_the_log_s_end(
    emulator: OllamaEmulator,
) -> None:
    # Including the first frame after the reply overflows the log: it is not drawn
    # from the top and then scrolled.
    emulator.script(ChatReply(content=eight_word_paragraphs(300), delay=0.002))
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        frames: list[tuple[float, int]] = []
        on_each_frame(chat, lambda: frames.append((log.scroll_y, log.max_scroll_y)))
        await start_sending(pilot, "go")
        await wait_until(pilot, lambda: chat.session.streaming is None and log.max_scroll_y > 10)
        await reply_settled(pilot)
    overflowing = [(y, bottom) for y, bottom in frames if bottom > 0]
    assert overflowing
    assert all(y == bottom for y, bottom in overflowing), overflowing[:3]


async def test_a_new_prompt_brings_the_view_back_to_follow_its_reply(
    emulator: OllamaEmulator,
) -> None:
    words = eight_word_paragraphs(300)
    emulator.script(ChatReply(content=words, delay=0.005), ChatReply(content=words, delay=0.01))
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        await start_sending(pilot, "first")
        await wait_until(pilot, lambda: log.max_scroll_y > 10)
        log.scroll_to(y=0, animate=False, immediate=True)  # the reader scrolls up
        await wait_until(pilot, lambda: chat.session.streaming is None)
        assert log.scroll_y == 0
        await start_sending(pilot, "second")
        await wait_until(pilot, lambda: chat.session.streaming is not None)
        await assert_following(pilot)


async def test_page_and_edge_keys_scroll_the_chat_while_typing(emulator: OllamaEmulator) -> None:
    # The reply holds half-way, so that it certainly goes on after the reader scrolls.
    emulator.script(ChatReply(content=eight_word_paragraphs(400), delay=0.005, hold_after=250))
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        await start_sending(pilot, "go")
        await wait_until(pilot, lambda: log.max_scroll_y > 30 and emulator.holding.is_set())
        await pilot.press(*"half a next question")
        await pilot.press("pageup")
        await pilot.pause()
        assert chat.composer.has_focus
        assert log.scroll_y < log.max_scroll_y - 10
        # Scrolled up, the view stays put as the reply goes on.
        where = log.scroll_y
        emulator.release()
        await reply_settled(pilot)
        assert log.scroll_y == where
        await pilot.press("pagedown")
        await pilot.pause()
        assert where < log.scroll_y < log.max_scroll_y
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert log.scroll_y == 0
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert_reply_end_in_view(pilot)
        assert chat.composer.text == "half a next question"


async def test_stop_keeps_every_token_received_before_the_key(emulator: OllamaEmulator) -> None:
    words = [f"w{i} " for i in range(300)]
    emulator.script(ChatReply(content=words, hold_after=250))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.conversation.model != "")
        await pilot.press(*"tell me", "enter")
        sent = "".join(words[:250])
        await wait_until(pilot, lambda: "".join(chat.session.received.content) == sent)
        await pilot.press("escape")
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.STOPPED
        assert turn.reply.content == sent
        assert last_reply_entry(pilot).document.source == sent
        await wait_until(pilot, lambda: emulator.disconnects == ["/api/chat"])
    saved, _ = app.shared.store.load(chat.conversation.id)
    saved_turn = saved.turns[-1]
    assert isinstance(saved_turn, AssistantTurn)
    assert (saved_turn.reply.content, saved_turn.reply.status) == (sent, ReplyStatus.STOPPED)


async def test_a_failure_inside_the_app_ends_the_reply_and_keeps_its_text(
    emulator: OllamaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ollama_tui.core.think_tags import ThinkTagSplitter

    feed = ThinkTagSplitter.feed
    calls = 0

    def failing_feed(self: ThinkTagSplitter, text: str) -> tuple[str, str]:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("a bug of ours")
        return feed(self, text)

    monkeypatch.setattr(ThinkTagSplitter, "feed", failing_feed)
    emulator.script(ChatReply(content=["one", " two", " three", " four"]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hi")
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.INTERRUPTED
        assert turn.reply.content == "one two"
        assert "RuntimeError" in turn.reply.error
        assert chat.session.streaming is None and "replying" not in status_text(chat)
        await send(pilot, "still there?")
        last = last_reply_turn(chat)
        assert last.reply.status is ReplyStatus.COMPLETE


async def test_a_new_chat_while_a_reply_streams_asks_first(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=[f"w{i} " for i in range(20)], hold_after=10))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.composer.has_focus)
        await pilot.press(*"go on", "enter")
        await wait_until(pilot, emulator.holding.is_set)
        first = chat.conversation
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is chat)
        assert chat.conversation is first and chat.session.streaming is not None
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(pilot, lambda: chat.conversation is not first)
        assert chat.session.streaming is None
        reply = first.turns[-1]
        assert isinstance(reply, AssistantTurn) and reply.reply.status is ReplyStatus.STOPPED


async def test_a_model_that_is_not_installed_is_said_at_once(emulator: OllamaEmulator) -> None:
    app = app_for(emulator, model="gone:7b")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(
            pilot,
            lambda: any("gone:7b is not installed" in n.message for n in notices(app)),
        )
        assert emulator.chat_requests() == []  # before anything was sent


async def test_keys_pressed_while_a_prompt_is_sent_start_nothing_of_their_own(
    emulator: OllamaEmulator,
) -> None:
    # A conversation another ollama-tui has just let go: sending first reads it back,
    # from a slow disk, and keys typed behind the Enter are handled meanwhile.
    other = HistoryStore(paths.conversations_dir())
    conversation = sample()
    conversation.model = "llama3.2:latest"
    other.save(conversation, keep_claim=True)
    store = HistoryStore(paths.conversations_dir())
    loaded, _ = store.load(conversation.id)
    read = store.load
    both_refused = threading.Event()

    def slow_load(conversation_id: str) -> tuple[Conversation, list[str]]:
        # The disk answers once the keys typed behind the Enter have been handled,
        # however long that takes.
        if not both_refused.wait(KEYS_HANDLED_WITHIN):
            raise AssertionError("Ctrl+R and F2 were not handled while the prompt was read")
        return read(conversation_id)

    store.load = slow_load  # type: ignore[method-assign]
    emulator.script(ChatReply(content=["a ", "b "], hold_after=1))
    app = make_app(Config(host=emulator.url), store=store, conversation=loaded)
    notify = app.notify
    refusals: list[str] = []

    def notify_and_count(message: str, *args: Any, **kwargs: Any) -> None:
        notify(message, *args, **kwargs)
        if "Stop the current reply first" in message:
            refusals.append(message)
            if len(refusals) == 2:
                both_refused.set()

    app.notify = notify_and_count  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.composer.has_focus and chat.session.read_only)
        other.release(conversation.id)
        earlier = len(conversation.turns)
        # Regenerate and edit, typed right behind the Enter that sends "two".
        await pilot.press(*"two", "enter", "ctrl+r", "f2")
        await wait_until(pilot, emulator.holding.is_set)
        await pilot.press("ctrl+r", "f2")  # refused while it streams
        assert not chat.editing.active
        emulator.release()
        await wait_until(pilot, lambda: chat.session.streaming is None)
        assert [r["messages"][-1]["content"] for r in emulator.chat_requests()] == ["two"]
        added = chat.conversation.turns[earlier:]
        assert [type(turn) for turn in added] == [UserTurn, AssistantTurn]
        reply = added[1]
        assert isinstance(reply, AssistantTurn)
        assert [v.status for v in reply.versions] == [ReplyStatus.COMPLETE]


async def test_esc_right_after_enter_leaves_no_reply_streaming_unseen(
    emulator: OllamaEmulator,
) -> None:
    emulator.script(ChatReply(content=[f"w{i} " for i in range(50)], hold_after=5))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.conversation.model != "" and chat.composer.has_focus)
        await pilot.press(*"hi", "enter", "escape")
        await wait_until(
            pilot, lambda: bool(chat.conversation.turns) and chat.session.streaming is None
        )
        turn = last_reply_turn(chat)
        assert turn.reply.status is ReplyStatus.STOPPED
        # Whatever was asked of the server was let go: no stream runs for nobody.
        await wait_until(pilot, lambda: len(emulator.disconnects) == len(emulator.chat_requests()))
        await send(pilot, "again")
        assert emulator.chat_requests()[-1]["messages"][-1]["content"] == "again"


async def test_a_key_on_its_way_to_the_prompt_edits_it_though_a_dialog_opens_first(
    emulator: OllamaEmulator,
) -> None:
    """A Backspace typed just before Ctrl+G is still queued at the prompt when Ctrl+G
    (a priority key) opens the dialog: it must edit the prompt, not the dialog's path."""
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await pilot.press(*"draft")
        chat.composer.post_message(events.Key("backspace", None))
        chat.action_attach_file()
        await wait_until(pilot, lambda: isinstance(app.screen, AttachPrompt))
        await pilot.pause()
        assert chat.composer.text == "draf"
        assert app.screen.query_one("#attach-path", Input).value == ""
