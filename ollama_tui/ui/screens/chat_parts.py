"""The chat screen's parts, as the helpers that send prompts and switch conversations
see them (the screen itself is built from those helpers, so they cannot import it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from textual.app import App
from textual.message import Message

from ollama_tui.core.conversation import Conversation
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.chatlog.view import ChatLog
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.chat_attachments import PendingAttachments
from ollama_tui.ui.screens.chat_editing import LastPromptEditing
from ollama_tui.ui.screens.chat_model import ModelChoice
from ollama_tui.ui.screens.chat_overflow import OverflowGuard
from ollama_tui.ui.screens.chat_ownership import Ownership
from ollama_tui.ui.screens.chat_settings import ChatSettingsPanel
from ollama_tui.ui.screens.chat_welcome import Welcome
from ollama_tui.ui.widgets.composer import Composer


class ChatParts(Protocol):
    shared: Shared
    session: ChatSession
    settings: ChatSettingsPanel
    editing: LastPromptEditing
    overflow: OverflowGuard
    ownership: Ownership
    model: ModelChoice
    attachments: PendingAttachments
    welcome: Welcome

    @property
    def app(self) -> App[Any]: ...
    @property
    def conversation(self) -> Conversation: ...
    @property
    def chat_log(self) -> ChatLog: ...
    @property
    def composer(self) -> Composer: ...

    def notify(self, message: str, *, title: str = "", severity: Any = "information") -> None: ...
    def call_later(self, callback: Callable[[], object]) -> bool: ...
    def post_message(self, message: Message) -> bool: ...
    def refresh_status(self) -> None: ...
    def refresh_running(self) -> object: ...
    def set_model(self, name: str) -> None: ...
    def show_turns(self) -> None: ...
    def show_welcome(self, shown: bool) -> None: ...
    async def action_stop(self) -> None: ...
