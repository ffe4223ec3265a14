"""The command line's exit codes, the same for every command."""

from __future__ import annotations

from ollama_tui.core.ollama import errors

OK = 0
FAILED = 1
"""The model or the server failed."""
USAGE = 2
"""The command line cannot be run as given."""
UNREACHABLE = 3
"""Ollama cannot be reached."""
NOT_FOUND = 4
"""The model is not installed (or, for a pull, not on the registry)."""
INTERRUPTED = 130
"""Ctrl+C, as shells report SIGINT."""
BROKEN_PIPE = 141
"""128 + SIGPIPE, as a shell reports a tool whose reader stopped reading."""


class UsageError(Exception):
    """The command line cannot be run as given: said in one sentence, exit ``USAGE``."""


def code_for(error: errors.OllamaError) -> int:
    if isinstance(error, errors.Unreachable):
        return UNREACHABLE
    return NOT_FOUND if isinstance(error, errors.ModelNotFound) else FAILED
