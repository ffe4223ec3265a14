"""Property tests: the NDJSON decoder and the client's chat stream, on any input.

(a) ``NDJSONDecoder``: JSON objects written as NDJSON and cut into arbitrary reads
come back exactly; arbitrary bytes give dicts or ``NDJSONError``, nothing else.
(b) ``OllamaClient.chat`` against the emulator serving an arbitrary 200 NDJSON body
(good lines, garbage, invalid UTF-8, error lines, cut short, any network writes):
it yields only chat events, then ends after ``Done`` or raises an ``OllamaError``.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.stream import NDJSONDecoder, NDJSONError
from ollama_tui.core.ollama.types import (
    ChatEvent,
    ContentDelta,
    Done,
    Message,
    ThinkingDelta,
    ToolCallsReceived,
)
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.emulator.models import NDJSON_HEADERS, RawReply

PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
"""Hypothesis's phases but "explain", which reruns a failing HTTP example thousands of
times to comment on it (a minute or more on two cores)."""

SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def cut(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` split at the given offsets (taken modulo its length, in order)."""
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


def decode_all(pieces: list[bytes]) -> list[dict[str, Any]]:
    decoder = NDJSONDecoder()
    out = [obj for piece in pieces for obj in decoder.feed(piece)]
    return out + decoder.finish()


# -- (a) the decoder ----------------------------------------------------------------

any_text = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=12).filter(
    # Two lone surrogates side by side would be escaped as a pair, which JSON decodes
    # as one astral character: a different string, though a correct decoding.
    lambda text: not SURROGATE_PAIR.search(text)
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=10,
)
json_objects = st.dictionaries(any_text, json_values, max_size=5)


def to_ndjson_line(obj: dict[str, Any], ascii_only: bool, compact: bool) -> bytes:
    separators = (",", ":") if compact else (", ", ": ")
    text = json.dumps(obj, ensure_ascii=ascii_only, separators=separators)
    # Without ensure_ascii, lone surrogates are left raw, which UTF-8 cannot carry:
    # escape them as JSON does.
    text = SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.encode("utf-8")


@settings(max_examples=100, deadline=None, phases=PHASES)
@given(
    objects=st.lists(json_objects, max_size=8),
    ascii_only=st.booleans(),
    compact=st.booleans(),
    newline=st.sampled_from([b"\n", b"\r\n"]),
    blank_lines=st.lists(st.sampled_from([b"\n", b"\r\n", b"  \n", b"\t\r\n"]), max_size=3),
    final_newline=st.booleans(),
    cuts=st.lists(st.integers(min_value=0), max_size=30),
)
def test_decoder_returns_exactly_the_objects_however_cut(
    objects: list[dict[str, Any]],
    ascii_only: bool,
    compact: bool,
    newline: bytes,
    blank_lines: list[bytes],
    final_newline: bool,
    cuts: list[int],
) -> None:
    lines = [to_ndjson_line(obj, ascii_only, compact) for obj in objects]
    data = b"".join(blank_lines) + newline.join(lines)
    if lines and final_newline:
        data += newline
    decoded = decode_all(cut(data, cuts))
    # Exactly the objects; a decoder may turn lone surrogates into U+FFFD (consistently).
    assert decoded == objects or decoded == with_surrogates_replaced(objects)


def with_surrogates_replaced(value: Any) -> Any:
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [with_surrogates_replaced(item) for item in value]
    if isinstance(value, dict):
        return {SURROGATE.sub("\ufffd", k): with_surrogates_replaced(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Nested:
    """An NDJSON line holding a value nested ``depth`` levels deep, ``[[[1]]]`` or
    ``{"a": {"a": 1}}`` (a small repr for Hypothesis to print, not megabytes)."""

    depth: int
    opener: bytes = b"["
    closer: bytes = b"]"

    def __bytes__(self) -> bytes:
        return b'{"a": ' + self.opener * self.depth + b"1" + self.closer * self.depth + b"}\n"


TOKENS = st.sampled_from(
    [
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b"\\",
        b":",
        b",",
        b" ",
        b"\n",
        b"\r\n",
        b'"a"',
        b'{"a": ',
        b"1",
        b"-",
        b"1e400",
        b"-1e400",
        b"9" * 5000,
        b"NaN",
        b"Infinity",
        b"null",
        b"true",
        b'"\\ud800"',
        b'"\\u12"',
        b"\xff",
        b"\xc3",
        b"\xed\xa0\x80",
        b"\xf0\x9f\xa6",
        b"\x00",
        b'{"message": {"content": "hi"}, "done": false}\n',
    ]
)
NESTING = st.builds(
    Nested, st.integers(min_value=1, max_value=120_000), *map(st.just, (b'{"a": ', b"}"))
) | st.builds(Nested, st.integers(min_value=1, max_value=120_000))
any_parts = st.lists(st.binary(max_size=200), max_size=1) | st.lists(TOKENS | NESTING, max_size=25)


@settings(max_examples=100, deadline=None, phases=PHASES)
@given(parts=any_parts, cuts=st.lists(st.integers(min_value=0), max_size=20))
def test_decoder_on_any_bytes_gives_dicts_or_ndjson_error(
    parts: list[bytes | Nested], cuts: list[int]
) -> None:
    data = b"".join(bytes(part) for part in parts)
    decoder = NDJSONDecoder()
    try:
        out = [obj for piece in cut(data, cuts) for obj in decoder.feed(piece)]
        out += decoder.finish()
    except NDJSONError:
        return
    assert all(isinstance(obj, dict) for obj in out)


# -- (b) the client, end to end ----------------------------------------------------

plain_text = st.text(max_size=8)
json_number = st.from_regex(
    r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,8})?([eE][+-]?[0-9]{1,4})?", fullmatch=True
)
edge_number = st.sampled_from(["0", "-1", "1e400", "-1e400", "1e-400", "9" * 300])
odd_value = st.sampled_from(['"x"', "null", "true", "[]", "{}", '["a"]'])


