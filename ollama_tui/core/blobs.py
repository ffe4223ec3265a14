"""Model files as Ollama's blobs: a file's digest, and its bytes read a chunk at a time.

A model file can be tens of gigabytes: it is never read whole into memory, and the
digest is worked out in a thread that can be told to stop (Ctrl+C must not wait for
the rest of a 40 GB file to be hashed).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import BinaryIO

CHUNK_BYTES = 1024 * 1024
"""Read (to hash or to send) this many bytes at a time."""


class Stopped(Exception):
    """Hashing was told to stop before the end of the file."""


def sha256_digest(
    path: Path,
    on_progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> str:
    """``sha256:<hex>`` of the file at ``path``, as Ollama names blobs. ``on_progress``
    hears the bytes read so far after each chunk; ``stop``, once set, ends it with
    ``Stopped``. Blocking: run it in a thread."""
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            if stop is not None and stop.is_set():
                raise Stopped(str(path))
            digest.update(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done)
    return "sha256:" + digest.hexdigest()


async def read_chunks(
    file: BinaryIO, on_progress: Callable[[int], None] | None = None
) -> AsyncIterator[bytes]:
    """The rest of ``file``, a chunk at a time, each read in a thread so a slow disk
    does not stall the event loop; ``on_progress`` hears the bytes handed on so far."""
    done = 0
    while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
        yield chunk
        done += len(chunk)
        if on_progress is not None:
            on_progress(done)
