"""The command palette's entries: Textual's own, then every action of the table that
works on the screen the palette was opened from, run on that screen."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.screen import Screen

from ollama_tui.ui.actions import in_scope

TEXTUAL_COMMANDS_REPLACED = {"Keys", "Quit", "Screenshot"}
"""Ours instead ("Screenshot" says where it saved in markup, which toasts here show as
it is)."""


def scope_of(screen: Screen[object]) -> str:
    return str(getattr(screen, "ACTION_SCOPE", ""))


def palette_commands(
    app: App[None], screen: Screen[object], textual_commands: Iterable[SystemCommand]
) -> Iterable[SystemCommand]:
    for command in textual_commands:
        if command.title not in TEXTUAL_COMMANDS_REPLACED:
            yield command
    scope = scope_of(screen)
    for action in in_scope(["app", scope]):
        if action.palette and action.id != f"app.{scope}":  # not the screen shown
            target: App[None] | Screen[object] = app if action.scope == "app" else screen
            run = partial(target.run_action, action.action)
            yield SystemCommand(action.palette, action.tooltip or action.description, run)
