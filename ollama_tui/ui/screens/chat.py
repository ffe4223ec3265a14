"""The chat screen: the log of the conversation, the composer and the status line."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Footer

from ollama_tui.core.conversation import (
    AssistantTurn,
    Attachment,
    Conversation,
    Reply,
    ReplyStatus,
    UserTurn,
)
from ollama_tui.core.history.codec import UnreadableConversation
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import Message as ApiMessage
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.core.tokens import Estimate, probably_truncated
from ollama_tui.services.health import ConnectionState
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.screens.chat_settings import ChatSettingsScreen
from ollama_tui.ui.screens.confirm import Confirm
from ollama_tui.ui.screens.reply_stream import Received, ReplyChunk, ReplyEnded, relay_stream
from ollama_tui.ui.widgets.alike_lines import AlikeLines
from ollama_tui.ui.widgets.composer import Composer
from ollama_tui.ui.widgets.context_meter import ContextMeter
from ollama_tui.ui.widgets.message import PromptView, ReplyView
from ollama_tui.ui.widgets.plain import Plain
from ollama_tui.ui.widgets.sidebar import SettingsSidebar
from ollama_tui.ui.widgets.status_line import Part, StatusLine

MIN_FLUSH_SECONDS = 0.05
MAX_FLUSH_SECONDS = 0.75
CPU_SHARE = 0.08
"""Tokens are gathered between screen updates, so a fast stream costs a few renders
a second instead of one per token. The gap is the CPU time the app used since the
previous update divided by this share, kept between the two bounds above: a reply
full of tables (slow to lay out) updates less often rather than keeping the keyboard
waiting. On the 2-core CI machine the benchmark's Markdown stream (a code block, a
table and a list every 100 tokens) updates every 0.25-0.75 s at 60 tokens/s and
every 0.75 s at 200 tokens/s."""

WAIT_NOTE_SECONDS = 3.0
"""Before the first token (a model loading), the wait is shown after this long."""
STALL_NOTE_SECONDS = 10.0
"""A reply that has gone quiet this long says so, with the time."""
STREAM_SAVE_SECONDS = 1.0
"""While a reply streams it is saved this often, so a crash loses at most this much."""
OPENING_TURNS = 2
"""Turns mounted when a conversation opens. Mounting a reply with a table and code
costs Textual about 0.25 s, so a reopened chat shows its end and no more."""
EARLIER_BATCH = 10
"""Turns mounted each time the user asks for earlier messages."""

WELCOME = (
    "Type a message and press Enter to send (Ctrl+J for a new line).\n"
    "Ctrl+O picks a model · Esc stops a reply · F1 lists every key · Ctrl+P finds any action."
)
FIRST_RUN = """\
Welcome to ollama-tui

It talks to the Ollama server on your machine, or wherever OLLAMA_HOST points.

  Ctrl+O   choose a model (F4 pulls a new one)
  Enter    send your message; Ctrl+J starts a new line
  Esc      stop a reply that is being written
  F3       system prompt, temperature and every other option
  F9       your saved conversations
  F1       every key · Ctrl+P finds any action by name

Conversations are saved as you go; `ollama-tui paths` shows where.
Start typing, or press Enter. This is shown only once."""


@dataclass
class ModelMissing(Message):
    """The server says the chosen model is not installed."""

    model: str


@dataclass
class FirstRunClosed(Message):
    """The first-run welcome went away: ``typed`` when the user started a prompt."""

    typed: bool


class ChatLog(VerticalScroll):
    """The scrolling conversation.

    Its turns are in one container at least as tall as the view. Textual's anchor
    pins content to the bottom, which leaves a gap above content shorter than the
    view; content that fills the view leaves none, so the log can be anchored
    before a reply overflows it, and the layout that makes it overflow is drawn
    scrolled to the end straight away.
    """


class Turns(Vertical, AlikeLines):
    """The chat's turns, one below the other."""


