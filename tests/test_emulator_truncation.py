"""The emulator fits a chat into ``num_ctx`` as Ollama does, so the app's truncation
handling is tested against the rules, not scripted overrides."""

from __future__ import annotations

import pytest

from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import Done, Message, Stats
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.emulator.tokenizer import count_prompt

MODEL = "llama3.2:latest"
WORDS = " ".join(["word"] * 100)  # 100 tokens to the emulator, 105 with a message's markers


async def chat(client: OllamaClient, messages: list[Message], **options: object) -> Stats:
    events = [e async for e in client.chat(MODEL, messages, options=options or None)]
    done = events[-1]
    assert isinstance(done, Done)
    return done.stats


def sized(count: int) -> list[Message]:
    return [Message("user" if n % 2 == 0 else "assistant", f"{n} {WORDS}") for n in range(count)]


async def test_a_chat_that_fits_is_seen_whole(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    messages = sized(5)
    stats = await chat(client, messages, num_ctx=2048)
    wire = [{"role": m.role, "content": m.content} for m in messages]
    assert stats.prompt_eval_count == count_prompt(wire)
    assert emulator.last_kept is not None and emulator.last_kept.dropped == 0


async def test_the_oldest_messages_go_first_but_not_the_system_prompt(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    messages = [Message("system", "Be brief."), *sized(9)]
    stats = await chat(client, messages, num_ctx=512)
    kept = emulator.last_kept
    assert kept is not None and kept.dropped == 5 and not kept.cut
    assert [m["content"] for m in kept.messages][:2] == ["Be brief.", f"5 {WORDS}"]
    assert kept.messages[-1]["content"] == f"8 {WORDS}"
    assert stats.prompt_eval_count == kept.tokens <= 512


async def test_a_prompt_too_long_alone_is_cut_to_half_the_window(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    huge = Message("user", WORDS * 20)
    stats = await chat(client, [Message("system", "Be brief."), *sized(2), huge], num_ctx=512)
    kept = emulator.last_kept
    assert kept is not None and kept.cut and kept.dropped == 2
    assert stats.prompt_eval_count == 256


async def test_without_truncation_an_overflow_is_refused(client: OllamaClient) -> None:
    messages = [Message("user", WORDS * 20)]
    with pytest.raises(errors.HTTPError) as refused:
        await chat_no_truncate(client, messages)
    assert refused.value.status == 400
    assert "exceeds the context length" in refused.value.message


async def chat_no_truncate(client: OllamaClient, messages: list[Message]) -> None:
    async for _ in client.chat(MODEL, messages, options={"num_ctx": 512}, truncate=False):
        pass


async def test_a_request_without_num_ctx_reloads_the_model_at_its_default(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    """Ollama compares each request's load-time options with the loaded model's: an
    omitted num_ctx after an explicit one is a change, so the model is loaded again at
    its default (4,096 on 0.12) and nothing is dropped from a chat that fits that."""
    await chat(client, sized(1), num_ctx=512)
    assert emulator.running[0].context_length == 512
    stats = await chat(client, sized(9))
    kept = emulator.last_kept
    assert kept is not None and kept.dropped == 0
    assert emulator.running[0].context_length == 4096
    assert stats.load_duration is not None and stats.load_duration > 10**9  # reloaded
