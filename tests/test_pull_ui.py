"""The pull modal and background pulls, driven through the app against the emulator."""

from __future__ import annotations

import re

from textual.pilot import Pilot
from textual.widgets import Static

from ollama_tui.core.pulls import PullJob, PullState
from ollama_tui.emulator import ChatReply, OllamaEmulator, PullLayer, PullScript
from ollama_tui.ui.app import OllamaTUI
from ollama_tui.ui.screens.confirm import Confirm
from ollama_tui.ui.screens.model_picker import ModelPicker
from ollama_tui.ui.screens.pull import LayerRow, PullScreen
from tests.chat_helpers import app_for, chat_of, notices, send, wait_until

MB = 1_000_000
BIG = [PullLayer("sha256:" + "d" * 64, 40 * MB)]
"""Slow enough to act on while it runs: the pilot waits for the app between keys."""
LAYERS = [
    PullLayer("sha256:" + "c" * 64, 1 * MB, cached=True),
    PullLayer("sha256:" + "a" * 64, 4 * MB),
    PullLayer("sha256:" + "b" * 64, 2 * MB),
]


def text_of(screen: PullScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_pull(pilot: Pilot[None], name: str) -> PullScreen:
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PullScreen))
    await pilot.press(*name, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, PullScreen)
    await wait_until(pilot, lambda: screen.job is not None)
    return screen


def pulls_sent(emulator: OllamaEmulator) -> list[dict[str, object]]:
    return [r.json for r in emulator.requests_to("/api/pull")]


async def test_a_pull_shows_layers_and_totals_then_chats(emulator: OllamaEmulator) -> None:
    emulator.pulls["tiny:1b"] = PullScript(layers=LAYERS, step=MB, delay=0.2)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pull(pilot, "tiny:1b")
        job = screen.job
        assert job is not None
        # Part-way: the overall figure adds the layers seen so far, cached one included.
        await wait_until(
            pilot,
            lambda: (
                "/ 5.0 MB (" in text_of(screen, "#pull-figures")
                and "MB/s" in text_of(screen, "#pull-figures")
            ),
        )
        figures = text_of(screen, "#pull-figures")
        shown = re.search(r"(\d)\.0 MB / 5\.0 MB \((\d+)%\)", figures)
        assert shown is not None, figures
        assert f"{int(shown.group(1)) / 5:.0%}" == f"{shown.group(2)}%"
        assert "left" in figures and "elapsed" in figures
        await wait_until(pilot, lambda: job.state is PullState.SUCCEEDED)
        await pilot.pause()
        assert "7.0 MB / 7.0 MB (100%)" in text_of(screen, "#pull-figures")
        assert "is ready" in text_of(screen, "#pull-status")
        labels = [str(row.label.render()) for row in screen.query(LayerRow)]
        assert labels == [
            "cccccccccccc  1.0 MB / 1.0 MB",
            "aaaaaaaaaaaa  4.0 MB / 4.0 MB",
            "bbbbbbbbbbbb  2.0 MB / 2.0 MB",
        ]
        assert pulls_sent(emulator) == [{"model": "tiny:1b", "stream": True}]
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: chat_of(pilot).conversation.model == "tiny:1b")
        assert len(app.screen_stack) == 1


async def test_an_invalid_name_is_refused_in_words(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, PullScreen))
        screen = app.screen
        assert isinstance(screen, PullScreen)
        await pilot.press(*"bad name", "enter")
        await wait_until(pilot, lambda: "no spaces" in text_of(screen, "#pull-name-note"))
        assert screen.job is None
        assert pulls_sent(emulator) == []


async def test_an_error_part_way_then_retry_resumes(emulator: OllamaEmulator) -> None:
    emulator.pulls["tiny:1b"] = PullScript(
        layers=LAYERS, step=MB, error_after_bytes=3 * MB, error="max retries exceeded: EOF"
    )
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pull(pilot, "tiny:1b")
        first = screen.job
        assert first is not None
        await wait_until(pilot, lambda: first.state is PullState.FAILED)
        await pilot.pause()
        assert "kept failing" in text_of(screen, "#pull-problem")
        assert screen.query_one("#pull-retry").display
        await pilot.press("ctrl+r")
        second = screen.job
        assert second is not None and second is not first
        await wait_until(pilot, lambda: second.state is PullState.SUCCEEDED)
        # The retry resumed: the weights' first report already had the first try's 3 MB.
        assert second.tracker.completed == 7 * MB
        weights = second.tracker.layers["sha256:" + "a" * 64]
        assert weights.first_seen > 3 * MB
        assert len(pulls_sent(emulator)) == 2


async def test_an_unknown_model_is_explained_and_not_retried(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pull(pilot, "nosuch:9b")
        job = screen.job
        assert job is not None
        await wait_until(pilot, lambda: job.state is PullState.FAILED)
        await pilot.pause()
        assert "no model or tag called nosuch:9b" in text_of(screen, "#pull-problem")
        assert not screen.query_one("#pull-retry").display
        await pilot.press("ctrl+r", "escape")  # closing shows the Ctrl+R was handled
        await wait_until(pilot, lambda: not isinstance(app.screen, PullScreen))
        assert isinstance(app, OllamaTUI)
        assert screen.job is job and app.shared.pulls.jobs == [job]
        assert len(pulls_sent(emulator)) == 1


async def test_f4_during_a_pull_queues_another_name(emulator: OllamaEmulator) -> None:
    emulator.pulls["one:1b"] = PullScript(layers=BIG, step=MB, hold_at_bytes=2 * MB)
    emulator.pulls["two:1b"] = PullScript(layers=LAYERS[2:], step=MB)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        first_screen = await open_pull(pilot, "one:1b")
        first = first_screen.job
        assert first is not None
        await pilot.press("escape")  # the pull goes on
        await wait_until(pilot, lambda: not isinstance(app.screen, PullScreen))
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, PullScreen))
        screen = app.screen
        assert isinstance(screen, PullScreen)
        assert screen.job is first  # it shows the running pull...
        await pilot.press(*"two:1b", "enter")  # ...and takes another name
        await wait_until(pilot, lambda: "two:1b (queued)" in text_of(screen, "#pull-queue"))
        assert screen.job is first
        assert isinstance(app, OllamaTUI)
        second = app.shared.pulls.jobs[-1]
        assert (second.model, second.state) == ("two:1b", PullState.QUEUED)
        await pilot.press("ctrl+x")  # cancels the one shown; the queued one starts
        await wait_until(pilot, lambda: second.state is PullState.SUCCEEDED, timeout=10)
        assert [body["model"] for body in pulls_sent(emulator)] == ["one:1b", "two:1b"]


