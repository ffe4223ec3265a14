"""What Ollama leaves out of a request that does not fit its window, said before
(the overflow warning: what would go) and after (what went, from the server's count),
from our estimate of each message (``tokens.Estimate``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ollama_tui.core.ollama.types import Message
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.tokens import KEPT_LESS_MARGIN, Estimate

MIN_REPLY_ROOM = 256
"""At most this much of the window is asked to be left for a reply (a quarter of a
smaller window)."""
TRUNCATION_MARGIN = 0.98
"""A prompt that came back at this share of the window or more was probably trimmed."""


def dropped_messages(
    roles: Sequence[str], per_message: Sequence[int], window: int, fixed: int = 0
) -> list[int]:
    """Indexes of the messages Ollama would drop to fit ``window`` (``fixed`` is the
    template's part around them): the oldest first, never a system message and never
    the last message."""
    total = sum(per_message) + fixed
    dropped: list[int] = []
    for index, role in enumerate(roles[:-1]):
        if total <= window:
            break
        if role == "system":
            continue
        dropped.append(index)
        total -= per_message[index]
    return dropped


def reply_room(window: int) -> int:
    """Tokens a request should leave for the reply: Ollama reserves none, and a reply
    that does not fit shifts the oldest of the context out as it is written."""
    return min(MIN_REPLY_ROOM, window // 4)


def safe_limit(estimate: Estimate, window: int) -> int:
    """The most a request may hold and surely fit ``window`` with room for a reply."""
    return min(math.floor(window * (1 - estimate.margin)), window - reply_room(window))


def needs_warning(estimate: Estimate, window: int) -> bool:
    """The request is over the window, too close to it to tell, or leaves too little
    room for a reply."""
    return estimate.total > safe_limit(estimate, window)


def overflow_warning(messages: Sequence[Message], estimate: Estimate, window: int) -> str:
    """What Ollama would silently drop from ``messages`` plus the next prompt (or may,
    when the estimate is just under the window)."""
    roles = [m.role for m in messages] + ["user"]
    over = estimate.total > window
    # Estimates can be off by the margin: what may go is named, not only what must.
    limit = math.floor(window * (1 - estimate.margin))
    dropped = dropped_messages(roles, estimate.per_message, limit, estimate.fixed)
    named = [_describe(messages[i]) for i in dropped[:LISTED]]
    if len(dropped) > LISTED:
        named.append(f"and {len(dropped) - LISTED} more older messages")
    kept = estimate.total - sum(estimate.per_message[i] for i in dropped)
    if kept > limit:  # what is left does not fit either: the prompt itself is cut
        system = " and of the system prompt" if "system" in roles[:-1] else ""
        named.append(f"the start of your new prompt{system} (about {window // 2:,} tokens kept)")
    if over:
        return (
            f"This request is about {estimate.total:,} tokens, more than the {window:,}-token "
            f"window. Ollama would silently drop: {', '.join(named)}."
        )
    room = window - estimate.total
    if not named:
        return (
            f"This request is about {estimate.total:,} tokens: it leaves {room:,} of the "
            f"{window:,}-token window for the reply; a longer reply pushes the oldest of "
            "the conversation out of the model's view as it is written."
        )
    off = "Estimates can be a few percent off"
    if not estimate.calibrated:
        off = "This model's count is not learnt yet: the estimate can be a fifth off"
    return (
        f"This request is about {estimate.total:,} tokens, just under the {window:,}-token "
        f"window. {off}; if it is over, Ollama silently drops: {', '.join(named)}."
    )


LISTED = 4
"""Dropped messages named in a warning; more are counted."""


def _describe(message: Message) -> str:
    who = {"user": "your prompt", "assistant": "the reply"}.get(message.role, message.role)
    return f"{who} {sanitize_line(message.content, 30)!r}"


def probably_truncated(prompt_eval_count: int | None, window: int | None) -> bool:
    return bool(prompt_eval_count and window and prompt_eval_count >= window * TRUNCATION_MARGIN)


def dropped_by_server(
    roles: Sequence[str],
    estimate: Estimate | None,
    window: int | None,
    counted: int | None = None,
) -> list[int]:
    """Which messages of a request Ollama dropped (the oldest first, never a system
    message or the last one): as many as bring our estimate closest to what the
    server ``counted`` of what it kept, or, without its count, as many as ``window``
    needs by our estimate."""
    if window is None or estimate is None:
        return []
    if not counted:
        return dropped_messages(roles, estimate.per_message, window, estimate.fixed)
    order = [index for index, role in enumerate(roles[:-1]) if role != "system"]
    remaining, best, dropped = estimate.total, abs(estimate.total - counted), 0
    for number, index in enumerate(order, 1):
        remaining -= estimate.per_message[index]
        if abs(remaining - counted) < best:
            best, dropped = abs(remaining - counted), number
    return order[:dropped]


def truncation_note(
    roles: Sequence[str], estimate: Estimate | None, window: int | None, counted: int | None
) -> str:
    """What Ollama left out of a request it truncated (``dropped_by_server``): "Ollama
    dropped the 6 oldest messages and cut the start of your prompt"."""
    unknown = "Ollama counted less than was sent: it dropped part of the request"
    if window is None or estimate is None or not roles:
        return unknown
    sizes = estimate.per_message
    dropped = dropped_by_server(roles, estimate, window, counted)
    parts = []
    if dropped:
        oldest = f"{len(dropped)} oldest messages" if len(dropped) > 1 else "oldest message"
        parts.append(f"dropped the {oldest}")
    remaining = estimate.total - sum(sizes[i] for i in dropped)
    # Whole messages explain what the server counted, unless even the closest choice
    # of them leaves clearly more than it counted: then the prompt itself was cut.
    if remaining > window or (counted and counted < remaining * (1 - KEPT_LESS_MARGIN)):
        parts.append("cut the start of your prompt")
    if not parts:
        return unknown
    return "Ollama " + " and ".join(parts)
