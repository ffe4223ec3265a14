"""Scripting types for the emulator: models, chat replies, pull scripts, recordings."""

from __future__ import annotations

import hashlib
import http
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal


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
    load_seconds: float = 1.5
    """How long loading it takes (see ``timing``)."""
    prefill_tps: float = 800.0
    eval_tps: float = 50.0

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
    rate: float | None = None
    """Chunks per second on a fixed schedule from the first one, instead of ``delay``:
    the pauses do not add up to a slower rate, and chunks held up by a slow reader
    go out at once, as from a server that kept generating."""
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
    hold_at_bytes: int | None = None
    """Once this many bytes have streamed, hold (see ``ChatReply.hold_after``)."""


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


Framing = Literal["chunked", "length", "close", "raw"]
Ending = Literal["finish", "close", "abort", "stall"]

NDJSON_HEADERS: tuple[tuple[str, str], ...] = (("Content-Type", "application/x-ndjson"),)


def reason_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def nginx_page(status: int) -> bytes:
    """The error page nginx serves in front of a dead upstream (e.g. 502 Bad Gateway)."""
    title = f"{status} {reason_phrase(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


@dataclass
class RawReply:
    """A reply written byte for byte, for servers that break the protocol.

    ``framing`` says how the body is delimited. ``"chunked"``: each ``body`` item is
    sent as one HTTP chunk (``Transfer-Encoding: chunked`` is added unless ``headers``
    name it). ``"length"``: ``Content-Length`` is the sum of the items unless
    ``headers`` give one (a larger one makes a truncated body). ``"close"``: no length,
    the body ends when the connection closes. ``"raw"``: nothing is added and the
    items are written as they are, framing included.

    ``end`` says what happens after the body. ``"finish"``: the message is completed
    (the closing chunk; with ``close``/``raw`` framing the connection is closed).
    ``"close"``: the connection is closed at once, leaving an unfinished message
    unfinished. ``"abort"``: the socket is dropped. ``"stall"``: nothing more is sent,
    the connection stays open, until the client hangs up (recorded in
    ``OllamaEmulator.disconnects``) or ``OllamaEmulator.release()`` (then "finish").

    ``status=None`` sends no status line or headers: the ``body`` items are written as
    they are (anything at all, even not HTTP), then ``end`` applies. ``silence()``
    never answers, ``hang_up()`` closes the connection without a word.
    """

    status: int | None = 200
    headers: Sequence[tuple[str, str]] = ()
    body: Sequence[bytes] = ()
    framing: Framing = "chunked"
    end: Ending = "finish"
    reason: str | None = None
    """The status line's reason phrase; the standard one by default."""
    hold_head: bool = False
    """Before writing anything, wait for ``release()`` (or the client's hang-up)."""
    write_size: int | None = None
    """Split each framed item into network writes of this many bytes."""
    write_pause: float = 0.0
    """Seconds between network writes."""

    @classmethod
    def silence(cls) -> RawReply:
        """Read the request and never answer, until the client hangs up."""
        return cls(status=None, end="stall")

    @classmethod
    def hang_up(cls) -> RawReply:
        """Read the request and close the connection without answering."""
        return cls(status=None, end="close")

    @classmethod
    def ndjson(
        cls,
        *lines: bytes,
        end: Ending = "finish",
        write_size: int | None = None,
        headers: Sequence[tuple[str, str]] = NDJSON_HEADERS,
    ) -> RawReply:
        """A 200 chunked NDJSON stream, one chunk per item, as Ollama streams."""
        return cls(200, headers, lines, end=end, write_size=write_size)

    @classmethod
    def html(cls, status: int, page: bytes | None = None) -> RawReply:
        """An HTML page (by default nginx's error page for ``status``)."""
        page = nginx_page(status) if page is None else page
        headers = (("Server", "nginx/1.24.0"), ("Content-Type", "text/html"))
        return cls(status, headers, (page,), framing="length")

    @classmethod
    def redirect(cls, location: str, status: int = 302, page: bytes | None = None) -> RawReply:
        """A redirect; by default with the little page Go's ``http.Redirect`` writes."""
        headers = (("Location", location), ("Content-Type", "text/html; charset=utf-8"))
        if page is None:
            page = f'<a href="{location}">{reason_phrase(status)}</a>.\n'.encode()
        return cls(status, headers, (page,), framing="length")


@dataclass
class SentReply:
    """What the emulator wrote for one ``RawReply``: every byte, and how it ended."""

    path: str
    status: int | None
    data: bytearray = field(default_factory=bytearray)
    outcome: str = ""
    """"" while sending; then "finished", "closed", "aborted", "client hung up",
    or "server went down"."""


@dataclass
class Override:
    status: int
    body: bytes
    times: int | None = 1
    raw: RawReply | None = None


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


def tagged(name: str) -> str:
    """``name`` as the server stores it: ``mycopy`` is ``mycopy:latest``."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"
