"""The scenarios: what a person does with the app, and the figures each run yields."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.feel_run import Look, Watch, lags, marker_sends, percentile, while_arriving
from bench.feel_screen import Tmux, chat_ready, cpu_seconds, footer_drawn, rss_mb, shows
from bench.feel_world import MODEL, App, Emulator, Stream, launch, new_home
from ollama_tui.emulator.demo import marked_markdown, marker_numbers

Figures = dict[str, float]
PROMPT = "go"
KEYS = "abcdefghijklmnopqrstuvwxyz"
KEY_GAPS = (0.1, 0.15, 0.2)
"""Seconds between typed keys, in turn: a person types unevenly."""


@dataclass
class Context:
    """What one scenario's runs share."""

    tmux: Tmux
    root: Path
    size: tuple[int, int]
    emulator: Emulator | None = None
    tokens: int = 0
    rate: float | None = None
    history: Path | None = None
    """A conversations folder every launch gets a copy of."""
    args: list[str] = field(default_factory=list)
    """Extra arguments for the app (``--resume ID``)."""

    @property
    def final_marker(self) -> int:
        """The last marker word of every reply (the emulator's replies are all alike)."""
        return marker_numbers("".join(marked_markdown(max(self.tokens, 1))))[-1]

    def stream_deadline(self) -> float:
        return 60.0 + (self.tokens / self.rate * 3 if self.rate else self.tokens * 0.02)


class Running:
    """The app launched in a fresh home, watched; ``close()`` ends it."""

    def __init__(self, ctx: Context, app: App) -> None:
        new_home(ctx.root, ctx.history)
        url = ctx.emulator.url if ctx.emulator else "http://127.0.0.1:9"
        self.pane, self.pid = launch(ctx.tmux, ctx.root, app, url, ctx.args, ctx.size)
        self.watch = Watch(self.pane, self.pid)

    def close(self) -> None:
        self.pane.close()
        until = time.monotonic() + 3
        while os.path.exists(f"/proc/{self.pid}") and time.monotonic() < until:
            time.sleep(0.02)
        if os.path.exists(f"/proc/{self.pid}"):
            os.kill(self.pid, signal.SIGKILL)

    def ready(self) -> None:
        """Wait for the chat screen, then for the start-up work (the tokenizer and the
        highlighters load in the background) to be over, so it is not measured."""
        self.watch.until(lambda _: chat_ready(self.watch.screen, MODEL), "chat screen", 60)
        self.watch.until_idle(window=0.5, deadline=20)

    def first_key(self, marker: str = "Q") -> Figures:
        """Launch to a key accepted: the key is sent as soon as the footer is drawn
        (as a person would start typing) and counted when the composer shows it."""
        launched = self.pane.launched_at
        watch = self.watch
        painted = watch.until(lambda _: any(line.strip() for line in watch.screen), "paint", 60)
        drawn = watch.until(lambda _: footer_drawn(watch.screen), "footer", 60)
        self.pane.type(marker)
        echoed = watch.until(lambda look: marker in look.composer, "key echo", 60)
        return {
            "first paint s": painted.t - launched,
            "footer drawn s": drawn.t - launched,
            "first accepted key s": echoed.t - launched,
            "RSS at first key MB": rss_mb(self.pid),
        }

    def send(self, ctx: Context, each: Callable[[Look], None] | None = None) -> Reply:
        """Type the prompt, press Enter, and watch the reply to its end and until the
        app is idle again."""
        assert ctx.emulator is not None
        watch = self.watch
        self.pane.type(PROMPT)
        watch.until(lambda look: look.composer.endswith(PROMPT), "typed prompt", 10)
        offset = ctx.emulator.log_size()
        rss, cpu = rss_mb(self.pid), cpu_seconds(self.pid)
        self.pane.press("Enter")
        final = ctx.final_marker
        watch.until(
            lambda look: look.marker >= final and not look.replying,
            "end of the reply",
            ctx.stream_deadline(),
            each,
        )
        idle = watch.until_idle()
        stream = ctx.emulator.stream_after(offset)
        shown = watch.first_showing(final)
        assert shown is not None
        return Reply(stream, shown, idle.cpu - cpu, rss_mb(self.pid) - rss)


@dataclass(frozen=True)
class Reply:
    stream: Stream
    end_shown: float
    cpu: float
    """CPU seconds from Enter until idle."""
    rss_growth: float


def streamed(ctx: Context, app: App) -> Figures:
    """The common figures of a reply streamed into the chat."""
    running = Running(ctx, app)
    try:
        running.ready()
        reply = running.send(ctx)
        watch = running.watch
        arriving = while_arriving(watch, reply.stream)
        return {
            "tokens": reply.stream.tokens,
            "sent rate tok/s": arriving.pop("sent rate tok/s"),
            **arriving,
            "CPU s per 1k tokens": reply.cpu / reply.stream.tokens * 1000,
            **lags(watch, reply.stream),
            "last token sent to end on screen ms": (reply.end_shown - reply.stream.last) * 1000,
            "RSS growth MB": reply.rss_growth,
            "end seen": 1.0,
        }
    finally:
        running.close()


