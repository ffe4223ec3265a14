import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from ollama_tui.ollama.stream import BACKLOG_CHUNKS, NDJSONDecoder, NDJSONError, paced


def feed_all(pieces: list[bytes]) -> list[dict[str, object]]:
    decoder = NDJSONDecoder()
    out = [obj for piece in pieces for obj in decoder.feed(piece)]
    return out + decoder.finish()


def test_line_split_across_reads_is_joined() -> None:
    assert feed_all([b'{"a": 1}\n{"b"', b": 2}\n"]) == [{"a": 1}, {"b": 2}]


def test_several_lines_in_one_read() -> None:
    assert feed_all([b'{"a": 1}\n{"a": 2}\n{"a": 3}\n']) == [{"a": 1}, {"a": 2}, {"a": 3}]


def test_multibyte_character_split_across_reads() -> None:
    raw = '{"t": "héllo 世界 🦙"}\n'.encode()
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    assert feed_all(pieces) == [{"t": "héllo 世界 🦙"}]


def test_blank_lines_are_skipped() -> None:
    assert feed_all([b'\n\n{"a": 1}\n\r\n  \n{"a": 2}\n']) == [{"a": 1}, {"a": 2}]


def test_single_object_without_newline() -> None:
    assert feed_all([b'{"done": true, "done_reason": "load"}']) == [
        {"done": True, "done_reason": "load"}
    ]


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b'{"a": \n'])
def test_broken_lines_raise(line: bytes) -> None:
    with pytest.raises(NDJSONError):
        feed_all([line])


async def _arrivals(pause: float) -> list[float]:
    async def source() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.02)  # the first chunk has to be waited for
        yield b"a"
        yield b"b"  # these two were already buffered
        yield b"c"

    times = []
    async for _ in paced(source(), pause):
        times.append(time.perf_counter())
    return times


async def test_paced_sleeps_only_after_a_chunk_it_waited_for() -> None:
    first, second, third = await _arrivals(0.1)
    assert second - first >= 0.095
    assert third - second < 0.05


async def test_paced_without_a_pause_adds_no_delay() -> None:
    first, _, third = await _arrivals(0.0)
    assert third - first < 0.05


async def test_paced_reads_on_after_a_backlog() -> None:
    # A server far ahead: every chunk but the first was buffered, then one read is
    # held up (by the app, say). Pausing after it would only delay the reply.
    async def source() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.02)
        yield b"first"
        for _ in range(BACKLOG_CHUNKS):
            yield b"buffered"
        await asyncio.sleep(0.02)
        yield b"held up"
        yield b"last"

    times = []
    async for _ in paced(source(), 0.01):
        times.append(time.perf_counter())
    assert times[1] - times[0] >= 0.0095  # the first wait is paced
    assert times[-1] - times[-2] < 0.005


async def test_paced_pause_ends_when_the_closing_line_arrives() -> None:
    # A model's last token, then its closing line a moment later: the pause that
    # follows the last token must not hold the closing line back.
    async def source() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.02)
        yield b'{"message": {"content": "last"}, "done": false}\n'
        await asyncio.sleep(0.01)
        yield b'{"message": {"content": ""}, "done": true}\n'

    times = []
    async for _ in paced(source(), 5.0):
        times.append(time.perf_counter())
    assert times[1] - times[0] < 2.5


async def test_paced_pause_ends_when_the_stream_ends() -> None:
    async def source() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.02)
        yield b'{"error": "out of memory"}\n'

    started = time.perf_counter()
    async for _ in paced(source(), 5.0):
        pass
    assert time.perf_counter() - started < 2.5


async def test_paced_pause_holds_a_chunk_that_does_not_close_the_stream() -> None:
    async def source() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.02)
        yield b'{"done": false}\n'
        await asyncio.sleep(0.01)
        yield b'{"done": false}\n'  # arrives during the pause, is read at its end
        yield b'{"done": true}\n'

    times = []
    async for _ in paced(source(), 0.2):
        times.append(time.perf_counter())
    assert times[1] - times[0] >= 0.195


async def test_paced_read_ahead_is_cancelled_with_the_stream() -> None:
    cancelled = asyncio.Event()

    async def source() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.02)
        yield b'{"done": false}\n'
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        yield b"never"

    async def consume() -> None:
        async for _ in paced(source(), 5.0):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(cancelled.wait(), 1.0)


async def test_paced_pause_ends_when_the_stream_fails() -> None:
    async def source() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.02)
        yield b'{"done": false}\n'
        await asyncio.sleep(0.01)
        raise ConnectionResetError("dropped")

    stream = paced(source(), 5.0)
    await anext(stream)
    started = time.perf_counter()
    with pytest.raises(ConnectionResetError):
        await anext(stream)
    assert time.perf_counter() - started < 2.5
