"""The chat log as its parts (find, message mode) see it: its turns and lines, and
how to scroll it (the parts are built by the log, so they cannot import it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual.geometry import Region

from ollama_tui.ui.chatlog.turns import ShownTurns
from ollama_tui.ui.render.line import ChatLine


class ScrolledLog(Protocol):
    turns: ShownTurns
    scroll_y: float

    @property
    def scrollable_content_region(self) -> Region: ...
    def lines_of(self, turn: int) -> Sequence[ChatLine]: ...
    def scroll_to(
        self,
        x: float | None = None,
        y: float | None = None,
        *,
        animate: bool = True,
        force: bool = False,
        immediate: bool = False,
    ) -> None: ...
    def refresh(self) -> object: ...
