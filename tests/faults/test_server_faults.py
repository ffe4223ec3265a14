"""Server faults at the client level: every way an Ollama server, or whatever answers
in its place, can misbehave, and what ``OllamaClient`` must do about it.

The contract checked here:

- The client yields its typed results and otherwise raises only ``OllamaError``
  subclasses: never a raw httpx, json, Unicode, recursion or overflow error.
- A stream that fails after some text raises ``StreamFailed`` with that text in
  ``partial_content``.
- Messages are plain sentences: no HTML tags, no httpx wording, and an HTTP error says
  its status number. A redirect is reported as one, not as a reply that ended early.
- All text the client returns encodes to UTF-8 (a lone surrogate may become U+FFFD).
- A plain request gives up after ``request_timeout``; a stream waits as long as the
  server takes, and cancelling it hangs up at once.

Each case drives the real client over a real socket against the loopback emulator,
scripted with ``RawReply`` where the fault is below the protocol.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import pytest

from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import (
    ChatEvent,
    ContentDelta,
    Done,
    Message,
    ModelSummary,
    PullProgress,
    ThinkingDelta,
    ToolCallsReceived,
)
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.emulator.models import RawReply

Call = Literal["version", "list_models", "chat", "pull"]
PATHS: dict[Call, str] = {
    "version": "/api/version",
    "list_models": "/api/tags",
    "chat": "/api/chat",
    "pull": "/api/pull",
}
PLAIN: list[Call] = ["version", "list_models"]
STREAMS: list[Call] = ["chat", "pull"]
ALL: list[Call] = [*PLAIN, *STREAMS]

HELLO = [Message("user", "hi")]
GENEROUS = 20.0
"""Seconds to wait for a condition that should hold within milliseconds."""

HTML_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")
HTTPX_WORDING = (
    "peer closed connection",
    "incomplete chunked read",
    "server disconnected without sending",
    "illegal status line",
    "while decompressing",
    "incorrect header check",
    "remoteprotocolerror",
    "decodingerror",
    "httpx",
    "httpcore",
)

JSON_HEADERS = (("Content-Type", "application/json; charset=utf-8"),)
NDJSON = (("Content-Type", "application/x-ndjson"),)
CAPTIVE_PORTAL = (
    b"<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi</title></head>\n"
    b"<body><h1>Welcome</h1><p>Please <a href='/login'>sign in</a>.</p></body></html>\n"
)


# -- running a call -----------------------------------------------------------


@dataclass
class Outcome:
    """What a call gave before it ended: its results, and the typed error if any."""

    items: list[object] = field(default_factory=list)
    error: errors.OllamaError | None = None

    def events(self) -> list[ChatEvent]:
        events: list[ChatEvent] = []
        for item in self.items:
            assert isinstance(item, ContentDelta | ThinkingDelta | ToolCallsReceived | Done)
            events.append(item)
        return events

    def text(self) -> str:
        return "".join(e.text for e in self.events() if isinstance(e, ContentDelta))


async def run(client: OllamaClient, call: Call, seen: list[object] | None = None) -> Outcome:
    """Make ``call`` and consume it. An ``OllamaError`` is returned in the outcome; any
    other exception propagates, so its own traceback fails the test."""
    outcome = Outcome(seen if seen is not None else [])
    items = outcome.items
    try:
        if call == "version":
            items.append(await client.version())
        elif call == "list_models":
            items.extend(await client.list_models())
        elif call == "chat":
            async for event in client.chat("llama3.2", HELLO):
                items.append(event)
        else:
            async for progress in client.pull("tiny:1b"):
                items.append(progress)
    except errors.OllamaError as error:
        outcome.error = error
    return outcome


async def run_within(client: OllamaClient, call: Call) -> Outcome:
    try:
        return await asyncio.wait_for(run(client, call), GENEROUS)
    except TimeoutError:
        pytest.fail(f"{call} neither finished nor failed within {GENEROUS:g} s")


E = TypeVar("E", bound=errors.OllamaError)


def failure(outcome: Outcome, kind: type[E]) -> E:
    """The outcome's error, checked to be a ``kind`` with a plain message."""
    error = outcome.error
    if error is None:
        pytest.fail(f"no error was raised; the call gave {outcome.items!r:.300}")
    assert isinstance(error, kind), f"{type(error).__name__}, not {kind.__name__}: {error}"
    assert_plain(error)
    assert_utf8(outcome.items)
    return error


