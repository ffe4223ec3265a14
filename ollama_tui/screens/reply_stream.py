"""Relay a chat stream to the screen in batches.

The chat screen's worker runs ``relay_stream``: it reads events as fast as the
server sends them (in a separate pump task, so reading never waits for the screen),
gathers the text, and posts a ``ReplyChunk`` every ``flush_seconds``. It returns the
``ReplyEnded`` message for the worker to post.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from textual.message import Message

from ollama_tui.conversation import Reply, ReplyStatus
from ollama_tui.ollama import errors
from ollama_tui.ollama.types import ChatEvent, ContentDelta, Done, Stats, ThinkingDelta
from ollama_tui.think_tags import ThinkTagSplitter


@dataclass
class ReplyChunk(Message):
    """Tokens gathered by the streaming worker since the last chunk."""

    reply: Reply
    content: str
    thinking: str
    first_token_s: float | None


@dataclass
class ReplyEnded(Message):
    reply: Reply
    status: ReplyStatus
    stats: Stats | None = None
    error: errors.OllamaError | None = None
    estimated_tokens: int = 0
    """Our uncalibrated count of the request, to calibrate against the server's."""


async def relay_stream(
    stream: AsyncGenerator[ChatEvent, None],
    reply: Reply,
    post: Callable[[Message], object],
    flush_seconds: Callable[[], float],
) -> ReplyEnded:
    started = time.monotonic()
    first_token: float | None = None
    content: list[str] = []
    thinking: list[str] = []
    splitter = ThinkTagSplitter()
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def pump() -> None:
        try:
            async with aclosing(stream) as events:
                async for event in events:
                    queue.put_nowait(event)
        except errors.OllamaError as error:
            queue.put_nowait(error)
        finally:
            queue.put_nowait(None)

    def flush() -> None:
        if content or thinking:
            post(ReplyChunk(reply, "".join(content), "".join(thinking), first_token))
            content.clear()
            thinking.clear()

    pump_task = asyncio.create_task(pump())
    last_flush = time.monotonic()
    stats: Stats | None = None
    failure: errors.OllamaError | None = None
    ended = False
    try:
        while not ended:
            wait = max(0.0, flush_seconds() - (time.monotonic() - last_flush))
            try:
                item = await asyncio.wait_for(queue.get(), wait if content or thinking else None)
            except TimeoutError:
                item = ...
            # Whatever else has arrived is taken without waiting: a fast server's
            # backlog would otherwise cost a timed wait per token.
            items = [item]
            while not queue.empty():
                items.append(queue.get_nowait())
            for item in items:
                if isinstance(item, ContentDelta | ThinkingDelta):
                    if first_token is None:
                        first_token = time.monotonic() - started
                    if isinstance(item, ThinkingDelta):
                        thinking.append(item.text)
                    else:
                        think_part, content_part = splitter.feed(item.text)
                        thinking.append(think_part)
                        content.append(content_part)
                elif isinstance(item, Done):
                    stats = item.stats
                elif isinstance(item, errors.OllamaError):
                    failure = item
                elif item is None:
                    ended = True
            if not ended and time.monotonic() - last_flush >= flush_seconds():
                flush()
                last_flush = time.monotonic()
        think_part, content_part = splitter.finish()
        thinking.append(think_part)
        content.append(content_part)
        flush()
    finally:
        # Awaited, not just cancelled: asyncio holds tasks weakly, and a pump
        # collected before it runs its cancellation would leave the HTTP stream
        # open, so Ollama would go on generating.
        pump_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump_task
    if failure is None:
        return ReplyEnded(reply, ReplyStatus.COMPLETE, stats)
    interrupted = isinstance(failure, errors.StreamFailed)
    status = ReplyStatus.INTERRUPTED if interrupted else ReplyStatus.ERROR
    return ReplyEnded(reply, status, error=failure)
