"""The project's loopback Ollama emulator: for the tests, the benchmarks, the
screenshots and ``--demo``."""

from ollama_tui.emulator.models import ChatReply, FakeModel, PullLayer, PullScript, Recorded
from ollama_tui.emulator.server import OllamaEmulator

__all__ = ["ChatReply", "FakeModel", "OllamaEmulator", "PullLayer", "PullScript", "Recorded"]
