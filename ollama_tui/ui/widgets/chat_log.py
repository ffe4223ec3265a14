"""The scrolling conversation: its turns, the reply being written, and earlier turns
shown on request."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button

from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, UserTurn
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.reply_relay import ReplyChunk, ReplyEnded
from ollama_tui.ui.widgets.alike_lines import AlikeLines
from ollama_tui.ui.widgets.message import PromptView, ReplyView
from ollama_tui.ui.widgets.plain import Plain

MIN_FLUSH_SECONDS = 0.05
MAX_FLUSH_SECONDS = 0.75
CPU_SHARE = 0.08
"""Tokens are gathered between screen updates, so a fast stream costs a few renders
a second instead of one per token. The gap is the CPU time the app used since the
previous update divided by this share, kept between the two bounds above: a reply
full of tables (slow to lay out) updates less often rather than keeping the keyboard
waiting."""

OPENING_TURNS = 2
"""Turns mounted when a conversation opens. Mounting a reply with a table and code
costs Textual about 0.25 s, so a reopened chat shows its end and no more."""
EARLIER_BATCH = 10
"""Turns mounted each time the user asks for earlier messages."""


@dataclass
class ReplyText(Message):
    """A batch of the streaming reply's text, from the stream worker."""

    chunk: ReplyChunk


@dataclass
class ReplyFinished(Message):
    """The stream ended by itself (for the chat screen, which ends the reply)."""

    ended: ReplyEnded


class Turns(Vertical, AlikeLines):
    """The chat's turns, one below the other."""


def version_label(turn: AssistantTurn) -> str:
    count = len(turn.versions)
    return f"version {turn.selected + 1}/{count}" if count > 1 else ""


