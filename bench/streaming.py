"""Streaming cost: the app, headless, receives N tokens from the emulator.

The emulator runs in a separate process, so the CPU time measured here is the app's
alone. Reports CPU seconds per 1,000 tokens and two delays to the last token being on
screen: from the client receiving it (the issue's measure) and, stricter, from the
emulator sending it (both processes read CLOCK_MONOTONIC through
``time.perf_counter``). They differ when the app falls behind the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any

import httpx
from textual.screen import Screen
from textual.widget import Widget

from ollama_tui.cli.main import make_app, tune_garbage_collection
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import AssistantTurn, ReplyStatus
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import ChatEvent, ContentDelta
from ollama_tui.ui.compat import drawn_lines, on_each_frame

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class TimedClient(OllamaClient):
    """Notes when the client receives each content token."""

    last_token_at = 0.0

    async def chat(self, *args: Any, **kwargs: Any) -> AsyncGenerator[ChatEvent, None]:
        async for event in super().chat(*args, **kwargs):
            if isinstance(event, ContentDelta):
                self.last_token_at = time.perf_counter()
            yield event


class ScreenWatch:
    """Notes the time and the chat log's text at every screen refresh, to find when
    the screen first looked as it does once the reply is done (its last words and
    the stats line under them). Its own CPU time is kept apart.

    ``done`` is set at the first refresh at which ``finished()`` holds: waiting on
    it, rather than polling, adds no wake-ups of its own to the CPU measured."""

    def __init__(self, screen: Screen[Any], log: Widget, finished: Callable[[], bool]) -> None:
        self.screen, self.log = screen, log
        self.seen: list[tuple[float, int]] = []
        self.cpu = 0.0
        self.done = asyncio.Event()

        def look_at_the_frame() -> None:
            started = time.process_time()
            self.seen.append((time.perf_counter(), self.look()))
            if finished():
                self.done.set()
            self.cpu += time.process_time() - started

        on_each_frame(screen, look_at_the_frame)

    def look(self) -> int:
        # Without the scroll bar, whose thumb moves as painted blocks fill in above.
        area = self.log.content_region
        right = area.right - self.log.styles.scrollbar_size_vertical
        lines = drawn_lines(self.screen)[area.y : area.bottom]
        return hash(tuple(line.crop(area.x, right).text for line in lines))

    def first_showing(self, look: int) -> float:
        """When the screen first showed ``look`` for good (it may have flickered)."""
        moment = self.seen[-1][0]
        for seen_at, seen in reversed(self.seen):
            if seen != look:
                break
            moment = seen_at
        return moment


@contextlib.contextmanager
def emulator_process(
    tokens: int, delay: float, prose: bool = False, extra: tuple[str, ...] = ()
) -> Any:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ollama_tui.emulator",
            "--port",
            str(port),
            "--tokens",
            str(tokens),
            "--delay",
            str(delay),
            *(["--prose"] if prose else []),
            *extra,
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


async def run_stream(
    tokens: int, delay: float, prose: bool = False, extra: tuple[str, ...] = ()
) -> tuple[float, float, float, float]:
    """Returns (CPU seconds per 1,000 tokens, last token received to screen ms, last
    token sent to screen ms, wall seconds)."""
    with (
        emulator_process(tokens, delay, prose, extra) as url,
        tempfile.TemporaryDirectory() as home,
    ):
        config = Config(host=url, model="llama3.2:latest", history_dir=Path(home))
        client = TimedClient(url)
        app = make_app(config, client)
        async with app.run_test(size=(120, 40)) as pilot:
            chat = app.chat

            # Start-up work (the tokenizer and the code highlighters load 0.5 s in,
            # ~0.3 s of CPU) would otherwise land in the middle of this stream.
            def settled() -> bool:
                loading = any(w.group == "preload" and not w.is_finished for w in app.workers)
                exact = app.shared.counter.tokenizer.exact
                return chat.composer.has_focus and exact and not loading

            while not settled():
                await pilot.pause(0.05)
            chat.composer.text = "go"

            def finished() -> bool:
                """The reply is complete and taken into the log."""
                turns = chat.conversation.turns
                return (
                    bool(turns)
                    and isinstance(turn := turns[-1], AssistantTurn)
                    and turn.reply.status is ReplyStatus.COMPLETE
                    and chat.session.streaming is None
                )

            watch = ScreenWatch(app.screen, chat.chat_log, finished)
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            await pilot.press("enter")
            await asyncio.wait_for(watch.done.wait(), 600)
            cpu = time.process_time() - cpu_start - watch.cpu
            wall = time.perf_counter() - wall_start
            await pilot.pause()
            await pilot.pause()
            shown_at = watch.first_showing(watch.seen[-1][1])
            turn = chat.conversation.turns[-1]
            assert isinstance(turn, AssistantTurn) and turn.reply.status is ReplyStatus.COMPLETE
        timing = httpx.get(f"{url}/_emulator/timing").json()
    received = (shown_at - client.last_token_at) * 1000
    sent = (shown_at - timing["last_token_sent_at"]) * 1000
    return cpu / tokens * 1000, received, sent, wall


CASES = (
    # label, tokens, seconds between tokens, plain paragraphs only
    ("Markdown, fast", 2000, 0.0, False),
    ("Markdown, 200 tok/s", 2000, 0.005, False),
    ("prose, fast", 2000, 0.0, True),
    ("prose, 200 tok/s", 2000, 0.005, True),
)


def main() -> None:
    tune_garbage_collection()  # as the command line does before it runs the app
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print("Markdown: a code block, a 3x3 table and a list every 100 tokens.")
    print(f"Median of {repeats} runs each.")
    print("Last token to screen: from the client receiving it / from the emulator sending it.")
    header = ("stream", "tokens", "CPU s/1k tok", "received", "sent", "wall s")
    print("{:<22}{:>8}{:>14}{:>12}{:>12}{:>8}".format(*header))
    for label, tokens, delay, prose in CASES:
        runs = [asyncio.run(run_stream(tokens, delay, prose)) for _ in range(repeats)]
        cpu, received, sent, wall = (
            statistics.median(figures) for figures in zip(*runs, strict=True)
        )
        print(f"{label:<22}{tokens:>8}{cpu:>14.3f}{received:>9.1f} ms{sent:>9.1f} ms{wall:>8.2f}")
    print("targets: <= 0.5 CPU s per 1,000 tokens; <= 100 ms from the last token received")


if __name__ == "__main__":
    main()
