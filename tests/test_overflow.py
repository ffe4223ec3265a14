"""A prompt that would overflow the context window is held, and a dialog offers the
remedies, each one key: raise num_ctx, compact the oldest turns into a summary, leave
out older turns, send anyway, cancel. What the model did not see is dimmed in the log."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import SelectionList, TextArea

from ollama_tui.core import paths
from ollama_tui.core.conversation import AssistantTurn, UserTurn
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.ui.screens.overflow import LeaveOutDialog, OverflowDialog, SummaryEditor
from tests.chat_helpers import (
    app_for,
    chat_of,
    log_lines,
    notices,
    reply_settled,
    send,
    wait_until,
)

LONG = "Tell me about apples and the orchards where they grow. " * 12
WINDOW = 512


async def fill(pilot: Pilot[None], emulator: OllamaEmulator, turns: int = 3) -> None:
    """``turns`` long exchanges at a roomy window, then the window set to ``WINDOW``."""
    chat = chat_of(pilot)
    for n in range(turns):
        emulator.script(ChatReply(content=[f"Answer {n}: ", LONG]))
        await send(pilot, f"Question {n}: {LONG}")
    chat.conversation.settings.options["num_ctx"] = WINDOW


async def overflow(pilot: Pilot[None], text: str = "And pears?") -> OverflowDialog:
    chat = chat_of(pilot)
    chat.composer.text = text
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, OverflowDialog))
    dialog = pilot.app.screen
    assert isinstance(dialog, OverflowDialog)
    return dialog


async def leave_out_list(pilot: Pilot[None]) -> SelectionList[int]:
    app = pilot.app
    await wait_until(
        pilot,
        lambda: (
            isinstance(app.screen, LeaveOutDialog) and bool(app.screen.query("#leave-out-list"))
        ),
    )
    return app.screen.query_one("#leave-out-list", SelectionList)


async def test_the_dialog_names_what_would_be_dropped_and_sends_anyway(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator)
        dialog = await overflow(pilot)
        assert len(emulator.chat_requests()) == 3  # held
        assert "more than the 512-token window" in dialog.warning
        assert "your prompt 'Question 0: Tell me about" in dialog.warning
        assert "And pears?" not in dialog.warning  # the new prompt itself is kept
        await pilot.press("s")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 4)
        await reply_settled(pilot)
        chat = chat_of(pilot)
        reply = chat.conversation.turns[-1]
        assert isinstance(reply, AssistantTurn) and reply.reply.prompt_truncated
        # What the model did not see is marked and dimmed, from the start of the chat.
        assert chat.conversation.turns[0].unseen
        assert any("not seen by the model" in line for line in log_lines(chat.chat_log))
        assert chat.chat_log.turns.entries[0].mark


async def test_escape_keeps_the_prompt_and_sends_nothing(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator, turns=2)
        await overflow(pilot, "Still here?")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, OverflowDialog))
        assert chat_of(pilot).composer.text == "Still here?"
        assert len(emulator.chat_requests()) == 2


async def test_raising_num_ctx_sends_with_a_window_that_fits(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator)
        emulator.running[0].size_vram = 10**9  # it is on the GPU
        chat_of(pilot).refresh_running()
        catalog = app.shared.catalog
        await wait_until(pilot, lambda: getattr(catalog.loaded("llama3.2"), "size_vram", 0) > 0)
        dialog = await overflow(pilot)
        raise_line = dialog.remedies["raise"].text
        assert "Raise num_ctx to 2,048 (now 512)" in raise_line
        assert "loaded now: 2.0 GB, 1.0 GB on the GPU" in raise_line
        await pilot.press("r")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 4)
        await reply_settled(pilot)
        assert emulator.chat_requests()[-1]["options"]["num_ctx"] == 2048
        chat = chat_of(pilot)
        assert chat.conversation.settings.options["num_ctx"] == 2048
        reply = chat.conversation.turns[-1]
        assert isinstance(reply, AssistantTurn) and not reply.reply.prompt_truncated
        assert not any(turn.unseen for turn in chat.conversation.turns)


async def test_compacting_sends_a_summary_and_keeps_the_originals(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator)
        await overflow(pilot)
        emulator.script(
            ChatReply(content=["<think>short</think>", "They discussed ", "apple orchards."]),
            ChatReply(content=["Pears grow there too."]),
        )
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, SummaryEditor))
        editor = app.screen.query_one(TextArea)
        assert editor.text == "They discussed apple orchards."  # shown, thinking left out
        summarize_request = emulator.chat_requests()[-1]["messages"][0]["content"]
        assert "Summarize the conversation below" in summarize_request
        assert "User: Question 0" in summarize_request and "And pears?" not in summarize_request
        await pilot.press("end", "space", "F", "u", "j", "i")  # edited by hand
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 5)
        await reply_settled(pilot)
        sent = emulator.chat_requests()[-1]["messages"]
        chat = chat_of(pilot)
        summary = chat.conversation.summary
        assert summary is not None and summary.text == "They discussed apple orchards. Fuji"
        assert sent[0]["role"] == "system" and "apple orchards. Fuji" in sent[0]["content"]
        assert not any("Question 0" in m["content"] for m in sent)  # the summary stands for it
        assert sent[-1]["content"] == "And pears?"
        # The originals stay, on screen (marked) and in the history file.
        lines = log_lines(chat.chat_log)
        assert any("Question 0" in line for line in lines)
        assert any("⊘ summarized" in line for line in lines)
        # The summary comes after the last turn it stands for, whole.
        start = lines.index("▣ The summary sent instead of the messages above:")
        last = chat.conversation.turns[summary.turns - 1]
        text = last.content if isinstance(last, UserTurn) else last.reply.content
        assert max(n for n, line in enumerate(lines) if line and line in text) < start
        summary_lines = lines[start + 1 : start + 3]
        assert summary_lines == ["They discussed apple orchards. Fuji", "▣ End of the summary"]
        await chat.session.saver.close()
        saved, _ = HistoryStore(paths.conversations_dir()).load(chat.conversation.id)
        assert saved.summary is not None and saved.summary.turns == summary.turns
        assert isinstance(saved.turns[0], UserTurn) and saved.turns[0].content.startswith(
            "Question 0"
        )


async def test_leaving_out_chosen_messages_and_putting_them_back(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator)
        await overflow(pilot)
        await pilot.press("l")
        choices = await leave_out_list(pilot)
        checked = list(choices.selected)
        assert checked and 0 in checked  # what Ollama would drop is checked to begin with
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 4)
        await reply_settled(pilot)
        sent = [m["content"] for m in emulator.chat_requests()[-1]["messages"]]
        assert not any(text.startswith("Question 0") for text in sent)
        chat = chat_of(pilot)
        assert [n for n, t in enumerate(chat.conversation.turns) if t.left_out] == checked
        assert any("⊘ left out" in line for line in log_lines(chat.chat_log))

        # Put back through the palette's "Leave out older messages": uncheck them all.
        chat.conversation.settings.options["num_ctx"] = 8192
        chat.action_leave_out()
        (await leave_out_list(pilot)).deselect_all()
        await pilot.press("enter")
        await wait_until(pilot, lambda: not any(t.left_out for t in chat.conversation.turns))
        emulator.script(ChatReply(content=["All of it."]))
        await send(pilot, "Again?")
        sent = [m["content"] for m in emulator.chat_requests()[-1]["messages"]]
        assert any(text.startswith("Question 0") for text in sent)
        assert not any("⊘ left out" in line for line in log_lines(chat.chat_log))


async def test_markup_in_a_message_is_shown_as_text_in_the_leave_out_list(
    emulator: OllamaEmulator,
) -> None:
    """The list would read a label as markup: ``[/x]`` crashed the app, and
    ``[@click=app.quit]`` made a label an action."""
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "Is [/x] or [@click=app.quit]this[/] markup?")
        await send(pilot, "And now?")
        chat_of(pilot).action_leave_out()
        choices = await leave_out_list(pilot)
        labels = [str(choices.get_option_at_index(n).prompt) for n in range(choices.option_count)]
        assert labels[0].endswith("You: Is [/x] or [@click=app.quit]this[/] markup?")


async def test_the_last_prompt_and_its_reply_cannot_be_left_out_from_the_palette(
    emulator: OllamaEmulator,
) -> None:
    """A regeneration or an edit needs the last prompt: the palette offers only the
    turns before it, each with its own share of the request."""
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        for prompt in ("First question", "Second question", "Third question"):
            await send(pilot, prompt)
        chat_of(pilot).action_leave_out()
        choices = await leave_out_list(pilot)
        labels = [str(choices.get_option_at_index(n).prompt) for n in range(choices.option_count)]
        assert [label.split(" tokens ")[1].strip() for label in labels] == [
            "You: First question",
            "Reply: You said: First question",
            "You: Second question",
            "Reply: You said: Second question",
        ]


async def test_sending_anyway_holds_for_that_sending_only(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator, turns=2)
        await overflow(pilot, "Same words")
        await pilot.press("s")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 3)
        await reply_settled(pilot)
        await overflow(pilot, "Same words")  # asked again, not waved through
        assert len(emulator.chat_requests()) == 3


async def test_a_summary_for_a_chat_left_meanwhile_is_not_used(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator)
        chat = chat_of(pilot)
        first = chat.conversation
        await overflow(pilot)
        emulator.script(ChatReply(content=["A slow ", "summary."], delay=0.3))
        await pilot.press("c")
        await wait_until(pilot, lambda: chat.overflow.compacting)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: chat.conversation is not first)
        await wait_until(pilot, lambda: not chat.overflow.compacting)
        await pilot.pause(0.1)
        assert not isinstance(app.screen, SummaryEditor)
        assert first.summary is None and chat.conversation.summary is None


async def test_esc_stops_waiting_for_a_model_to_load_before_a_first_prompt(
    emulator: OllamaEmulator,
) -> None:
    """A first prompt that may not fit has the server render the template first, which
    loads the model: Esc stops waiting, nothing is sent and the prompt comes back."""
    model = emulator.model("llama3.2:latest")
    assert model is not None
    model.load_seconds, emulator.pace = 600, 1.0
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        chat.conversation.settings.options["num_ctx"] = WINDOW
        chat.composer.text = LONG * 3
        # The pilot waits for the app to be idle, which it is not until the model is
        # loaded: the loading is watched without it.
        enter = asyncio.create_task(pilot.press("enter"))
        for _ in range(500):
            if chat.overflow.probing is not None and emulator.requests_to("/api/chat"):
                break
            await asyncio.sleep(0.01)
        assert chat.overflow.probing is not None
        await pilot.press("escape")
        await asyncio.wait_for(enter, 10)  # the load is not waited for
        await wait_until(pilot, lambda: chat.composer.text == LONG * 3)
        assert chat.overflow.probing is None
        assert any("Stopped" in n.message for n in notices(app))
        assert emulator.chat_requests() == []  # only the render was asked for
        assert not chat.conversation.turns


async def test_nothing_is_sent_while_the_model_writes_a_summary(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, emulator)
        chat = chat_of(pilot)
        await overflow(pilot)
        emulator.script(ChatReply(content=["A held ", "summary."], hold_after=1))
        await pilot.press("c")
        await wait_until(pilot, emulator.holding.is_set)  # until released
        asked = len(emulator.requests_to("/api/chat"))
        await pilot.press("ctrl+r")  # regenerate: refused
        chat.composer.text = "Meanwhile?"
        await pilot.press("enter")  # send: refused, the prompt stays
        said = [n.message for n in notices(app)]
        assert said.count("The model is writing a summary: wait for it.") == 2
        assert chat.composer.text == "Meanwhile?"
        assert len(emulator.requests_to("/api/chat")) == asked
        emulator.release()
