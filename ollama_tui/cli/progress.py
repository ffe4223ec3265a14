"""Progress of a long command on stderr: Rich's progress bar on a terminal, a plain line
per step otherwise (a log file, a CI job), so stdout stays the command's output.

Steps (``step``: prompts, runs, batches) are counted; bytes (``show``: a file hashed
or uploaded) are shown as sizes and a rate, and in a log only when the step changes,
ends, or every ``LOG_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO, Any, Literal

from ollama_tui.core.formatting import human_size

LOG_SECONDS = 5.0
"""How often byte counts are written when stderr is not a terminal."""


class Progress:
    def __init__(
        self,
        err: IO[str],
        total: int,
        what: str,
        *,
        live: bool | None = None,
        unit: Literal["steps", "bytes"] = "steps",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.err, self.total, self.what = err, total, what
        self.done = 0
        self._bar: Any = None
        self._clock = clock
        self._logged: tuple[str, float] | None = None
        """The description last written to a log, and when."""
        self._shown = ""
        """The step the bar shows (``show``)."""
        if err.isatty() if live is None else live:
            # Imported here: the chat's start-up does not need Rich's progress.
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            from ollama_tui.cli.progress_columns import columns

            self._bar = RichProgress(
                *columns(unit),
                console=Console(file=err, force_terminal=live),
                transient=False,
            )
            self._bar.start()
            if unit == "steps":
                self._task = self._bar.add_task(what, total=total)

    def step(self, note: str = "") -> None:
        """One more of ``total`` done; ``note`` says how it went (failed, tok/s...)."""
        self.done += 1
        description = f"{self.what} {note}".strip()
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=description)
        else:
            self.err.write(f"{description}: {self.done}/{self.total}\n")
            self.err.flush()

    def show(self, doing: str, completed: int = 0, total: int = 0) -> None:
        """Now ``doing`` (hashing a file, a server's status), ``completed`` bytes of
        ``total`` (0: not counted in bytes)."""
        description = f"{self.what}: {doing}"
        if self._bar is not None:
            # Each step has a line of its own (its rate and time left are its own); one
            # without a byte count is a status, shown as done.
            if description != self._shown:
                self._shown = description
                self._task = self._bar.add_task(description, total=total or 1, counted=total > 0)
            self._bar.update(self._task, completed=completed if total else 1, total=total or 1)
            return
        now = self._clock()
        ended = total > 0 and completed >= total
        if self._logged is not None:
            last, at = self._logged
            if last == description and not ended and now - at < LOG_SECONDS:
                return
        self._logged = (description, now)
        if total:
            description += (
                f" {completed / total:.0%} ({human_size(completed)} of {human_size(total)})"
            )
        self.err.write(description + "\n")
        self.err.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
