"""Connection health: whether the server answers, checked again and again, with
back-off while it is down."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.errors import MalformedResponse, OllamaError

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
        """When the next check is due, by the monitor's clock (``time.monotonic``)."""
        return self.checked_at + self.retry_in


def backoff(attempt: int) -> float:
    return BACKOFF_STEPS[min(attempt, len(BACKOFF_STEPS) - 1)]


Pause = Callable[[float, asyncio.Event], Awaitable[None]]
"""Waits up to the seconds given, or until the event is set."""


async def pause_until(delay: float, wake: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), delay)


class HealthMonitor:
    """Asks the server for its version now and then; ``on_change`` hears every
    answer. ``recheck`` asks again at once (a request just failed)."""

    def __init__(
        self,
        client: OllamaClient,
        on_change: Callable[[ConnectionState], None],
        *,
        pause: Pause = pause_until,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.on_change = on_change
        self.state = ConnectionState(checked_at=clock())
        self._pause = pause
        self._clock = clock
        self._wake = asyncio.Event()

    def recheck(self) -> None:
        self._wake.set()

    async def check(self, failures: int) -> float:
        """One check; returns how long to wait before the next."""
        try:
            version = await self.client.version()
        except Exception as error:  # one strange answer must not end the checking
            failure = (
                error
                if isinstance(error, OllamaError)
                else MalformedResponse(f"/api/version failed ({type(error).__name__}).")
            )
            delay = backoff(failures)
            self.state = ConnectionState(False, "", failure, delay, self._clock())
        else:
            delay = HEALTHY_POLL_SECONDS
            self.state = ConnectionState(True, version, checked_at=self._clock())
        self.on_change(self.state)
        return delay

    async def run(self) -> None:
        """Check now, then keep checking until cancelled."""
        failures = 0
        while True:
            self._wake.clear()
            delay = await self.check(failures)
            failures = 0 if self.state.connected else failures + 1
            await self._pause(delay, self._wake)
