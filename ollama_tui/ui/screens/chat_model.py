"""Which model the chat talks to: choosing it, and learning what it can do."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from ollama_tui.core.config import remember
from ollama_tui.core.ollama import errors
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.model_picker import ModelPicker


@dataclass
class ModelMissing(Message):
    """The server says the chosen model is not installed."""

    model: str


@dataclass
class ModelChosen(Message):
    """The user chose ``model`` in the picker (``""``: closed without choosing)."""

    model: str


class ModelChoice:
    def __init__(self, screen: Screen[None], shared: Shared, session: ChatSession) -> None:
        self.screen = screen
        self.shared = shared
        self.session = session
        self._said_missing: set[str] = set()

    def pick(self) -> None:
        """Open the model picker (once), and chat with the model chosen there."""
        app = self.screen.app
        if any(isinstance(screen, ModelPicker) for screen in app.screen_stack):
            return

        def chosen(name: str | None) -> None:
            self.screen.post_message(ModelChosen(name or ""))

        app.push_screen(ModelPicker(self.shared), chosen)

    def remember(self, name: str) -> None:
        """The next start uses this model too."""
        problem = remember(self.shared.config, last_model=name)
        if problem:
            self.screen.notify(problem, title="Settings not saved", severity="warning")

    def load_info(self, name: str) -> Worker[None]:
        return self.screen.run_worker(
            partial(self._load_info, name), group="model-info", exclusive=True, exit_on_error=False
        )

    async def _load_info(self, name: str) -> None:
        try:
            await self.shared.catalog.show(name)
        except errors.ModelNotFound:
            self.screen.post_message(ModelMissing(name))
        except errors.OllamaError:
            pass  # asked again when the server is back

    def say_missing(self, model: str) -> None:
        """Said as soon as it is known, not only when a prompt fails."""
        if model != self.session.conversation.model or model in self._said_missing:
            return
        self._said_missing.add(model)
        self.screen.notify(
            f"{model} is not installed on this server. F4 pulls it; Ctrl+O chooses another model.",
            title="Model not installed",
            severity="warning",
            timeout=10,
        )
