"""Snapshot scenes of the chat log: a reply mid-stream, every Markdown construct, a
mouse selection, find, stopped and failed replies, and the chat at 80x24."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App
from textual.geometry import Offset
from textual.pilot import Pilot

from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.emulator.demo import tokens
from ollama_tui.ui.chatlog.entries import ReplyEntry
from ollama_tui.ui.widgets.find_bar import FindBar
from tests.chat_helpers import (
    app_for,
    chat_of,
    drawn_log,
    last_reply_entry,
    meter_settled,
    screen_settled,
    send,
    wait_until,
)

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]

EVERY_CONSTRUCT = """\
# Choosing a model

Some **bold**, *italic*, ~~struck~~, `inline code` and a [link](https://ollama.com).

1. Pull it
   - with `ollama pull`
   - or with F4
2. Chat
- [x] installed
- [ ] tried

> Small models answer fast;
> > large ones know more.

```python
def size(name: str) -> int:
    return len(name)  # a comment
```

| Model | Size | Context |
|:------|-----:|:-------:|
| llama3.2 | 2.0 GB | 128k |
| qwen3:8b | 5.2 GB | 40k |

<details><summary>HTML stays visible</summary>as text</details>

---
That is all.
"""


def pin_first_tokens(pilot: Pilot[Any]) -> None:
    """Time to first token is measured, so it varies by a few ms: pin it."""
    log = chat_of(pilot).chat_log
    for turn, entry in enumerate(log.turns.entries):
        if isinstance(entry, ReplyEntry):
            entry.reply.first_token_s = 0.25
            log.redraw_turn(turn)


def reply_streaming(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    pieces = tokens(EVERY_CONSTRUCT)
    emulator.script(ChatReply(content=pieces, hold_after=len(pieces) // 2))
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        chat = chat_of(pilot)
        await meter_settled(pilot)
        chat.composer.text = "Which model should I use?"
        await pilot.press("enter")
        await wait_until(pilot, emulator.holding.is_set)
        half = "".join(pieces[: len(pieces) // 2])
        await wait_until(pilot, lambda: last_reply_entry(pilot).document.source == half)
        pin_first_tokens(pilot)
        await screen_settled(pilot)

    return app, run_before


def every_construct(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    emulator.script(ChatReply(content=tokens(EVERY_CONSTRUCT)))
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await send(pilot, "Which model should I use?")
        pin_first_tokens(pilot)
        await meter_settled(pilot)
        await pilot.press("ctrl+home")
        await screen_settled(pilot)

    return app, run_before


def selection(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await send(pilot, "The first question, which is long enough to wrap nowhere.")
        await send(pilot, "And a second one")
        pin_first_tokens(pilot)
        await meter_settled(pilot)
        rows = drawn_log(pilot).splitlines()
        start = next(row for row, line in enumerate(rows) if "You said: The first" in line)
        end = next(row for row, line in enumerate(rows) if line.endswith("And a second one"))
        log = chat_of(pilot).chat_log
        await pilot.mouse_down(log, Offset(3 + len("You said: "), start))
        await pilot.hover(log, Offset(3 + len("And a"), end))
        await pilot.mouse_up(log, Offset(3 + len("And a"), end))
        await screen_settled(pilot)

    return app, run_before


def find_matches(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        for prompt in ("an apple a day", "pears, not apples", "apple pie"):
            await send(pilot, prompt)
        pin_first_tokens(pilot)
        await meter_settled(pilot)
        await pilot.press("ctrl+f", *"apple", "enter")
        count = chat_of(pilot).query_one(FindBar).query_one("#find-count")
        await wait_until(pilot, lambda: str(count.render()) == "2 of 6")
        await screen_settled(pilot)

    return app, run_before


def stopped_and_failed(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    words = [f"word{number} " for number in range(40)]
    emulator.script(
        ChatReply(content=words, hold_after=12),
        ChatReply(content=["Half an ans", "wer"], error_after=2, error="the runner crashed"),
    )
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        chat = chat_of(pilot)
        await meter_settled(pilot)
        chat.composer.text = "Count to forty"
        await pilot.press("enter")
        await wait_until(pilot, emulator.holding.is_set)
        await wait_until(
            pilot, lambda: "".join(chat.session.received.content) == "".join(words[:12])
        )
        await pilot.press("escape")
        await send(pilot, "Try again")
        pin_first_tokens(pilot)
        await meter_settled(pilot)
        await screen_settled(pilot)

    return app, run_before


CHAT_SCENES = {
    "reply-streaming": reply_streaming,
    "every-construct": every_construct,
    "selection": selection,
    "find": find_matches,
    "stopped-and-failed": stopped_and_failed,
}
