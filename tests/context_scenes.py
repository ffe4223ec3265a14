"""Snapshot scenes of context truth: the overflow dialog with its remedies, a reply
Ollama truncated, with the turns the model did not see dimmed and marked, and files
attached to the next prompt, each with what it costs of the window."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.ui.screens.dialogs import AttachPrompt
from ollama_tui.ui.screens.overflow import OverflowDialog
from tests.chat_helpers import app_for, chat_of, meter_settled, screen_settled, send, wait_until
from tests.chat_scenes import RunBefore, pin_first_tokens

LONG = "Tell me about apples and the orchards where they grow. " * 6


async def long_exchanges(pilot: Pilot[Any], emulator: OllamaEmulator) -> None:
    for n in range(3):
        emulator.script(ChatReply(content=[f"Answer {n}: ", LONG]))
        await send(pilot, f"Question {n}: {LONG}")
    chat_of(pilot).conversation.settings.options["num_ctx"] = 256


def overflow_dialog(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await long_exchanges(pilot, emulator)
        pin_first_tokens(pilot)
        chat = chat_of(pilot)
        chat.composer.text = "And pears?"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, OverflowDialog))
        await screen_settled(pilot)

    return app, run_before


def truncated_and_dimmed(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        await long_exchanges(pilot, emulator)
        chat = chat_of(pilot)
        chat.composer.text = "And pears?"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, OverflowDialog))
        await pilot.press("s")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 4)
        await wait_until(pilot, lambda: chat.session.streaming is None)
        pin_first_tokens(pilot)
        await meter_settled(pilot)
        await pilot.press("ctrl+home")
        await screen_settled(pilot)

    return app, run_before


def attachment_chips(emulator: OllamaEmulator) -> tuple[App[Any], RunBefore]:
    folder = Path(tempfile.mkdtemp(prefix="ollama-tui-scene-"))
    (folder / "count.py").write_text(CODE)
    (folder / "notes.md").write_text("# Notes\n\nApples in autumn, pears in winter.\n")
    app = app_for(emulator)

    async def run_before(pilot: Pilot[Any]) -> None:
        chat = chat_of(pilot)
        await meter_settled(pilot)
        for name in ("count.py", "notes.md"):
            await pilot.press("ctrl+g")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, AttachPrompt))
            await pilot.press(*str(folder / name), "enter")
            await wait_until(pilot, lambda: not isinstance(pilot.app.screen, AttachPrompt))
        await pilot.press(*"What do these do?")
        await wait_until(pilot, lambda: len(chat.attachments.files) == 2)
        await meter_settled(pilot)
        await screen_settled(pilot)
        shutil.rmtree(folder)

    return app, run_before


CODE = 'def count(path):\n    """Words in a file."""\n    return len(open(path).read().split())\n'

CONTEXT_SCENES = {
    "overflow-dialog": overflow_dialog,
    "truncated-dimmed": truncated_and_dimmed,
    "attachment-chips": attachment_chips,
}
