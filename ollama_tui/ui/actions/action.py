"""What an action is: its id, keys, what it runs, where it applies and how it is named."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    id: str
    keys: str
    """Comma-separated Textual key names; empty for a palette-only action."""
    action: str
    """The action string run on the screen or widget (or the app, for ``app``)."""
    description: str
    scope: str
    tooltip: str = ""
    palette: str = ""
    """Title in the command palette; empty keeps the action out of it."""
    show: bool = True
    """Shown in the footer."""
    priority: bool = False


SCOPE_TITLES = {
    "app": "Anywhere",
    "chat": "Chat",
    "composer": "Prompt",
    "messages": "Message mode (Alt+Up)",
    "find": "Find (Ctrl+F)",
    "sidebar": "Settings sidebar",
    "picker": "Model picker",
    "pull": "Pull",
    "models": "Models screen",
    "info": "Model info",
    "history": "History",
    "table": "Lists (models, history)",
    "copy": "Copy dialog",
    "question": "Questions",
    "dialog": "Dialogs",
    "request": "The next request (Ctrl+P: Show the request)",
    "overflow": "Context overflow",
    "leave-out": "Leave out older messages",
    "summary": "Summary of compacted turns",
    "help": "Keys",
}
