"""The app's view of the server: connected, connecting, or down with a reason."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ollama_tui.core.ollama.errors import OllamaError

BACKOFF_STEPS = (1.0, 2.0, 4.0, 8.0, 15.0)
"""Seconds between reconnection attempts; the last step repeats."""

HEALTHY_POLL_SECONDS = 20.0
"""How often to re-check a server that answered, to notice it going away when idle."""


@dataclass(frozen=True)
class ConnectionState:
    connected: bool | None = None
    """None while the first check is under way."""
    version: str = ""
    error: OllamaError | None = None
    retry_in: float = 0.0
    checked_at: float = field(default_factory=time.monotonic)

    @property
    def retry_at(self) -> float:
        """When the next check is due, by ``time.monotonic``."""
        return self.checked_at + self.retry_in


def backoff(attempt: int) -> float:
    return BACKOFF_STEPS[min(attempt, len(BACKOFF_STEPS) - 1)]
