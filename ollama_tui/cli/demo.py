"""``--demo``: the chat and every command against the emulator that ships in the
package, on a free loopback port, for someone who has not installed Ollama yet.

It runs in a throwaway profile (config, history and generation log in a temporary
folder, removed at the end), so a demo never touches the user's own files and shows
the first run as a new user sees it. Models load and evaluate prompts as long as the
emulator's timings say, so the waits a real server has are there too."""

from __future__ import annotations

import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ollama_tui.core import paths

DEMO_MODEL = "llama3.2:latest"
"""What the commands use when no model is given (the chat lets the user pick)."""
DEMO_EMBEDDING_MODEL = "nomic-embed-text:latest"
FORGETFUL_IN_THE_DEMO = {"logs", "stats", "paths"}
"""Commands that read what earlier runs left, which a demo's fresh profile lacks."""
FORGETFUL_NOTE = (
    "ollama-tui: each --demo run starts from an empty profile that is removed at its "
    "end, so there is no log, history or earlier conversation from other runs."
)


@contextmanager
def demo_server() -> Iterator[str]:
    """The emulator's URL while it runs, with files kept in a temporary profile."""
    from ollama_tui.emulator import OllamaEmulator
    from ollama_tui.emulator.demo import demo_pulls, demo_reply

    with tempfile.TemporaryDirectory(
        prefix="ollama-tui-demo-", ignore_cleanup_errors=True
    ) as profile:
        emulator = OllamaEmulator()
        emulator.pace = 1.0
        emulator.recording = False
        emulator.default_reply = demo_reply
        emulator.pulls.update(demo_pulls())
        paths.use_profile(Path(profile))
        previous = _exit_on_signals()
        try:
            emulator.start(0)
            yield emulator.url
        finally:
            emulator.stop()
            paths.use_profile(None)
            for number, handler in previous.items():
                signal.signal(number, handler)


LEFT_ON_A_SIGNAL = {128 + signal.SIGTERM, 128 + signal.SIGHUP}
"""The exit codes of a demo ended by a kill or a closed terminal."""


def _exit_on_signals() -> dict[int, Any]:
    """A closed terminal (SIGHUP) or a kill (SIGTERM) ends the demo as quitting does,
    so that its temporary profile is removed; the handlers they replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def leave(number: int, frame: object) -> None:
        raise SystemExit(128 + number)

    return {number: signal.signal(number, leave) for number in (signal.SIGTERM, signal.SIGHUP)}
