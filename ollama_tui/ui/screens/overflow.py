"""The dialogs of a request that does not fit the context window: what Ollama would
drop and the remedies (each one key), the older turns to leave out, and the summary
that stands for compacted turns (shown and editable before it is used)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, SelectionList, TextArea
from textual.widgets.option_list import Option

from ollama_tui.core.remedies import Older
from ollama_tui.core.sanitize import sanitize
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.widgets.plain import Plain, plain_line


@dataclass(frozen=True)
class Remedy:
    """One line of the dialog: its key, what it does, and why not (if it cannot)."""

    choice: str
    key: str
    text: str
    unavailable: str = ""


class OverflowDialog(ModalScreen[str | None]):
    """Dismissed with the chosen remedy's ``choice``, or None to cancel."""

    ACTION_SCOPE = "overflow"
    BINDINGS = bindings("overflow")
    AUTO_FOCUS = "#overflow-remedies"

    def __init__(self, title: str, warning: str, remedies: list[Remedy]) -> None:
        super().__init__()
        self.title_text = title
        self.warning = warning
        self.remedies = {remedy.choice: remedy for remedy in remedies}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog overflow-dialog"):
            yield Plain(self.title_text, classes="dialog-title")
            yield Plain(self.warning, id="overflow-warning")
            options = []
            for r in self.remedies.values():
                why = f" — not now: {r.unavailable}" if r.unavailable else ""
                disabled = bool(r.unavailable)
                options.append(Option(f"{r.key}  {r.text}{why}", id=r.choice, disabled=disabled))
            yield OptionList(*options, id="overflow-remedies")
            yield Plain(
                "A key, or ↑↓ and Enter · Esc cancels (the prompt stays)", classes="dialog-hint"
            )

    def action_choose(self, choice: str) -> None:
        remedy = self.remedies.get(choice)
        if remedy is None:
            return
        if remedy.unavailable:
            self.notify(f"{remedy.text}: not now, {remedy.unavailable}.", severity="warning")
            return
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.action_choose(event.option.id)


class LeaveOutDialog(ModalScreen[list[int] | None]):
    """The older turns, checked if left out of requests (those that must go for the
    request to fit are checked to begin with); dismissed with the turns to leave out,
    or None. Each row starts with its cost, so a narrow terminal cuts only its text."""

    ACTION_SCOPE = "leave-out"
    BINDINGS = bindings("leave-out")
    AUTO_FOCUS = "#leave-out-list"

    def __init__(self, turns: list[Older], left_out: set[int]) -> None:
        super().__init__()
        self.turns = turns
        self.left_out = left_out

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog leave-out-dialog"):
            yield Plain("Leave out older messages", classes="dialog-title")
            yield Plain(
                "Checked messages stay in the history and on screen, dimmed, but are not "
                "sent. ✂ marks those that must go for the request to fit with room for a "
                "reply. Space checks, Enter applies, Esc cancels.",
            )
            yield SelectionList[int](
                *(
                    (
                        Content(f"~{older.tokens:>5,} tokens {'✂' if older.dropped else ' '} ")
                        # The model's text: never read as markup.
                        + plain_line(older.label),
                        older.turn,
                        older.turn in self.left_out or older.dropped,
                    )
                    for older in self.turns
                ),
                id="leave-out-list",
            )

    def action_apply(self) -> None:
        self.dismiss(list(self.query_one("#leave-out-list", SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SummaryEditor(ModalScreen[str | None]):
    """The summary that will stand for compacted turns: dismissed with its (edited)
    text, "" to have no summary, or None to cancel."""

    ACTION_SCOPE = "summary"
    BINDINGS = bindings("summary")
    AUTO_FOCUS = "#summary-text"

    def __init__(self, text: str, covers: int) -> None:
        super().__init__()
        self.text = text
        self.covers = covers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog summary-editor"):
            yield Plain(
                f"Summary standing for the first {self.covers} messages", classes="dialog-title"
            )
            yield TextArea(sanitize(self.text), soft_wrap=True, id="summary-text")
            yield Plain(
                "Edit it if you like · Ctrl+S uses it (empty: no summary) · Esc cancels",
                classes="dialog-hint",
            )

    def action_apply(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
