"""Editing the last prompt in the composer, to resend it in its place; the draft that
was there waits and comes back."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from ollama_tui.core.sanitize import sanitize
from ollama_tui.ui.screens.chat_settings import ChatSettingsPanel
from ollama_tui.ui.widgets.composer import Composer
from ollama_tui.ui.widgets.plain import Plain


class LastPromptEditing:
    def __init__(
        self, screen: Screen[None], settings: ChatSettingsPanel, busy: Callable[[], bool]
    ) -> None:
        self.screen = screen
        self.settings = settings
        self.busy = busy
        """True (having said why) while a reply is under way."""
        self.draft_before = ""

    @property
    def active(self) -> bool:
        return self.settings.editing_last_prompt

    @property
    def composer(self) -> Composer:
        return self.screen.query_one(Composer)

    def start(self) -> None:
        session = self.settings.session
        turn = session.conversation.last_user_turn
        if turn is None:
            self.screen.notify("There is no prompt to edit yet.", severity="warning")
            return
        if self.busy():
            return
        if not self.active:
            # An unsent draft waits, and comes back when editing ends.
            self.draft_before = self.composer.text
        self.settings.editing_last_prompt = True
        self.composer.text = sanitize(turn.content)  # editors draw what they are given
        self.composer.move_cursor(self.composer.document.end)
        self.composer.focus()
        self.show()

    def leave(self, sent: bool = False) -> None:
        """Stop editing: the draft from before comes back, in place of the unsent edit,
        or (once the edit is ``sent``) before what was typed since."""
        if not self.active:
            return
        self.settings.editing_last_prompt = False
        draft, self.draft_before = self.draft_before, ""
        if sent:
            self.composer.give_back(draft)
        else:
            self.composer.text = draft
            self.composer.move_cursor(self.composer.document.end)
        self.show()

    def resume(self, draft_before: str) -> None:
        """Go on editing after the chat was reloaded (its text is in the composer)."""
        self.settings.editing_last_prompt = True
        self.draft_before = draft_before
        self.show()

    def show(self) -> None:
        self.screen.query_one("#editing", Plain).display = self.active
        self.composer.set_class(self.active, "-editing")
        self.settings.recount()
