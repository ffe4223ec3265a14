"""Requests a screen makes of the app, which owns the screen stack."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ollama_tui.core.conversation import Conversation


@dataclass
class ChatWith(Message):
    """Back to the chat, talking to ``model`` (the conversation is kept)."""

    model: str


@dataclass
class ShowConversation(Message):
    """Show this conversation (read from its file) in the chat."""

    conversation: Conversation


@dataclass
class OpenPull(Message):
    """The pull dialog, with ``name`` typed in."""

    name: str = ""


@dataclass
class FirstRunClosed(Message):
    """The first-run welcome went away: ``typed`` when the user started a prompt."""

    typed: bool
