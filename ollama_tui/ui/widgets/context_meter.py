"""The context meter: ``used / window tokens``, coloured at 80 % and at 100 %.

On a narrow screen it says the same in fewer characters, leaving the status line
beside it room for the model and the connection.
"""

from __future__ import annotations

from ollama_tui.core.tokens import Estimate
from ollama_tui.ui.widgets.plain import Plain

WARN_SHARE = 0.8
NARROW = 100
"""Below this many columns the meter is written short."""


class ContextMeter(Plain):
    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._shown: tuple[Estimate | None, int | None, str, int | None] = (None, None, "", None)

    def show(
        self,
        estimate: Estimate | None,
        window: int | None,
        window_note: str = "",
        last_prompt: int | None = None,
    ) -> None:
        self._shown = (estimate, window, window_note, last_prompt)
        if estimate is None:
            self.update("counting tokens…")
            return
        mark = "" if estimate.exact else "≈"
        used = f"{mark}{estimate.total:,}"
        if self.app.size.width < NARROW:
            text = f"{used}/{window:,} tok" if window else f"{used} tok"
        else:
            text = f"{used} / {window:,} tokens{window_note}" if window else f"{used} tokens"
            if last_prompt is not None:
                text += f" · last prompt {last_prompt:,}"
        self.update(text)
        share = estimate.total / window if window else 0.0
        self.set_class(WARN_SHARE <= share < 1.0, "-warn")
        self.set_class(share >= 1.0, "-full")

    def redraw(self) -> None:
        """Write it again for the screen's width (after a resize)."""
        self.show(*self._shown)
