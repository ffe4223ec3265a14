"""NDJSON decoding that does not trust network chunk boundaries."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

MAX_LINE_BYTES = 64 * 1024 * 1024
"""A longer line is treated as a broken server rather than buffered without bound."""


class NDJSONError(ValueError):
    """A line was not a JSON object, or grew past ``MAX_LINE_BYTES``."""


class NDJSONDecoder:
    """Accumulates bytes and returns complete JSON objects.

    Lines are split on ``\\n`` only, and each complete line is decoded as UTF-8 on
    its own, so a line or a multi-byte character split across reads is joined first.
    Blank lines are skipped. Whatever remains at the end without a newline is decoded
    too, which is how single-object replies (load/unload) arrive.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self._buffer += data
        *lines, rest = self._buffer.split(b"\n")
        if len(rest) > MAX_LINE_BYTES:
            raise NDJSONError(f"a line is longer than {MAX_LINE_BYTES} bytes")
        self._buffer = bytearray(rest)
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
        obj = json.loads(text)
    except ValueError:
        raise NDJSONError(f"not JSON: {text[:80]!r}") from None
    if not isinstance(obj, dict):
        raise NDJSONError(f"not a JSON object: {text[:80]!r}")
    return obj


async def iter_objects(chunks: AsyncIterable[bytes]) -> AsyncIterator[dict[str, Any]]:
    decoder = NDJSONDecoder()
    async for chunk in chunks:
        for obj in decoder.feed(chunk):
            yield obj
    for obj in decoder.finish():
        yield obj


NETWORK_WAIT = 0.001
"""A read that took longer than this (seconds) found no data buffered, or was held up
by the busy app (see ``BACKLOG_CHUNKS``)."""


BACKLOG_CHUNKS = 50
"""Chunks that, read without waiting since the last pause, show a server well ahead
of the reader: a read that then seems to wait was only held up by the busy app, and
pausing after it would delay the reply without saving a wake-up."""


FINAL_LINE = re.compile(rb'"done"\s*:\s*true')
"""Marks a chunk holding a stream's closing line. A false match (the words inside a
reply's text are escaped, so it would take a strange server) only cuts a pause short."""


async def paced(chunks: AsyncIterable[bytes], pause: float) -> AsyncIterator[bytes]:
    """Pass ``chunks`` through, pausing ``pause`` after any chunk that had to be
    waited for, so that whatever arrives during the pause is read in one go.

    Chunks that were already buffered pass at once, so a backlog drains at full
    speed and the added delay is at most ``pause``; a backlog of ``BACKLOG_CHUNKS``
    or more skips the next pause. A pause ends early when the stream's closing line
    (or its end) arrives during it: a model's last token is often followed within
    milliseconds by the closing line, and the reply should not wait a pause for it.
    """
    iterator = aiter(chunks)
    read_at_once = 0
    read_ahead: asyncio.Future[bytes] | None = None
    try:
        while True:
            started = time.perf_counter()
            try:
                chunk = await (read_ahead or anext(iterator))
            except StopAsyncIteration:
                return
            read_ahead = None
            waited = time.perf_counter() - started > NETWORK_WAIT
            yield chunk
            if not waited:
                read_at_once += 1
                continue
            if pause > 0 and read_at_once < BACKLOG_CHUNKS and not FINAL_LINE.search(chunk):
                read_ahead = asyncio.ensure_future(anext(iterator))
                await _pause_unless_final(read_ahead, pause)
            read_at_once = 0
    finally:
        if read_ahead is not None and not read_ahead.cancel() and not read_ahead.cancelled():
            read_ahead.exception()  # a failed read that nobody will await is not an error


async def _pause_unless_final(read_ahead: asyncio.Future[bytes], pause: float) -> None:
    resume_at = time.perf_counter() + pause
    await asyncio.wait({read_ahead}, timeout=pause)
    if not read_ahead.done():
        return
    if read_ahead.cancelled() or read_ahead.exception() is not None:
        return  # the stream ended, or failed: either way there is nothing to wait for
    if FINAL_LINE.search(read_ahead.result()):
        return
    await asyncio.sleep(resume_at - time.perf_counter())
