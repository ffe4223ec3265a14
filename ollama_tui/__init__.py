"""ollama-tui: a terminal chat app for local Ollama models."""

__version__ = "0.1.0"
