"""What the chat log tells the chat screen."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ollama_tui.services.reply_relay import ReplyEnded


@dataclass
class ReplyFinished(Message):
    """The stream ended by itself (for the chat screen, which ends the reply)."""

    ended: ReplyEnded


@dataclass
class MessageChosen(Message):
    """Message mode asks the chat screen to act on one turn: ``copy``, ``code``,
    ``edit``, ``regenerate``, ``older`` or ``newer``."""

    what: str
    turn: int


class MessageModeLeft(Message):
    """The message cursor is gone: the prompt takes the keys again."""
