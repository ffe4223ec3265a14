"""The relay from a chat stream into its record: nothing received is ever lost, and
nothing that goes wrong leaves a reply streaming."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from ollama_tui.core.conversation import Reply, ReplyStatus
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import ChatEvent, ContentDelta, Done, Stats, ThinkingDelta
from ollama_tui.services.reply_relay import Received, ReplyEnded, relay_stream


async def tokens(
    texts: list[str], then: BaseException | None = None, hold: asyncio.Event | None = None
) -> AsyncGenerator[ChatEvent, None]:
    for text in texts:
        yield ContentDelta(text)
    if hold is not None:
        hold.set()
        await asyncio.Event().wait()  # a server that sends nothing more
    if then is not None:
        raise then
    yield Done(Stats(eval_count=len(texts)))


async def test_a_stopped_relay_keeps_text_not_yet_shown() -> None:
    held = asyncio.Event()
    received = Received()
    words = [f"w{i} " for i in range(50)]
    relay = asyncio.create_task(relay_stream(tokens(words, hold=held), Reply("m"), received))
    await held.wait()
    await asyncio.sleep(0)
    relay.cancel()  # what Esc does to the worker
    await asyncio.gather(relay, return_exceptions=True)
    received.close()
    assert received.take_unshown() == ("".join(words), "")


async def test_text_after_close_is_not_part_of_the_reply() -> None:
    received = Received()
    received.take(ContentDelta("kept"))
    received.close()
    received.take(ContentDelta(" late"))
    assert "".join(received.content) == "kept"


async def test_think_tag_text_held_back_is_let_out_on_close() -> None:
    received = Received()
    received.take(ContentDelta("<think>why</think>answer <thi"))
    received.close()
    assert "".join(received.thinking) == "why"
    assert "".join(received.content) == "answer <thi"


async def test_an_unexpected_exception_ends_the_reply_failed_with_its_text() -> None:
    received = Received()
    stream = tokens(["Hello", " world"], then=RecursionError("deep"))
    ended = await relay_stream(stream, Reply("m"), received)
    assert isinstance(ended, ReplyEnded)
    assert ended.status is ReplyStatus.INTERRUPTED
    assert ended.error is not None and "RecursionError" in ended.error.message
    assert received.take_unshown() == ("Hello world", "")


async def test_a_typed_failure_before_any_text_is_an_error() -> None:
    failure = errors.StreamEndedEarly("The connection closed before the reply was complete.")
    ended = await relay_stream(tokens([], then=failure), Reply("m"), Received())
    assert ended.status is ReplyStatus.ERROR
    assert ended.error is failure


async def test_every_part_is_taken_once_and_in_order() -> None:
    received = Received()
    taken: list[tuple[str, str]] = []
    texts = [f"{i}," for i in range(200)]

    async def stream() -> AsyncGenerator[ChatEvent, None]:
        for index, text in enumerate(texts):
            yield ThinkingDelta(f"t{index}") if index % 7 == 0 else ContentDelta(text)
            if index % 13 == 0:
                taken.append(received.take_unshown())  # as a frame would, now and then
                await asyncio.sleep(0.001)
        yield Done(Stats())

    ended = await relay_stream(stream(), Reply("m"), received)
    taken.append(received.take_unshown())
    assert ended.status is ReplyStatus.COMPLETE
    expected = "".join(text for index, text in enumerate(texts) if index % 7)
    assert "".join(content for content, _ in taken) == expected
    assert "".join(thinking for _, thinking in taken) == "".join(
        f"t{index}" for index in range(0, 200, 7)
    )
