"""Replies no renderer would expect: a 5 MB line, nesting deeper than Markdown allows.
Every word is shown, and the app keeps answering keys while they stream."""

from __future__ import annotations

import pytest

from ollama_tui.core.conversation import ReplyStatus
from ollama_tui.core.markdown_bounds import MAX_LINE
from ollama_tui.emulator import ChatReply, OllamaEmulator
from tests.chat_helpers import (
    app_for,
    chat_of,
    last_reply_entry,
    last_reply_turn,
    screen_text,
    send,
    wait_until,
)

CHUNK = 1000
CHUNKS = 5000
"""5 MB in all, on one line."""


async def test_a_five_megabyte_line_streams_while_keys_still_echo(
    emulator: OllamaEmulator,
) -> None:
    pieces = [f"{i:07d}" + "x" * (CHUNK - 8) + " " for i in range(CHUNKS)]
    emulator.script(ChatReply(content=pieces, delay=0.001, hold_after=CHUNKS - 1))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.composer.has_focus)
        await pilot.press(*"one long line", "enter")
        await wait_until(
            pilot, lambda: len(chat.session.received.content) > CHUNKS // 5, timeout=60
        )
        await pilot.press("k")  # typed while megabytes pour in
        await wait_until(pilot, lambda: chat.composer.text == "k", timeout=60)
        # Everything sent so far is received and drawn, the reply still open.
        await wait_until(pilot, emulator.holding.is_set, timeout=120)
        await wait_until(
            pilot,
            lambda: (
                len(chat.conversation.turns[-1].reply.content)  # type: ignore[union-attr]
                == (CHUNKS - 1) * CHUNK
            ),
            timeout=120,
        )
        assert chat.session.streaming is not None
        emulator.release()
        await wait_until(pilot, lambda: chat.session.streaming is None, timeout=120)
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: f"{CHUNKS - 1:07d}" in screen_text(app), timeout=60)
        # What is drawn again at each update stays small however long the line: the
        # cost of an update does not grow with the reply (bench/ measures it).
        source = last_reply_entry(pilot).document.source
        assert source.replace("\n", "") == "".join(pieces)
        assert max(len(line) for line in source.split("\n")) <= MAX_LINE
    turn = last_reply_turn(chat)
    assert turn.reply.content == "".join(pieces)
    assert turn.reply.status is ReplyStatus.COMPLETE


@pytest.mark.parametrize(
    "reply",
    [
        "1. " * 30 + "deepest\n\nafterwards",
        "> " * 40 + "deepest\n\nafterwards",
        "".join("  " * depth + f"- item {depth}\n" for depth in range(16))
        + "  " * 16
        + "- deepest\n\nafterwards",
    ],
    ids=["numbers", "quotes", "indented list"],
)
async def test_nesting_too_deep_to_draw_is_shown_flat(emulator: OllamaEmulator, reply: str) -> None:
    emulator.script(ChatReply(content=[reply]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "nest")
        await wait_until(pilot, lambda: "deepest" in screen_text(app))
        assert "afterwards" in screen_text(app)
