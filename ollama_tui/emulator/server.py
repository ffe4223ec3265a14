"""A loopback Ollama emulator: a real HTTP/1.1 server on 127.0.0.1.

It runs its own event loop in a background thread, so a test's loop, a Textual app
or a separate process can all talk to it over real sockets. It speaks NDJSON with
chunked transfer encoding, like Ollama, and can be scripted to fail in every way the
protocol reference describes. Every request is recorded in ``requests``.

With ``send_log`` set to a text file, every streamed chat or generate reply is
logged as JSON lines as it is written (see ``SendLog``), for a benchmark in another
process that wants to know when each token left.

Below the protocol, ``respond_raw(path, RawReply(...))`` writes any status line,
headers and body bytes, then finishes, closes, drops or stalls the connection (or
never answers at all); what it wrote is recorded in ``sent``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ollama_tui.emulator import creation, management
from ollama_tui.emulator.catalog import default_models
from ollama_tui.emulator.generation import echo_reply, generate
from ollama_tui.emulator.models import (
    ChatReply,
    FakeModel,
    Override,
    PullScript,
    RawReply,
    Recorded,
    Running,
    SentReply,
    tagged,
)
from ollama_tui.emulator.pulls import pull
from ollama_tui.emulator.raw import send_raw
from ollama_tui.emulator.send_log import SendLog
from ollama_tui.emulator.timing import PromptCache
from ollama_tui.emulator.tokenizer import count_prompt
from ollama_tui.emulator.truncation import Kept
from ollama_tui.emulator.wire import (
    Writer,
    json_body,
    name_of,
    read_request,
    send,
    send_error,
    send_json,
)


class OllamaEmulator:
    """Start with ``start()`` (or use as a context manager); ``url`` is the base URL."""

    def __init__(self, *, version: str = "0.12.6", path_prefix: str = "") -> None:
        self.version = version
        self.path_prefix = path_prefix.rstrip("/")
        self.models: list[FakeModel] = default_models()
        self.running: list[Running] = []
        self.requests: list[Recorded] = []
        self.disconnects: list[str] = []
        """Paths of streams that the client closed before they ended."""
        self.sent: list[SentReply] = []
        """What was written for each ``RawReply`` (``respond_raw``), in order."""
        self.replies: deque[ChatReply] = deque()
        self.default_reply: Callable[[dict[str, Any]], ChatReply] = echo_reply
        self.pulls: dict[str, PullScript] = {}
        self.pulled_bytes: dict[str, int] = {}
        """Bytes of each layer already on disk, so a re-issued pull resumes."""
        self.blobs: dict[str, int] = {}
        """The size of each blob uploaded (``POST /api/blobs/:digest``), by digest: the
        bytes themselves are not kept (a model file can be gigabytes)."""
        self.recording = True
        """Keep every request in ``requests`` (tests read them; the demo does not)."""
        self.overrides: dict[str, deque[Override]] = {}
        self.allowed_hosts: set[str] | None = None
        self.count_prompt_tokens: Callable[[list[dict[str, Any]], str], int] = count_prompt
        self.last_token_sent_at = 0.0
        """``time.perf_counter()`` when the latest reply chunk with text was written.
        On Linux it is CLOCK_MONOTONIC, so a benchmark in another process can compare it
        with its own clock; ``GET /_emulator/timing`` returns it."""
        self.send_log: SendLog | None = None
        self.prompt_cache = PromptCache()
        self.last_kept: Kept | None = None
        """What the model saw of the latest chat or generate request (see ``truncation``)."""
        self.pace = 0.0
        """How much of the load and prefill time the emulator really waits (0: none,
        it only reports them; 1: all)."""
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._down = False
        self._placeholder: socket.socket | None = None
        """Holds the port while the emulator is down (see ``_close_server``)."""
        self._writers: set[Writer] = set()
        self.lock = threading.Lock()
        self._holds: set[asyncio.Event] = set()
        self.dropped: set[Writer] = set()
        """Connections that ``go_down()`` cut (not hung up by the client)."""
        self.holding = threading.Event()
        """Set while a reply is held (``ChatReply.hold_after``, a silent or stalled
        ``RawReply``) with every chunk before the hold written."""

    # -- lifecycle ------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path_prefix}"

    def start(self, port: int = 0) -> OllamaEmulator:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.come_back(port)
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self.go_down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
        self._loop = None
        self._release_port()

    def go_down(self) -> None:
        """Stop listening and drop every connection, as if Ollama quit."""
        self._call(self._close_server())

    def come_back(self, port: int | None = None) -> None:
        """Listen again, on the same port unless told otherwise."""
        self._call(self._open_server(self.port if port is None else port))

    def restart(self) -> None:
        """``go_down()`` then ``come_back()`` on the same port, as a restarted Ollama."""
        self.go_down()
        self.come_back()

    def __enter__(self) -> OllamaEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _call(self, coro: Any) -> Any:
        assert self._loop is not None, "the emulator is not started"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _open_server(self, port: int) -> None:
        self._server = await asyncio.start_server(
            self._handle_connection, "127.0.0.1", port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._release_port()
        self._down = False

    async def _close_server(self) -> None:
        self._down = True
        if self._server is not None:
            self._server.close()
            self._hold_port()
            for writer in list(self._writers):
                self.dropped.add(writer)
                writer.transport.abort()
            await self._server.wait_closed()
            self._server = None

    def _hold_port(self) -> None:
        """Keep the port bound, without listening, while the emulator is down: connecting
        is refused as by a stopped Ollama, and the system gives the port to no other
        server (tests in other workers start emulators on free ports all the time), so
        ``come_back()`` can listen on it again. Both sides set SO_REUSEADDR, which lets
        the new listener bind beside this socket; ``_open_server`` then closes it."""
        placeholder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        placeholder.bind(("127.0.0.1", self.port))
        self._placeholder = placeholder

    def _release_port(self) -> None:
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None

    # -- scripting ------------------------------------------------------------

    def script(self, *replies: ChatReply) -> None:
        """Queue replies for the next chat/generate requests, in order."""
        with self.lock:
            self.replies.extend(replies)

    def respond(self, path: str, status: int, body: Any = b"", times: int | None = 1) -> None:
        """Answer the next ``times`` requests to ``path`` (None: all) with a fixed reply."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self.lock:
            self.overrides.setdefault(path, deque()).append(Override(status, raw, times))

    def respond_raw(self, path: str, reply: RawReply, times: int | None = 1) -> None:
        """Answer the next ``times`` requests to ``path`` (None: all) with ``reply``,
        written byte for byte (see ``RawReply``); each is recorded in ``sent``."""
        with self.lock:
            self.overrides.setdefault(path, deque()).append(
                Override(reply.status or 0, b"", times, raw=reply)
            )

    def release(self) -> None:
        """Let a held reply go on."""
        self._call(self._release())

    async def _release(self) -> None:
        for released in self._holds:
            released.set()

    def model(self, name: str) -> FakeModel | None:
        wanted = tagged(name)
        return next((m for m in self.models if m.name.lower() == wanted.lower()), None)

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat requests that asked for a reply (not load/unload, not
        ``_debug_render_only``)."""
        bodies = [r.json for r in self.requests_to("/api/chat")]
        return [
            b
            for b in bodies
            if isinstance(b, dict) and b.get("messages") and not b.get("_debug_render_only")
        ]

    # -- HTTP -----------------------------------------------------------------

    async def _handle_connection(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                if self._down:
                    # Accepted just before going down (its handler had not started when
                    # the connections were dropped): a stopped server answers nothing.
                    writer.transport.abort()
                    break
                if self.recording:
                    self.requests.append(request)
                keep_open = await self._dispatch(request, reader, writer)
                if not keep_open or request.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            self.dropped.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(
        self, request: Recorded, reader: asyncio.StreamReader, writer: Writer
    ) -> bool:
        path = request.path
        if self.path_prefix:
            if not path.startswith(self.path_prefix + "/"):
                return await send(writer, 404, b"404 page not found", "text/plain")
            path = path[len(self.path_prefix) :]
        host = request.headers.get("host", "").rsplit(":", 1)[0]
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            return await send(writer, 403, b"", "text/plain")
        override = self._take_override(path)
        if override is not None and override.raw is not None:
            return await send_raw(self, writer, reader, path, override.raw)
        if override is not None:
            return await send(writer, override.status, override.body)
        route = (request.method, path)
        digest = creation.blob_path(path)
        if digest is not None:  # raw bytes, not JSON
            return await creation.blob(self, writer, request, digest)
        body = json_body(request)
        if body is None and request.method in {"POST", "DELETE"}:
            return await send_error(writer, 400, "missing request body")
        if route in {("GET", "/"), ("HEAD", "/")}:
            return await send(writer, 200, b"Ollama is running", "text/plain")
        if route == ("GET", "/api/version"):
            return await send_json(writer, 200, {"version": self.version})
        if route == ("GET", "/api/tags"):
            return await send_json(writer, 200, {"models": [m.tags_entry() for m in self.models]})
        if route == ("GET", "/_emulator/timing"):
            return await send_json(writer, 200, {"last_token_sent_at": self.last_token_sent_at})
        if route == ("GET", "/api/ps"):
            return await send_json(writer, 200, {"models": management.ps(self)})
        assert body is not None or request.method not in {"POST", "DELETE"}
        body = body or {}
        if route == ("POST", "/api/show"):
            found = self.model(name_of(body))
            if found is None:
                return await send_error(writer, 404, f"model '{name_of(body)}' not found")
            return await send_json(writer, 200, found.show())
        if route == ("DELETE", "/api/delete"):
            return await management.delete(self, writer, body)
        if route == ("POST", "/api/copy"):
            return await management.copy(self, writer, body)
        if route == ("POST", "/api/create"):
            return await creation.create(self, writer, reader, body)
        if route == ("POST", "/api/embed"):
            return await management.embed(self, writer, body)
        if route in {("POST", "/api/chat"), ("POST", "/api/generate")}:
            return await generate(self, writer, reader, path, body)
        if route == ("POST", "/api/pull"):
            return await pull(self, writer, reader, body)
        return await send(writer, 404, b"404 page not found", "text/plain")

    def _take_override(self, path: str) -> Override | None:
        with self.lock:
            queue = self.overrides.get(path)
            if not queue:
                return None
            override = queue[0]
            if override.times is not None:
                override.times -= 1
                if override.times <= 0:
                    queue.popleft()
            return override

    async def hold(self, hangup: asyncio.Future[Any]) -> bool:
        """Wait for ``release()`` or the hang-up; True if released."""
        released = asyncio.Event()
        self._holds.add(released)
        waiting = asyncio.ensure_future(released.wait())
        either: set[asyncio.Future[Any]] = {hangup, waiting}
        self.holding.set()
        try:
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._holds.discard(released)
            if not self._holds:
                self.holding.clear()
            waiting.cancel()
        return not hangup.done()
