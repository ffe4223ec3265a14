"""The models screen: table, info, delete, copy, load/unload and the running-models poll."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TextArea
from textual.worker import Worker

from ollama_tui.emulator import OllamaEmulator
from ollama_tui.emulator.models import Running
from ollama_tui.ui.screens import models as models_module
from ollama_tui.ui.screens.confirm import Confirm, TextPrompt
from ollama_tui.ui.screens.models import ModelInfoScreen, ModelsScreen
from tests.chat_helpers import app_for, chat_of, notices, wait_until


async def open_models(pilot: Pilot[None]) -> ModelsScreen:
    await pilot.press("f5")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ModelsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ModelsScreen)
    await wait_until(pilot, lambda: screen.query_one("#models-table", DataTable).row_count > 0)
    return screen


async def select(pilot: Pilot[None], screen: ModelsScreen, name: str) -> None:
    table = screen.query_one("#models-table", DataTable)
    table.move_cursor(row=table.get_row_index(name))
    table.focus()
    await pilot.pause()
    assert screen.selected_name() == name


def server_calls(pilot: Pilot[None]) -> list[Worker[object]]:
    """The models screen's requests (delete, copy, load...) still running."""
    return [w for w in pilot.app.workers if w.group == "models-action" and not w.is_finished]


def rows(screen: ModelsScreen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_table_lists_facts_sorts_and_filters(emulator: OllamaEmulator) -> None:
    emulator.running = [Running("qwen3:8b", size_vram=2_600_000_000)]
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        await wait_until(pilot, lambda: "…" not in str(rows(screen, "#models-table")))
        table = rows(screen, "#models-table")
        assert [row[0] for row in table] == sorted(row[0] for row in table)
        qwen = next(row for row in table if row[0] == "qwen3:8b")
        assert qwen[1:5] == ["qwen3", "8.0B", "Q4_K_M", "5.2 GB"]
        assert "thinking" in qwen[6] and qwen[7] == "● loaded"
        embed = next(row for row in table if row[0].startswith("nomic"))
        assert embed[6] == "embedding"
        await pilot.press("s")  # by size, largest first
        sizes = [row[0] for row in rows(screen, "#models-table")]
        assert sizes[0] == "qwen3:8b"
        await pilot.press("slash", *"lla")
        await pilot.pause()
        assert {row[0] for row in rows(screen, "#models-table")} == {
            "llama3.2:latest",
            "llava:7b",
        }
        running = rows(screen, "#running-table")
        assert running[0][:4] == ["qwen3:8b", "5.2 GB", "50%/50% CPU/GPU", "4,096"]
        assert running[0][4].startswith("in 4 m")


async def test_info_shows_details_and_copies(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        await select(pilot, screen, "qwen3:8b")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelInfoScreen))
        text = app.screen.query_one(TextArea).text
        for expected in ("context length   40,960", "temperature", "Template", "License"):
            assert expected in text
        await pilot.press("ctrl+l")
        assert app.clipboard == text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)


async def test_delete_asks_names_the_size_and_can_be_refused(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        await select(pilot, screen, "llava:7b")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        confirm = app.screen
        assert isinstance(confirm, Confirm)
        assert "llava:7b (4.7 GB)" in confirm.question
        await pilot.press("n")
        # The answer has been taken once the dialog is gone; a delete it started would
        # run as a worker, and none runs.
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: not server_calls(pilot))
        assert emulator.requests_to("/api/delete") == []
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(pilot, lambda: "llava:7b" not in str(rows(screen, "#models-table")))
        assert emulator.requests_to("/api/delete")[-1].json == {"model": "llava:7b"}


