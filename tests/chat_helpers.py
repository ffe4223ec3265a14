"""Helpers for driving the app against the emulator in pilot tests."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import Static

from ollama_tui.cli.main import make_app
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import AssistantTurn
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.ui.app import OllamaTUI
from ollama_tui.ui.chatlog.entries import ReplyEntry
from ollama_tui.ui.chatlog.view import ChatLog
from ollama_tui.ui.compat import notifications
from ollama_tui.ui.screens.chat import ChatScreen


def app_for(emulator: OllamaEmulator, model: str = "llama3.2:latest") -> OllamaTUI:
    return make_app(Config(host=emulator.url, model=model))


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def screen_settled(pilot: Pilot[Any]) -> None:
    """Wait until every widget has handled the messages it was sent and the screen has
    done the layouts and repaints they asked for. Textual runs ``call_after_refresh``
    callbacks only when none of those is pending, so a change that was already asked
    for (a second layout, a scroll, a repaint) has happened by then."""
    await pilot.pause()
    refreshed = asyncio.Event()
    pilot.app.screen.call_after_refresh(refreshed.set)
    await wait_until(pilot, refreshed.is_set)


async def reply_settled(pilot: Pilot[None]) -> None:
    """Wait until the last reply has ended and the screen shows all of it."""
    chat = chat_of(pilot)
    await wait_until(pilot, lambda: chat.session.streaming is None)
    await screen_settled(pilot)


async def send(pilot: Pilot[None], text: str) -> None:
    """Type a prompt, press Enter and wait for the reply to finish."""
    chat = chat_of(pilot)
    await wait_until(pilot, lambda: chat.conversation.model != "" and chat.composer.has_focus)
    chat.composer.text = text
    await pilot.press("enter")
    await wait_until(
        pilot, lambda: chat.session.streaming is not None or bool(chat.conversation.turns)
    )
    await wait_until(pilot, lambda: chat.session.streaming is None)
    await pilot.pause()


def chat_of(pilot: Pilot[None]) -> ChatScreen:
    app = pilot.app
    assert isinstance(app, OllamaTUI)
    return app.chat


def last_reply_turn(chat: ChatScreen) -> AssistantTurn:
    """The chat's last turn, which must be a reply."""
    turn = chat.conversation.turns[-1]
    assert isinstance(turn, AssistantTurn), turn
    return turn


def last_reply_entry(pilot: Pilot[None]) -> ReplyEntry:
    """How the chat log shows the last reply."""
    found = chat_of(pilot).chat_log.last_reply()
    assert found is not None
    return found[1]


def log_lines(log: ChatLog) -> list[str]:
    """Every line of the chat log as drawn (gutters left out), scrolled into view or not."""
    return [line.text for turn in range(len(log.turns.entries)) for line in log.lines_of(turn)]


def drawn_log_lines(log: ChatLog) -> list[str]:
    """The lines of the chat log as they are drawn in its view now, gutters included."""
    return [
        "".join(segment.text for segment in log.render_line(y))
        for y in range(log.scrollable_content_region.height)
    ]


async def meter_settled(pilot: Pilot[None]) -> None:
    """Wait until the context meter shows a final count (for tests that read or snap it)."""
    chat = chat_of(pilot)

    def settled() -> bool:
        counting = any(w.group == "count" and not w.is_finished for w in pilot.app.workers)
        return chat.settings.estimate is not None and chat.settings.estimate.exact and not counting

    await wait_until(pilot, settled)


def status_text(chat: ChatScreen) -> str:
    """The status line, as drawn."""
    return str(chat.query_one("#status-bar", Static).render())


def screen_text(app: App[Any]) -> str:
    """What is drawn, as the SVG screenshot holds it (entities decoded)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def notices(app: App[Any]) -> list[Notification]:
    """Every toast shown so far, oldest first."""
    return notifications(app)


def turn_text(pilot: Pilot[None], turn: int) -> str:
    """One turn of the chat log as copying it gives it (its blank first line
    included): wrapped lines are joined again."""
    log = chat_of(pilot).chat_log
    lines = log.lines_of(turn % len(log.turns.entries))
    return "".join(line.text + line.join for line in lines)[: -len(lines[-1].join) or None]


def drawn_log(pilot: Pilot[None]) -> str:
    """The chat log's view as drawn now, one line per row, gutters included."""
    return "\n".join(line.rstrip() for line in drawn_log_lines(chat_of(pilot).chat_log))
