"""How Ollama fits a chat into ``num_ctx``, silently (``truncate`` true, the default):
the oldest messages go first, except system messages and the last message; if the
last message still does not fit, it is cut too, to about half the window (its first
tokens and its newest). With ``truncate`` false an overflow is refused instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_NUM_CTX = 4096
"""The window Ollama 0.12 gives a model when neither the request nor the Modelfile
sets one."""

Counter = Callable[[list[dict[str, Any]]], int]


@dataclass
class Kept:
    """What the model saw of a request."""

    messages: list[dict[str, Any]]
    tokens: int
    """The prompt's length as the server reports it (``prompt_eval_count``)."""
    dropped: int = 0
    """Older messages left out."""
    cut: bool = False
    """The last message itself was cut."""


def fit(messages: list[dict[str, Any]], num_ctx: int, count: Counter) -> Kept:
    base = count([])  # what the template costs without messages
    sizes = [count([message]) - base for message in messages]
    total = base + sum(sizes)
    if total <= num_ctx:
        return Kept(list(messages), total)
    kept = list(zip(messages, sizes, strict=True))
    dropped = 0
    while total > num_ctx:
        oldest = next((i for i, (m, _) in enumerate(kept[:-1]) if m.get("role") != "system"), None)
        if oldest is None:
            break
        total -= kept.pop(oldest)[1]
        dropped += 1
    left = [message for message, _ in kept]
    if total <= num_ctx:
        return Kept(left, total, dropped)
    return Kept(left, num_ctx // 2, dropped, cut=True)


def overflows(messages: list[dict[str, Any]], num_ctx: int, count: Counter) -> bool:
    return count(messages) > num_ctx
