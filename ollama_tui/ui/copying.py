"""Copies that surely land: after the terminal is asked (OSC 52), the text goes to a
copy tool or a file, one copy at a time and in order; a toast says where."""

from __future__ import annotations

import asyncio
import os

from textual.app import App

from ollama_tui.core import clipboard, paths


class CopyElsewhere:
    def __init__(self, app: App[None]) -> None:
        self.app = app
        # A copy tool cannot be stopped once started, and the last copy must be the
        # one that stays.
        self._turn = asyncio.Lock()

    def copy(self, text: str) -> None:
        self.app.run_worker(self._copy(text), group="clipboard", exit_on_error=False)

    async def _copy(self, text: str) -> None:
        async with self._turn:
            copied = await asyncio.to_thread(
                clipboard.copy, text, dict(os.environ), paths.clipboard_file()
            )
        self.app.notify(copied.message, severity="information" if copied.ok else "warning")
