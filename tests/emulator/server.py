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
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from tests.emulator.models import (
    ChatReply,
    FakeModel,
    Override,
    PullLayer,
    PullScript,
    RawReply,
    Recorded,
    Running,
    SentReply,
    digest_of,
    reason_phrase,
)

Writer = asyncio.StreamWriter


def default_models() -> list[FakeModel]:
    return [
        FakeModel(
            "llama3.2:latest",
            parameter_size="3.2B",
            size=2_019_393_189,
            parameters=(
                'temperature                    0.7\nstop                           "<|eot_id|>"'
            ),
            capabilities=("completion", "tools"),
        ),
        FakeModel(
            "qwen3:8b",
            family="qwen3",
            size=5_225_388_164,
            capabilities=("completion", "tools", "thinking"),
            parameters=(
                "temperature                    0.6\n"
                "top_k                          20\n"
                "top_p                          0.95\n"
                'stop                           "<|im_start|>"\n'
                'stop                           "<|im_end|>"'
            ),
            context_length=40_960,
        ),
        FakeModel(
            "llava:7b",
            size=4_733_363_377,
            parameter_size="7B",
            quantization="Q4_0",
            capabilities=("completion", "vision"),
        ),
        FakeModel(
            "nomic-embed-text:latest",
            family="nomic-bert",
            parameter_size="137M",
            quantization="F16",
            size=274_302_450,
            capabilities=("embedding",),
            context_length=2048,
        ),
    ]


