"""Message mode: the cursor on a message, where it goes, and which keys apply to the
message under it."""

from __future__ import annotations

from typing import Protocol

from textual.message import Message

from ollama_tui.core.code_blocks import code_blocks
from ollama_tui.ui.chatlog.entries import PromptEntry, ReplyEntry
from ollama_tui.ui.chatlog.messages import MessageModeLeft
from ollama_tui.ui.chatlog.scrolled import ScrolledLog

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


class CursorLog(ScrolledLog, Protocol):
    def focus(self) -> object: ...
    def refresh_bindings(self) -> None: ...
    def post_message(self, message: Message) -> bool: ...


class MessageCursor:
    def __init__(self, log: CursorLog) -> None:
        self.log = log
        self.turn: int | None = None
        """The turn the cursor is on, in message mode; None outside it."""

    def put(self, step: int) -> None:
        """Move the cursor by ``step`` (onto the last or first message when there is
        none yet), give the log the keys and bring the message into view."""
        log = self.log
        self.turn = moved(self.turn, step, len(log.turns))
        if self.turn is None:
            return
        log.focus()
        start = log.turns.index.start(self.turn)
        end = start + len(log.lines_of(self.turn))
        top, height = round(log.scroll_y), log.scrollable_content_region.height
        if start < top or end - start > height:
            log.scroll_to(y=start, animate=False, immediate=True, force=True)
        elif end > top + height:
            log.scroll_to(y=end - height, animate=False, immediate=True, force=True)
        log.refresh()
        log.refresh_bindings()

    def leave(self) -> None:
        """Leave message mode, and tell the chat (which gives the prompt the keys)."""
        if self.turn is not None:
            self.drop()
            self.log.post_message(MessageModeLeft())

    def drop(self) -> None:
        if self.turn is not None:
            self.turn = None
            self.log.refresh()
            self.log.refresh_bindings()
