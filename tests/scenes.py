"""The app's key screens, set up against the emulator: shared by the snapshot tests and
by ``python -m tests.screenshots``, which writes the README's pictures.

The emulator listens on a free port, so that test runs can share the machine; the
host shown on screen is masked to Ollama's own port in the pictures (``picture``).
Its models were "modified" a fixed time ago, because the picker shows relative ages.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

from ollama_tui.core import paths
from ollama_tui.core.conversation import AssistantTurn
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.types import PullProgress
from ollama_tui.core.pulls import PullJob, PullState, PullTracker
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.emulator.demo import DEMO_ANSWER, tokens
from ollama_tui.emulator.models import Running
from ollama_tui.ui.screens.help import HelpScreen
from ollama_tui.ui.screens.history import HistoryScreen
from ollama_tui.ui.screens.model_picker import ModelPicker
from ollama_tui.ui.screens.models import ModelInfoScreen, ModelsScreen
from ollama_tui.ui.screens.pull import PullScreen
from ollama_tui.ui.widgets.sidebar import Field, SettingsSidebar
from tests.chat_helpers import (
    app_for,
    chat_of,
    meter_settled,
    screen_settled,
    send,
    wait_until,
)
from tests.chat_scenes import CHAT_SCENES, pin_first_tokens
from tests.context_scenes import CONTEXT_SCENES
from tests.test_history import sample

SHOWN_PORT = 11_434
SIZE = (110, 36)

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]
Scene = Callable[[OllamaEmulator], tuple[App[Any], RunBefore]]


@contextmanager
def scene_emulator() -> Iterator[OllamaEmulator]:
    emulator = OllamaEmulator()
    three_days_ago = datetime.now(UTC) - timedelta(days=3, hours=1)
    for model in emulator.models:
        model.modified_at = three_days_ago.isoformat().replace("+00:00", "Z")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def render(app: App[Any], run_before: RunBefore, size: tuple[int, int]) -> str:
    """The app's screen once ``run_before`` is done, as an SVG."""

    async def auto_pilot(pilot: Pilot[Any]) -> None:
        await run_before(pilot)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        app.exit(app.export_screenshot(simplify=True))

    svg = app.run(headless=True, auto_pilot=auto_pilot, size=size)
    assert isinstance(svg, str)
    # Class names carry a hash of the content, which the pictures do without.
    return re.sub(r"terminal-\d+-", "terminal-", svg)


def picture(name: str) -> str:
    """Scene ``name`` rendered against a fresh emulator, its port shown as Ollama's.
    (Free ports have five digits here, as 11434 does, so nothing moves.)"""
    with scene_emulator() as emulator:
        app, run_before = SCENES[name](emulator)
        svg = render(app, run_before, SIZES.get(name, SIZE))
    return svg.replace(f"127.0.0.1:{emulator.port}", f"127.0.0.1:{SHOWN_PORT}")


def model_picker(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    emulator.running = []
    app = app_for(emulator, model="")

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ModelPicker))
        picker = pilot.app.screen
        assert isinstance(picker, ModelPicker)
        await wait_until(pilot, lambda: all(r.capabilities is not None for r in picker.rows))
        await meter_settled(pilot)
        await pilot.pause()

    return app, run_before


def chat_with_markdown_reply(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    emulator.script(ChatReply(content=tokens(DEMO_ANSWER)))
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await send(pilot, "How do I count words in a file?")
        pin_first_tokens(pilot)
        await meter_settled(pilot)
        await wait_until(pilot, lambda: chat_of(pilot).composer.has_focus)
        await screen_settled(pilot)

    return app, run_before


def thinking_collapsed(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    emulator.script(
        ChatReply(
            thinking=tokens("The user asks for a haiku. Keep it short."),
            content=["Autumn moon rises"],
        )
    )
    app = app_for(emulator, model="qwen3:8b")

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: chat_of(pilot).shared.catalog.info("qwen3:8b") is not None)
        await send(pilot, "A haiku, please.")
        pin_first_tokens(pilot)
        await meter_settled(pilot)
        await pilot.pause()

    return app, run_before


def disconnected(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    emulator.go_down()
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: chat_of(pilot).shared.health.state.connected is False)
        await meter_settled(pilot)
        await pilot.pause()

    return app, run_before


def sidebar_with_options_and_warning_meter(
    emulator: OllamaEmulator,
) -> tuple[App[Any], RunBefore]:
    app = app_for(emulator, model="qwen3:8b")

    async def run_before(pilot: Pilot[Any]) -> None:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.shared.catalog.info("qwen3:8b") is not None)
        await pilot.press("f3")
        sidebar = chat.query_one(SettingsSidebar)
        edits = {"system": "Answer briefly.", "temperature": "0.2", "top_k": "x", "num_ctx": "30"}
        for key, text in edits.items():
            sidebar.query_one(f"#field-{key}", Field).editor.focus()
            await pilot.press(*text)
        sidebar.scroll_home(animate=False)
        chat.composer.focus()
        await pilot.press(*"Summarise the plot of Hamlet in three short sentences, please.")
        await meter_settled(pilot)
        await pilot.pause()

    return app, run_before


