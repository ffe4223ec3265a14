"""Replies written byte for byte (``RawReply``): any status line, headers and body, then
finished, closed, dropped or stalled, for the client's failure tests."""

from __future__ import annotations

import asyncio
import contextlib

from ollama_tui.emulator.models import RawReply, SentReply
from ollama_tui.emulator.state import Emulated
from ollama_tui.emulator.wire import Writer, hangup, raw_head


async def send_raw(
    emulator: Emulated,
    writer: Writer,
    reader: asyncio.StreamReader,
    path: str,
    reply: RawReply,
) -> bool:
    """Write ``reply`` as told; True if the connection can serve another request."""
    record = SentReply(path, reply.status)
    emulator.sent.append(record)
    client_gone = asyncio.ensure_future(hangup(reader))

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
        if writer in emulator.dropped:
            record.outcome = "server went down"
        else:
            record.outcome = "client hung up"
            emulator.disconnects.append(path)
        return False

    try:
        if reply.hold_head and not await emulator.hold(client_gone):
            return hung_up()
        if reply.status is not None:
            await write(raw_head(reply), split=False)
        for item in reply.body:
            if client_gone.done():
                return hung_up()
            if reply.status is not None and reply.framing == "chunked":
                if not item:
                    continue  # an empty chunk would end the body
                item = b"%x\r\n%s\r\n" % (len(item), item)
            await write(item)
        end = reply.end
        if end == "stall":
            if not await emulator.hold(client_gone):
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
        if not client_gone.done():
            client_gone.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await client_gone
