"""The project's loopback Ollama emulator (tests, benchmarks, screenshots)."""

from ollama_tui.emulator.models import ChatReply, FakeModel, PullLayer, PullScript, Recorded
from ollama_tui.emulator.server import OllamaEmulator

__all__ = ["ChatReply", "FakeModel", "OllamaEmulator", "PullLayer", "PullScript", "Recorded"]
