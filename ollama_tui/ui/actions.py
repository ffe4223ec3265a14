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
from dataclasses import dataclass

MULTIPLEXER_KEYS = {"ctrl+b": "tmux", "ctrl+a": "GNU screen"}
"""Prefix keys that never reach an app running inside these, by default."""


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
    "help": "Keys",
}

ACTIONS: tuple[Action, ...] = (
    # -- anywhere ----------------------------------------------------------------------
    Action("app.quit", "ctrl+q", "quit", "Quit", "app", "Leave ollama-tui.", "Quit", priority=True),
    Action("app.help", "f1", "help", "Help", "app", "List every key.", "Keys"),
    Action(
        "app.pull",
        "f4",
        "pull",
        "Pull",
        "app",
        "Download a model; see the queue.",
        "Pull a model",
        show=False,
    ),
    Action(
        "app.models",
        "f5",
        "models",
        "Models",
        "app",
        "Manage installed models.",
        "Models",
        show=False,
    ),
    Action(
        "app.history",
        "f9",
        "history",
        "History",
        "app",
        "Saved conversations.",
        "History",
        show=False,
    ),
    Action("app.focus-next", "tab", "focus_next", "Next field", "app", show=False, priority=True),
    Action(
        "app.focus-previous",
        "shift+tab",
        "focus_previous",
        "Previous field",
        "app",
        show=False,
        priority=True,
    ),
    # -- chat --------------------------------------------------------------------------
    Action(
        "chat.stop",
        "escape",
        "stop",
        "Stop",
        "chat",
        "Stop the reply being written (or leave editing a prompt).",
        "Stop reply",
        show=False,
        priority=True,
    ),
    Action(
        "chat.pick-model",
        "ctrl+o",
        "pick_model",
        "Model",
        "chat",
        "Choose a model.",
        "Choose model",
        priority=True,
    ),
    Action(
        "chat.new",
        "ctrl+n",
        "new_chat",
        "New",
        "chat",
        "Start a new chat.",
        "New chat",
        priority=True,
    ),
    Action(
        "chat.settings",
        "f3",
        "toggle_settings",
        "Settings",
        "chat",
        "Show or hide the sidebar: system prompt, options and presets.",
        "Settings",
        priority=True,
    ),
    Action(
        "chat.regenerate",
        "ctrl+r",
        "regenerate",
        "Regenerate",
        "chat",
        "Write the last reply again; earlier versions are kept.",
        "Regenerate reply",
        priority=True,
        show=False,
    ),
    Action(
        "chat.edit-last",
        "f2",
        "edit_last",
        "Edit",
        "chat",
        "Edit the last prompt and resend it; Esc leaves editing.",
        "Edit last prompt",
        priority=True,
        show=False,
    ),
    Action(
        "chat.copy",
        "ctrl+l",
        "copy",
        "Copy",
        "chat",
        "Copy the last reply, or one of its code blocks.",
        "Copy reply or code",
        priority=True,
    ),
    Action(
        "chat.think",
        "ctrl+t",
        "toggle_think",
        "Think",
        "chat",
        "Thinking on/off (or its level) for models that can think.",
        "Toggle thinking",
        priority=True,
        show=False,
    ),
    Action(
        "chat.attach-image",
        "ctrl+g",
        "attach_image",
        "Image",
        "chat",
        "Attach an image file (vision models).",
        "Attach image",
        show=False,
        priority=True,
    ),
    Action(
        "chat.version-previous",
        "alt+left",
        "browse_versions(-1)",
        "Older version",
        "chat",
        "Show the previous version of the last reply.",
        "Previous reply version",
        show=False,
        priority=True,
    ),
    Action(
        "chat.version-next",
        "alt+right",
        "browse_versions(1)",
        "Newer version",
        "chat",
        "Show the next version of the last reply.",
        "Next reply version",
        show=False,
        priority=True,
    ),
    Action(
        "chat.page-up",
        "pageup",
        "scroll_chat('page-up')",
        "Page up",
        "chat",
        "Scroll the chat up; it stays put as a reply streams.",
        show=False,
        priority=True,
    ),
    Action(
        "chat.page-down",
        "pagedown",
        "scroll_chat('page-down')",
        "Page down",
        "chat",
        "Scroll the chat down; at its end it follows a reply.",
        show=False,
        priority=True,
    ),
    Action(
        "chat.start",
        "ctrl+home",
        "scroll_chat('top')",
        "Chat start",
        "chat",
        "Scroll to the top of the chat.",
        show=False,
        priority=True,
    ),
    Action(
        "chat.end",
        "ctrl+end",
        "scroll_chat('end')",
        "Chat end",
        "chat",
        "Scroll to the end of the chat, and follow a streaming reply.",
        show=False,
        priority=True,
    ),
    Action(
        "chat.reset-all",
        "",
        "reset_settings",
        "Reset settings",
        "chat",
        "Every setting back to the model's default.",
        "Reset all settings",
    ),
    Action(
        "chat.apply-preset",
        "",
        "choose_preset",
        "Apply preset",
        "chat",
        "Use a saved system prompt and options.",
        "Apply preset",
    ),
    Action(
        "chat.save-preset",
        "",
        "save_preset",
        "Save preset",
        "chat",
        "Save this chat's settings under a name.",
        "Save preset",
    ),
    Action(
        "chat.make-default",
        "",
        "make_default",
        "Use for new chats",
        "chat",
        "New chats start with these settings.",
        "Use settings for new chats",
    ),
    Action(
        "chat.continue-in-copy",
        "",
        "continue_in_copy",
        "Continue in a copy",
        "chat",
        "Go on with this conversation under a new id (when another ollama-tui has it).",
        "Continue in a copy",
    ),
    Action(
        "chat.show-earlier",
        "",
        "show_earlier",
        "Show earlier",
        "chat",
        "Load older messages of this chat.",
        "Show earlier messages",
    ),
    # -- the prompt and the sidebar ----------------------------------------------------
    Action(
        "composer.newline",
        "ctrl+j,alt+enter,shift+enter",
        "insert_newline",
        "Newline",
        "composer",
        "Insert a line break (Enter sends).",
        show=False,
    ),
    Action(
        "settings.reset-field",
        "f8",
        "reset_field",
        "Reset field",
        "sidebar",
        "Clear the focused setting, so the model's default applies.",
    ),
    # -- the model picker --------------------------------------------------------------
    Action("picker.close", "escape", "dismiss_picker", "Close", "picker"),
    Action(
        "picker.choose",
        "enter",
        "choose",
        "Choose",
        "picker",
        "Chat with the highlighted model.",
        priority=True,
    ),
    Action("picker.down", "down", "cursor(1)", "Next", "picker", show=False),
    Action("picker.up", "up", "cursor(-1)", "Previous", "picker", show=False),
    Action("picker.refresh", "ctrl+r", "refresh", "Refresh", "picker", palette="Refresh models"),
    # A modal screen hides the app's own keys, so these two are repeated here.
    Action("picker.pull", "f4", "app.pull", "Pull a model", "picker"),
    Action("picker.models", "f5", "app.models", "Manage models", "picker"),
    # -- pulls -------------------------------------------------------------------------
    Action(
        "pull.close",
        "escape",
        "close",
        "Close",
        "pull",
        "Close this dialog; a pull goes on in the background.",
    ),
    Action(
        "pull.cancel",
        "ctrl+x",
        "cancel",
        "Cancel pull",
        "pull",
        "Stop the pull; what is downloaded stays on disk.",
        "Cancel pull",
        priority=True,
    ),
    Action(
        "pull.retry",
        "ctrl+r",
        "retry",
        "Retry",
        "pull",
        "Pull again, resuming from what is on disk.",
        "Retry pull",
    ),
    Action(
        "pull.chat",
        "ctrl+o",
        "chat",
        "Chat with it",
        "pull",
        "Chat with the model just pulled.",
        "Chat with the pulled model",
    ),
    # -- the models screen ---------------------------------------------------------------
    Action("models.back", "escape", "app.pop_screen", "Back", "models"),
    Action(
        "models.info",
        "i",
        "info",
        "Info",
        "models",
        "Everything Ollama knows about it.",
        "Model info",
    ),
    Action(
        "models.delete",
        "d",
        "delete",
        "Delete",
        "models",
        "Delete it (asks first).",
        "Delete model",
    ),
    Action("models.copy", "c", "copy", "Copy", "models", "Copy it to a new name.", "Copy model"),
    Action(
        "models.load",
        "l",
        "load",
        "Load",
        "models",
        "Load it into memory.",
        "Load model",
        show=False,
    ),
    Action(
        "models.unload",
        "u",
        "unload",
        "Unload",
        "models",
        "Unload it now.",
        "Unload model",
        show=False,
    ),
    Action("models.sort", "s", "sort", "Sort", "models", "By name, size or age.", "Sort models"),
    Action(
        "models.filter", "slash", "filter", "Filter", "models", "Type to filter.", "Filter models"
    ),
    Action("models.chat", "enter", "chat", "Chat", "models", "Chat with it.", show=False),
    Action(
        "models.refresh",
        "ctrl+r",
        "reload",
        "Refresh",
        "models",
        "List them again.",
        "Refresh models",
        show=False,
    ),
    Action("models.to-list", "down", "focus_list", "To the list", "models", show=False),
    Action("info.close", "escape", "dismiss(None)", "Close", "info"),
    Action(
        "info.copy",
        "ctrl+l",
        "copy_all",
        "Copy all",
        "info",
        "Copy everything shown.",
        priority=True,
    ),
    # -- history -------------------------------------------------------------------------
    Action("history.back", "escape", "app.pop_screen", "Back", "history"),
    Action(
        "history.search",
        "slash",
        "search",
        "Search",
        "history",
        "Search titles and every message.",
        "Search history",
    ),
    Action("history.rename", "r", "rename", "Rename", "history", "", "Rename conversation"),
    Action(
        "history.delete",
        "d",
        "delete",
        "Delete",
        "history",
        "Move it to the trash.",
        "Delete conversation",
    ),
    Action(
        "history.export-md", "m", "export('md')", "Export .md", "history", "", "Export as Markdown"
    ),
    Action(
        "history.export-json",
        "j",
        "export('json')",
        "Export .json",
        "history",
        "",
        "Export as JSON",
        show=False,
    ),
    Action(
        "history.import",
        "i",
        "import_file",
        "Import",
        "history",
        "Import a TOML or JSON conversation.",
        "Import a conversation",
        show=False,
    ),
    Action(
        "history.empty-trash",
        "t",
        "empty_trash",
        "Empty trash",
        "history",
        "",
        "Empty the trash",
        show=False,
    ),
    Action("history.to-list", "down", "focus_list", "To the list", "history", show=False),
    # -- lists, dialogs, questions -------------------------------------------------------
    Action("table.first", "home", "first_row", "First", "table", show=False),
    Action("table.last", "end", "last_row", "Last", "table", show=False),
    Action("copy.close", "escape", "dismiss(None)", "Close", "copy"),
    *(
        Action(f"copy.choose-{n}", str(n), f"choose({n})", f"Copy #{n}", "copy", show=False)
        for n in range(10)
    ),
    Action("confirm.no", "escape,n", "dismiss(False)", "No", "question"),
    Action("confirm.yes", "y", "dismiss(True)", "Yes", "question"),
    Action("dialog.cancel", "escape", "cancel", "Cancel", "dialog"),
    Action("help.close", "escape,f1,q", "dismiss(None)", "Close", "help"),
)

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
