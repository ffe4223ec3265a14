"""Shown once, on the first run: the few keys that get someone chatting."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from ollama_tui.widgets.plain import Plain

WELCOME_TEXT = """\
ollama-tui talks to the Ollama server on your machine, or wherever OLLAMA_HOST points.

  Ctrl+O   choose a model (F4 pulls a new one)
  Enter    send your message; Ctrl+J starts a new line
  Esc      stop a reply that is being written
  F3       system prompt, temperature and every other option
  F9       your saved conversations
  F1       every key · Ctrl+P finds any action by name

Conversations are saved as you go. `ollama-tui paths` shows where."""


class WelcomeScreen(ModalScreen[str | None]):
    """Closes with the character typed at it, if any, so that someone who starts
    typing at once does not lose the first letter."""

    BINDINGS = [Binding("escape,enter,space", "dismiss(None)", "Start", id="welcome.close")]

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character and event.character != " ":
            event.stop()
            self.dismiss(event.character)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="welcome-dialog"):
            yield Plain("Welcome to ollama-tui", classes="dialog-title")
            yield Plain(WELCOME_TEXT)
            yield Plain("Enter, or just start typing · shown only once", classes="dialog-hint")
