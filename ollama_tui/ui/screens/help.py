"""F1: every key, grouped by where it works, as the table of actions has them."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen

from ollama_tui.ui.actions import ACTIONS, SCOPE_TITLES, Action, key_label, keys_of
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.widgets.plain import Plain


def action_rows(actions: list[Action], keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """Keys (after remaps) and what they do; ids are shown so remaps can name them."""
    rows = []
    for action in actions:
        keys = keys_of(action, keymap)
        key_text = ", ".join(key_label(key) for key in keys) if keys else "(palette)"
        if action.id in keymap:
            key_text += " (yours)"
        text = action.description
        if action.tooltip:
            text += f": {action.tooltip}"
        rows.append((key_text, f"{text}  [{action.id}]"))
    return rows


class HelpScreen(ModalScreen[None]):
    ACTION_SCOPE = "help"
    BINDINGS = bindings("help")

    def __init__(self, keymap: Mapping[str, str] | None = None, first: str = "") -> None:
        super().__init__()
        self.keymap = dict(keymap or {})
        """The remaps in effect."""
        self.first = first
        """The scope of the screen F1 was pressed on: its keys come first."""

    def compose(self) -> ComposeResult:
        scopes = sorted(SCOPE_TITLES, key=lambda scope: scope != self.first)
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Plain("Keys", classes="dialog-title")
            for scope in scopes:
                rows = action_rows([a for a in ACTIONS if a.scope == scope], self.keymap)
                if not rows:
                    continue
                yield Plain(SCOPE_TITLES[scope], classes="help-group")
                for keys, description in rows:
                    with Horizontal(classes="help-row"):
                        yield Plain(keys, classes="help-key")
                        yield Plain(description, classes="help-text")
            yield Plain(
                "Esc closes · keys marked (yours) come from [keys] in config.toml",
                classes="dialog-hint",
            )
