"""Streaming cost: the app, headless, receives N tokens from the emulator.

The emulator runs in a separate process, so the CPU time measured here is the
app's alone. Reports CPU seconds per 1,000 tokens and the delay from the last token
arriving at the client to it being on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from ollama_tui.cli import make_app
from ollama_tui.config import Config
from ollama_tui.conversation import AssistantTurn, ReplyStatus
from ollama_tui.ollama.client import OllamaClient
from ollama_tui.ollama.types import ChatEvent, ContentDelta

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def emulator_process(tokens: int, delay: float) -> Any:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.emulator",
            "--port",
            str(port),
            "--tokens",
            str(tokens),
            "--delay",
            str(delay),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(5)


class TimedClient(OllamaClient):
    """Records when the last content token reached the client."""

    last_token_at = 0.0

    async def chat(self, *args: Any, **kwargs: Any) -> AsyncGenerator[ChatEvent, None]:
        async for event in super().chat(*args, **kwargs):
            if isinstance(event, ContentDelta):
                TimedClient.last_token_at = time.perf_counter()
            yield event


async def run_stream(tokens: int, delay: float) -> tuple[float, float, float]:
    """Returns (CPU seconds per 1,000 tokens, last-token-to-screen ms, wall seconds)."""
    with emulator_process(tokens, delay) as url:
        config = Config(host=url, model="llama3.2:latest")
        app = make_app(config, TimedClient(url))
        async with app.run_test(size=(120, 40)) as pilot:
            chat = app.chat
            while not chat.composer.has_focus:
                await pilot.pause(0.01)
            chat.composer.text = "go"
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            await pilot.press("enter")
            while chat.streaming is None and not chat.conversation.turns[1:]:
                await asyncio.sleep(0.001)
            while chat.streaming is not None:
                await asyncio.sleep(0.001)
            rendered = asyncio.get_running_loop().create_future()
            app.call_after_refresh(lambda: rendered.set_result(time.perf_counter()))
            shown_at = await rendered
            cpu = time.process_time() - cpu_start
            wall = time.perf_counter() - wall_start
            turn = chat.conversation.turns[-1]
            assert isinstance(turn, AssistantTurn) and turn.reply.status is ReplyStatus.COMPLETE
    return cpu / tokens * 1000, (shown_at - TimedClient.last_token_at) * 1000, wall


def main() -> None:
    rows = []
    for label, tokens, delay in (("as fast as possible", 2000, 0.0), ("200 tokens/s", 2000, 0.005)):
        cpu, latency, wall = asyncio.run(run_stream(tokens, delay))
        rows.append((label, tokens, cpu, latency, wall))
    print(f"{'stream':<22}{'tokens':>8}{'CPU s/1k tok':>14}{'last token→screen':>20}{'wall s':>8}")
    for label, tokens, cpu, latency, wall in rows:
        print(f"{label:<22}{tokens:>8}{cpu:>14.3f}{latency:>17.1f} ms{wall:>8.2f}")
    print("targets: <= 0.5 CPU s per 1,000 tokens; <= 100 ms last token to screen")


if __name__ == "__main__":
    main()