def assert_plain(error: errors.OllamaError) -> None:
    """The error's texts are plain sentences, and all of them encode to UTF-8."""
    problems = utf8_problems([error.message, error.explain(), str(error)], "message")
    if isinstance(error, errors.StreamFailed):
        problems += utf8_problems(error.partial_content, "partial_content")
        problems += utf8_problems(error.partial_thinking, "partial_thinking")
    if not error.message.strip():
        problems.append("empty message")
    if HTML_TAG.search(error.message):
        problems.append("HTML in the message")
    problems += [f"httpx wording {w!r}" for w in HTTPX_WORDING if w in error.message.lower()]
    name = type(error).__name__
    assert not problems, f"{name}({error.message!r}): {'; '.join(problems)}"


def utf8_problems(value: object, where: str = "result") -> list[str]:
    """Every str inside ``value`` (dataclasses, mappings, sequences) that cannot be
    encoded to UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [f"{where}: {value[:60]!r}"]
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            problem
            for f in dataclasses.fields(value)
            for problem in utf8_problems(getattr(value, f.name), f"{where}.{f.name}")
        ]
    if isinstance(value, Mapping):
        return [
            problem
            for key, item in value.items()
            for problem in utf8_problems(key, where) + utf8_problems(item, f"{where}[{key!r}]")
        ]
    if isinstance(value, list | tuple | set | frozenset):
        return [p for i, item in enumerate(value) for p in utf8_problems(item, f"{where}[{i}]")]
    return []


def assert_utf8(value: object) -> None:
    problems = utf8_problems(value)
    assert not problems, f"text that cannot be encoded to UTF-8: {problems}"


def assert_typed(call: Call, outcome: Outcome) -> None:
    """A call that succeeded gave well-typed, usable results."""
    assert_utf8(outcome.items)
    if call == "version":
        assert len(outcome.items) == 1 and isinstance(outcome.items[0], str)
    elif call == "list_models":
        for model in outcome.items:
            assert isinstance(model, ModelSummary)
            assert isinstance(model.name, str) and isinstance(model.size, int)
    elif call == "pull":
        for progress in outcome.items:
            assert isinstance(progress, PullProgress)
            assert isinstance(progress.status, str)
            for number in (progress.total, progress.completed):
                assert number is None or isinstance(number, int)
    else:
        events = outcome.events()
        assert events and isinstance(events[-1], Done), "a chat that did not fail ends with Done"
        assert not any(isinstance(e, Done) for e in events[:-1]), "events after Done"
        stats = events[-1].stats
        rate = stats.tokens_per_second  # usable: computing it must not raise
        assert rate is None or isinstance(rate, float)


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + GENEROUS
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def outlast_request_timeout(client: OllamaClient, emulator: OllamaEmulator) -> None:
    """Return once a plain request on ``client``, started now, has given up after the
    client's request timeout: whatever was waiting before has waited longer."""
    emulator.respond_raw("/api/ps", RawReply.silence())
    with pytest.raises(errors.OllamaError):
        await asyncio.wait_for(client.running(), GENEROUS)


# -- replies ----------------------------------------------------------------------


def line(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload).encode() + b"\n"


def chunk(
    content: str = "",
    *,
    thinking: str = "",
    tool_calls: list[dict[str, Any]] | None = None,
    done: bool = False,
    **extra: Any,
) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if thinking:
        message["thinking"] = thinking
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    base = {"model": "llama3.2", "created_at": "2026-11-01T10:00:00Z", "message": message}
    return line({**base, "done": done, **extra})


def with_raw(payload: Mapping[str, Any], key: str, raw: bytes) -> bytes:
    """``payload`` as one NDJSON line with ``raw`` (JSON text as is) as ``key``'s value."""
    marker = "@@raw@@"
    text = json.dumps({**payload, key: marker}).encode()
    return text.replace(json.dumps(marker).encode(), raw) + b"\n"


DONE = chunk(done=True, done_reason="stop", eval_count=2, eval_duration=40_000_000)
CHAT_START = [chunk("a"), chunk("b")]
"""Two chunks of text, "ab", before a fault."""

