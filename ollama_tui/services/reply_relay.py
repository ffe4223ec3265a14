"""Read a chat stream into a record of everything received, losing nothing.

``relay_stream`` reads the stream as fast as the server sends it into a ``Received``
record, which always holds everything received so far, and returns the
``ReplyEnded`` event. Whoever shows the reply takes the text not shown yet from the
record at its own pace (the TUI at each frame); stopping a reply cancels the relay,
and the rest is then taken from the record, so nothing that arrived before the stop
is lost. Whatever goes wrong while the stream is read ends the reply as failed, with
a reason and the text received.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field

from ollama_tui.core.conversation import Reply, ReplyStatus
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import ChatEvent, ContentDelta, Done, Stats, ThinkingDelta
from ollama_tui.core.think_tags import ThinkTagSplitter
from ollama_tui.core.tokens import Estimate


@dataclass
class ReplyChunk:
    """Text received since the last chunk."""

    reply: Reply
    content: str
    thinking: str
    first_token_s: float | None


@dataclass
class ReplyEnded:
    reply: Reply
    status: ReplyStatus
    stats: Stats | None = None
    error: errors.OllamaError | None = None
    estimate: Estimate | None = None
    """Our count of the request, to calibrate against the server's."""
    roles: tuple[str, ...] = ()
    """The role of each message of the request."""
    turns: tuple[int | None, ...] = ()
    """The turn each message of the request came from (None: the system prompt)."""


@dataclass
class Received:
    """Everything a stream has delivered, and how much of it has been shown."""

    clock: Callable[[], float] = time.monotonic
    started: float = -1.0
    """When the request went out, by ``clock``."""
    last_arrival: float | None = None
    """When text last arrived, by ``clock``."""
    content: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    first_token_s: float | None = None
    stats: Stats | None = None
    failure: errors.OllamaError | None = None
    ended: bool = False
    closed: bool = False
    """Set when the reply was stopped: what arrives later is not part of it."""
    shown: tuple[int, int] = (0, 0)
    """How many parts of ``content`` and ``thinking`` have been emitted."""
    _splitter: ThinkTagSplitter = field(default_factory=ThinkTagSplitter)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def take(self, event: ChatEvent) -> None:
        if self.closed:
            return
        if isinstance(event, ContentDelta | ThinkingDelta):
            self.last_arrival = self.clock()
            if self.first_token_s is None:
                self.first_token_s = self.last_arrival - self.started
            if isinstance(event, ThinkingDelta):
                self.thinking.append(event.text)
            else:
                think_part, content_part = self._splitter.feed(event.text)
                self.thinking.append(think_part)
                self.content.append(content_part)
        elif isinstance(event, Done):
            self.stats = event.stats

    def close(self) -> None:
        """No more text: what a ``<think>`` tag split was holding back is let out."""
        if not self.closed:
            think_part, content_part = self._splitter.finish()
            self.thinking.append(think_part)
            self.content.append(content_part)
            self.closed = True

    def silence(self) -> tuple[bool, float]:
        """Whether any text has come yet, and for how long none has."""
        since = self.last_arrival if self.last_arrival is not None else self.started
        return self.last_arrival is not None, self.clock() - since

    def take_unshown(self) -> tuple[str, str]:
        """The text not emitted yet, which is now counted as shown."""
        content_from, thinking_from = self.shown
        self.shown = (len(self.content), len(self.thinking))
        return "".join(self.content[content_from:]), "".join(self.thinking[thinking_from:])


class ArrivalFailed(Exception):
    """What ``relay_stream``'s caller did with an arrival failed (``error``)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


async def relay_stream(
    stream: AsyncGenerator[ChatEvent, None],
    reply: Reply,
    received: Received,
    on_arrival: Callable[[], object] | None = None,
) -> ReplyEnded:
    """Read ``stream`` into ``received`` as fast as the server sends it, to its end,
    calling ``on_arrival`` after each event (the command line prints as it comes).

    Cancelling this closes the stream (so Ollama stops generating); ``received``
    keeps everything that had arrived. An error in ``on_arrival`` (its reader gone:
    a broken pipe) closes the stream too, and is raised as ``ArrivalFailed``: it is
    not the server's."""
    arrival_failed: Exception | None = None
    try:
        async with aclosing(stream) as events:
            async for event in events:
                received.take(event)
                if on_arrival is None:
                    continue
                try:
                    on_arrival()
                except Exception as error:
                    arrival_failed = error
                    break
    except errors.OllamaError as error:
        received.failure = error
    except Exception as error:  # the reply fails with a reason instead
        received.failure = errors.MalformedResponse(
            f"Reading the reply failed unexpectedly ({type(error).__name__})."
        )
    finally:
        received.ended = True
    if arrival_failed is not None:
        raise ArrivalFailed(arrival_failed) from arrival_failed
    failure = received.failure
    if failure is None:
        return ReplyEnded(reply, ReplyStatus.COMPLETE, received.stats)
    interrupted = isinstance(failure, errors.StreamFailed) and (
        any(received.content) or any(received.thinking)
    )
    status = ReplyStatus.INTERRUPTED if interrupted else ReplyStatus.ERROR
    return ReplyEnded(reply, status, error=failure)
