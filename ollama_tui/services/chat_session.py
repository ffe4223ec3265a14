"""A chat with a model: the request for each reply, its stream, stopping it, and its
end (status, figures, saving). It knows no screen: the TUI drives it, and the
command line can."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from ollama_tui.core.calibration import PROBE_LONG, PROBE_SHORT
from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, ReplyStatus
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.bodies import chat_body
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import Message
from ollama_tui.core.settings import Think, think_to_send
from ollama_tui.core.tokens import (
    MODEL_MAX,
    SERVER_DEFAULT,
    ContextCounter,
    context_window,
    renders_prompts,
    server_default_window,
)
from ollama_tui.core.truncation import dropped_by_server, probably_truncated, truncation_note
from ollama_tui.services.catalog import ModelCatalog
from ollama_tui.services.generation_log import Generation, GenerationLog
from ollama_tui.services.reply_relay import (
    ArrivalFailed,
    Received,
    ReplyChunk,
    ReplyEnded,
    relay_stream,
)
from ollama_tui.services.saver import ConversationSaver

STREAM_SAVE_SECONDS = 1.0
"""While a reply streams it is saved this often, so a crash loses at most this much."""


def probe_chat(texts: Sequence[str]) -> list[Message]:
    roles = ("user", "assistant")
    return [Message(roles[n % 2], text) for n, text in enumerate(texts)]


class ChatSession:
    def __init__(
        self,
        conversation: Conversation,
        *,
        client: OllamaClient,
        counter: ContextCounter,
        catalog: ModelCatalog,
        saver: ConversationSaver,
        log: GenerationLog | None = None,
        source: str = "chat",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conversation = conversation
        self.client = client
        self.counter = counter
        self.catalog = catalog
        self.saver = saver
        self.log = log
        """Where each generation's figures go (none in tests that do not ask)."""
        self.source = source
        self.logged: int | None = None
        """The last generation's row in the log, once written."""
        self.server_version = ""
        """The server's version, for the log (set by whoever knows it)."""
        self.loaded_with: dict[str, object] = {}
        """Per model: the num_ctx our last request to it asked for (None: none)."""
        self.clock = clock
        """For how long a reply has been waiting (tests give their own)."""
        self.streaming: Reply | None = None
        self.received = Received(clock=clock)
        """What the streaming reply's server has sent so far."""
        self.read_only = False
        """Another ollama-tui holds this conversation: it is shown, not changed."""
        self.kept = True
        """Whether the conversation is saved at all (a one-shot prompt is not)."""
        self._saved_at = 0.0
        self.learn_replies()

    # -- the model and its context ----------------------------------------------------

    def capabilities(self) -> frozenset[str] | None:
        return self.catalog.capabilities(self.conversation.model)

    def think_to_send(self) -> Think | None:
        return think_to_send(self.conversation.settings.think, self.capabilities())

    def context_window(self) -> tuple[int | None, str]:
        """The context length the next request gets, and where that figure comes from."""
        model = self.conversation.model
        info = self.catalog.info(model)
        num_ctx = self.conversation.settings.options.get("num_ctx")
        running = self.catalog.running_context(model)
        if num_ctx is None and isinstance(self.loaded_with.get(model), int):
            # We loaded it with a num_ctx no longer set: the next request reloads it
            # at its default, whatever /api/ps says it has now.
            running = None
        default = info.parameters.get("num_ctx") if info is not None else None
        return context_window(
            num_ctx,
            running,
            info.context_length if info is not None else None,
            server_default_window(self.server_version),
            model_default=default if isinstance(default, int) else None,
        )

    async def learn_template(self) -> None:
        """Before the first request to a model nothing has calibrated: have the server
        render two small chats (it loads the model, with this chat's settings, as the
        request would) so that the meter knows the template's parts. Servers before
        0.11.5 cannot render without answering: the general prior stays."""
        model = self.conversation.model
        if not model or not self.counter.needs_template(model):
            return
        if not renders_prompts(self.server_version):
            return
        settings = self._sent_settings()
        try:
            short, long = [
                await self.client.render(chat_body(model, probe_chat(texts), **settings))
                for texts in (PROBE_SHORT, PROBE_LONG)
            ]
        except errors.OllamaError:
            self.counter.learn_template(model, None)
            return
        self.counter.learn_template(model, (short, long))

    # -- a reply ----------------------------------------------------------------------

    def begin_reply(self) -> Reply:
        """A new reply to the last prompt (a new version if it has one already)."""
        reply = self.conversation.start_reply()
        self.streaming = reply
        self.received = Received(clock=self.clock)
        return reply

    async def stream(
        self, reply: Reply, on_arrival: Callable[[], object] | None = None
    ) -> ReplyEnded:
        """Ask for ``reply`` and read its stream into ``received`` (``take_arrived``
        moves it into the reply; ``on_arrival`` is called as each part arrives); the
        ending is returned, and whatever goes wrong ends it as failed, with the text
        received kept."""
        received = self.received
        request = self.conversation.request()
        messages = [message for _, message in request]
        try:
            counted = await asyncio.to_thread(self.counter.estimate, reply.model, messages)
            received.started = received.clock()  # the first token's wait starts here
            settings = self._sent_settings()
            self.loaded_with[reply.model] = (settings["options"] or {}).get("num_ctx")
            chat = self.client.chat(reply.model, messages, **settings)
            ended = await relay_stream(chat, reply, received, on_arrival)
            ended.estimate = counted
            ended.roles = tuple(message.role for message in messages)
            ended.turns = tuple(turn for turn, _ in request)
        except ArrivalFailed:
            raise  # the caller's own failure, for the caller
        except Exception as error:  # the reply must end, whatever went wrong
            received.close()
            failure = errors.MalformedResponse(
                f"The reply failed unexpectedly ({type(error).__name__})."
            )
            ended = ReplyEnded(reply, ReplyStatus.ERROR, error=failure)
        return ended

    def _sent_settings(self) -> dict[str, Any]:
        settings = self.conversation.settings
        return {
            "options": settings.options or None,
            "think": self.think_to_send(),
            "format": settings.format,
            "keep_alive": settings.keep_alive,
            "truncate": settings.truncate,
        }

    def next_request(
        self, draft: str, images: Sequence[str] = (), history: Sequence[Message] | None = None
    ) -> dict[str, Any]:
        """The body the chat would send for ``draft`` now, exactly as it goes out, after
        ``history`` (the whole conversation's, unless a prompt is being edited)."""
        earlier = self.conversation.request_messages() if history is None else history
        messages = [*earlier, Message("user", draft, images=tuple(images))]
        return chat_body(self.conversation.model, messages, **self._sent_settings())

    def take_arrived(self) -> ReplyChunk | None:
        """Move the text that arrived since the last call into the streaming reply
        (saved at most every ``STREAM_SAVE_SECONDS``); None when there was none."""
        reply = self.streaming
        if reply is None:
            return None
        content, thinking = self.received.take_unshown()
        if not content and not thinking:
            return None
        chunk = ReplyChunk(reply, content, thinking, self.received.first_token_s)
        self._add(chunk)
        if self.clock() - self._saved_at >= STREAM_SAVE_SECONDS:
            self._saved_at = self.clock()
            self.save()
        return chunk

    def stop(self) -> ReplyChunk | None:
        """Stop the streaming reply, keeping everything that arrived before now; the
        text it did not have yet is returned to show. The caller cancels the stream."""
        reply = self.streaming
        if reply is None:
            return None
        self.streaming = None
        rest = self.take_rest(reply)
        reply.status = ReplyStatus.STOPPED
        self._ended(reply)
        return rest

    def take_rest(self, reply: Reply) -> ReplyChunk:
        """Everything that arrived and is not in ``reply`` yet (waiting for the next
        batch, or in a batch not applied yet) goes into it."""
        received = self.received
        received.close()
        # Batches are applied in order, so the reply holds a prefix of what arrived.
        content = "".join(received.content)[len(reply.content) :]
        thinking = "".join(received.thinking)[len(reply.thinking) :]
        rest = ReplyChunk(reply, content, thinking, received.first_token_s)
        self._add(rest)
        return rest

    @staticmethod
    def _add(chunk: ReplyChunk) -> None:
        reply = chunk.reply
        reply.content += chunk.content
        reply.thinking += chunk.thinking
        reply.first_token_s = chunk.first_token_s

    def finish(self, ended: ReplyEnded) -> bool:
        """The stream ended by itself; False when the reply was stopped before."""
        if ended.reply is not self.streaming:
            return False
        self.streaming = None
        reply = ended.reply
        self.take_rest(reply)
        reply.status = ended.status
        reply.stats = ended.stats
        prompt_tokens = ended.stats.prompt_eval_count if ended.stats is not None else None
        window, label = self.context_window()
        if reply.status is ReplyStatus.COMPLETE and ended.stats is not None:
            self.counter.learn_reply(
                reply.model, reply.content, reply.thinking, ended.stats.eval_count
            )
        sent = ended.estimate
        known = label not in (SERVER_DEFAULT, MODEL_MAX)
        kept_less = sent is not None and self.counter.server_kept_less(
            reply.model, sent.sample, prompt_tokens, window, known
        )
        if sent is not None and not kept_less:
            self.counter.calibrate(reply.model, sent.sample, prompt_tokens)
        reply.prompt_truncated = kept_less or probably_truncated(prompt_tokens, window)
        if kept_less:
            reply.truncation = truncation_note(ended.roles, sent, window, prompt_tokens)
            dropped = dropped_by_server(ended.roles, sent, window, prompt_tokens)
            self.conversation.mark_unseen(t for i in dropped if (t := ended.turns[i]) is not None)
        elif reply.status is ReplyStatus.COMPLETE:
            self.conversation.mark_unseen(())
            written = ended.stats.eval_count if ended.stats is not None else None
            if (
                window
                and prompt_tokens
                and written
                and not reply.prompt_truncated
                and prompt_tokens + written > window
            ):
                reply.prompt_truncated = True
                reply.truncation = (
                    "the reply did not fit in the window after the prompt: Ollama shifted "
                    "the oldest of the conversation out as it wrote"
                )
        if ended.error is not None:
            reply.error = ended.error.explain()
        self._ended(reply)
        return True

    def _ended(self, reply: Reply) -> None:
        self.conversation.touch()
        self.save()
        if self.log is not None:
            generation = Generation.of(
                reply,
                self.conversation.settings,
                host=self.client.base_url,
                source=self.source,
                conversation_id=self.conversation.id if self.kept else None,
                server_version=self.server_version,
            )
            self.logged = self.log.add(generation)

    # -- saving -----------------------------------------------------------------------

    def save(self) -> None:
        """Saved soon, unless another ollama-tui holds it."""
        if self.kept and not self.read_only:
            self.saver.save(self.conversation)

    def switch_to(self, conversation: Conversation) -> None:
        """Go on with ``conversation``; the one left may be let go once written."""
        left = self.conversation.id
        self.conversation = conversation
        self.saver.show(conversation.id)
        if left != conversation.id:
            self.saver.left(left)
        self.read_only = not self.saver.hold(conversation)
        self.learn_replies()

    def learn_replies(self) -> None:
        """What the server counted of each finished reply (kept in its stats), for
        the meter: sent back, a reply costs that."""
        for turn in self.conversation.turns:
            if not isinstance(turn, AssistantTurn):
                continue
            for reply in turn.versions:
                if reply.status is ReplyStatus.COMPLETE and reply.stats is not None:
                    eval_count = reply.stats.eval_count
                    self.counter.learn_reply(reply.model, reply.content, reply.thinking, eval_count)