@st.composite
def chunk_lines(draw: st.DrawFn) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": draw(plain_text)}
    if draw(st.booleans()):
        message["thinking"] = draw(plain_text)
    line = {"model": "m", "created_at": "2026-11-01T10:00:00Z", "message": message, "done": False}
    return json.dumps(line, ensure_ascii=draw(st.booleans())).encode() + b"\n"


@st.composite
def done_lines(draw: st.DrawFn) -> bytes:
    fields = [f'"content": {json.dumps(draw(plain_text))}']
    text = '{"message": {' + ", ".join(fields) + '}, "done": true'
    for key in draw(
        st.lists(
            st.sampled_from(["eval_count", "eval_duration", "total_duration", "done_reason"]),
            unique=True,
        )
    ):
        text += f', "{key}": {draw(json_number | edge_number | odd_value)}'
    return text.encode() + b"}\n"


@st.composite
def odd_lines(draw: st.DrawFn) -> bytes:
    key = draw(st.sampled_from(["message", "content", "done", "tool_calls", "error"]))
    value = draw(odd_value)
    if key in {"content", "tool_calls"}:
        return f'{{"message": {{"{key}": {value}}}, "done": false}}\n'.encode()
    return f'{{"{key}": {value}}}\n'.encode()


@st.composite
def invalid_utf8_lines(draw: st.DrawFn) -> bytes:
    bad = draw(st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f"]))
    return b'{"message": {"content": "a' + bad + b'b"}, "done": false}\n'


segments = st.one_of(  # repeated strategies are drawn more often
    chunk_lines(),
    chunk_lines(),
    chunk_lines(),
    done_lines(),
    done_lines(),
    odd_lines(),
    invalid_utf8_lines(),
    st.builds(lambda text: json.dumps({"error": text}).encode() + b"\n", plain_text),
    st.binary(max_size=30),
    st.sampled_from([b"\n", b"\r\n", b"not json\n", b"[1]\n", b"{"]),
)


@settings(
    max_examples=100,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parts=st.lists(segments, min_size=1, max_size=10),
    keep=st.none() | st.integers(min_value=0),
    cuts=st.lists(st.integers(min_value=0), max_size=12),
    framing=st.sampled_from(["chunked", "close"]),
    end=st.sampled_from(["finish", "close", "abort"]),
)
async def test_chat_yields_events_then_done_or_a_typed_error(
    client: OllamaClient,
    emulator: OllamaEmulator,
    parts: list[bytes],
    keep: int | None,
    cuts: list[int],
    framing: Literal["chunked", "close"],
    end: Literal["finish", "close", "abort"],
) -> None:
    body = b"".join(parts)
    if keep is not None:
        body = body[: keep % (len(body) + 1)]  # the stream is cut short here
    writes = [piece for piece in cut(body, cuts) if piece]
    emulator.respond_raw(
        "/api/chat", RawReply(200, NDJSON_HEADERS, writes, framing=framing, end=end)
    )
    events: list[ChatEvent] = []
    failure: errors.OllamaError | None = None
    try:
        async for item in client.chat("llama3.2", [Message("user", "hi")]):
            assert isinstance(item, ContentDelta | ThinkingDelta | ToolCallsReceived | Done)
            assert not any(isinstance(e, Done) for e in events), "an event after Done"
            events.append(item)
    except errors.OllamaError as error:
        failure = error
    event("outcome: " + (type(failure).__name__ if failure else "Done"))
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    thinking = "".join(e.text for e in events if isinstance(e, ThinkingDelta))
    (content + thinking).encode("utf-8")  # every text is valid Unicode
    if failure is None:
        assert events and isinstance(events[-1], Done), "the stream ended without Done or error"
    else:
        failure.message.encode("utf-8")
        if isinstance(failure, errors.StreamFailed):
            assert failure.partial_content == content
            assert failure.partial_thinking == thinking
