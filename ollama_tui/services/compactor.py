"""Compacting a conversation: the model itself summarizes its oldest turns into a note
that stands for them in later requests (the turns stay in the history)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ollama_tui.core.conversation import Conversation
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import ContentDelta
from ollama_tui.core.remedies import summary_request
from ollama_tui.core.think_tags import ThinkTagSplitter

MAX_SUMMARY_CHARS = 8000
"""A summary longer than this is not a summary: it is cut (the user can edit it)."""


async def summarize(
    client: OllamaClient,
    conversation: Conversation,
    turns: int,
    tokens: int,
    options: Mapping[str, Any] | None = None,
) -> str:
    """The model's summary, in about ``tokens`` tokens, of the first ``turns`` turns
    of ``conversation``, asked with ``options`` (a window that holds those turns);
    thinking is left out."""
    splitter = ThinkTagSplitter()
    parts: list[str] = []
    messages = summary_request(conversation, turns, tokens)
    async for event in client.chat(conversation.model, messages, options=options):
        if isinstance(event, ContentDelta):
            parts.append(splitter.feed(event.text)[1])
    parts.append(splitter.finish()[1])
    return "".join(parts).strip()[:MAX_SUMMARY_CHARS]
