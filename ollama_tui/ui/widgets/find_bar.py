"""The find bar: what to look for in the conversation, and which match is shown. The
chat log marks the matches and shows the current one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input

from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.chatlog.view import ChatLog
from ollama_tui.ui.widgets.plain import Plain


class FindBar(Horizontal):
    BINDINGS = bindings("find")

    class Closed(Message):
        """The bar was closed: the prompt takes the keys again."""

    def __init__(self, log: ChatLog, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.chat_log = log

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="Find in this conversation · Enter next · Shift+Enter previous · Esc",
            id="find-input",
            compact=True,
        )
        yield Plain("", id="find-count")

    @property
    def input(self) -> Input:
        return self.query_one("#find-input", Input)

    def open(self) -> None:
        """Show the bar, with the last search marked again."""
        self.display = True
        self.input.focus()
        self.input.select_all()
        if self.input.value:
            self.search(self.input.value)

    def search(self, text: str) -> None:
        """Every match is marked, and the first from where the reader is shown."""
        self.chat_log.search.find(text)
        self.step(1)

    def step(self, direction: int) -> None:
        self.show_count(*self.chat_log.search.step(direction))

    def show_count(self, current: int, total: int) -> None:
        text = self.input.value
        if not text:
            label = ""
        elif not total:
            label = "no match"
        elif current:
            label = f"{current} of {total}"
        else:
            label = f"{total} match{'es' if total != 1 else ''}"
        self.query_one("#find-count", Plain).update(label)

    @on(Input.Changed, "#find-input")
    def changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    @on(Input.Submitted, "#find-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.step(1)

    def action_next_match(self, direction: int) -> None:
        self.step(direction)

    def action_close(self) -> None:
        self.display = False
        self.chat_log.search.end()
        self.post_message(self.Closed())