class ChatLog(VerticalScroll):
    """The turns are in one container at least as tall as the view. Textual's anchor
    pins content to the bottom, which leaves a gap above content shorter than the
    view; content that fills the view leaves none, so the log can be anchored before
    a reply overflows it, and the layout that makes it overflow is drawn scrolled to
    the end straight away."""

    def __init__(self, session: ChatSession, welcome: Plain, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.session = session
        self.welcome = welcome
        self.first_shown = 0
        """Index of the first turn that has a view; earlier ones are not mounted."""
        self.flush_seconds = MIN_FLUSH_SECONDS
        self._cpu_at_last_chunk: float | None = None

    def compose(self) -> ComposeResult:
        with Turns(id="turns"):
            yield self.welcome

    @property
    def turns(self) -> Turns:
        return self.query_one(Turns)

    @property
    def conversation(self) -> Conversation:
        return self.session.conversation

    async def show_conversation(self) -> None:
        """Show the last turns; earlier ones mount on request, so opening a
        2,000-message conversation costs as much as opening a short one."""
        self.anchor(False)
        await self.turns.remove_children(".prompt, .reply, #earlier")
        turns = self.conversation.turns
        self.welcome.display = not turns
        self.first_shown = max(0, len(turns) - OPENING_TURNS)
        await self.turns.mount_all(self._views(self.first_shown, len(turns)))
        await self._show_earlier_button()
        self.scroll_end(animate=False)

    def _views(self, start: int, end: int) -> list[PromptView | ReplyView]:
        return [
            PromptView(turn) if isinstance(turn, UserTurn) else self._reply_view(turn)
            for turn in self.conversation.turns[start:end]
        ]

    @staticmethod
    def _reply_view(turn: AssistantTurn) -> ReplyView:
        view = ReplyView(turn.reply)
        view.version_label = version_label(turn)
        return view

    async def _show_earlier_button(self) -> None:
        if self.first_shown:
            batch = min(EARLIER_BATCH, self.first_shown)
            label = f"Show {batch} earlier messages (PgUp or Ctrl+Home)"
            if batch < self.first_shown:
                label = f"Show {batch} earlier messages of {self.first_shown} (PgUp, or "
                label += "Ctrl+Home for all)"
            first_view = self.turns.query(".prompt, .reply").first()
            await self.turns.mount(Button(label, id="earlier", compact=True), before=first_view)

    @on(Button.Pressed, "#earlier")
    async def earlier_pressed(self) -> None:
        await self.show_earlier()

    async def show_earlier(self, everything: bool = False) -> None:
        """Mount earlier turns: a batch, or (``everything``, for Ctrl+Home) all."""
        if not self.first_shown:
            return
        # The reader is going up: the view stays where it is, not at the end.
        self.release_anchor()
        turns = self.turns
        start = 0 if everything else max(0, self.first_shown - EARLIER_BATCH)
        first_view = turns.query(".prompt, .reply").first()
        await turns.remove_children("#earlier")
        await turns.mount_all(self._views(start, self.first_shown), before=first_view)
        self.first_shown = start
        await self._show_earlier_button()

    async def scroll_chat(self, where: str) -> None:
        going_up = where in ("page-up", "top")
        if going_up and self.first_shown and (where == "top" or self.scroll_y == 0):
            await self.show_earlier(everything=where == "top")
        scroll = {
            "page-up": self.scroll_page_up,
            "page-down": self.scroll_page_down,
            "top": self.scroll_home,
            "end": self.scroll_end,
        }[where]
        scroll(animate=False)

    async def add_prompt(self, turn: UserTurn) -> None:
        self.welcome.display = False
        await self.turns.mount(PromptView(turn))

    def last_reply_view(self) -> ReplyView | None:
        views = self.query(ReplyView)
        return views.last() if views else None

    def show_prompt_for(self, reply: Reply) -> None:
        """The last prompt as it was when ``reply`` was written (it may have been
        edited since)."""
        turn = self.conversation.last_user_turn
        views = self.query(PromptView)
        if turn is not None and views:
            views.last().show_text(turn.text_for(reply))

    async def show_version(self, turn: AssistantTurn) -> None:
        view = self.last_reply_view()
        if view is not None:
            await view.show(turn.reply, version_label(turn))
        self.show_prompt_for(turn.reply)

    # -- the reply being written ----------------------------------------------------------

    async def begin_reply(self, reply: Reply, new_turn: bool) -> ReplyView:
        """The view for ``reply``: a new one, or the last (a new version of it)."""
        turn = self.conversation.last_assistant_turn
        assert turn is not None
        view = None if new_turn else self.last_reply_view()
        if view is None:
            view = ReplyView(reply)
            await self.turns.mount(view)
        view.version_label = version_label(turn)
        await view.show(reply, view.version_label)
        return view

    def stream(self, reply: Reply) -> None:
        """Follow ``reply`` from the bottom (also after the reader scrolled away from
        an earlier one, until they scroll up) while its text arrives."""
        view = self.last_reply_view()
        if view is not None:
            view.start_stream()
        self.show_prompt_for(reply)
        self.flush_seconds, self._cpu_at_last_chunk = MIN_FLUSH_SECONDS, None
        self.anchor()
        self._stream(reply)

    @work(group="reply", exclusive=True, exit_on_error=False)
    async def _stream(self, reply: Reply) -> None:
        ended = await self.session.stream(
            reply, lambda chunk: self.post_message(ReplyText(chunk)), lambda: self.flush_seconds
        )
        self.post_message(ReplyFinished(ended))

    async def on_reply_text(self, event: ReplyText) -> None:
        event.stop()
        if self.session.take_chunk(event.chunk):
            self._pace_updates()
            await self.show_text(event.chunk)

    async def show_text(self, chunk: ReplyChunk) -> None:
        view = self.last_reply_view()
        if view is not None and (chunk.content or chunk.thinking):
            await view.append(chunk.content, chunk.thinking)

    def _pace_updates(self) -> None:
        now = time.process_time()
        if self._cpu_at_last_chunk is not None:
            cost = now - self._cpu_at_last_chunk
            self.flush_seconds = min(MAX_FLUSH_SECONDS, max(MIN_FLUSH_SECONDS, cost / CPU_SHARE))
        self._cpu_at_last_chunk = now

    async def stop_reply(self) -> bool:
        """Stop the streaming reply, showing all that arrived; False if none was."""
        self.workers.cancel_group(self, "reply")
        rest = self.session.stop()
        if rest is None:
            return False
        await self.show_text(rest)
        await self.finish_reply()
        return True

    async def finish_reply(self) -> None:
        view = self.last_reply_view()
        if view is not None:
            await view.finish()
