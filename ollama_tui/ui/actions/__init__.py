"""The one table of actions: every key, what it does, where it works, its palette entry.

The bindings of every screen and widget, the footer, F1 and the command palette are
all made from ``ACTIONS``, and ``[keys]`` remaps are checked against it, so none of
them can disagree. ``scope`` names where an action works: ``app`` everywhere, else one
screen or widget, which takes ``ui.bindings.bindings(scope)`` as its ``BINDINGS`` (a
screen also names it as ``ACTION_SCOPE``, so the palette offers there what works
there). The table itself knows nothing of Textual: the command line checks remaps too.

Keys avoid what terminal multiplexers take by default (Ctrl+B for tmux, Ctrl+A for
GNU screen). Actions that must work while the prompt (a text editor) has the focus are
``priority`` bindings, so the editor's own use of a key cannot hide them; such an
action's ``check_action`` lets the key through where it does not apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ollama_tui.ui.actions.action import SCOPE_TITLES, Action
from ollama_tui.ui.actions.chat_table import CHAT_ACTIONS
from ollama_tui.ui.actions.screens_table import SCREEN_ACTIONS

__all__ = [
    "ACTIONS",
    "BY_ID",
    "SCOPE_TITLES",
    "Action",
    "check_keymap",
    "in_scope",
    "key_label",
    "keys_of",
]

MULTIPLEXER_KEYS = {"ctrl+b": "tmux", "ctrl+a": "GNU screen"}
"""Prefix keys that never reach an app running inside these, by default."""

ACTIONS: tuple[Action, ...] = (*CHAT_ACTIONS, *SCREEN_ACTIONS)

BY_ID = {action.id: action for action in ACTIONS}


def in_scope(scopes: Iterable[str]) -> list[Action]:
    wanted = set(scopes)
    return [action for action in ACTIONS if action.scope in wanted]


def keys_of(action: Action, keymap: Mapping[str, str]) -> list[str]:
    """The keys an action has after remapping."""
    text = keymap.get(action.id, action.keys)
    return [key.strip() for key in text.split(",") if key.strip()]


def check_keymap(keymap: Mapping[str, str], where: str) -> tuple[dict[str, str], list[str]]:
    """The remaps that can be applied, and one sentence per remap that cannot: an
    unknown id, a key another action in the same place already has, or a key a
    terminal multiplexer keeps for itself."""
    problems: list[str] = []
    usable: dict[str, str] = {}
    for action_id, keys in keymap.items():
        if action_id not in BY_ID:
            problems.append(f"{where}: keys.{action_id[:40]} is not a binding id (F1 lists them).")
        else:
            usable[action_id] = keys
    for action_id in list(usable):
        action = BY_ID[action_id]
        for key in keys_of(action, usable):
            if key in MULTIPLEXER_KEYS:
                problems.append(
                    f"{where}: keys.{action_id} = {key!r} is the prefix key of "
                    f"{MULTIPLEXER_KEYS[key]}, so it may never reach ollama-tui; it is used anyway."
                )
            if key in RESERVED:
                problems.append(
                    f"{where}: keys.{action_id} = {key!r} is kept for {RESERVED[key]}; "
                    "the remap is ignored."
                )
                del usable[action_id]
                break
            other = _holder(key, action, usable)
            if other is not None:
                problems.append(
                    f"{where}: keys.{action_id} = {key!r} is already the key of {other.id} "
                    f"({other.description}); the remap is ignored. Remap {other.id} too to "
                    "swap them."
                )
                del usable[action_id]
                break
    return usable, problems


def _holder(key: str, action: Action, keymap: Mapping[str, str]) -> Action | None:
    """Another action that ``key`` already triggers where ``action`` works."""
    for other in ACTIONS:
        if other is action or not _overlap(other.scope, action.scope):
            continue
        if key in keys_of(other, keymap):
            return other
    return None


INSIDE = {"composer": "chat", "sidebar": "chat", "table": "models"}
"""Widgets' scopes and the screen they sit in (a table also sits in history)."""

RESERVED = {"ctrl+p": "the command palette", "ctrl+c": "copying selected text"}


def _overlap(first: str, second: str) -> bool:
    if first == second or "app" in (first, second):
        return True
    pair = {first, second}
    return pair == {"table", "history"} or any(
        pair == {inner, outer} for inner, outer in INSIDE.items()
    )


KEY_NAMES = {
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "slash": "/",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "home": "Home",
    "end": "End",
    "left": "Left",
    "right": "Right",
    "up": "Up",
    "down": "Down",
}


def key_label(key: str) -> str:
    """How a key is written in the app: ``Ctrl+O``, ``F1``, ``/``, and a letter as
    typed (``i``, not ``I``, which would mean Shift+I)."""
    *modifiers, name = key.split("+")
    if name in KEY_NAMES:
        name = KEY_NAMES[name]
    elif len(name) > 1:
        name = name.upper() if name[0] == "f" and name[1:].isdigit() else name.capitalize()
    elif modifiers:
        name = name.upper()  # Ctrl+Q, as keyboards and menus write it
    return "+".join([*(part.capitalize() for part in modifiers), name])
