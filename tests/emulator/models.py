"""Scripting types for the emulator: models, chat replies, pull scripts, recordings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class FakeModel:
    """A model installed on the emulated server."""

    name: str
    family: str = "llama"
    parameter_size: str = "8.0B"
    quantization: str = "Q4_K_M"
    size: int = 4_920_000_000
    capabilities: tuple[str, ...] = ("completion",)
    context_length: int = 131_072
    parameters: str = ""
    system: str = ""
    template: str = "{{ .Prompt }}"
    license: str = "Example licence text."
    modified_at: str = "2026-11-01T10:00:00.123456789Z"

    @property
    def digest(self) -> str:
        return digest_of(self.name)

    def details(self) -> dict[str, Any]:
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": [self.family],
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization,
        }

    def tags_entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.name,
            "modified_at": self.modified_at,
            "size": self.size,
            "digest": self.digest,
            "details": self.details(),
        }

    def show(self) -> dict[str, Any]:
        return {
            "modelfile": f"FROM {self.name}\nTEMPLATE {json.dumps(self.template)}\n",
            "parameters": self.parameters,
            "template": self.template,
            "system": self.system,
            "license": self.license,
            "details": self.details(),
            "model_info": {
                "general.architecture": self.family,
                "general.parameter_count": 8_000_000_000,
                f"{self.family}.context_length": self.context_length,
                f"{self.family}.embedding_length": 4096,
            },
            "capabilities": list(self.capabilities),
            "modified_at": self.modified_at,
        }


@dataclass
class ChatReply:
    """One scripted reply to ``/api/chat`` or ``/api/generate``.

    The failure fields count streamed chunks: ``error_after=2`` sends two chunks,
    then an ``{"error": ...}`` line and ends without ``done``.
    """

    content: Sequence[str] = ("Hello", "!")
    thinking: Sequence[str] = ()
    tool_calls: Sequence[Mapping[str, Any]] = ()
    final_content: str = ""
    done_reason: str = "stop"
    delay: float = 0.0
    """Seconds between chunks."""
    first_delay: float = 0.0
    """Seconds before the first chunk (a slow model load)."""
    stats: Mapping[str, int] | None = None
    """Replaces the computed metrics on the final chunk when given."""
    status: int | None = None
    """Answer with this HTTP status and ``body`` instead of a stream."""
    body: bytes = b""
    error_after: int | None = None
    error: str = "an error was encountered while running the model"
    close_after: int | None = None
    """Drop the connection abruptly after this many chunks."""
    malformed_after: int | None = None
    """Send a line that is not JSON after this many chunks."""
    write_size: int | None = None
    """Split every line into network writes of this many bytes."""
    hold_after: int | None = None
    """After this many chunks, send nothing more until the client hangs up or
    ``OllamaEmulator.release()`` is called (then the rest follows)."""


@dataclass
class PullLayer:
    digest: str
    size: int
    cached: bool = False


@dataclass
class PullScript:
    """How the emulator answers ``/api/pull`` for one model name."""

    layers: Sequence[PullLayer] = ()
    step: int = 1_000_000
    """Bytes per progress line."""
    delay: float = 0.0
    error_after_bytes: int | None = None
    """Fail (once) when this many bytes have streamed in this pull."""
    error: str = "max retries exceeded: EOF"
    size: int = 0
    """Size of the model once pulled; defaults to the sum of the layers."""


@dataclass
class Recorded:
    """A request the emulator received."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Override:
    status: int
    body: bytes
    times: int | None = 1


@dataclass
class Running:
    name: str
    expires_at: str = field(default_factory=lambda: in_five_minutes())
    context_length: int = 4096
    size_vram: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def in_five_minutes() -> str:
    """Ollama's default keep_alive, as ``/api/ps`` reports the expiry."""
    moment = datetime.now(UTC) + timedelta(minutes=5)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