def estimate_prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """The emulator's "tokenizer": a different scale from tiktoken, plus a fixed
    per-message overhead, as chat templates add."""
    total = 0
    for message in messages:
        content = message.get("content")
        total += math.ceil(len(content) / 3.1) if isinstance(content, str) else 0
        total += 6
    return total


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
        self.default_reply: Callable[[dict[str, Any]], ChatReply] = _echo_reply
        self.pulls: dict[str, PullScript] = {}
        self.pulled_bytes: dict[str, int] = {}
        """Bytes of each layer already on disk, so a re-issued pull resumes."""
        self.overrides: dict[str, deque[Override]] = {}
        self.allowed_hosts: set[str] | None = None
        self.count_prompt_tokens: Callable[[list[dict[str, Any]]], int] = estimate_prompt_tokens
        self.last_token_sent_at = 0.0
        """``time.perf_counter()`` when the latest reply chunk with text was written.
        On Linux it is CLOCK_MONOTONIC, so a benchmark in another process can compare it
        with its own clock; ``GET /_emulator/timing`` returns it."""
        self.send_log: SendLog | None = None
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._placeholder: socket.socket | None = None
        """Holds the port while the emulator is down (see ``_close_server``)."""
        self._writers: set[Writer] = set()
        self._lock = threading.Lock()
        self._holds: set[asyncio.Event] = set()
        self._dropped: set[Writer] = set()
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

    async def _close_server(self) -> None:
        if self._server is not None:
            self._server.close()
            self._hold_port()
            for writer in list(self._writers):
                self._dropped.add(writer)
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
        with self._lock:
            self.replies.extend(replies)

    def respond(self, path: str, status: int, body: Any = b"", times: int | None = 1) -> None:
        """Answer the next ``times`` requests to ``path`` (None: all) with a fixed reply."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self._lock:
            self.overrides.setdefault(path, deque()).append(Override(status, raw, times))

    def respond_raw(self, path: str, reply: RawReply, times: int | None = 1) -> None:
        """Answer the next ``times`` requests to ``path`` (None: all) with ``reply``,
        written byte for byte (see ``RawReply``); each is recorded in ``sent``."""
        with self._lock:
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
        wanted = name if ":" in name else f"{name}:latest"
        return next((m for m in self.models if m.name.lower() == wanted.lower()), None)

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat requests that carried messages (not load/unload)."""
        bodies = [r.json for r in self.requests_to("/api/chat")]
        return [b for b in bodies if isinstance(b, dict) and b.get("messages")]

    # -- HTTP -----------------------------------------------------------------

    async def _handle_connection(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                keep_open = await self._dispatch(request, reader, writer)
                if not keep_open or request.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            self._dropped.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(
        self, request: Recorded, reader: asyncio.StreamReader, writer: Writer
    ) -> bool:
        path = request.path
        if self.path_prefix:
            if not path.startswith(self.path_prefix + "/"):
                return await _send(writer, 404, b"404 page not found", "text/plain")
            path = path[len(self.path_prefix) :]
        host = request.headers.get("host", "").rsplit(":", 1)[0]
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            return await _send(writer, 403, b"", "text/plain")
        override = self._take_override(path)
        if override is not None and override.raw is not None:
            return await self._send_raw(writer, reader, path, override.raw)
        if override is not None:
            return await _send(writer, override.status, override.body)
        route = (request.method, path)
        body = _json_body(request)
        if body is None and request.method in {"POST", "DELETE"}:
            return await _send_error(writer, 400, "missing request body")
        if route in {("GET", "/"), ("HEAD", "/")}:
            return await _send(writer, 200, b"Ollama is running", "text/plain")
        if route == ("GET", "/api/version"):
            return await _send_json(writer, 200, {"version": self.version})
        if route == ("GET", "/api/tags"):
            return await _send_json(writer, 200, {"models": [m.tags_entry() for m in self.models]})
        if route == ("GET", "/_emulator/timing"):
            return await _send_json(writer, 200, {"last_token_sent_at": self.last_token_sent_at})
        if route == ("GET", "/api/ps"):
            return await _send_json(writer, 200, {"models": self._ps()})
        assert body is not None or request.method not in {"POST", "DELETE"}
        body = body or {}
        if route == ("POST", "/api/show"):
            found = self.model(_name(body))
            if found is None:
                return await _send_error(writer, 404, f"model '{_name(body)}' not found")
            return await _send_json(writer, 200, found.show())
        if route == ("DELETE", "/api/delete"):
            return await self._delete(writer, body)
        if route == ("POST", "/api/copy"):
            return await self._copy(writer, body)
        if route == ("POST", "/api/create"):
            return await self._create(writer, body)
        if route == ("POST", "/api/embed"):
            return await self._embed(writer, body)
        if route in {("POST", "/api/chat"), ("POST", "/api/generate")}:
            return await self._generate(writer, reader, path, body)
        if route == ("POST", "/api/pull"):
            return await self._pull(writer, reader, body)
        return await _send(writer, 404, b"404 page not found", "text/plain")

    def _take_override(self, path: str) -> Override | None:
        with self._lock:
            queue = self.overrides.get(path)
            if not queue:
                return None
            override = queue[0]
            if override.times is not None:
                override.times -= 1
                if override.times <= 0:
                    queue.popleft()
            return override

    async def _send_raw(
        self, writer: Writer, reader: asyncio.StreamReader, path: str, reply: RawReply
    ) -> bool:
        """Write ``reply`` as told; True if the connection can serve another request."""
        record = SentReply(path, reply.status)
        self.sent.append(record)
        hangup = asyncio.ensure_future(_hangup(reader))

        async def write(data: bytes, split: bool = True) -> None:
            step = (reply.write_size if split else None) or len(data) or 1
            for start in range(0, len(data), step):
                piece = data[start : start + step]
                writer.write(piece)
                record.data += piece
                await writer.drain()
                if reply.write_pause:
                    await asyncio.sleep(reply.write_pause)

        def hung_up() -> bool:
            if writer in self._dropped:
                record.outcome = "server went down"
            else:
                record.outcome = "client hung up"
                self.disconnects.append(path)
            return False

        try:
            if reply.hold_head and not await self._hold(hangup):
                return hung_up()
            if reply.status is not None:
                await write(_raw_head(reply), split=False)
            for item in reply.body:
                if hangup.done():
                    return hung_up()
                if reply.status is not None and reply.framing == "chunked":
                    if not item:
                        continue  # an empty chunk would end the body
                    item = b"%x\r\n%s\r\n" % (len(item), item)
                await write(item)
            end = reply.end
            if end == "stall":
                if not await self._hold(hangup):
                    return hung_up()
                end = "finish"
            if end == "abort":
                writer.transport.abort()
                record.outcome = "aborted"
                return False
            if end == "close":
                record.outcome = "closed"
                return False
            record.outcome = "finished"
            if reply.status is not None and reply.framing == "chunked":
                await write(b"0\r\n\r\n", split=False)
            return reply.status is not None and reply.framing in {"chunked", "length"}
        except ConnectionError:
            return hung_up()
        finally:
            if not hangup.done():
                hangup.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await hangup

    async def _hold(self, hangup: asyncio.Future[Any]) -> bool:
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

    def _ps(self) -> list[dict[str, Any]]:
        entries = []
        for running in self.running:
            model = self.model(running.name)
            entries.append(
                {
                    "name": running.name,
                    "model": running.name,
                    "size": model.size if model else 0,
                    "digest": digest_of(running.name),
                    "details": model.details() if model else {},
                    "expires_at": running.expires_at,
                    "size_vram": running.size_vram,
                    "context_length": running.context_length,
                    **running.extra,
                }
            )
        return entries

    def _mark_running(self, name: str, keep_alive: Any) -> None:
        self.running = [r for r in self.running if r.name != name]
        if keep_alive != 0:
            self.running.insert(0, Running(name))

    async def _delete(self, writer: Writer, body: dict[str, Any]) -> bool:
        found = self.model(_name(body))
        if found is None:
            return await _send_error(writer, 404, f"model '{_name(body)}' not found")
        self.models.remove(found)
        return await _send(writer, 200, b"")

    async def _copy(self, writer: Writer, body: dict[str, Any]) -> bool:
        source = self.model(str(body.get("source", "")))
        if source is None:
            return await _send_error(writer, 404, f'model "{body.get("source")}" not found')
        destination = str(body.get("destination", ""))
        if not destination:
            return await _send_error(writer, 400, "destination is required")
        copy = FakeModel(**{**source.__dict__, "name": destination})
        self.models.append(copy)
        return await _send(writer, 200, b"")

    async def _create(self, writer: Writer, body: dict[str, Any]) -> bool:
        """A model made from an installed one (``from``), as Ollama does without files."""
        source = self.model(str(body.get("from", "")))
        if source is None:
            return await _send_error(writer, 404, f"model '{body.get('from')}' not found")
        name = str(body.get("model", ""))
        if not name:
            return await _send_error(writer, 400, "model is required")
        self.models.append(FakeModel(**{**source.__dict__, "name": name}))
        return await _send_json(writer, 200, {"status": "success"})

    async def _embed(self, writer: Writer, body: dict[str, Any]) -> bool:
        found = self.model(_name(body))
        if found is None:
            return await _send_error(writer, 404, f"model '{_name(body)}' not found")
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        vectors = [[round(len(str(t)) / 100, 3), 0.5, -0.25] for t in texts]
        payload = {"model": found.name, "embeddings": vectors, "prompt_eval_count": len(texts)}
        return await _send_json(writer, 200, payload)

    async def _generate(
        self, writer: Writer, reader: asyncio.StreamReader, path: str, body: dict[str, Any]
    ) -> bool:
        name = _name(body)
        if not name:
            return await _send_error(writer, 400, "model is required")
        found = self.model(name)
        if found is None:
            return await _send_error(writer, 404, f"model '{name}' not found")
        is_chat = path == "/api/chat"
        messages = body.get("messages") or []
        empty = not messages if is_chat else not body.get("prompt")
        if empty:
            unload = body.get("keep_alive") == 0
            self._mark_running(found.name, body.get("keep_alive"))
            reply = {
                "model": name,
                "created_at": _now(),
                "done": True,
                "done_reason": "unload" if unload else "load",
            }
            reply.update({"message": {"role": "assistant", "content": ""}} if is_chat else {})
            reply.update({} if is_chat else {"response": ""})
            return await _send(writer, 200, json.dumps(reply).encode())
        if body.get("think") not in (None, False) and "thinking" not in found.capabilities:
            return await _send_error(writer, 400, f'"{name}" does not support thinking')
        if body.get("tools") and "tools" not in found.capabilities:
            return await _send_error(writer, 400, f"{name} does not support tools")
        with self._lock:
            script = self.replies.popleft() if self.replies else None
        reply_script = script or self.default_reply(body)
        if reply_script.status is not None:
            return await _send(writer, reply_script.status, reply_script.body)
        self._mark_running(found.name, body.get("keep_alive"))
        if not is_chat:
            messages = [{"role": "user", "content": str(body.get("prompt", ""))}]
        lines = self._reply_lines(name, is_chat, reply_script, messages)
        return await _stream(self, writer, reader, path, lines, reply_script)

    def _reply_lines(
        self, name: str, is_chat: bool, script: ChatReply, messages: list[dict[str, Any]]
    ) -> Iterable[bytes | _Action]:
        def chunk(content: str = "", thinking: str = "", **extra: Any) -> dict[str, Any]:
            base: dict[str, Any] = {"model": name, "created_at": _now()}
            if is_chat:
                message: dict[str, Any] = {"role": "assistant", "content": content}
                if thinking:
                    message["thinking"] = thinking
                if "tool_calls" in extra:
                    message["tool_calls"] = extra.pop("tool_calls")
                base["message"] = message
            else:
                base["response"] = content
                if thinking:
                    base["thinking"] = thinking
            base["done"] = False
            base.update(extra)
            return base

        pieces: list[dict[str, Any]] = [chunk(thinking=t) for t in script.thinking]
        pieces += [chunk(content=c) for c in script.content]
        if script.tool_calls:
            pieces.append(chunk(tool_calls=[dict(c) for c in script.tool_calls]))
        eval_count = len(script.content) + len(script.thinking)
        stats = {
            "total_duration": 1_500_000_000,
            "load_duration": 12_000_000,
            "prompt_eval_count": self.count_prompt_tokens(messages),
            "prompt_eval_duration": 80_000_000,
            "eval_count": eval_count,
            "eval_duration": max(eval_count, 1) * 20_000_000,
        }
        stats.update(script.stats or {})
        final = chunk(content=script.final_content, done=True, done_reason=script.done_reason)
        final.update(stats)

        for index, piece in enumerate(pieces):
            if index == script.hold_after:
                yield _Action.HOLD
            if index == script.error_after:
                yield _line({"error": script.error})
                return
            if index == script.close_after:
                yield _Action.ABORT
                return
            if index == script.malformed_after:
                yield b'{"model": "broken", "message": {"content": "unterminated\n'
            yield _line(piece)
        count = len(pieces)
        if script.error_after is not None and script.error_after >= count:
            yield _line({"error": script.error})
            return
        if script.close_after is not None and script.close_after >= count:
            yield _Action.ABORT
            return
        yield _line(final)

    async def _pull(
        self, writer: Writer, reader: asyncio.StreamReader, body: dict[str, Any]
    ) -> bool:
        name = _name(body)
        script = self.pulls.get(name)
        if script is None:
            lines: list[bytes | _Action] = [
                _line({"status": "pulling manifest"}),
                _line({"error": "pull model manifest: file does not exist"}),
            ]
            return await _stream(self, writer, reader, "/api/pull", lines, PullScript())
        return await _stream(
            self, writer, reader, "/api/pull", self._pull_lines(name, script), script
        )

    def _pull_lines(self, name: str, script: PullScript) -> Iterable[bytes | _Action]:
        yield _line({"status": "pulling manifest"})
        streamed = 0
        for layer in script.layers:
            status = f"pulling {layer.digest[7:19]}"
            if layer.cached or self.pulled_bytes.get(layer.digest, 0) >= layer.size:
                yield _line(
                    {
                        "status": status,
                        "digest": layer.digest,
                        "total": layer.size,
                        "completed": layer.size,
                    }
                )
                continue
            yield _line({"status": status, "digest": layer.digest, "total": layer.size})
            done = self.pulled_bytes.get(layer.digest, 0)
            while done < layer.size:
                step = min(script.step, layer.size - done)
                if (
                    script.error_after_bytes is not None
                    and streamed + step > script.error_after_bytes
                ):
                    script.error_after_bytes = None
                    yield _line({"error": script.error})
                    return
                done += step
                streamed += step
                self.pulled_bytes[layer.digest] = done
                yield _Action.DELAY
                yield _line(
                    {
                        "status": status,
                        "digest": layer.digest,
                        "total": layer.size,
                        "completed": done,
                    }
                )
                if script.hold_at_bytes is not None and streamed >= script.hold_at_bytes:
                    script.hold_at_bytes = None
                    yield _Action.HOLD
        for status in ("verifying sha256 digest", "writing manifest", "success"):
            yield _line({"status": status})
        if self.model(name) is None:
            size = script.size or sum(layer.size for layer in script.layers)
            self.models.append(FakeModel(name if ":" in name else f"{name}:latest", size=size))


class _Action:
    """Markers in a stream of lines: pause for the script's delay, drop the socket, or
    hold until released."""

    DELAY: _Action
    ABORT: _Action
    HOLD: _Action


_Action.DELAY = _Action()
_Action.ABORT = _Action()
_Action.HOLD = _Action()


async def _stream(
    emulator: OllamaEmulator,
    writer: Writer,
    reader: asyncio.StreamReader,
    path: str,
    lines: Iterable[bytes | _Action],
    script: ChatReply | PullScript,
) -> bool:
    """Send ``lines`` as a chunked NDJSON stream; notice if the client hangs up."""
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    await writer.drain()
    hangup = asyncio.ensure_future(reader.read(1))
    delay = script.delay
    first_delay = script.first_delay if isinstance(script, ChatReply) else 0.0
    write_size = script.write_size if isinstance(script, ChatReply) else None
    sent_any = False
    log = emulator.send_log if isinstance(script, ChatReply) else None
    request = log.start(path) if log is not None else 0
    rate = script.rate if isinstance(script, ChatReply) else None
    first_at = 0.0
    chunks = 0
    outcome = "hangup"
    try:
        for item in lines:
            if item is _Action.ABORT:
                writer.transport.abort()
                return False
            if item is _Action.HOLD:
                await emulator._hold(hangup)
                if hangup.done():
                    emulator.disconnects.append(path)
                    return False
                continue
            if item is _Action.DELAY:
                pause, item = delay, b""
            elif not sent_any:
                pause = first_delay
            elif rate:
                pause = max(0.0, first_at + chunks / rate - time.monotonic())
            else:
                pause = delay if isinstance(script, ChatReply) else 0.0
            if pause:
                await asyncio.wait({hangup}, timeout=pause)
            if hangup.done():
                emulator.disconnects.append(path)
                return False
            if not item:
                continue
            assert isinstance(item, bytes)
            step = write_size or len(item)
            for start in range(0, len(item), step):
                piece = item[start : start + step]
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
                if write_size:
                    await asyncio.sleep(0.002)
            if not sent_any:
                first_at = time.monotonic()
            sent_any = True
            chunks += 1
            if isinstance(script, ChatReply) and b'"done": false' in item:
                emulator.last_token_sent_at = time.perf_counter()
            if log is not None:
                log.chunk(request, chunks - 1, item)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        outcome = "done"
        return True
    except ConnectionError:
        emulator.disconnects.append(path)
        return False
    finally:
        if log is not None:
            log.end(request, chunks, outcome)
        if not hangup.done():
            hangup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await hangup
        elif not hangup.cancelled():
            hangup.exception()  # a reset is one way a client hangs up: not an error here


class SendLog:
    """When each streamed reply chunk was written, as JSON lines: ``start`` (request
    number, path), one ``chunk`` per line of the stream (its index, and the message's
    ``content`` and ``thinking`` text; the final ``done`` line is a chunk too), and
    ``end`` (chunks written; outcome ``done``, or ``hangup`` for a stream that did not
    end normally). Every record has ``t``, ``time.monotonic()`` (CLOCK_MONOTONIC, which
    another process on the same machine can compare with its own), and ``wall``,
    ``time.time()``. Written through a buffer, flushed at each start and end."""

    def __init__(self, file: IO[str]) -> None:
        self.file = file
        self.requests = 0

    def _write(self, record: dict[str, Any]) -> None:
        record.update(t=time.monotonic(), wall=time.time())
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def start(self, path: str) -> int:
        self.requests += 1
        self._write({"event": "start", "request": self.requests, "path": path})
        self.file.flush()
        return self.requests

    def chunk(self, request: int, index: int, line: bytes) -> None:
        record: dict[str, Any] = {"event": "chunk", "request": request, "index": index}
        with contextlib.suppress(ValueError):
            payload = json.loads(line)
            message = payload.get("message") or payload
            record["content"] = message.get("content") or message.get("response") or ""
            record["thinking"] = message.get("thinking") or ""
            record["done"] = bool(payload.get("done"))
        self._write(record)

    def end(self, request: int, chunks: int, outcome: str) -> None:
        self._write({"event": "end", "request": request, "chunks": chunks, "outcome": outcome})
        self.file.flush()


async def _hangup(reader: asyncio.StreamReader) -> None:
    """Return when the client closes its side (anything it sends is ignored)."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass


def _raw_head(reply: RawReply) -> bytes:
    assert reply.status is not None
    reason = reply.reason if reply.reason is not None else reason_phrase(reply.status)
    headers = list(reply.headers)
    named = {name.lower() for name, _ in headers}
    if reply.framing == "chunked" and "transfer-encoding" not in named:
        headers.append(("Transfer-Encoding", "chunked"))
    elif reply.framing == "length" and "content-length" not in named:
        headers.append(("Content-Length", str(sum(len(item) for item in reply.body))))
    elif reply.framing == "close" and "connection" not in named:
        headers.append(("Connection", "close"))
    lines = [f"HTTP/1.1 {reply.status} {reason}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_request(reader: asyncio.StreamReader) -> Recorded | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, _version = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        key, _, value = header.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return Recorded(method, target.split("?", 1)[0], headers, body)


async def _send(
    writer: Writer, status: int, body: bytes, content_type: str = "application/json"
) -> bool:
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}.get(
        status, "Status"
    )
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    return True


async def _send_json(writer: Writer, status: int, payload: Mapping[str, Any]) -> bool:
    return await _send(writer, status, json.dumps(payload).encode())


async def _send_error(writer: Writer, status: int, message: str) -> bool:
    return await _send_json(writer, status, {"error": message})


def _json_body(request: Recorded) -> dict[str, Any] | None:
    try:
        data = request.json
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _name(body: Mapping[str, Any]) -> str:
    return str(body.get("model") or body.get("name") or "")


def _line(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode() + b"\n"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())


def _echo_reply(body: dict[str, Any]) -> ChatReply:
    messages = body.get("messages") or [{"content": body.get("prompt", "")}]
    last = str(messages[-1].get("content", "")) if isinstance(messages[-1], dict) else ""
    words = f"You said: {last}".split(" ")
    return ChatReply(content=[w if i == 0 else f" {w}" for i, w in enumerate(words)])


__all__ = [
    "ChatReply",
    "FakeModel",
    "OllamaEmulator",
    "PullLayer",
    "PullScript",
    "RawReply",
    "SendLog",
    "SentReply",
]
