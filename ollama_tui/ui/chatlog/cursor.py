"""Message mode's rules: where the cursor goes, and which keys apply to a message."""

from __future__ import annotations

from ollama_tui.core.code_blocks import code_blocks
from ollama_tui.ui.chatlog.entries import PromptEntry, ReplyEntry

MESSAGE_ACTIONS = ("move", "choose", "toggle_thinking", "leave")
CHOICES = {"copy", "code", "edit", "regenerate", "older", "newer"}
"""What the chat screen can be asked to do to a message (``MessageChosen.what``)."""


def moved(cursor: int | None, step: int, count: int) -> int | None:
    """The cursor ``step`` messages on (onto the last or the first message when there
    is none yet), among ``count`` messages."""
    if not count:
        return None
    if cursor is None:
        return count - 1 if step < 0 else 0
    return max(0, min(count - 1, cursor + step))


def applies(entry: PromptEntry | ReplyEntry, action: str, what: str) -> bool:
    """Whether message mode's ``action`` (``choose(what)``) applies to ``entry``."""
    if action == "toggle_thinking":
        return isinstance(entry, ReplyEntry) and bool(entry.thinking)
    if what == "edit":
        return isinstance(entry, PromptEntry)
    if what == "regenerate":
        return isinstance(entry, ReplyEntry)
    if what in ("older", "newer"):
        return isinstance(entry, ReplyEntry) and len(entry.turn.versions) > 1
    if what == "code":
        return bool(code_blocks(entry.source()))
    return True
