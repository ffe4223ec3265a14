"""The command palette offers the actions of the screen it is opened from, and runs
them there."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from ollama_tui.emulator import OllamaEmulator
from ollama_tui.ui.screens.confirm import TextPrompt
from ollama_tui.ui.screens.dialogs import CopyPicker
from ollama_tui.ui.screens.models import ModelsScreen
from tests.chat_helpers import app_for, chat_of, screen_text, send, wait_until


async def run_from_palette(pilot: Pilot[None], title: str) -> None:
    """Open the palette, type ``title``, and run the first match."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    palette = app.screen
    await pilot.press(*title)
    options = palette.query_one(OptionList)

    def offered() -> list[str]:
        return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

    await wait_until(pilot, lambda: any(title in text for text in offered()))
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))


async def test_a_command_runs_on_the_screen_the_palette_came_from(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hello")
        # "Copy" on the chat copies a reply...
        await run_from_palette(pilot, "Copy reply")
        await wait_until(pilot, lambda: isinstance(app.screen, CopyPicker))
        await pilot.press("escape")
        await run_from_palette(pilot, "New chat")
        await wait_until(pilot, lambda: not chat.conversation.turns)
        # ...on the models screen it copies the model under the cursor.
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelsScreen))
        models = app.screen
        assert isinstance(models, ModelsScreen)
        await wait_until(pilot, lambda: bool(models.models))
        await run_from_palette(pilot, "Sort models")
        assert models.sort == "size"
        await run_from_palette(pilot, "Copy model")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert "to a new name" in screen_text(app)


async def test_each_screen_is_offered_only_its_own_commands(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: chat_of(pilot).composer.has_focus)
        on_chat = {command.title for command in app.get_system_commands(app.screen)}
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelsScreen))
        on_models = {command.title for command in app.get_system_commands(app.screen)}
    assert {"New chat", "Copy reply or code", "History"} <= on_chat
    assert not {"Sort models", "Copy model", "Rename conversation"} & on_chat
    assert {"Sort models", "Copy model", "History"} <= on_models
    assert not {"New chat", "Copy reply or code", "Models"} & on_models


async def test_the_context_window_is_one_palette_entry_away(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_from_palette(pilot, "Set the context window")
        chat = chat_of(pilot)
        sidebar = chat.settings.sidebar
        assert sidebar is not None
        await wait_until(pilot, lambda: sidebar.has_class("-open"))
        field = sidebar.query_one("#field-num_ctx")
        await wait_until(pilot, lambda: app.focused is not None and field in app.focused.ancestors)
        await pilot.press(*"8192")
        await wait_until(pilot, lambda: chat.conversation.settings.options.get("num_ctx") == 8192)