def pull_modal_part_way(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    app = app_for(emulator)
    clock = iter(range(100, 10_000, 2))
    tracker = PullTracker("mistral:7b", clock=lambda: float(next(clock)))
    lines = [
        PullProgress("pulling manifest"),
        PullProgress("pulling 3f3f3f3f3f3f", "sha256:" + "3f" * 32, 4_100_000_000, 0),
        PullProgress("pulling c7c7c7c7c7c7", "sha256:" + "c7" * 32, 12_000, 12_000),
        PullProgress("pulling 3f3f3f3f3f3f", "sha256:" + "3f" * 32, 4_100_000_000, 900_000_000),
        PullProgress("pulling 3f3f3f3f3f3f", "sha256:" + "3f" * 32, 4_100_000_000, 1_700_000_000),
    ]
    for line in lines:
        tracker.update(line)
    job = PullJob("mistral:7b", tracker, PullState.RUNNING)

    async def run_before(pilot: Pilot[Any]) -> None:
        await meter_settled(pilot)
        await pilot.app.push_screen(PullScreen(chat_of(pilot).shared, job))
        await pilot.pause()

    return app, run_before


def models_screen_with_info(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    emulator.running = [Running("qwen3:8b", expires_at="2300-01-01T00:00:00Z")]
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ModelsScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ModelsScreen)
        table = screen.query_one("#models-table", DataTable)
        await wait_until(
            pilot, lambda: table.row_count == 4 and "…" not in str(table.get_row_at(3))
        )
        table.move_cursor(row=table.get_row_index("qwen3:8b"))
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ModelInfoScreen))
        await pilot.pause()

    return app, run_before


def history_browser_searching(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    history = HistoryStore(paths.conversations_dir())
    for day, (title, model, text) in enumerate(
        [
            ("Counting words in Python", "llama3.2:latest", "Use collections.Counter."),
            ("Axolotl facts", "qwen3:8b", "The axolotl regrows its limbs and its heart."),
            ("Regex for dates", "qwen3:8b", "Try \\d{4}-\\d{2}-\\d{2} for ISO dates."),
        ]
    ):
        when = datetime.now(UTC) - timedelta(days=3 - day, hours=1)
        conversation = sample(turns=4, when=when)
        conversation.id = f"c{day}"
        conversation.title, conversation.model = title, model
        assert isinstance(conversation.turns[3], AssistantTurn)
        conversation.turns[3].reply.content = text
        history.save(conversation)
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
        screen = pilot.app.screen
        table = screen.query_one("#history-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 3)
        await pilot.press("slash", *"regrow")
        # Each key starts a search: the picture is of the last one's results.
        await wait_until(pilot, lambda: table.row_count == 1)
        await wait_until(
            pilot,
            lambda: (
                not any(w.group == "history-list" and not w.is_finished for w in pilot.app.workers)
            ),
        )
        await screen_settled(pilot)

    return app, run_before


def light_theme(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    app, chat = chat_with_markdown_reply(emulator)
    app.theme = "ollama-light"
    return app, chat


def help_screen(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await meter_settled(pilot)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()

    return app, run_before


SCENES: dict[str, Scene] = {
    "chat": chat_with_markdown_reply,
    "model-picker": model_picker,
    "sidebar": sidebar_with_options_and_warning_meter,
    "pull": pull_modal_part_way,
    "history-search": history_browser_searching,
    "models-info": models_screen_with_info,
    "light-theme": light_theme,
    "help": help_screen,
    "thinking": thinking_collapsed,
    "disconnected": disconnected,
    "chat-80x24": chat_with_markdown_reply,
    **CHAT_SCENES,
    **CONTEXT_SCENES,
}
SIZES = {"chat-80x24": (80, 24)}
"""Scenes drawn at another size than ``SIZE``."""
SCREENSHOTS = (
    "chat",
    "model-picker",
    "sidebar",
    "pull",
    "history-search",
    "models-info",
    "light-theme",
    "help",
)
"""The scenes the README shows, as screenshots/NAME.svg."""
