"""The reply being written: one frame clock paces what the log shows of it.

The stream worker reads the reply into the session's record as fast as the server
sends it; about 30 times a second, only while a reply streams, the clock moves what
arrived into the reply and the log redraws the lines that changed."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker

from ollama_tui.core.conversation import Reply
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.chatlog.messages import ReplyFinished
from ollama_tui.ui.chatlog.turns import ShownTurns

FRAME_SECONDS = 1 / 30
"""The frame clock's period while a reply streams; nothing ticks otherwise."""


class ShowsReplies(Protocol):
    """What of the chat log the stream uses."""

    session: ChatSession
    turns: ShownTurns

    def redraw_turn(self, turn: int) -> None: ...
    def follow_end(self) -> None: ...
    def set_interval(self, interval: float, callback: Callable[[], None]) -> Timer: ...
    def run_worker(
        self,
        work: Coroutine[Any, Any, None],
        *,
        group: str,
        exclusive: bool,
        exit_on_error: bool,
    ) -> Worker[None]: ...
    def cancel_stream(self) -> None: ...
    def post_message(self, message: Message) -> bool: ...


class ReplyStream:
    def __init__(self, log: ShowsReplies) -> None:
        self.log = log
        self._frames: Timer | None = None

    def start(self, reply: Reply) -> None:
        """Ask for ``reply`` and show it as it arrives."""
        if self._frames is None:
            self._frames = self.log.set_interval(FRAME_SECONDS, self.next_frame)
        self.log.run_worker(self._read(reply), group="reply", exclusive=True, exit_on_error=False)

    async def _read(self, reply: Reply) -> None:
        ended = await self.log.session.stream(reply)
        self.log.post_message(ReplyFinished(ended))

    def next_frame(self) -> None:
        """A tick of the frame clock: what arrived since the last one is shown."""
        self.log.session.take_arrived()
        self._show(ended=False)

    def _show(self, ended: bool) -> None:
        found = self.log.turns.last_reply()
        if found is not None and (found[1].sync() or ended):
            self.log.redraw_turn(found[0])

    def stop(self) -> bool:
        """Stop the streaming reply, showing all that arrived; False if none was."""
        self.log.cancel_stream()
        if self.log.session.stop() is None:
            return False
        self.finish()
        return True

    def finish(self) -> None:
        """The reply ended: its last text, status and figures are shown."""
        if self._frames is not None:
            self._frames.stop()
            self._frames = None
        self._show(ended=True)
        self.log.follow_end()
