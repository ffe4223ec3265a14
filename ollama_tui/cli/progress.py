"""Progress of a long command on stderr: Rich's progress bar on a terminal, a plain line
per step otherwise (a log file, a CI job), so stdout stays the command's output."""

from __future__ import annotations

from typing import IO, Any


class Progress:
    def __init__(self, err: IO[str], total: int, what: str, *, live: bool | None = None) -> None:
        self.err, self.total, self.what = err, total, what
        self.done = 0
        self._bar: Any = None
        if err.isatty() if live is None else live:
            # Imported here: the chat's start-up does not need it.
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=err, force_terminal=live),
                transient=False,
            )
            self._bar.start()
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

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
