"""The emulator's timings, through the real client: a load when a model is not loaded
(or is reloaded for another ``num_ctx``), a prefill in proportion to the prompt, and a
prompt cache that makes a repeated prefix cheap. ``bench``'s method is tested on them."""

from __future__ import annotations

import asyncio

import pytest

from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import ContentDelta, Done, Message, Stats
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.emulator.timing import WARM_LOAD_SECONDS

MODEL = "llama3.2:latest"


async def stats_of(client: OllamaClient, text: str, **options: int) -> Stats:
    events = [e async for e in client.chat(MODEL, [Message("user", text)], options=options)]
    done = events[-1]
    assert isinstance(done, Done)
    return done.stats


def seconds(nanoseconds: int | None) -> float:
    assert nanoseconds is not None
    return nanoseconds / 1e9


async def test_a_model_loads_once_and_again_for_another_context_length(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    model = emulator.model(MODEL)
    assert model is not None
    first = await stats_of(client, "one")
    warm = await stats_of(client, "two")
    reloaded = await stats_of(client, "three", num_ctx=8192)
    assert seconds(first.load_duration) == model.load_seconds
    assert seconds(warm.load_duration) == WARM_LOAD_SECONDS
    assert seconds(reloaded.load_duration) == model.load_seconds
    [running] = await client.running()
    assert running.context_length == 8192
    await client.unload(MODEL)
    assert seconds((await stats_of(client, "four", num_ctx=8192)).load_duration) == (
        model.load_seconds
    )


async def test_the_prefill_grows_with_the_prompt_and_a_repeated_prefix_is_cached(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    model = emulator.model(MODEL)
    assert model is not None
    await stats_of(client, "warm the model up")
    short = await stats_of(client, "A" + " word" * 100)
    long = await stats_of(client, "B" + " word" * 1000)
    assert short.prompt_eval_count is not None and long.prompt_eval_count is not None
    assert long.prompt_eval_count > 5 * short.prompt_eval_count
    # Only the template's opening in common with the previous prompt: nearly every
    # token is evaluated.
    assert short.prompt_tokens_per_second == pytest.approx(model.prefill_tps, rel=0.05)
    assert long.prompt_tokens_per_second == pytest.approx(model.prefill_tps, rel=0.01)
    # The same long prompt again: the whole prompt is still counted, but only its
    # last token is evaluated, so the apparent rate soars (as on Ollama 0.12).
    again = await stats_of(client, "B" + " word" * 1000)
    assert again.prompt_eval_count == long.prompt_eval_count
    assert seconds(again.prompt_eval_duration) < seconds(long.prompt_eval_duration) / 100
    # An unloaded model's cache is gone with it.
    await client.unload(MODEL)
    cold = await stats_of(client, "B" + " word" * 1000)
    assert cold.prompt_tokens_per_second == pytest.approx(model.prefill_tps)


async def test_the_total_is_load_prefill_and_generation(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    stats = await stats_of(client, "hello there")
    parts = (stats.load_duration or 0) + (stats.prompt_eval_duration or 0)
    parts += stats.eval_duration or 0
    assert 0 < (stats.total_duration or 0) - parts < 10_000_000


async def test_with_pace_the_first_token_waits_for_the_load(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    model = emulator.model(MODEL)
    assert model is not None
    model.load_seconds = 3600.0
    emulator.pace = 1.0
    received: list[str] = []

    async def chat() -> None:
        async for event in client.chat(MODEL, [Message("user", "hi")]):
            if isinstance(event, ContentDelta):
                received.append(event.text)

    task = asyncio.create_task(chat())
    while not emulator.chat_requests():
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)
    assert received == [] and not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_reply_stops_at_num_predict_for_length(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    emulator.script(ChatReply(thinking=["Let", " me"], content=["Yes", " it", " is", " so"]))
    events = [
        e async for e in client.chat(MODEL, [Message("user", "hi")], options={"num_predict": 3})
    ]
    assert [e.text for e in events if isinstance(e, ContentDelta)] == ["Yes"]
    done = events[-1]
    assert isinstance(done, Done)
    assert (done.stats.done_reason, done.stats.eval_count) == ("length", 3)
