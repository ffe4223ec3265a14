"""NDJSON decoding that does not trust network chunk boundaries."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from ollama_tui.core import safe_json

MAX_LINE_BYTES = 64 * 1024 * 1024
"""A longer line is treated as a broken server rather than buffered without bound."""


class NDJSONError(ValueError):
    """A line was not a JSON object, or grew past ``MAX_LINE_BYTES``."""


class NDJSONDecoder:
    """Accumulates bytes and returns complete JSON objects.

    Lines are split on ``\\n`` only, and each complete line is decoded as UTF-8 on
    its own (invalid bytes become U+FFFD), so a line or a multi-byte character split
    across reads is joined first.
    Blank lines are skipped. Whatever remains at the end without a newline is decoded
    too, which is how single-object replies (load/unload) arrive.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        if b"\n" not in data:
            # Only the new bytes are looked at: a long line arriving in many small
            # reads costs its length, not its length times the number of reads.
            self._buffer += data
            if len(self._buffer) > MAX_LINE_BYTES:
                raise NDJSONError(f"a line longer than {MAX_LINE_BYTES:,} bytes")
            return []
        head, _, tail = data.rpartition(b"\n")
        self._buffer += head
        lines = self._buffer.split(b"\n")
        self._buffer = bytearray(tail)
        return [obj for line in lines if (obj := _decode(line)) is not None]

    def finish(self) -> list[dict[str, Any]]:
        rest, self._buffer = bytes(self._buffer), bytearray()
        obj = _decode(rest)
        return [obj] if obj is not None else []


def _decode(line: bytes | bytearray) -> dict[str, Any] | None:
    text = line.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        obj = safe_json.loads(text)
    except ValueError:
        raise NDJSONError("a line that is not JSON") from None
    if not isinstance(obj, dict):
        raise NDJSONError("a line that is not a JSON object")
    return obj


async def iter_objects(chunks: AsyncIterable[bytes]) -> AsyncIterator[dict[str, Any]]:
    decoder = NDJSONDecoder()
    async for chunk in chunks:
        for obj in decoder.feed(chunk):
            yield obj
    for obj in decoder.finish():
        yield obj
