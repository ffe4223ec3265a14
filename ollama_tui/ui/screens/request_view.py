"""The request the chat would send now, as JSON, exactly as it goes to ``/api/chat``:
the messages (earlier turns and the draft), options, think, format, keep_alive and
truncate (an attached image's base64 stands in as its name and size); below it, the
prompt as the model reads it, rendered by the server where it can (Ollama 0.11.5 and
later). Read-only; Ctrl+L copies the JSON (or select a part with the mouse)."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import TextArea

from ollama_tui.core.ollama import errors
from ollama_tui.core.sanitize import sanitize
from ollama_tui.core.tokens import renders_prompts
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.chat_settings import ChatSettingsPanel
from ollama_tui.ui.widgets.composer import Composer
from ollama_tui.ui.widgets.plain import Plain


class RequestView(ModalScreen[str | None]):
    """Dismissed with the JSON to copy, or None."""

    ACTION_SCOPE = "request"
    BINDINGS = bindings("request")

    def __init__(self, body: dict[str, Any], rendering: str) -> None:
        super().__init__()
        self.text = json.dumps(body, indent=2, ensure_ascii=False)
        self.rendering = rendering
        """What the rendered prompt's pane says until (or instead of) the prompt."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog request-view"):
            yield Plain("The next request to /api/chat", classes="dialog-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="request-json")
            yield Plain("The prompt as the model reads it", classes="dialog-title")
            yield TextArea(self.rendering, read_only=True, soft_wrap=True, id="request-prompt")
            yield Plain("Ctrl+L copies the JSON · Esc closes", classes="dialog-hint")

    def show_rendered(self, prompt: str) -> None:
        """The prompt the server rendered: earlier replies and files in it are
        untrusted text, made inert."""
        self.query_one("#request-prompt", TextArea).text = sanitize(prompt)

    def action_copy_request(self) -> None:
        self.dismiss(self.text)


class NextRequest:
    """The chat's "Show the request": the body for the draft as it stands (with its
    attachments) and, where the server can, the prompt it renders from it."""

    def __init__(
        self,
        screen: Screen[None],
        shared: Shared,
        session: ChatSession,
        settings: ChatSettingsPanel,
    ) -> None:
        self.screen = screen
        self.shared = shared
        self.session = session
        self.settings = settings

    def show(self) -> None:
        draft = self.settings.draft(self.screen.query_one(Composer).text)
        images = self.settings.next_attachments()[1]
        history = self.settings.outgoing_messages()
        # An image's base64 (megabytes) stands in as its name and size.
        shown = [f"<{i.name}: {len(i.data):,} base64 characters>" for i in images]
        version = self.shared.health.state.version
        renders = renders_prompts(version)
        view = RequestView(
            self.session.next_request(draft, shown, history),
            "Rendering it (this loads the model)…"
            if renders
            else f"Ollama {version or '(version unknown)'} cannot show it: 0.11.5 and later do.",
        )

        def chosen(text: str | None) -> None:
            if text:
                self.screen.app.copy_to_clipboard(text)  # which says where it went

        self.screen.app.push_screen(view, chosen)
        if renders:
            body = self.session.next_request(draft, [i.data for i in images], history)
            self.screen.run_worker(self._render(view, body), group="render", exclusive=True)

    async def _render(self, view: RequestView, body: dict[str, Any]) -> None:
        try:
            prompt = await self.shared.client.render(body)
        except errors.OllamaError as error:
            prompt = f"The server did not render it: {error.explain()}"
        if view.is_attached:
            view.show_rendered(prompt)
