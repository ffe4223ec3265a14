"""Asking for a model once the server first answers, when none is chosen: not over
the first-run welcome, and not once the user has started typing a prompt (the picker
would take their keys)."""

from __future__ import annotations

from collections.abc import Callable


class FirstModelPrompt:
    def __init__(self, pick: Callable[[], None]) -> None:
        self.pick = pick
        self.welcoming = False
        """The first-run welcome is up."""
        self._asked = False
        self.after_welcome = False
        """The server answered with no model chosen: the picker opens once the welcome
        closes (unless the user started typing)."""

    def server_answered(self, has_model: bool) -> None:
        if has_model or self._asked:
            return
        self._asked = True
        if self.welcoming:
            self.after_welcome = True
        else:
            self.pick()

    def welcome_closed(self, typed: bool) -> None:
        self.welcoming = False
        if self.after_welcome and not typed:
            self.pick()
