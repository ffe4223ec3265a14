"""F1: every key binding, grouped by where it works."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from ollama_tui.widgets.plain import Plain


def binding_groups() -> list[tuple[str, list[BindingType]]]:
    """Every binding in the app, grouped by where it works."""
    from ollama_tui.app import OllamaTUI
    from ollama_tui.screens.chat import ChatScreen
    from ollama_tui.screens.confirm import Confirm, TextPrompt
    from ollama_tui.screens.history import HistoryScreen
    from ollama_tui.screens.model_picker import ModelPicker
    from ollama_tui.screens.models import ModelInfoScreen, ModelsScreen
    from ollama_tui.screens.pull import PullScreen
    from ollama_tui.widgets.composer import Composer
    from ollama_tui.widgets.sidebar import SettingsSidebar

    return [
        ("Anywhere", list(OllamaTUI.BINDINGS)),
        ("Chat", list(ChatScreen.BINDINGS)),
        ("Composer", list(Composer.BINDINGS)),
        ("Settings sidebar", list(SettingsSidebar.BINDINGS)),
        ("Model picker", list(ModelPicker.BINDINGS)),
        ("Pull", list(PullScreen.BINDINGS)),
        ("Models screen", list(ModelsScreen.BINDINGS)),
        ("Model info", list(ModelInfoScreen.BINDINGS)),
        ("History", list(HistoryScreen.BINDINGS)),
        ("Questions", [*Confirm.BINDINGS, *TextPrompt.BINDINGS]),
        ("Keys", list(HelpScreen.BINDINGS)),
    ]


def binding_rows(
    bindings: list[BindingType], keymap: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """Keys (after remaps) and what they do; ids are shown so remaps can name them."""
    rows = []
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        key_text = (keymap or {}).get(binding.id or "", binding.key)
        keys = ", ".join(_key_label(key) for key in key_text.split(","))
        text = binding.description
        if binding.tooltip:
            text += f": {binding.tooltip}"
        if binding.id:
            text += f"  [{binding.id}]"
        rows.append((keys, text))
    return rows


KEY_NAMES = {"pageup": "PgUp", "pagedown": "PgDn"}


def _key_label(key: str) -> str:
    return "+".join(
        KEY_NAMES.get(part, part.capitalize() if len(part) > 1 else part.upper())
        for part in key.split("+")
    )


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss(None)", "Close", id="help.close")]

    def __init__(
        self, groups: list[tuple[str, list[BindingType]]], keymap: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.groups = groups
        self.keymap = keymap or {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Plain("Keys", classes="dialog-title")
            for title, bindings in self.groups:
                rows = binding_rows(bindings, self.keymap)
                if not rows:
                    continue
                yield Plain(title, classes="help-group")
                width = max(len(keys) for keys, _ in rows)
                text = "\n".join(f"{keys:<{width}}  {description}" for keys, description in rows)
                yield Plain(text, classes="help-keys")
            yield Plain("Esc closes", classes="dialog-hint")
