"""Save the chat as a model, as ``/save`` does in ``ollama run``: the chat's model, system
prompt, options and messages sent to ``/api/create`` under a name the user gives."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any

from textual.screen import Screen

from ollama_tui.core.ollama.errors import OllamaError
from ollama_tui.core.pulls import new_name_problem
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.confirm import TextPrompt


def create_request(session: ChatSession, name: str) -> dict[str, Any]:
    conversation = session.conversation
    settings = conversation.settings
    body: dict[str, Any] = {"model": name, "from": conversation.model}
    if settings.system:
        body["system"] = settings.system
    if settings.options:
        body["parameters"] = dict(settings.options)
    messages = [m for m in conversation.request_messages() if m.role != "system"]
    if messages:
        body["messages"] = [{"role": m.role, "content": m.content} for m in messages]
    return body


class SaveAsModel:
    def __init__(self, screen: Screen[None], shared: Shared, session: ChatSession) -> None:
        self.screen = screen
        self.shared = shared
        self.session = session

    async def ask(self) -> None:
        if not self.session.conversation.model:
            self.screen.notify("Choose a model first (Ctrl+O).", severity="warning")
            return
        try:
            taken = {model.name for model in await self.shared.catalog.list_models()}
        except OllamaError as error:
            self.shared.report_error(self.screen, error)
            return

        def named(name: str | None) -> None:
            if name:
                self.screen.call_later(self.save, name.strip())

        prompt = TextPrompt(
            "Save this chat as a model",
            "Its model, system prompt, options and messages, under a new name.",
            placeholder="e.g. my-assistant",
            check=lambda name: new_name_problem(name, taken),
        )
        self.screen.app.push_screen(prompt, named)

    async def save(self, name: str) -> None:
        progress = self.shared.client.create_stream(create_request(self.session, name))
        try:
            async with aclosing(progress) as steps:
                async for _ in steps:  # nothing to upload: it ends in a moment
                    pass
        except OllamaError as error:
            self.shared.report_error(self.screen, error)
            return
        self.shared.catalog.forget(name)
        self.screen.notify(f"Saved as the model {name}: Ctrl+O chooses it.")
