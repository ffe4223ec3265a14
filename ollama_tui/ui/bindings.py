"""Textual bindings made from the table of actions (``ollama_tui.ui.actions``)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from ollama_tui.ui.actions import ACTIONS


def bindings(scope: str) -> list[BindingType]:
    """The bindings of one scope, for a screen's or widget's ``BINDINGS``."""
    return [
        Binding(
            action.keys,
            action.action,
            action.description,
            show=action.show,
            id=action.id,
            tooltip=action.tooltip,
            priority=action.priority,
        )
        for action in ACTIONS
        if action.scope == scope and action.keys
    ]
