"""Hostile text from the server, shown by the TUI: never parsed as markup, never able
to reach the terminal as an escape sequence, bidi control or invisible character.

Each case puts the same hostile string in one place text comes from outside, drives
the app there, and checks that the app is still running, that the literal words are
on screen, and that nothing unsafe is in what was drawn.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from ollama_tui.core.conversation import AssistantTurn, ReplyStatus
from ollama_tui.core.sanitize import is_unsafe
from ollama_tui.emulator import ChatReply, FakeModel, OllamaEmulator
from ollama_tui.ui.screens.help import HelpScreen
from ollama_tui.ui.screens.model_picker import ModelPicker
from ollama_tui.ui.screens.models import ModelInfoScreen, ModelsScreen
from tests.chat_helpers import app_for, chat_of, screen_text, send, wait_until

MARKUP = "[/INST] [bold red]loud[/] [link=http://x]y[/link]"
ESCAPES = "\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\x1b[1;3r\x1b[2J\x9b31m\x1bPq\x1b\\\x1b_G\x1b\\"
BIDI = "\u202eevil\u202c \u2066iso\u2069 zero\u200bwidth\ufeff"
HOSTILE = f"{MARKUP} {ESCAPES} {BIDI}"


def assert_inert(app: App[None]) -> None:
    """The app is running and nothing unsafe was drawn."""
    assert app.is_running
    drawn = screen_text(app)
    unsafe = sorted({f"U+{ord(ch):04X}" for ch in drawn if is_unsafe(ch)})
    assert not unsafe, f"unsafe characters drawn: {unsafe}"


async def showing(pilot: Pilot[None], text: str, timeout: float = 5) -> None:
    await wait_until(pilot, lambda: text in screen_text(pilot.app), timeout)


async def test_error_status_with_markup_and_escapes(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(status=500, body=json.dumps({"error": HOSTILE}).encode()))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        turn = chat_of(pilot).conversation.turns[-1]
        assert isinstance(turn, AssistantTurn) and turn.reply.status is ReplyStatus.ERROR
        await showing(pilot, "[/INST]")
        assert_inert(app)


async def test_error_line_mid_stream_with_markup_and_escapes(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["Part", "ial"], error_after=2, error=HOSTILE))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        await showing(pilot, "[/INST]")
        assert_inert(app)


async def test_reply_and_thinking_with_markup_and_escapes(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=[HOSTILE, "\n\n", HOSTILE], thinking=[HOSTILE]))
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        turn = chat_of(pilot).conversation.turns[-1]
        assert isinstance(turn, AssistantTurn)
        assert turn.reply.content == f"{HOSTILE}\n\n{HOSTILE}"
        await showing(pilot, "[bold")
        assert_inert(app)


def hostile_model() -> FakeModel:
    return FakeModel(
        f"evil{ESCAPES}{MARKUP}:latest",
        family=HOSTILE,
        parameter_size=MARKUP,
        quantization=BIDI,
        template=HOSTILE,
        system=HOSTILE,
        license=HOSTILE,
        parameters=f"stop {json.dumps(HOSTILE)}",
    )


async def test_model_names_and_details_in_the_picker(emulator: OllamaEmulator) -> None:
    emulator.models.append(hostile_model())
    app = app_for(emulator, model="")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await showing(pilot, "[/INST]")
        assert_inert(app)
        await pilot.press(*"evil", "enter")
        await wait_until(pilot, lambda: chat_of(pilot).conversation.model.startswith("evil"))
        await showing(pilot, "evil")
        assert_inert(app)
        await pilot.press("f3")
        await showing(pilot, "System prompt")
        assert_inert(app)


async def test_model_names_and_details_on_the_models_screen(emulator: OllamaEmulator) -> None:
    emulator.models.insert(0, hostile_model())
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelsScreen))
        await showing(pilot, "evil")
        assert_inert(app)
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelInfoScreen))
        await showing(pilot, "[/INST]")
        assert_inert(app)


@pytest.mark.parametrize("where", ["version", "tags"])
async def test_strange_server_answers_are_inert(emulator: OllamaEmulator, where: str) -> None:
    if where == "version":
        emulator.version = HOSTILE
    else:
        emulator.respond("/api/tags", 502, HOSTILE.encode(), times=None)
    app = app_for(emulator, model="")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.shared.health.state.connected is not None)
        await showing(pilot, "[/INST]")  # shown, as text
        assert_inert(app)


async def test_history_titles_and_exports_are_inert(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    from ollama_tui.core import paths
    from ollama_tui.core.history.store import HistoryStore
    from ollama_tui.ui.screens.history import HistoryScreen
    from tests.test_history import sample

    conversation = sample()
    conversation.title = HOSTILE
    turn = conversation.turns[1]
    assert isinstance(turn, AssistantTurn)
    turn.reply.content = f"zqreply {HOSTILE}"
    HistoryStore(paths.conversations_dir()).save(conversation)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await showing(pilot, "[/INST]")
        assert_inert(app)
        await pilot.press("slash", *"zqreply", "enter")
        await showing(pilot, "zqreply")
        assert_inert(app)
        for key, name in (("m", "out.md"), ("j", "out.json")):
            await pilot.press(key)
            await wait_until(pilot, lambda: app.screen.query("Input").first().has_focus)
            await pilot.press("ctrl+u", *str(tmp_path / name), "enter")
            await wait_until(pilot, (tmp_path / name).exists)
    for name in ("out.md", "out.json"):
        exported = (tmp_path / name).read_text(encoding="utf-8")
        assert not is_unsafe(exported.replace("\n", "")), name
    stored = paths.conversations_dir() / f"{conversation.id}.toml"
    assert not is_unsafe(stored.read_text(encoding="utf-8").replace("\n", ""))


async def test_config_values_are_inert(emulator: OllamaEmulator) -> None:
    from ollama_tui.cli.main import make_app
    from ollama_tui.core import paths
    from ollama_tui.core.config import resolve_config

    path = paths.config_file()
    path.parent.mkdir(parents=True)
    evil = json.dumps(HOSTILE)
    path.write_text(f"theme = {evil}\nmodel = {evil}\n[keys]\n{evil} = {evil}\n")
    config = resolve_config(config_path=path, environ={})
    config.host = emulator.url
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await showing(pilot, "[/INST]")
        assert_inert(app)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await showing(pilot, "Quit")
        assert_inert(app)
