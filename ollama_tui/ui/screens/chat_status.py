"""What the chat's status line says, by rank: how to stop a reply and the model first,
the host last; a connection problem is shown whole, below."""

from __future__ import annotations

import math
import time

from textual.screen import Screen
from textual.timer import Timer

from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.settings import think_label
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.health import ConnectionState
from ollama_tui.ui.context import Shared
from ollama_tui.ui.widgets.status_line import Part, StatusLine

WAIT_NOTE_SECONDS = 3.0
"""Before the first token (a model loading), the wait is shown after this long."""
STALL_NOTE_SECONDS = 10.0
"""A reply that has gone quiet this long says so, with the time."""


def reply_state(session: ChatSession) -> str:
    """How the streaming reply is doing: a model loading, or a server gone quiet, is
    said with how long it has been."""
    started, silent = session.received.silence()
    if not started and silent >= WAIT_NOTE_SECONDS:
        return f"replying… (waiting {silent:.0f} s) Esc stops"
    if started and silent >= STALL_NOTE_SECONDS:
        return f"replying… (no text for {silent:.0f} s) Esc stops"
    return "replying… Esc stops"


DEMO_MARK = "demo: no Ollama server"


def status_parts(
    session: ChatSession, state: ConnectionState, pulling: str, host: str, demo: bool = False
) -> tuple[list[Part], str]:
    """The parts of the line, and the problem to show below it ("" for none). In the
    demo the host is the built-in server's, so the line says it is a demo instead."""
    parts: list[Part] = []
    if session.streaming is not None:
        parts.append(Part(reply_state(session), 0, "Esc stops"))
    if session.read_only:
        parts.append(Part("read-only: open in another ollama-tui", 0, "read-only"))
    model = session.conversation.model
    parts.append(Part(f"model {model}", 0, model) if model else Part("no model: Ctrl+O", 0))
    think = session.think_to_send()
    if think is not None:
        parts.append(Part(f"think {think_label(think)}", 1))
    if pulling:
        parts.append(Part(pulling, 2))
    problem = ""
    if state.connected is None:
        parts.append(Part("… connecting", 1))
    elif state.connected and not demo:
        parts.append(Part(f"● Ollama {sanitize_line(state.version, 20)}", 3, "●"))
    elif not state.connected:
        problem = state.error.explain() if state.error else "not reachable"
        wait = max(0, math.ceil(state.retry_at - time.monotonic()))
        retry = f"retrying in {wait} s" if wait else "retrying now"
        parts.append(Part(f"✖ Ollama is down, {retry}", 0, f"✖ {retry}"))
    parts.append(Part(DEMO_MARK, 1, "demo") if demo else Part(host, 4))
    return parts, problem


class ChatStatus:
    """Keeps the chat's status line current."""

    def __init__(self, screen: Screen[None], shared: Shared, session: ChatSession) -> None:
        self.screen = screen
        self.shared = shared
        self.session = session
        self._ticks: Timer | None = None

    def refresh(self) -> None:
        self._tick()
        parts, problem = status_parts(
            self.session,
            self.shared.health.state,
            self.shared.pulls.summary(),
            self.shared.config.host,
            self.shared.config.demo,
        )
        self.screen.query_one("#status-bar", StatusLine).show(parts, problem)

    def _tick(self) -> None:
        """Redraw every second while the line shows a time that moves: a reply's wait,
        or the countdown to the next reconnection."""
        moving = self.session.streaming is not None or self.shared.health.state.connected is False
        if moving and self._ticks is None:
            self._ticks = self.screen.set_interval(1.0, self.refresh)
        elif not moving and self._ticks is not None:
            self._ticks.stop()
            self._ticks = None
