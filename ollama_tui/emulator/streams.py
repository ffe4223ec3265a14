"""Streaming replies: NDJSON lines written as HTTP chunks, paced as a script says, with
the client's hang-up noticed between lines (and the send log for benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable

from ollama_tui.emulator.models import ChatReply, PullScript
from ollama_tui.emulator.state import Emulated
from ollama_tui.emulator.wire import Writer


class Action:
    """Markers in a stream of lines: pause for the script's delay, drop the socket, or
    hold until released."""

    DELAY: Action
    ABORT: Action
    HOLD: Action


Action.DELAY = Action()
Action.ABORT = Action()
Action.HOLD = Action()


async def stream(
    emulator: Emulated,
    writer: Writer,
    reader: asyncio.StreamReader,
    path: str,
    lines: Iterable[bytes | Action],
    script: ChatReply | PullScript,
    before_first: float = 0.0,
) -> bool:
    """Send ``lines`` as a chunked NDJSON stream, the first after ``before_first``
    seconds (a load and a prefill); notice if the client hangs up."""
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    await writer.drain()
    hangup = asyncio.ensure_future(reader.read(1))
    delay = script.delay
    first_delay = before_first + (script.first_delay if isinstance(script, ChatReply) else 0.0)
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
            if item is Action.ABORT:
                writer.transport.abort()
                return False
            if item is Action.HOLD:
                await emulator.hold(hangup)
                if hangup.done():
                    emulator.disconnects.append(path)
                    return False
                continue
            if item is Action.DELAY:
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
