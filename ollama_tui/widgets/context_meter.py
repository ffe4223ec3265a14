"""The context meter: ``used / window tokens``, coloured at 80 % and at 100 %."""

from __future__ import annotations

from ollama_tui.tokens import Estimate
from ollama_tui.widgets.plain import Plain

WARN_SHARE = 0.8


class ContextMeter(Plain):
    def show(
        self,
        estimate: Estimate | None,
        window: int | None,
        window_note: str = "",
        last_prompt: int | None = None,
    ) -> None:
        if estimate is None:
            self.update("counting tokens…")
            return
        mark = "" if estimate.exact else "≈"
        used = f"{mark}{estimate.total:,}"
        text = f"{used} / {window:,} tokens{window_note}" if window else f"{used} tokens"
        if last_prompt is not None:
            text += f" · last prompt {last_prompt:,}"
        self.update(text)
        share = estimate.total / window if window else 0.0
        self.set_class(WARN_SHARE <= share < 1.0, "-warn")
        self.set_class(share >= 1.0, "-full")
