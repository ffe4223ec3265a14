"""HTTP/1.1 on asyncio streams, as the emulator speaks it: reading a request, writing a
reply with a length, JSON lines, and the head of a hand-made reply."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from typing import Any

from ollama_tui.emulator.models import RawReply, Recorded, reason_phrase

Writer = asyncio.StreamWriter


async def hangup(reader: asyncio.StreamReader) -> None:
    """Return when the client closes its side (anything it sends is ignored)."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass


def raw_head(reply: RawReply) -> bytes:
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


async def read_request(reader: asyncio.StreamReader) -> Recorded | None:
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
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await read_chunked(reader)
    else:
        length = int(headers.get("content-length", "0") or 0)
        body = await reader.readexactly(length) if length else b""
    return Recorded(method, target.split("?", 1)[0], headers, body)


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    """A body sent in chunks, as a client streaming a file of unknown length sends it
    (Ollama's own ``ollama create`` uploads blobs so)."""
    body = bytearray()
    while True:
        size_line = await reader.readline()
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while await reader.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers, unused
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)  # the CRLF after each chunk


async def send(
    writer: Writer, status: int, body: bytes, content_type: str = "application/json"
) -> bool:
    reason = reason_phrase(status)
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    return True


async def send_json(writer: Writer, status: int, payload: Mapping[str, Any]) -> bool:
    return await send(writer, status, json.dumps(payload).encode())


async def send_error(writer: Writer, status: int, message: str) -> bool:
    return await send_json(writer, status, {"error": message})


def json_body(request: Recorded) -> dict[str, Any] | None:
    try:
        data = request.json
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def name_of(body: Mapping[str, Any]) -> str:
    return str(body.get("model") or body.get("name") or "")


def line(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode() + b"\n"


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())
