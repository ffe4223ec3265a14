"""What the request handlers see of the emulator: its models, scripts and records.
``OllamaEmulator`` has all of it; the handlers take this view of it, so they need not
import the server that calls them."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ollama_tui.emulator.models import ChatReply, FakeModel, PullScript, Running, SentReply
from ollama_tui.emulator.send_log import SendLog
from ollama_tui.emulator.timing import PromptCache
from ollama_tui.emulator.truncation import Kept
from ollama_tui.emulator.wire import Writer


class Emulated(Protocol):
    models: list[FakeModel]
    running: list[Running]
    replies: deque[ChatReply]
    default_reply: Callable[[dict[str, Any]], ChatReply]
    count_prompt_tokens: Callable[[list[dict[str, Any]], str], int]
    pulls: dict[str, PullScript]
    pulled_bytes: dict[str, int]
    blobs: dict[str, int]
    disconnects: list[str]
    dropped: set[Writer]
    sent: list[SentReply]
    send_log: SendLog | None
    last_token_sent_at: float
    lock: threading.Lock
    prompt_cache: PromptCache
    last_kept: Kept | None
    pace: float

    def model(self, name: str) -> FakeModel | None: ...

    async def hold(self, hangup: asyncio.Future[Any]) -> bool: ...
