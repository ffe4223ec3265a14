"""Choose a preset to apply."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ollama_tui.core.presets import Preset
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.widgets.plain import Plain, plain_line


def _summary(preset: Preset) -> Content:
    settings = preset.settings
    parts = [f"{key}={value}" for key, value in settings.options.items() if key != "stop"]
    if settings.system:
        parts.insert(0, "system prompt")
    origin = "" if preset.bundled else "  (yours)"
    return plain_line(f"{sanitize_line(preset.name, 30)}{origin}  —  {', '.join(parts)}", 110)


class PresetPicker(ModalScreen[Preset | None]):
    ACTION_SCOPE = "dialog"
    BINDINGS = bindings("dialog")

    def __init__(self, presets: list[Preset]) -> None:
        super().__init__()
        self.presets = presets

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain("Apply a preset", classes="dialog-title")
            yield OptionList(*(Option(_summary(p), id=str(i)) for i, p in enumerate(self.presets)))
            yield Plain(
                "Enter replaces this chat's system prompt and options · Esc closes",
                classes="dialog-hint",
            )

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.presets[int(event.option.id or 0)])
