"""Async services shared by the TUI and the command line; no Textual."""