async def test_cancel_closes_the_stream(emulator: OllamaEmulator) -> None:
    emulator.pulls["big:70b"] = PullScript(layers=BIG, step=MB // 10, delay=0.05)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pull(pilot, "big:70b")
        job = screen.job
        assert job is not None
        await pilot.press("ctrl+x")  # little is in: no question asked
        await wait_until(pilot, lambda: emulator.disconnects == ["/api/pull"])
        assert job.state is PullState.CANCELLED
        await pilot.pause()
        assert "pulling again resumes" in text_of(screen, "#pull-status")
        assert isinstance(app.screen, PullScreen)


async def test_cancelling_a_large_part_asks_first(emulator: OllamaEmulator) -> None:
    # Held at 30 %: the question is asked while the pull certainly still runs.
    emulator.pulls["big:70b"] = PullScript(layers=BIG, step=MB, hold_at_bytes=12 * MB)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pull(pilot, "big:70b")
        job = screen.job
        assert job is not None
        await wait_until(pilot, lambda: job.tracker.fraction >= 0.25)
        await pilot.press("ctrl+x")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert not job.finished  # "n" kept it going
        await pilot.press("ctrl+x")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(pilot, lambda: emulator.disconnects == ["/api/pull"])
        assert job.state is PullState.CANCELLED


async def test_a_background_pull_finishes_after_the_modal_closed(
    emulator: OllamaEmulator,
) -> None:
    emulator.pulls["tiny:1b"] = PullScript(layers=LAYERS + BIG, step=2 * MB, delay=0.05)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pull(pilot, "tiny:1b")
        job = screen.job
        assert job is not None
        await wait_until(pilot, lambda: job.tracker.completed > 0)
        await pilot.press("escape")  # closes the dialog; the pull goes on
        await wait_until(pilot, lambda: not isinstance(app.screen, PullScreen))
        status = chat_of(pilot).query_one("#status-bar", Static)
        await pilot.pause()
        assert "⇣ tiny:1b" in str(status.render())
        await wait_until(pilot, lambda: job.state is PullState.SUCCEEDED)
        await wait_until(pilot, lambda: "⇣" not in str(status.render()))
        assert any("tiny:1b is ready" in n.message for n in notices(app))
        assert emulator.model("tiny:1b") is not None


async def test_two_pulls_queue_and_run_one_after_the_other(emulator: OllamaEmulator) -> None:
    emulator.pulls["one:1b"] = PullScript(layers=BIG, step=4 * MB, delay=0.2)
    emulator.pulls["two:1b"] = PullScript(layers=LAYERS[2:], step=MB, delay=0.05)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app, OllamaTUI)
        first, second = app.shared.pulls.start("one:1b"), app.shared.pulls.start("two:1b")
        await wait_until(pilot, lambda: first.tracker.completed > 0)
        assert (first.state, second.state) == (PullState.RUNNING, PullState.QUEUED)
        assert [body["model"] for body in pulls_sent(emulator)] == ["one:1b"]
        assert "+1 queued" in app.shared.pulls.summary()
        await wait_until(pilot, lambda: second.state is PullState.SUCCEEDED, timeout=10)
        assert first.state is PullState.SUCCEEDED
        assert [body["model"] for body in pulls_sent(emulator)] == ["one:1b", "two:1b"]


async def test_a_missing_model_offers_to_pull_it(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["unused"]))
    app = app_for(emulator, model="gone:7b")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: chat_of(pilot).conversation.model == "gone:7b")
        await send(pilot, "hello")
        await wait_until(pilot, lambda: isinstance(app.screen, PullScreen))
        screen = app.screen
        assert isinstance(screen, PullScreen)
        assert screen.query_one("#pull-name").value == "gone:7b"  # type: ignore[attr-defined]


def test_jobs_know_when_they_are_finished() -> None:
    from ollama_tui.core.pulls import PullTracker

    job = PullJob("m", PullTracker("m"))
    assert not job.finished
    job.state = PullState.CANCELLED
    assert job.finished


async def test_pulling_from_the_picker_then_chatting(emulator: OllamaEmulator) -> None:
    emulator.pulls["tiny:1b"] = PullScript(layers=LAYERS, step=MB)
    app = app_for(emulator, model="")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        screen = await open_pull(pilot, "tiny:1b")
        job = screen.job
        assert job is not None
        await wait_until(pilot, lambda: job.state is PullState.SUCCEEDED)
        picker = app.screen_stack[-2]
        assert isinstance(picker, ModelPicker)
        await wait_until(pilot, lambda: "tiny:1b" in [r.summary.name for r in picker.rows])
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: chat_of(pilot).conversation.model == "tiny:1b")
        assert len(app.screen_stack) == 1
        await pilot.press("ctrl+o")  # the picker opens again: its flag was reset
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
