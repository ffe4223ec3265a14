"""Async services with no Textual in them: the TUI drives them, and the command line
can drive them the same way."""
