"""The prompt editor: Enter sends, Ctrl+J / Alt+Enter / Shift+Enter insert a newline."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from ollama_tui.ui.bindings import bindings

NEWLINE_KEYS = {"ctrl+j", "alt+enter", "shift+enter"}
PASSED_ON = {"pageup", "pagedown", "ctrl+c", "super+c"}
"""Keys of the editor's own that the chat or the app handles (scrolling, copying)."""
EDITING_KEYS = {
    key.strip()
    for binding in TextArea.BINDINGS
    if isinstance(binding, Binding)
    for key in binding.key.split(",")
    if key.strip() not in PASSED_ON
}
"""The editor's keys (Backspace, arrows, cut, undo...), which the composer runs where they
arrive. Left to bubble up to the app, where Textual looks bindings up, a key typed just
before one that opens a dialog would be looked up in the dialog: a Backspace typed
ahead of Ctrl+G would edit the dialog's path, not the prompt."""


class Composer(TextArea):
    """A multi-line prompt input with recall of earlier prompts (Up when empty)."""

    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        max-height: 12;
    }
    """

    BINDINGS = bindings("composer")

    @dataclass
    class Submitted(Message):
        """The user pressed Enter to send ``text``."""

        composer: Composer
        text: str

        @property
        def control(self) -> Composer:
            return self.composer

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self.recall: list[str] = []
        """Earlier prompts, oldest first."""
        self._recall_index: int | None = None

    # Runs before TextArea's own key handler, which Textual calls next unless the
    # event's default is prevented.
    async def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.send()
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.action_insert_newline()
            return
        if event.key == "up" and self._recalling_allowed():
            event.stop()
            event.prevent_default()
            self._recall(-1)
            return
        if event.key == "down" and self._recall_index is not None:
            event.stop()
            event.prevent_default()
            self._recall(+1)
            return
        self._recall_index = None if event.is_printable else self._recall_index
        if event.key in EDITING_KEYS:
            # As bound now (a remap of the composer's own keys wins, as it would have).
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.node is self and active.enabled:
                event.stop()
                event.prevent_default()
                await self.run_action(active.binding.action)

    # The page keys go on to the chat screen, which scrolls the chat with them: the
    # composer is at most 12 lines tall, and its cursor still moves by line.
    def action_cursor_page_up(self) -> None:
        raise SkipAction

    def action_cursor_page_down(self) -> None:
        raise SkipAction

    def send(self) -> None:
        """Send the draft, as Enter does. It is emptied at once: keys typed right after
        start the next draft, and a prompt that cannot be sent comes back with
        ``give_back``."""
        text = self.text
        self.clear()
        self._recall_index = None
        self.post_message(self.Submitted(self, text))

    def give_back(self, text: str) -> None:
        """Put back a prompt that was not sent, before anything typed since."""
        if text:
            self.text = text + self.text
            self.move_cursor(self.document.end)

    def action_insert_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)

    def _recalling_allowed(self) -> bool:
        return bool(self.recall) and (not self.text or self._recall_index is not None)

    def _recall(self, step: int) -> None:
        index = len(self.recall) if self._recall_index is None else self._recall_index
        index += step
        if index >= len(self.recall):
            self._recall_index = None
            self.text = ""
            return
        self._recall_index = max(index, 0)
        self.text = self.recall[self._recall_index]
        self.move_cursor(self.document.end)
