"""Small reusable questions: yes or no, and one line of text with a check."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.widgets.plain import Plain


class Confirm(ModalScreen[bool]):
    """Dismisses with True for yes; Esc or "n" is no."""

    ACTION_SCOPE = "question"
    BINDINGS = bindings("question")

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="error")
                yield Button(f"{self.no} (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line; ``check`` returns why a value is refused, or ""."""

    ACTION_SCOPE = "dialog"
    BINDINGS = bindings("dialog")

    def __init__(
        self,
        title: str,
        hint: str,
        *,
        value: str = "",
        placeholder: str = "",
        check: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.value = value
        self.placeholder = placeholder
        self.check = check or (lambda text: "" if text else "Type something first.")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.title_text, classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder)
            yield Plain(self.hint, classes="dialog-hint", id="prompt-hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        problem = self.check(text)
        if problem:
            hint = self.query_one("#prompt-hint", Plain)
            hint.update(problem)
            hint.add_class("-error")
            return
        self.dismiss(text)
