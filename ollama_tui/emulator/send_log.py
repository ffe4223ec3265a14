"""When each streamed reply chunk left the emulator, for a benchmark in another process."""

from __future__ import annotations

import contextlib
import json
import time
from typing import IO, Any


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
