"""What can be done about a request that does not fit the context window: a larger
``num_ctx``, a summary standing for the oldest turns, or older turns left out.

Each works on our estimate of the request (``tokens.Estimate``, one figure per message
of ``Conversation.request()`` plus the draft), and leaves room for the reply: a window
the prompt only just fits starts the reply in a full context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ollama_tui.core.conversation import AssistantTurn, Conversation, UserTurn, with_files
from ollama_tui.core.ollama.types import Message
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.tokens import Estimate
from ollama_tui.core.truncation import MIN_REPLY_ROOM

REPLY_ROOM = 0.25
"""Room kept for the reply when raising num_ctx: this share of the prompt, at least
``MIN_REPLY_ROOM``."""
SUMMARY_TOKENS = 400
"""At most what a summary is budgeted at when choosing how much to compact (an eighth
of the window when that is less), and asked to stay within."""


def compact_budget(window: int) -> tuple[int, int]:
    """For compacting into ``window``: the summary's tokens, and the room kept for
    the reply (a quarter of the window)."""
    return min(SUMMARY_TOKENS, window // 8), window // 4


def needed(estimate: Estimate) -> int:
    """The window the request fits with room for a reply."""
    return estimate.total + max(MIN_REPLY_ROOM, round(estimate.total * REPLY_ROOM))


def raised_num_ctx(estimate: Estimate, model_max: int | None) -> int | None:
    """The smallest power of two the request fits (with room for a reply), at most
    the model's maximum; None when even that is too small."""
    size = 1 << max(0, needed(estimate) - 1).bit_length()
    if model_max is not None and size > model_max:
        return model_max if model_max >= needed(estimate) else None
    return size


@dataclass(frozen=True)
class Older:
    """A turn that could be left out of the request."""

    turn: int
    label: str
    tokens: int
    """Its share of the request, by our estimate."""
    dropped: bool
    """It must go for the request to fit with room for a reply (among the oldest)."""


def older_turns(
    conversation: Conversation,
    estimate: Estimate,
    dropped: Sequence[int],
    limit: int,
    tokens_of: Callable[[str], int],
) -> list[Older]:
    """The turns before turn ``limit`` (the new prompt, or the one being edited) that
    could be left out of requests or put back, oldest first: those sent, with their
    share of the request (``dropped``: the request's messages that must go), and
    those left out already, with ``tokens_of`` their text."""
    sent = {
        turn: index
        for index, (turn, _) in enumerate(_before_draft(conversation, estimate))
        if turn is not None
    }
    first = conversation.summary.turns if conversation.summary is not None else 0
    turns = []
    for number in range(first, min(limit, len(conversation.turns))):
        turn = conversation.turns[number]
        text = turn.content if isinstance(turn, UserTurn) else turn.reply.content
        if not text:
            continue
        label = f"{'You' if isinstance(turn, UserTurn) else 'Reply'}: {sanitize_line(text, 60)}"
        index = sent.get(number)
        if index is None:
            turns.append(Older(number, label, tokens_of(text), False))
        else:
            turns.append(Older(number, label, estimate.per_message[index], index in dropped))
    return turns


def turns_to_compact(conversation: Conversation, estimate: Estimate, window: int) -> int:
    """How many turns from the start a summary should stand for so that the request
    fits ``window`` with room for a reply: whole exchanges, never the last prompt; 0
    when compacting cannot help (nothing old enough, or the new prompt alone is too
    long)."""
    request = _before_draft(conversation, estimate)
    summary, room = compact_budget(window)
    excess = estimate.total + summary + room - window
    summarized = conversation.summary.turns if conversation.summary is not None else 0
    covered = summarized
    for index, (turn, _) in enumerate(request):
        if excess <= 0:
            break
        if turn is not None:
            excess -= estimate.per_message[index]
            covered = max(covered, turn + 1)
    # The prompt being edited, if any, is not in ``request`` and stays out.
    limit = max((turn + 1 for turn, _ in request if turn is not None), default=0)
    if covered < limit and isinstance(conversation.turns[covered], AssistantTurn):
        covered += 1  # a question goes with its answer
    return covered if excess <= 0 and summarized < covered <= limit else 0


def _before_draft(
    conversation: Conversation, estimate: Estimate
) -> list[tuple[int | None, Message]]:
    """The messages ``estimate`` counted before the next prompt (all the request's,
    less the prompt being edited and what follows it)."""
    return conversation.request()[: estimate.history_count]


def summary_request(conversation: Conversation, turns: int, tokens: int) -> list[Message]:
    """The request that asks the model to summarize the first ``turns`` turns (and the
    summary they already have, if any) in about ``tokens`` tokens."""
    lines = []
    if conversation.summary is not None:
        lines.append(f"Earlier summary: {conversation.summary.text}")
    first = conversation.summary.turns if conversation.summary is not None else 0
    for turn in conversation.turns[first:turns]:
        if turn.left_out:
            continue  # the user chose not to send it: not in the summary either
        if isinstance(turn, UserTurn):
            lines.append(f"User: {with_files(turn.content, turn.files)}")
        elif turn.reply.content:
            lines.append(f"Assistant: {turn.reply.content}")
    instruction = (
        f"Summarize the conversation below in at most {max(20, tokens * 3 // 4)} words, for the "
        "assistant to continue it: keep facts, names, numbers, code identifiers, decisions "
        "and open questions. Write only the summary."
    )
    return [Message("user", instruction + "\n\n" + "\n\n".join(lines))]
