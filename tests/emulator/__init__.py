"""The project's loopback Ollama emulator (tests, benchmarks, screenshots)."""

from tests.emulator.models import ChatReply, FakeModel, PullLayer, PullScript, Recorded
from tests.emulator.server import OllamaEmulator

__all__ = ["ChatReply", "FakeModel", "OllamaEmulator", "PullLayer", "PullScript", "Recorded"]