class ChatScreen(ChatSettingsScreen):
    ACTION_SCOPE = "chat"
    BINDINGS = bindings("chat")
    AUTO_FOCUS = "#composer"
    """Focused as soon as the screen is up, before ``on_mount`` has run: keys typed
    while the app starts land in the prompt, not on the chat log."""

    def __init__(self, conversation: Conversation | None = None, first_run: bool = False) -> None:
        super().__init__()
        self.conversation = conversation or Conversation()
        self.streaming: Reply | None = None
        self.received = Received()
        """What the streaming reply's server has sent so far."""
        self.clock: Callable[[], float] = time.monotonic
        """For how long a reply has been waiting (tests give their own)."""
        self._status_ticks: Timer | None = None
        self.read_only = False
        """Another ollama-tui holds this conversation: it is shown, not changed."""
        self.pending_images: list[Attachment] = []
        self.editing = False
        self._draft_before_editing = ""
        self._sending = False
        self.flush_seconds = MIN_FLUSH_SECONDS
        self.estimate: Estimate | None = None
        self._saved_at = 0.0
        self._first_shown = 0
        """Index of the first turn that has a view; earlier ones are not mounted."""
        self._overflow_accepted_for: str | None = None
        self._cpu_at_last_chunk: float | None = None
        self._said_missing: set[str] = set()
        self.first_run = first_run
        """The first-run welcome is showing. It is part of this screen, so the
        composer keeps the focus and every key typed at it lands there, in order."""

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="status-row"):
            yield StatusLine(id="status-bar")
            yield ContextMeter(id="context-meter")
        with ChatLog(id="chat-log"), Turns(id="turns"):
            welcome = Plain(FIRST_RUN if self.first_run else WELCOME, id="welcome")
            welcome.set_class(self.first_run, "-first-run")
            yield welcome
        yield Plain(id="attachments")
        yield Plain(
            "✎ Editing your last prompt · Enter resends it (the old reply is kept as a "
            "version) · Esc leaves it",
            id="editing",
        )
        yield Composer(id="composer")
        yield Footer()

    @property
    def chat_log(self) -> ChatLog:
        return self.query_one(ChatLog)

    @property
    def turns(self) -> Turns:
        return self.query_one(Turns)

    async def on_mount(self) -> None:
        self.composer.focus()
        self.query_one("#attachments").display = False
        self.query_one("#editing").display = False
        self.read_only = not self.tui.hold(self.conversation)
        if self.read_only:
            self._say_read_only()
        self.watch(self.tui, "connection", self.refresh_status)
        model = self.conversation.model or self.tui.config.model
        if model:
            self.set_model(model)
        self.load_sidebar()
        await self.render_conversation()

    async def render_conversation(self) -> None:
        """Show the last turns; earlier ones mount on request, so opening a
        2,000-message conversation costs as much as opening a short one."""
        log = self.chat_log
        log.anchor(False)
        await self.turns.remove_children(".prompt, .reply, #earlier")
        turns = self.conversation.turns
        self.query_one("#welcome").display = not turns
        self._first_shown = max(0, len(turns) - OPENING_TURNS)
        await self.turns.mount_all(self._views(self._first_shown, len(turns)))
        await self._show_earlier_button()
        log.scroll_end(animate=False)

    def _views(self, start: int, end: int) -> list[PromptView | ReplyView]:
        return [
            PromptView(turn) if isinstance(turn, UserTurn) else self._reply_view(turn)
            for turn in self.conversation.turns[start:end]
        ]

    async def _show_earlier_button(self) -> None:
        if self._first_shown:
            batch = min(EARLIER_BATCH, self._first_shown)
            label = f"Show {batch} earlier messages (PgUp or Ctrl+Home)"
            if batch < self._first_shown:
                label = f"Show {batch} earlier messages of {self._first_shown} (PgUp, or "
                label += "Ctrl+Home for all)"
            first_view = self.turns.query(".prompt, .reply").first()
            await self.turns.mount(Button(label, id="earlier", compact=True), before=first_view)

    def on_unmount(self) -> None:
        reply = self.streaming
        if reply is not None:  # the app exits mid-reply: keep all that arrived
            content, thinking = self._take_received(reply)
            reply.content += content
            reply.thinking += thinking
        self.tui.chat_closing(self.conversation, writable=not self.read_only)

    def on_key(self, event: events.Key) -> None:
        """Text typed while the app was starting reaches the screen before the prompt
        has the focus (the prompt takes its own keys, so these never passed through
        it): it goes into the prompt, in order. So does text typed on the chat log."""
        prompt = self.composer
        if event.is_printable and event.character and self.focused in (None, prompt, self.chat_log):
            event.stop()
            prompt.focus()
            prompt.insert(event.character)

    def close_first_run(self, typed: bool) -> None:
        if not self.first_run:
            return
        self.first_run = False
        welcome = self.query_one("#welcome", Plain)
        welcome.update(WELCOME)
        welcome.remove_class("-first-run")
        self.post_message(FirstRunClosed(typed))

    async def action_scroll_chat(self, where: str) -> None:
        log = self.chat_log
        going_up = where in ("page-up", "top")
        if going_up and self._first_shown and (where == "top" or log.scroll_y == 0):
            await self.action_show_earlier(everything=where == "top")
        scroll = {
            "page-up": log.scroll_page_up,
            "page-down": log.scroll_page_down,
            "top": log.scroll_home,
            "end": log.scroll_end,
        }[where]
        scroll(animate=False)

    @on(Button.Pressed, "#earlier")
    async def earlier_pressed(self) -> None:
        await self.action_show_earlier()

    async def action_show_earlier(self, everything: bool = False) -> None:
        """Mount earlier turns: a batch, or (``everything``, for Ctrl+Home) all."""
        if not self._first_shown:
            return
        # The reader is going up: the view stays where it is, not at the end.
        self.chat_log.release_anchor()
        turns = self.turns
        start = 0 if everything else max(0, self._first_shown - EARLIER_BATCH)
        first_view = turns.query(".prompt, .reply").first()
        await turns.remove_children("#earlier")
        await turns.mount_all(self._views(start, self._first_shown), before=first_view)
        self._first_shown = start
        await self._show_earlier_button()

    def _reply_view(self, turn: AssistantTurn) -> ReplyView:
        view = ReplyView(turn.reply)
        view.version_label = self._version_label(turn)
        return view

    @staticmethod
    def _version_label(turn: AssistantTurn) -> str:
        count = len(turn.versions)
        return f"version {turn.selected + 1}/{count}" if count > 1 else ""

    def refresh_status(self, state: ConnectionState | None = None) -> None:
        """The status line, by rank: how to stop a reply and the model first, the
        host last; a connection problem is shown whole, below."""
        state = state or self.tui.connection
        self._tick_status()
        host = self.tui.config.host
        parts: list[Part] = []
        if self.streaming is not None:
            parts.append(Part(self._reply_state(), 0, "Esc stops"))
        if self.read_only:
            parts.append(Part("read-only: open in another ollama-tui", 0, "read-only"))
        model = self.conversation.model
        parts.append(Part(f"model {model}", 0, model) if model else Part("no model: Ctrl+O", 0))
        if self._can_think():
            parts.append(Part(f"think {self._think_label()}", 1))
        pulling = self.tui.pull_summary()
        if pulling:
            parts.append(Part(pulling, 2))
        problem = ""
        if state.connected is None:
            parts.append(Part("… connecting", 1))
        elif state.connected:
            parts.append(Part(f"● Ollama {sanitize_line(state.version, 20)}", 3, "●"))
        else:
            problem = state.error.explain() if state.error else "not reachable"
            wait = max(0, math.ceil(state.retry_at - time.monotonic()))
            retry = f"retrying in {wait} s" if wait else "retrying now"
            parts.append(Part(f"✖ Ollama is down, {retry}", 0, f"✖ {retry}"))
        parts.append(Part(host, 4))
        self.query_one("#status-bar", StatusLine).show(parts, problem)

    def on_resize(self) -> None:
        self.query_one(ContextMeter).redraw()

    def _tick_status(self) -> None:
        """Redraw the status line every second while it shows a time that moves: a
        reply's wait, or the countdown to the next reconnection."""
        moving = self.streaming is not None or self.tui.connection.connected is False
        if moving and self._status_ticks is None:
            self._status_ticks = self.set_interval(1.0, self.refresh_status)
        elif not moving and self._status_ticks is not None:
            self._status_ticks.stop()
            self._status_ticks = None

    def _reply_state(self) -> str:
        """How the streaming reply is doing: a model loading, or a server gone quiet,
        is said with how long it has been."""
        started, silent = self.received.silence()
        if not started and silent >= WAIT_NOTE_SECONDS:
            return f"replying… (waiting {silent:.0f} s) Esc stops"
        if started and silent >= STALL_NOTE_SECONDS:
            return f"replying… (no text for {silent:.0f} s) Esc stops"
        return "replying… Esc stops"

    # -- model ----------------------------------------------------------------

    def action_pick_model(self) -> None:
        self.tui.open_model_picker()

    def set_model(self, name: str) -> None:
        """Switch model; the conversation is kept."""
        self.conversation.model = name
        self.refresh_status()
        self.load_model_info(name)
        self.recount()

    @work(group="model-info", exclusive=True, exit_on_error=False)
    async def load_model_info(self, name: str) -> None:
        if name in self.tui.model_info:
            return
        try:
            info = await self.tui.client.show(name)
        except errors.ModelNotFound:
            self.post_message(ModelMissing(name))
            return
        except errors.OllamaError:
            return  # asked again when the server is back
        self.post_message(self.tui.ModelInfoLoaded(info))

    def on_model_missing(self, event: ModelMissing) -> None:
        """Said as soon as it is known, not only when a prompt fails."""
        if event.model != self.conversation.model or event.model in self._said_missing:
            return
        self._said_missing.add(event.model)
        self.notify(
            f"{event.model} is not installed on this server. F4 pulls it; Ctrl+O chooses "
            "another model.",
            title="Model not installed",
            severity="warning",
            timeout=10,
        )

    def server_answered(self) -> None:
        """The server is reachable (again): learn about the model if that failed."""
        model = self.conversation.model
        if model and model not in self.tui.model_info:
            self.load_model_info(model)

    def model_info_loaded(self) -> None:
        """Called by the app once capabilities for the current model are known."""
        self.refresh_status()
        self.load_sidebar()
        self.recount()

    # -- sending --------------------------------------------------------------

    @on(Composer.Submitted)
    async def send_prompt(self, event: Composer.Submitted) -> None:
        # Keys bound to actions run between this handler's awaits: while the prompt
        # is checked, they must not start a reply or an edit of their own.
        self._sending = True
        try:
            if not await self._send(event.text):
                self.composer.give_back(event.text)
        finally:
            self._sending = False

    async def _send(self, text: str) -> bool:
        """Send ``text`` as the next prompt (or as the edited last one); False when it
        cannot be sent now, and the user has been told why."""
        if self.streaming is not None:
            self.notify(
                "A reply is still being written. Wait for it, or press Esc to stop it.",
                severity="warning",
            )
            return False
        if not text.strip() and not self.pending_images:
            self.close_first_run(typed=False)
            return True
        # Typed in one burst, a prompt can be sent before its keys' changes are seen.
        self.close_first_run(typed=True)
        if not self.conversation.model:
            self.notify("Choose a model first.", severity="warning")
            self.tui.open_model_picker()
            return False
        if not await self.take_over() or not await self.check_before_sending(text):
            return False
        if self.pending_images and "vision" not in (self._capabilities() or ()):
            self.notify(
                f"{sanitize_line(self.conversation.model, 60)} cannot see images. Choose a "
                "vision model (Ctrl+O), or remove the images (Ctrl+G, then an empty path).",
                severity="error",
                timeout=8,
            )
            return False
        self.composer.recall.append(text)
        if self.editing:
            self.conversation.edit_last_prompt(text)
            self.leave_editing(sent=True)
        else:
            turn = self.conversation.add_prompt(text, self.pending_images)
            self.pending_images = []
            self._show_attachments()
            self.query_one("#welcome").display = False
            await self.turns.mount(PromptView(turn))
        self.tui.save_conversation(self.conversation)
        await self.begin_reply()
        return True

    async def begin_reply(self) -> None:
        had_reply_turn = self.conversation.last_assistant_turn is not None
        reply = self.conversation.start_reply()
        # Before any wait: a key pressed meanwhile sees a reply under way.
        self.streaming = reply
        self.received = Received(clock=self.clock)
        messages = self.conversation.request_messages()
        turn = self.conversation.last_assistant_turn
        assert turn is not None
        view = self._last_reply_view() if had_reply_turn else None
        if view is None:
            view = ReplyView(reply)
            await self.turns.mount(view)
        view.version_label = self._version_label(turn)
        await view.show(reply, view.version_label)
        if self.streaming is not reply:
            return  # stopped (Esc) while the view was made: nothing is asked for
        self._show_prompt_for(reply)
        view.start_stream()
        self._tick_status()
        self.flush_seconds, self._cpu_at_last_chunk = MIN_FLUSH_SECONDS, None
        self.refresh_status()
        # Followed from the bottom, also after the reader scrolled away from an
        # earlier reply, until they scroll up.
        self.chat_log.anchor()
        self.stream_reply(reply, messages, self.received)

    def _last_reply_view(self) -> ReplyView | None:
        views = self.query(ReplyView)
        return views.last() if views else None

    @work(group="reply", exclusive=True, exit_on_error=False)
    async def stream_reply(
        self, reply: Reply, messages: list[ApiMessage], received: Received
    ) -> None:
        settings = self.conversation.settings
        client, counter = self.tui.client, self.tui.counter
        try:
            counted = await asyncio.to_thread(counter.estimate, reply.model, messages)
            received.started = received.clock()  # the first token's wait starts here
            stream = client.chat(
                reply.model,
                messages,
                options=settings.options or None,
                think=self.effective_think(),
                format=settings.format,
                keep_alive=settings.keep_alive,
                truncate=settings.truncate,
            )
            ended = await relay_stream(
                stream, reply, received, self.post_message, lambda: self.flush_seconds
            )
            ended.estimated_tokens = counted.raw_total
        except Exception as error:  # the reply must end, whatever went wrong
            received.close()
            failure = errors.MalformedResponse(
                f"The reply failed unexpectedly ({type(error).__name__})."
            )
            ended = ReplyEnded(reply, ReplyStatus.ERROR, error=failure)
            content, thinking = received.take_unshown()
            self.post_message(ReplyChunk(reply, content, thinking, received.first_token_s))
        self.post_message(ended)

    async def on_reply_chunk(self, chunk: ReplyChunk) -> None:
        if chunk.reply is not self.streaming:
            return
        self._pace_updates()
        await self._show_text(chunk.reply, chunk.content, chunk.thinking, chunk.first_token_s)
        if time.monotonic() - self._saved_at >= STREAM_SAVE_SECONDS:
            self._saved_at = time.monotonic()
            self.tui.save_conversation(self.conversation)

    async def _show_text(
        self, reply: Reply, content: str, thinking: str, first_token_s: float | None
    ) -> None:
        reply.content += content
        reply.thinking += thinking
        reply.first_token_s = first_token_s
        view = self._last_reply_view()
        if view is not None and (content or thinking):
            await view.append(content, thinking)

    def _pace_updates(self) -> None:
        now = time.process_time()
        if self._cpu_at_last_chunk is not None:
            cost = now - self._cpu_at_last_chunk
            self.flush_seconds = min(MAX_FLUSH_SECONDS, max(MIN_FLUSH_SECONDS, cost / CPU_SHARE))
        self._cpu_at_last_chunk = now

    async def on_reply_ended(self, event: ReplyEnded) -> None:
        if event.reply is not self.streaming:
            return
        reply = event.reply
        reply.status = event.status
        reply.stats = event.stats
        prompt_tokens = event.stats.prompt_eval_count if event.stats is not None else None
        self.tui.counter.calibrate(reply.model, event.estimated_tokens, prompt_tokens)
        reply.prompt_truncated = probably_truncated(prompt_tokens, self.context_window()[0])
        if event.error is not None:
            reply.error = event.error.explain()
            self.tui.report_error(event.error)
            if isinstance(event.error, errors.ModelNotFound) and event.error.model:
                self.tui.open_pull(name=event.error.model)
        await self.end_reply()

    async def end_reply(self) -> None:
        self.streaming = None
        self._tick_status()
        self.conversation.touch()
        self.tui.save_conversation(self.conversation)
        view = self._last_reply_view()
        if view is not None:
            await view.finish()
        self.refresh_status()
        self.tui.refresh_running()
        self.recount()

    async def action_stop(self) -> None:
        reply = self.streaming
        if reply is None:
            self.composer.call_later(self.leave_editing)  # after keys typed before Esc
            self.close_first_run(typed=False)
            return
        # At once: a chunk still queued for this reply must not be shown after the
        # text taken below, which includes it.
        self.streaming = None
        self.workers.cancel_group(self, "reply")
        content, thinking = self._take_received(reply)
        await self._show_text(reply, content, thinking, self.received.first_token_s)
        reply.status = ReplyStatus.STOPPED
        await self.end_reply()

    def _take_received(self, reply: Reply) -> tuple[str, str]:
        """Everything that arrived before now and is not in ``reply`` yet (gathered for
        the next update, or in a chunk still queued): the reply ends with it."""
        received = self.received
        received.close()
        # Chunks are applied in order, so the reply holds a prefix of what arrived.
        content = "".join(received.content)[len(reply.content) :]
        thinking = "".join(received.thinking)[len(reply.thinking) :]
        return content, thinking

    # -- conversation controls --------------------------------------------------

    async def action_regenerate(self) -> None:
        if self.streaming is not None or self._sending:
            self.notify("Stop the current reply first (Esc).", severity="warning")
            return
        if self.conversation.last_assistant_turn is None:
            self.notify("There is no reply to regenerate yet.", severity="warning")
            return
        if await self.take_over() and await self.settings_are_valid():
            await self.begin_reply()

    def action_edit_last(self) -> None:
        # A priority key is handled before the keys typed just ahead of it, which are
        # still queued at the composer: the draft must include them.
        self.composer.call_later(self._edit_last)

    def _edit_last(self) -> None:
        turn = self.conversation.last_user_turn
        if turn is None:
            self.notify("There is no prompt to edit yet.", severity="warning")
            return
        if self.streaming is not None or self._sending:
            self.notify("Stop the current reply first (Esc).", severity="warning")
            return
        if not self.editing:
            # An unsent draft waits, and comes back when editing ends.
            self._draft_before_editing = self.composer.text
        self.editing = True
        self.composer.text = sanitize(turn.content)  # editors draw what they are given
        self.composer.move_cursor(self.composer.document.end)
        self.composer.focus()
        self._show_editing()

    def leave_editing(self, sent: bool = False) -> None:
        """Stop editing the last prompt: the draft from before comes back, in place of
        the unsent edit, or (once the edit is ``sent``) before what was typed since."""
        if not self.editing:
            return
        self.editing = False
        draft, self._draft_before_editing = self._draft_before_editing, ""
        if sent:
            self.composer.give_back(draft)
        else:
            self.composer.text = draft
            self.composer.move_cursor(self.composer.document.end)
        self._show_editing()

    def _show_editing(self) -> None:
        marker = self.query_one("#editing", Plain)
        marker.display = self.editing
        self.composer.set_class(self.editing, "-editing")
        self.recount()

    def _show_prompt_for(self, reply: Reply) -> None:
        """The last prompt as it was when ``reply`` was written (it may have been
        edited since)."""
        turn = self.conversation.last_user_turn
        views = self.query(PromptView)
        if turn is not None and views:
            views.last().show_text(turn.text_for(reply))

    async def action_browse_versions(self, step: int) -> None:
        turn = self.conversation.last_assistant_turn
        if turn is None or self.streaming is not None:
            return
        if turn.browse(step):
            view = self._last_reply_view()
            if view is not None:
                await view.show(turn.reply, self._version_label(turn))
            self._show_prompt_for(turn.reply)

    def action_new_chat(self) -> None:
        self.after_stopping("start a new chat", self.new_chat)

    async def new_chat(self) -> None:
        """Show a new, empty chat with the same model and the new-chat settings."""
        model = self.conversation.model
        settings = self.tui.new_chat_settings.copy()
        await self.show_conversation(Conversation(model=model, settings=settings))

    def after_stopping(self, doing: str, then: Callable[[], Awaitable[None]]) -> None:
        """Run ``then``; while a reply streams, only once the user agrees to stop it."""
        if self.streaming is None:
            self.call_later(then)
            return

        def answered(stop: bool | None) -> None:
            if stop:
                self.call_later(then)

        question = f"A reply is still being written. Stop it and {doing}?"
        self.app.push_screen(Confirm(question, yes="Stop it", no="Keep it"), answered)

    async def show_conversation(self, conversation: Conversation) -> None:
        """Switch to ``conversation`` (the current one is already saved)."""
        await self.action_stop()
        self.save_settings_now()
        left = self.conversation.id
        self.conversation = conversation
        if left != conversation.id:
            self.tui.left_conversation(left)
        self.read_only = not self.tui.hold(conversation)
        if self.read_only:
            self._say_read_only()
        if conversation.model:
            self.set_model(conversation.model)
        self.tui.counter.forget()
        self.load_sidebar()
        self.recount()
        self.leave_editing()
        self.pending_images = []
        self._show_attachments()
        self.refresh_status()
        await self.render_conversation()
        self.composer.focus()

    # -- a conversation another ollama-tui holds ---------------------------------------

    def _say_read_only(self) -> None:
        self.notify(
            "This conversation is open in another ollama-tui, so it is read-only here. "
            "Ctrl+N starts a new chat; Ctrl+P, then “Continue in a copy”, goes on with it here.",
            title="Read-only",
            severity="warning",
            timeout=12,
        )

    async def take_over(self) -> bool:
        """Before changing a read-only conversation: if the other ollama-tui has let it
        go, reload it (with what was added there) and go on; otherwise say why not."""
        if not self.read_only:
            return True
        conversation_id = self.conversation.id
        if not self.tui.store.claim(conversation_id):
            self._say_read_only()
            return False
        try:
            conversation, _ = await asyncio.to_thread(self.tui.store.load, conversation_id)
        except (OSError, UnreadableConversation) as error:
            self.tui.store.release(conversation_id)
            self.notify(str(error), title="Cannot reopen the conversation", severity="error")
            return False
        # What the user was about to send stays: the draft, images, an edit under way.
        draft, images = self.composer.text, self.pending_images
        editing, before_editing = self.editing, self._draft_before_editing
        await self.show_conversation(conversation)
        self.composer.text = draft
        self.pending_images = images
        self._show_attachments()
        if editing:
            self.editing, self._draft_before_editing = True, before_editing
            self._show_editing()
        self.notify("The other ollama-tui let this conversation go: it is yours again.")
        return not self.read_only

    def held_elsewhere(self) -> None:
        """Saving found that another ollama-tui holds this conversation."""
        if not self.read_only:
            self.read_only = True
            self.refresh_status()
            self._say_read_only()

    def continue_in_copy(self, why: str = "") -> None:
        """Go on with this conversation under a new id, leaving the file as it is."""
        conversation = self.conversation
        left = conversation.id
        conversation.id = uuid.uuid4().hex
        conversation.title = f"{conversation.title or 'Untitled'} (copy)"
        self.tui.left_conversation(left, superseded=True)
        self.read_only = False
        self.refresh_status()
        title = sanitize_line(conversation.title, 80)
        self.notify(
            f"{why} This chat goes on as a copy, “{title}”; the other is kept.".lstrip(),
            title="Continuing in a copy",
        )
        self.tui.save_conversation(conversation)

    def action_continue_in_copy(self) -> None:
        self.continue_in_copy()

    def action_copy(self) -> None:
        turn = self.conversation.last_assistant_turn
        if turn is None or not turn.reply.content:
            self.notify("There is no reply to copy yet.", severity="warning")
            return
        self.tui.open_copy_picker(turn.reply.content)

    def action_attach_image(self) -> None:
        self.tui.open_image_prompt()

    def attach_image(self, attachment: Attachment | None) -> None:
        if attachment is None:
            self.pending_images = []
        else:
            self.pending_images.append(attachment)
            capabilities = self._capabilities()
            if capabilities is not None and "vision" not in capabilities:
                self.notify(
                    f"{sanitize_line(self.conversation.model, 60)} cannot see images: "
                    "choose a vision model (Ctrl+O) before sending.",
                    severity="warning",
                )
        self._show_attachments()

    def _show_attachments(self) -> None:
        bar = self.query_one("#attachments", Plain)
        names = [f"[image: {sanitize_line(a.name, 40)}]" for a in self.pending_images]
        bar.update("  ".join(names) + ("   (Ctrl+G, empty path: remove)" if names else ""))
        bar.display = bool(names)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.streaming is not None or self.first_run or self.editing
        if action == "scroll_chat":
            # In the sidebar's editors the page keys move their own cursor.
            focused = self.focused
            return focused is None or not any(
                isinstance(node, SettingsSidebar) for node in focused.ancestors
            )
        return True
