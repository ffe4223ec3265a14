"""Context meter cost: recounting a 100,000-token conversation after a keystroke.

Each message's count is cached, so a keystroke costs a cache lookup per message plus
counting the draft. Target: at most 5 ms.
"""

from __future__ import annotations

import statistics
import time

from ollama_tui.core.ollama.types import Message
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.emulator.demo import DEMO_ANSWER, PROSE


def history(target_tokens: int, counter: ContextCounter) -> list[Message]:
    messages = [Message("system", "You are a helpful assistant.")]
    total = counter.text_tokens(messages[0])
    turn = 0
    while total < target_tokens:
        # Vary each text so that the cache cannot share counts between messages.
        message = (
            Message("user", f"Question {turn}: {PROSE}")
            if turn % 2 == 0
            else Message("assistant", f"Answer {turn}:\n{DEMO_ANSWER}")
        )
        messages.append(message)
        total += counter.text_tokens(message)
        turn += 1
    return messages


def main() -> None:
    counter = ContextCounter(Tokenizer())
    counter.tokenizer.load()
    messages = history(100_000, counter)
    draft = "Can you summarise what we said about memory use in"
    first = time.perf_counter()
    estimate = counter.estimate("m", messages, draft)
    warm = time.perf_counter() - first
    timings = []
    for index in range(200):
        started = time.perf_counter()
        counter.estimate("m", messages, draft + "x" * index)
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(f"history: {len(messages)} messages, {estimate.total} tokens")
    print(f"first count (cache filled while building): {warm * 1000:.2f} ms")
    print(
        f"recount after a keystroke: median {statistics.median(timings) * 1000:.2f} ms, "
        f"95th percentile {timings[int(len(timings) * 0.95)] * 1000:.2f} ms (target <= 5 ms)"
    )


if __name__ == "__main__":
    main()