LAYER = "sha256:" + "a" * 64
PULL_START = [
    line({"status": "pulling manifest"}),
    line({"status": "pulling aaaaaaaaaaaa", "digest": LAYER, "total": 100, "completed": 50}),
]
PULL_END = [line({"status": "verifying sha256 digest"}), line({"status": "success"})]


def json_reply(*body: bytes) -> RawReply:
    return RawReply(200, JSON_HEADERS, body, framing="length")


def normal_body(call: Call) -> list[bytes]:
    """A good reply's body for ``call``."""
    if call == "version":
        return [line({"version": "0.12.6"})]
    if call == "list_models":
        return [line({"models": [{"name": "m:latest", "size": 1}]})]
    if call == "chat":
        return [*CHAT_START, DONE]
    return [*PULL_START, *PULL_END]


def reply_with(call: Call, body: list[bytes]) -> RawReply:
    return RawReply.ndjson(*body) if call in STREAMS else json_reply(*body)


# -- connections that fail --------------------------------------------------------


@pytest.mark.parametrize("call", ALL)
async def test_refused_connection(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    emulator.go_down()
    error = failure(await run_within(client, call), errors.Unreachable)
    assert f"127.0.0.1:{emulator.port}" in error.message


@pytest.fixture
async def impatient(emulator: OllamaEmulator) -> AsyncIterator[OllamaClient]:
    """A client that gives a plain request half a second."""
    client = OllamaClient(emulator.url, connect_timeout=0.5, request_timeout=0.5)
    yield client
    await client.aclose()


@pytest.mark.parametrize("call", PLAIN)
async def test_plain_request_never_answered_times_out(
    impatient: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    emulator.respond_raw(PATHS[call], RawReply.silence())
    failure(await run_within(impatient, call), errors.OllamaError)
    await wait_until(lambda: PATHS[call] in emulator.disconnects, "the client to hang up")


@pytest.mark.parametrize("call", PLAIN)
async def test_plain_reply_stalls_mid_body_times_out(
    impatient: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    headers = (*JSON_HEADERS, ("Content-Length", "1000"))
    emulator.respond_raw(
        PATHS[call], RawReply(200, headers, [b'{"models": [], "ver'], framing="length", end="stall")
    )
    failure(await run_within(impatient, call), errors.OllamaError)
    await wait_until(lambda: PATHS[call] in emulator.disconnects, "the client to hang up")


@pytest.mark.parametrize("call", STREAMS)
async def test_stream_never_answered_waits_until_cancelled(
    impatient: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    # A model that takes minutes to load sends nothing, not even the headers, meanwhile.
    emulator.respond_raw(PATHS[call], RawReply.silence())
    task = asyncio.create_task(run(impatient, call))
    await wait_until(lambda: emulator.holding.is_set(), "the request to reach the server")
    await outlast_request_timeout(impatient, emulator)
    assert not task.done(), f"the stream gave up: {task.result()}"
    task.cancel()
    await wait_until(lambda: PATHS[call] in emulator.disconnects, "the client to hang up")
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("call", STREAMS)
async def test_stream_that_stalls_waits_until_cancelled(
    impatient: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    start = CHAT_START if call == "chat" else PULL_START
    emulator.respond_raw(PATHS[call], RawReply.ndjson(*start, end="stall"))
    seen: list[object] = []
    task = asyncio.create_task(run(impatient, call, seen))
    await wait_until(lambda: len(seen) == len(start), "the chunks before the stall")
    await outlast_request_timeout(impatient, emulator)
    assert not task.done(), f"the stream gave up: {task.result()}"
    task.cancel()
    await wait_until(lambda: PATHS[call] in emulator.disconnects, "the client to hang up")
    with pytest.raises(asyncio.CancelledError):
        await task
    assert emulator.sent[0].outcome == "client hung up"


async def test_stalled_chat_goes_on_when_the_server_does(
    impatient: OllamaClient, emulator: OllamaEmulator
) -> None:
    emulator.script(ChatReply(content=["a", "b", "c", "d"], hold_after=2))
    task = asyncio.create_task(run(impatient, "chat"))
    await wait_until(emulator.holding.is_set, "the stall")
    await outlast_request_timeout(impatient, emulator)
    emulator.release()
    outcome = await asyncio.wait_for(task, GENEROUS)
    assert outcome.error is None, outcome.error
    assert outcome.text() == "abcd"
    assert isinstance(outcome.events()[-1], Done)


@pytest.mark.parametrize("end", ["abort", "close"])
@pytest.mark.parametrize("call", STREAMS)
async def test_stream_dropped_mid_body(
    client: OllamaClient,
    emulator: OllamaEmulator,
    call: Call,
    end: Literal["abort", "close"],
) -> None:
    start = CHAT_START if call == "chat" else PULL_START
    emulator.respond_raw(PATHS[call], RawReply.ndjson(*start, end=end))
    outcome = await run_within(client, call)
    error = failure(outcome, errors.StreamFailed)
    assert len(outcome.items) == len(start)
    if call == "chat":
        assert error.partial_content == "ab"


@pytest.mark.parametrize("call", PLAIN)
async def test_plain_reply_cut_short(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    headers = (*JSON_HEADERS, ("Content-Length", "1000"))
    reply = RawReply(200, headers, [b'{"models": [], "ver'], framing="length", end="close")
    emulator.respond_raw(PATHS[call], reply)
    failure(await run_within(client, call), errors.OllamaError)


@pytest.mark.parametrize("call", ALL)
async def test_server_hangs_up_without_answering(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    emulator.respond_raw(PATHS[call], RawReply.hang_up())
    failure(await run_within(client, call), errors.OllamaError)


@pytest.mark.parametrize("call", ALL)
async def test_not_http_at_all(client: OllamaClient, emulator: OllamaEmulator, call: Call) -> None:
    # OLLAMA_HOST pointing at some other service, here an SSH server.
    banner = RawReply(
        status=None, body=[b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"], end="close"
    )
    emulator.respond_raw(PATHS[call], banner)
    failure(await run_within(client, call), errors.OllamaError)


# -- server restarts --------------------------------------------------------------


async def test_restart_while_idle_reconnects(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    assert await client.version() == "0.12.6"  # leaves a pooled keep-alive connection
    emulator.restart()
    assert await client.version() == "0.12.6"
    outcome = await run_within(client, "chat")
    assert outcome.error is None and outcome.text() == "You said: hi"


async def test_down_then_back(client: OllamaClient, emulator: OllamaEmulator) -> None:
    assert await client.version() == "0.12.6"
    emulator.go_down()
    failure(await run_within(client, "version"), errors.Unreachable)
    emulator.come_back()
    assert await client.version() == "0.12.6"


@pytest.mark.parametrize("call", STREAMS)
async def test_restart_mid_stream(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    start = CHAT_START if call == "chat" else PULL_START
    emulator.respond_raw(PATHS[call], RawReply.ndjson(*start, end="stall"))
    seen: list[object] = []
    task = asyncio.create_task(run(client, call, seen))
    await wait_until(lambda: len(seen) == len(start) and emulator.holding.is_set(), "the stall")
    emulator.restart()
    outcome = await asyncio.wait_for(task, GENEROUS)
    error = failure(outcome, errors.StreamFailed)
    if call == "chat":
        assert error.partial_content == "ab"
    await wait_until(lambda: emulator.sent[0].outcome != "", "the server's record")
    assert emulator.sent[0].outcome == "server went down"
    again = await run_within(client, "chat")
    assert again.error is None and again.text() == "You said: hi"


# -- errors inside a 200 stream ---------------------------------------------------


@pytest.mark.parametrize("text", ["boom", ""], ids=["message", "empty"])
@pytest.mark.parametrize("call", STREAMS)
async def test_error_line_mid_stream(
    client: OllamaClient, emulator: OllamaEmulator, call: Call, text: str
) -> None:
    start = CHAT_START if call == "chat" else PULL_START
    emulator.respond_raw(PATHS[call], RawReply.ndjson(*start, line({"error": text})))
    outcome = await run_within(client, call)
    error = failure(outcome, errors.ErrorInStream)  # an empty text still gives a message
    assert text in error.message
    assert len(outcome.items) == len(start)
    if call == "chat":
        assert error.partial_content == "ab"


# -- HTTP errors that are not Ollama's --------------------------------------------


@pytest.mark.parametrize("call", ALL)
@pytest.mark.parametrize("status", [500, 502, 503])
async def test_html_error_page(
    client: OllamaClient, emulator: OllamaEmulator, status: int, call: Call
) -> None:
    # nginx (or another proxy) in front of a dead or busy Ollama.
    emulator.respond_raw(PATHS[call], RawReply.html(status))
    outcome = await run_within(client, call)
    error = failure(outcome, errors.ServerError)
    assert error.status == status
    assert str(status) in error.message, error.message
    assert outcome.items == []


@pytest.mark.parametrize("call", ALL)
async def test_a_huge_error_page_still_gives_its_status(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    # 3 MB of page: the start explains the error; the rest is not read.
    page = b"<html><head><title>Bad Gateway</title></head><body>" + b"x" * (3 * 2**20)
    emulator.respond_raw(PATHS[call], RawReply.html(502, page))
    error = failure(await run_within(client, call), errors.ServerError)
    assert error.status == 502
    assert "Bad Gateway" in error.message, error.message


@pytest.mark.parametrize("call", ALL)
async def test_html_404_page(client: OllamaClient, emulator: OllamaEmulator, call: Call) -> None:
    # A web server that is not Ollama, or a proxy path that does not lead to it.
    emulator.respond_raw(PATHS[call], RawReply.html(404))
    error = failure(await run_within(client, call), errors.HTTPError)
    assert error.status == 404


@pytest.mark.parametrize("call", ALL)
async def test_403_with_empty_body(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    # Ollama's Host-header check behind a proxy that does not rewrite it.
    emulator.respond_raw(PATHS[call], RawReply(403, (), (), framing="length"))
    error = failure(await run_within(client, call), errors.Forbidden)
    assert error.status == 403
    assert "403" in error.message


@pytest.mark.parametrize("page", [None, b""], ids=["with-page", "empty"])
@pytest.mark.parametrize("call", ALL)
async def test_redirect_is_reported_as_a_redirect(
    client: OllamaClient, emulator: OllamaEmulator, call: Call, page: bytes | None
) -> None:
    # A login page in front of the server (a captive portal, an auth proxy).
    emulator.respond_raw(PATHS[call], RawReply.redirect("http://127.0.0.1:9/login", page=page))
    outcome = await run_within(client, call)
    error = failure(outcome, errors.OllamaError)
    assert not isinstance(error, errors.StreamEndedEarly), error.message
    assert "ended" not in error.message.lower(), error.message
    assert "302" in error.message or "redirect" in error.message.lower(), error.message


@pytest.mark.parametrize("call", ALL)
async def test_html_page_with_status_200(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    headers = (("Content-Type", "text/html; charset=utf-8"),)
    emulator.respond_raw(PATHS[call], RawReply(200, headers, [CAPTIVE_PORTAL], framing="length"))
    outcome = await run_within(client, call)
    failure(outcome, errors.OllamaError)
    assert outcome.items == []


# -- bodies that are not the promised JSON ----------------------------------------

MALFORMED = {
    "truncated": b'{"model": "m", "message": {"content": "unterminated\n',
    "text": b"upstream connect error or disconnect/reset before headers\n",
    "array": b"[1, 2, 3]\n",
    "string": b'"just a string"\n',
    "null": b"null\n",
}


@pytest.mark.parametrize("bad", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("call", ALL)
async def test_malformed_reply(
    client: OllamaClient, emulator: OllamaEmulator, call: Call, bad: bytes
) -> None:
    if call == "chat":
        body = [*CHAT_START, bad, DONE]
    elif call == "pull":
        body = [*PULL_START, bad, *PULL_END]
    else:
        body = [bad]
    emulator.respond_raw(PATHS[call], reply_with(call, body))
    outcome = await run_within(client, call)
    error = failure(outcome, errors.OllamaError)
    if call == "chat":
        assert isinstance(error, errors.StreamFailed)
        assert error.partial_content == "ab"


ODD_EVENTS = {
    "message-is-number": b'{"message": 5, "done": false}\n',
    "content-is-list": b'{"message": {"role": "assistant", "content": ["a"]}, "done": false}\n',
    "content-is-object": b'{"message": {"content": {"text": "a"}, "thinking": 7}, "done": false}\n',
    "content-is-null": b'{"message": {"content": null, "tool_calls": "x"}, "done": false}\n',
    "odd-tool-calls": (
        b'{"message": {"content": "", "tool_calls": [5, {"function": 3},'
        b' {"function": {"name": 1, "arguments": [1], "index": "0"}}]}, "done": false}\n'
    ),
    "done-is-yes": b'{"done": "yes"}\n',
    "done-is-one": b'{"done": 1, "done_reason": 5}\n',
    "message-is-list": b'{"message": [], "response": 5, "eval_count": "7"}\n',
    "empty-object": b"{}\n",
    "odd-extras": b'{"message": {"content": "", "images": 5}, "context": "x", "done": false}\n',
}
ODD_DONE = (
    b'{"message": {"content": "!"}, "done": true, "eval_count": "many",'
    b' "eval_duration": [1], "total_duration": {"a": 1}, "done_reason": 5, "context": "x"}\n'
)


@pytest.mark.parametrize("odd", ODD_EVENTS.values(), ids=ODD_EVENTS.keys())
async def test_chat_with_unknown_event_shapes(
    client: OllamaClient, emulator: OllamaEmulator, odd: bytes
) -> None:
    emulator.respond_raw("/api/chat", RawReply.ndjson(chunk("ok"), odd, ODD_DONE))
    outcome = await run_within(client, "chat")
    if outcome.error is not None:
        error = failure(outcome, errors.StreamFailed)
        assert error.partial_content == "ok"
    else:
        assert_typed("chat", outcome)
        assert outcome.text() == "ok!"


ODD_PLAIN: dict[str, tuple[Call, bytes]] = {
    "version-is-number": ("version", b'{"version": 5}'),
    "version-is-object": ("version", b'{"version": {"major": 0}}'),
    "models-is-number": ("list_models", b'{"models": 5}'),
    "models-is-object": ("list_models", b'{"models": {"a": 1}}'),
    "models-of-odd-items": ("list_models", b'{"models": [5, "x", null, []]}'),
    "model-of-odd-fields": (
        "list_models",
        b'{"models": [{"name": 5, "size": "big", "details": [], "modified_at": 5,'
        b' "capabilities": "x", "digest": null}]}',
    ),
    "no-models": ("list_models", b"{}"),
}


@pytest.mark.parametrize(("call", "body"), ODD_PLAIN.values(), ids=ODD_PLAIN.keys())
async def test_plain_reply_with_unknown_shapes(
    client: OllamaClient, emulator: OllamaEmulator, call: Call, body: bytes
) -> None:
    emulator.respond_raw(PATHS[call], json_reply(body))
    outcome = await run_within(client, call)
    if outcome.error is not None:
        failure(outcome, errors.OllamaError)
    else:
        assert_typed(call, outcome)


async def test_pull_with_unknown_shapes(client: OllamaClient, emulator: OllamaEmulator) -> None:
    odd = b'{"status": 5, "total": "x", "completed": [1], "digest": {}}\n'
    emulator.respond_raw("/api/pull", RawReply.ndjson(*PULL_START, odd, b"{}\n", *PULL_END))
    outcome = await run_within(client, "pull")
    if outcome.error is not None:
        failure(outcome, errors.StreamFailed)
    else:
        assert_typed("pull", outcome)
        assert len(outcome.items) == 6


# -- valid JSON of extreme shape ------------------------------------------------------

DEPTH = 100_000
EXTREME: dict[str, bytes] = {
    "int-5000-digits": b"9" * 5000,
    "int-4000-digits": b"9" * 4000,
    "float-overflow": b"1e400",
    "negative-float-overflow": b"-1e400",
    "nested-100000-deep": b"[" * DEPTH + b"]" * DEPTH,
}


def extreme_body(call: Call, raw: bytes) -> list[bytes]:
    """A good reply for ``call`` with ``raw`` as a number field the client reads."""
    if call == "version":
        return [with_raw({}, "version", raw)]
    if call == "list_models":
        return [
            b'{"models": [{"name": "m:latest", "size": '
            + raw
            + b', "details": {"context_length": '
            + raw
            + b"}}]}"
        ]
    if call == "chat":
        final = {"message": {"role": "assistant", "content": ""}, "done": True}
        return [*CHAT_START, with_raw(final, "eval_count", raw)]
    progress = {"status": "pulling aaaaaaaaaaaa", "digest": LAYER, "total": 100}
    return [*PULL_START, with_raw(progress, "completed", raw), *PULL_END]


@pytest.mark.parametrize("raw", EXTREME.values(), ids=EXTREME.keys())
@pytest.mark.parametrize("call", ALL)
async def test_extreme_json_values(
    client: OllamaClient, emulator: OllamaEmulator, call: Call, raw: bytes
) -> None:
    emulator.respond_raw(PATHS[call], reply_with(call, extreme_body(call, raw)))
    outcome = await run_within(client, call)
    if outcome.error is not None:
        error = failure(outcome, errors.OllamaError)
        if call == "chat":
            assert isinstance(error, errors.StreamFailed)
            assert error.partial_content == "ab"
    else:
        assert_typed(call, outcome)


async def test_tool_call_index_overflow(client: OllamaClient, emulator: OllamaEmulator) -> None:
    call = {"function": {"name": "clock", "arguments": {}, "index": "@"}}
    calls = chunk(tool_calls=[call]).replace(b'"@"', b"1e400")
    emulator.respond_raw("/api/chat", RawReply.ndjson(*CHAT_START, calls, DONE))
    outcome = await run_within(client, "chat")
    if outcome.error is not None:
        assert failure(outcome, errors.StreamFailed).partial_content == "ab"
    else:
        assert_typed("chat", outcome)


async def test_huge_token_counts_give_usable_stats(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    final = {"message": {"role": "assistant", "content": ""}, "done": True, "eval_duration": 1}
    done = with_raw(final, "eval_count", b"9" * 4000)  # within Python's int-parsing limit
    emulator.respond_raw("/api/chat", RawReply.ndjson(*CHAT_START, done))
    outcome = await run_within(client, "chat")
    assert outcome.error is None, outcome.error
    assert outcome.text() == "ab"
    assert_typed("chat", outcome)  # reads stats.tokens_per_second


async def test_ten_megabyte_string(client: OllamaClient, emulator: OllamaEmulator) -> None:
    big = "x" * 10_000_000
    emulator.respond_raw("/api/chat", RawReply.ndjson(chunk("a"), chunk(big), DONE))
    outcome = await run_within(client, "chat")
    assert outcome.error is None, outcome.error
    assert_typed("chat", outcome)
    assert outcome.text() == "a" + big


# -- text that is not valid Unicode ---------------------------------------------------


@dataclass(frozen=True)
class TextCase:
    call: Call
    reply: RawReply
    around: tuple[str, str] = ("", "")
    """Text that must survive on either side of the bad character, when no error."""


def chat_body(*lines: bytes) -> RawReply:
    return RawReply.ndjson(*lines)


SURROGATES: dict[str, TextCase] = {
    "chat-content": TextCase("chat", chat_body(chunk("a\ud800b"), DONE), ("a", "b")),
    "chat-content-low": TextCase("chat", chat_body(chunk("a\udfffb"), DONE), ("a", "b")),
    "chat-content-reversed-pair": TextCase(
        "chat", chat_body(chunk("a\udc00\ud800b"), DONE), ("a", "b")
    ),
    "chat-thinking": TextCase("chat", chat_body(chunk(thinking="t\udbff"), chunk("ok"), DONE)),
    "chat-high-at-chunk-end": TextCase(
        "chat", chat_body(chunk("a\ud83d"), chunk("\ude00b"), DONE), ("a", "b")
    ),
    "chat-tool-name": TextCase(
        "chat",
        chat_body(chunk(tool_calls=[{"function": {"name": "f\ud800", "arguments": {}}}]), DONE),
    ),
    "chat-error-line": TextCase("chat", chat_body(*CHAT_START, line({"error": "boom \ud800"}))),
    "chat-partial-then-drop": TextCase("chat", RawReply.ndjson(chunk("a\ud800"), end="abort")),
    "chat-500-body": TextCase(
        "chat", RawReply(500, JSON_HEADERS, [line({"error": "x \ud800"})], framing="length")
    ),
    "version": TextCase("version", json_reply(line({"version": "0.1\ud83d"}))),
    "model-name": TextCase("list_models", json_reply(line({"models": [{"name": "m\ud800"}]}))),
    "model-name-as-utf8-bytes": TextCase(
        # The surrogate's would-be UTF-8 bytes, which json.loads(bytes) lets through.
        "list_models",
        json_reply(b'{"models": [{"name": "m\xed\xa0\x80", "size": 1}]}'),
    ),
    "tags-500-body-as-utf8-bytes": TextCase(
        "list_models",
        RawReply(500, JSON_HEADERS, [b'{"error": "bad \xed\xa0\x80 thing"}'], framing="length"),
    ),
    "pull-status": TextCase("pull", chat_body(*PULL_START, line({"status": "s\udc00"}))),
}

INVALID_UTF8: dict[str, TextCase] = {
    "chat-content": TextCase(
        "chat",
        chat_body(b'{"message": {"content": "a\xff\xfeb"}, "done": false}\n', DONE),
        ("a", "b"),
    ),
    "chat-cut-multibyte": TextCase(
        "chat", chat_body(b'{"message": {"content": "caf\xc3"}, "done": false}\n', DONE)
    ),
    "chat-outside-strings": TextCase(
        "chat", chat_body(*CHAT_START, b'{"message": {"content": "c"}, \xff "done": false}\n')
    ),
    "chat-surrogate-bytes": TextCase(
        "chat",
        chat_body(b'{"message": {"content": "a\xed\xa0\x80b"}, "done": false}\n', DONE),
        ("a", "b"),
    ),
    "version": TextCase("version", json_reply(b'{"version": "0.1\xff"}')),
    "model-name": TextCase("list_models", json_reply(b'{"models": [{"name": "m\xc3\x28"}]}')),
    "error-body": TextCase(
        "list_models",
        RawReply(500, JSON_HEADERS, [b'{"error": "bad \xff thing"}'], framing="length"),
    ),
    "pull-status": TextCase("pull", chat_body(*PULL_START, b'{"status": "s\xfe"}\n', *PULL_END)),
}


async def check_text_case(client: OllamaClient, emulator: OllamaEmulator, case: TextCase) -> None:
    emulator.respond_raw(PATHS[case.call], case.reply)
    outcome = await run_within(client, case.call)
    if outcome.error is not None:
        failure(outcome, errors.OllamaError)
        return
    assert_typed(case.call, outcome)
    if case.call == "chat" and case.around != ("", ""):
        text = outcome.text()
        assert text.startswith(case.around[0]) and text.endswith(case.around[1]), text


@pytest.mark.parametrize("case", SURROGATES.values(), ids=SURROGATES.keys())
async def test_lone_surrogates(
    client: OllamaClient, emulator: OllamaEmulator, case: TextCase
) -> None:
    await check_text_case(client, emulator, case)


@pytest.mark.parametrize("case", INVALID_UTF8.values(), ids=INVALID_UTF8.keys())
async def test_invalid_utf8(client: OllamaClient, emulator: OllamaEmulator, case: TextCase) -> None:
    await check_text_case(client, emulator, case)


# -- broken compression ---------------------------------------------------------------


@pytest.mark.parametrize("call", ALL)
async def test_gzip_that_is_not_gzip(
    client: OllamaClient, emulator: OllamaEmulator, call: Call
) -> None:
    body = normal_body(call)
    if call in STREAMS:
        headers = (*NDJSON, ("Content-Encoding", "gzip"))
        reply = RawReply(200, headers, body)
    else:
        reply = RawReply(200, (*JSON_HEADERS, ("Content-Encoding", "gzip")), body, framing="length")
    emulator.respond_raw(PATHS[call], reply)
    outcome = await run_within(client, call)
    failure(outcome, errors.OllamaError)
    assert outcome.items == []


async def test_gzip_that_breaks_mid_stream(client: OllamaClient, emulator: OllamaEmulator) -> None:
    packer = zlib.compressobj(wbits=31)  # gzip
    good = packer.compress(b"".join(CHAT_START)) + packer.flush(zlib.Z_SYNC_FLUSH)
    corrupt = b"\xff" * 16  # a final block of the reserved type: invalid deflate data
    headers = (*NDJSON, ("Content-Encoding", "gzip"))
    emulator.respond_raw("/api/chat", RawReply(200, headers, [good, corrupt]))
    outcome = await run_within(client, "chat")
    error = failure(outcome, errors.StreamFailed)
    assert error.partial_content == "ab"
