"""The request the chat would send now, as JSON, exactly as it goes to ``/api/chat``:
the messages (earlier turns and the draft), options, think, format, keep_alive and
truncate (an attached image's base64 stands in as its name and size). Read-only;
Ctrl+L copies it (or select a part with the mouse)."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import TextArea

from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.widgets.plain import Plain


class RequestView(ModalScreen[str | None]):
    """Dismissed with the JSON to copy, or None."""

    ACTION_SCOPE = "request"
    BINDINGS = bindings("request")

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__()
        self.text = json.dumps(body, indent=2, ensure_ascii=False)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog request-view"):
            yield Plain("The next request to /api/chat", classes="dialog-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="request-json")
            yield Plain("Ctrl+L copies it · Esc closes", classes="dialog-hint")

    def action_copy_request(self) -> None:
        self.dismiss(self.text)