async def test_deleting_a_model_already_gone_is_explained(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        await select(pilot, screen, "llava:7b")
        emulator.models = [m for m in emulator.models if m.name != "llava:7b"]
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(
            pilot, lambda: any("no longer on the server" in n.message for n in notices(app))
        )
        await wait_until(pilot, lambda: "llava:7b" not in str(rows(screen, "#models-table")))


async def test_copy_checks_the_new_name(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        await select(pilot, screen, "qwen3:8b")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"llava:7b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)  # taken: refused
        await pilot.press(*(["backspace"] * 8), *"bad name", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert emulator.requests_to("/api/copy") == []
        await pilot.press(*(["backspace"] * 8), *"my-qwen:v1", "enter")
        await wait_until(pilot, lambda: "my-qwen:v1" in str(rows(screen, "#models-table")))
        assert emulator.requests_to("/api/copy")[-1].json == {
            "source": "qwen3:8b",
            "destination": "my-qwen:v1",
        }


async def test_load_and_unload(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        await select(pilot, screen, "llama3.2:latest")
        await pilot.press("l")
        await wait_until(pilot, lambda: rows(screen, "#running-table") != [])
        assert rows(screen, "#running-table")[0][0] == "llama3.2:latest"
        await select(pilot, screen, "llama3.2:latest")
        await pilot.press("u")
        await wait_until(pilot, lambda: rows(screen, "#running-table") == [])
        bodies = [r.json for r in emulator.requests_to("/api/chat")]
        assert {"model": "llama3.2:latest", "messages": [], "keep_alive": 0} in bodies
        assert {"model": "llama3.2:latest", "messages": []} in bodies


def count_polls(monkeypatch: pytest.MonkeyPatch) -> list[ModelsScreen]:
    """The models screen, once for each time its poll timer fired."""
    fired: list[ModelsScreen] = []
    refresh_running = ModelsScreen.refresh_running

    def counted(self: ModelsScreen) -> Worker[None]:
        fired.append(self)
        return refresh_running(self)

    monkeypatch.setattr(ModelsScreen, "refresh_running", counted)
    return fired


async def polls_answered(pilot: Pilot[None]) -> None:
    """Wait until no poll is on its way: each one started has reached the server and
    had its answer."""
    app = pilot.app
    await wait_until(
        pilot,
        lambda: not any(w.group == "models-running" and not w.is_finished for w in app.workers),
    )


async def periods_pass(pilot: Pilot[None], periods: int) -> None:
    """Wait until a timer with the poll's period has fired ``periods`` times: by the
    app's own timers, however busy the machine, a running poll would have fired too."""
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    timer = pilot.app.set_interval(models_module.RUNNING_REFRESH_SECONDS, tick)
    try:
        await wait_until(pilot, lambda: ticks >= periods)
    finally:
        timer.stop()


async def test_running_models_poll_only_while_visible(
    emulator: OllamaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models_module, "RUNNING_REFRESH_SECONDS", 0.1)
    fired = count_polls(monkeypatch)
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        emulator.running = [Running("llava:7b")]
        await wait_until(pilot, lambda: rows(screen, "#running-table") != [])
        assert rows(screen, "#running-table")[0][0] == "llava:7b"
        await select(pilot, screen, "qwen3:8b")
        await pilot.press("i")  # covered by the info dialog: the poll pauses
        await wait_until(pilot, lambda: isinstance(app.screen, ModelInfoScreen))
        await polls_answered(pilot)
        before = len(fired)
        polls = len(emulator.requests_to("/api/ps"))
        await periods_pass(pilot, 6)
        await polls_answered(pilot)
        assert len(fired) == before
        assert len(emulator.requests_to("/api/ps")) == polls
        await pilot.press("escape")  # visible again: it resumes
        await wait_until(pilot, lambda: len(emulator.requests_to("/api/ps")) > polls + 2)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is chat_of(pilot))
        await polls_answered(pilot)
        before = len(fired)
        polls = len(emulator.requests_to("/api/ps"))
        await periods_pass(pilot, 6)
        await polls_answered(pilot)
        assert len(fired) == before
        assert len(emulator.requests_to("/api/ps")) == polls
