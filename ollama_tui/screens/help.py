"""F1: every key binding, grouped by where it works."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys = ", ".join(_key_label(key) for key in binding.key.split(","))
        text = binding.description
        if binding.tooltip:
            text += f": {binding.tooltip}"
        rows.append((keys, text))
    return rows


def _key_label(key: str) -> str:
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss(None)", "Close", id="help.close")]

    def __init__(self, groups: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static("Keys", classes="dialog-title")
            for title, bindings in self.groups:
                rows = binding_rows(bindings)
                if not rows:
                    continue
                yield Static(title, classes="help-group")
                width = max(len(keys) for keys, _ in rows)
                text = "\n".join(f"{keys:<{width}}  {description}" for keys, description in rows)
                yield Static(text, classes="help-keys", markup=False)
            yield Static("Esc closes", classes="dialog-hint")