def typing(ctx: Context, app: App) -> Figures:
    """Keys typed into the prompt every 100-200 ms while the reply streams; each key's
    echo is the time until the composer shows it."""
    sent: list[float] = []
    echoed: list[float] = []
    final = ctx.final_marker
    next_at = [0.0]

    def type_and_read(look: Look) -> None:
        while len(echoed) < len(sent) and len(look.composer) > len(echoed):
            echoed.append(look.t)
        if look.marker < 1 or look.marker >= final or time.monotonic() < next_at[0]:
            return
        key = KEYS[len(sent) % len(KEYS)]
        running.pane.type(key)
        sent.append(time.monotonic())
        next_at[0] = sent[-1] + KEY_GAPS[len(sent) % len(KEY_GAPS)]

    running = Running(ctx, app)
    try:
        running.ready()
        reply = running.send(ctx, type_and_read)
        running.watch.until(
            lambda _: len(echoed) >= len(sent), "every key's echo", 30, type_and_read
        )
    finally:
        running.close()
    stream = reply.stream
    during = [b - a for a, b in zip(sent, echoed, strict=False) if stream.first <= a <= stream.last]
    delays = during or [b - a for a, b in zip(sent, echoed, strict=False)]
    figures: Figures = {"keys typed": len(sent), "keys while tokens arrive": len(during)}
    if delays:
        figures["key echo median ms"] = sorted(delays)[len(delays) // 2] * 1000
        figures["key echo p95 ms"] = percentile(delays, 95) * 1000
    figures["updates/s while tokens arrive"] = while_arriving(running.watch, stream)[
        "updates/s while tokens arrive"
    ]
    figures["end seen"] = 1.0
    return figures


def startup(ctx: Context, app: App) -> Figures:
    running = Running(ctx, app)
    try:
        return running.first_key()
    finally:
        running.close()


def reopen(ctx: Context, app: App, pages: int = 8) -> Figures:
    """Reopen a long conversation: the first key; PgUp from its end, each press timed
    to the chat's next change; Ctrl+Home timed to its first message on screen."""
    running = Running(ctx, app)
    watch = running.watch
    try:
        figures = running.first_key()
        watch.until_idle(window=0.3, deadline=20)
        page_times = []
        for _ in range(pages):
            pressed = time.monotonic()
            running.pane.press("PPage")
            changed = watch.until(lambda look: look.changed, "PgUp's frame", 30)
            page_times.append(changed.t - pressed)
            watch.until_idle(window=0.2, deadline=10)
        pressed = time.monotonic()
        running.pane.press("C-Home")
        top = watch.until(lambda _: shows(watch.area, "Question 0:"), "first message", 120)
        figures["PgUp to its frame median ms"] = sorted(page_times)[len(page_times) // 2] * 1000
        figures["PgUp to its frame max ms"] = max(page_times) * 1000
        figures["Ctrl+Home to first message s"] = top.t - pressed
        watch.until_idle(window=0.3, deadline=20)
        figures["RSS after Ctrl+Home MB"] = rss_mb(running.pid)
        return figures
    finally:
        running.close()


def long_reply(ctx: Context, app: App) -> Figures:
    """CPU per token near the start of a long reply and near its end: a reply should
    cost no more to extend as it grows."""
    running = Running(ctx, app)
    try:
        running.ready()
        reply = running.send(ctx)
    finally:
        running.close()
    watch, stream = running.watch, reply.stream
    # A third of a short (--tiny) reply, so the two windows hold several markers.
    window = min(2000, stream.tokens // 3)
    sends = marker_sends(stream)

    def cost(inside: list[tuple[int, int, float]]) -> float:
        (first, first_index, _), (last, last_index, _) = inside[0], inside[-1]
        start, end = watch.first_showing(first), watch.first_showing(last)
        assert start is not None and end is not None
        return (watch.cpu_at(end) - watch.cpu_at(start)) / (last_index - first_index) * 1000

    early = cost([s for s in sends if s[1] <= window])
    late = cost([s for s in sends if s[1] >= stream.tokens - window])
    return {
        "tokens": stream.tokens,
        "CPU s per 1k tokens, first ~2k": early,
        "CPU s per 1k tokens, last ~2k": late,
        "last / first": late / early if early else float("nan"),
        "CPU s per 1k tokens": reply.cpu / stream.tokens * 1000,
        "RSS growth MB": reply.rss_growth,
        "end seen": 1.0,
    }
