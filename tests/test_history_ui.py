"""History through the app: when it saves, the browser, reopening, and the CLI flags."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from ollama_tui.cli.main import make_app
from ollama_tui.cli.reopen import reopened
from ollama_tui.core import paths
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import AssistantTurn, ReplyStatus, UserTurn
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.ui.screens.confirm import Confirm, TextPrompt
from ollama_tui.ui.screens.history import HistoryScreen
from tests.chat_helpers import app_for, chat_of, drawn_log, notices, send, wait_until
from tests.test_history import sample


def store() -> HistoryStore:
    return HistoryStore(paths.conversations_dir())


def saved_turns(conversation_id: str) -> list[object]:
    try:
        return list(store().load(conversation_id)[0].turns)
    except FileNotFoundError:
        return []


async def open_history(pilot: Pilot[None]) -> HistoryScreen:
    await pilot.press("f9")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


def table_rows(screen: HistoryScreen) -> list[list[str]]:
    table = screen.query_one("#history-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_prompts_and_replies_are_saved(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["Hello ", "there."]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        conversation = chat.conversation
        await send(pilot, "Hi!")
        await wait_until(pilot, lambda: len(saved_turns(conversation.id)) == 2)
        await wait_until(
            pilot,
            lambda: not any(w.group == "history-save" and not w.is_finished for w in app.workers),
        )
        turns = saved_turns(conversation.id)
        reply = turns[1]
        assert isinstance(reply, AssistantTurn)
        assert reply.reply.content == "Hello there." and reply.reply.status is ReplyStatus.COMPLETE
        assert reply.reply.stats is not None and reply.reply.stats.eval_count is not None


async def test_a_crash_mid_stream_leaves_the_partial_reply(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=[f"word{i} " for i in range(200)], delay=0.02))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        conversation = chat.conversation
        chat.composer.text = "tell me a long story"
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                chat.session.streaming is not None and "word60" in chat.session.streaming.content
            ),
        )
        await wait_until(
            pilot,
            lambda: any(
                isinstance(t, AssistantTurn) and "word10" in t.reply.content
                for t in saved_turns(conversation.id)
            ),
        )
        # The reply worker dies without ending the reply: nothing more is written.
        for worker in app.workers:
            if worker.group == "reply":
                worker.cancel()
        (_, reply) = saved_turns(conversation.id)
        assert isinstance(reply, AssistantTurn)
        assert reply.reply.content.startswith("word0 word1")
        assert reply.reply.status is ReplyStatus.INTERRUPTED


async def test_a_failing_save_is_shown_and_retried(
    emulator: OllamaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.script(ChatReply(content=["ok"]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        folder = paths.conversations_dir()
        folder.mkdir(parents=True)
        folder.chmod(0o500)
        original_save = app.shared.store.save_data

        def full_disk(conversation_id: str, data: dict[str, object], **_: object) -> Path:
            from ollama_tui.core.history.store import HistoryError

            raise HistoryError(f"Could not save {folder}/x.toml: No space left on device")

        monkeypatch.setattr(app.shared.store, "save_data", full_disk)
        await send(pilot, "first")
        await wait_until(pilot, lambda: any("No space left" in n.message for n in notices(app)))
        assert len(chat.conversation.turns) == 2  # kept in memory
        monkeypatch.setattr(app.shared.store, "save_data", original_save)
        folder.chmod(0o700)
        await send(pilot, "second")
        await wait_until(pilot, lambda: len(saved_turns(chat.conversation.id)) == 4)
        assert any("Saving works again" in n.message for n in notices(app))


async def test_the_browser_lists_searches_and_reopens(emulator: OllamaEmulator) -> None:
    long = sample(turns=300, when=datetime(2026, 11, 24, tzinfo=UTC))
    assert isinstance(long.turns[201], AssistantTurn)
    long.turns[201].reply.content = "The axolotl regrows its limbs."
    long.title = "Amphibians"
    long.settings.system = "You are a biologist."
    long.settings.options["temperature"] = 0.3
    long.model = "qwen3:8b"
    store().save(long)
    store().save(sample())
    (paths.conversations_dir() / "broken.json").write_text("{oops")
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_history(pilot)
        await wait_until(pilot, lambda: len(table_rows(screen)) == 3)
        rows = table_rows(screen)
        assert rows[0] == [long.id[:8], "Amphibians", "qwen3:8b", rows[0][3], "300"]
        assert "unreadable" in rows[2][1]
        await pilot.press("slash", *"axolotl")
        # (Each key starts a search: "a" alone matches a title; wait for the last one.)
        await wait_until(
            pilot,
            lambda: [row[1] for row in table_rows(screen)] == ["The axolotl regrows its limbs."],
        )
        await pilot.press("enter")  # to the table
        await pilot.press("enter")  # open
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.conversation.id == long.id)
        await pilot.pause()
        assert app.screen is chat
        assert chat.conversation.model == "qwen3:8b"
        assert chat.conversation.settings.system == "You are a biologist."
        assert chat.conversation.settings.options == {"temperature": 0.3}
        # The whole conversation is in the log, opened at its end; Ctrl+Home reaches
        # its first message.
        log = chat.chat_log
        assert len(log.turns.entries) == 300
        assert log.scroll_y == log.max_scroll_y > 0
        assert long.turns[-1].reply.content.split()[0] in drawn_log(pilot)  # type: ignore[union-attr]
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert log.scroll_y == 0
        first = long.turns[0]
        assert isinstance(first, UserTurn)
        assert drawn_log(pilot).splitlines()[1] == f"▌ {first.content}"


async def test_rename_delete_export_and_import(emulator: OllamaEmulator, tmp_path: Path) -> None:
    conversation = sample()
    store().save(conversation)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_history(pilot)
        await wait_until(pilot, lambda: len(table_rows(screen)) == 1)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        app.screen.query_one(Input).value = "Word counts\x1b"
        await pilot.press("enter")
        await wait_until(pilot, lambda: table_rows(screen)[0][1].startswith("Word counts"))
        assert store().load(conversation.id)[0].title == "Word counts␛"  # sanitised
        target = tmp_path / "out.md"
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("ctrl+u", *str(target), "enter")
        await wait_until(pilot, target.exists)
        assert target.read_text().startswith("# Word counts")
        assert f"--resume {conversation.id[:8]}" in target.read_text()
        exported = tmp_path / "out.json"
        await pilot.press("j")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("ctrl+u", *str(exported), "enter")
        await wait_until(pilot, exported.exists)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(pilot, lambda: table_rows(screen) == [])
        assert store().trash_count() == 1
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*str(exported), "enter")
        await wait_until(pilot, lambda: len(table_rows(screen)) == 1)
        assert table_rows(screen)[0][1] == "Word counts␛"
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*str(tmp_path / "missing.json"), "enter")
        await wait_until(pilot, lambda: any("No file at" in n.message for n in notices(app)))


def test_continue_and_resume(emulator: OllamaEmulator) -> None:
    history = store()
    conversation = sample()
    history.save(conversation)
    assert reopened(history, True, None) == conversation
    assert reopened(history, False, conversation.id) == conversation
    assert reopened(history, False, None) is None
    with pytest.raises(SystemExit, match="no conversation"):
        reopened(history, False, "0123abc")
    # Any unique start of an id will do, as with git; an ambiguous one is named.
    assert reopened(history, False, conversation.id[:5]) == conversation
    twin = sample()
    twin.id = conversation.id[:5] + "f" * 27
    history.save(twin)
    with pytest.raises(SystemExit, match="could be any of 2"):
        reopened(history, False, conversation.id[:5])
    with pytest.raises(SystemExit, match="not a conversation id"):
        reopened(history, False, "../etc/passwd")
    with pytest.raises(SystemExit, match="no conversations"):
        reopened(HistoryStore(paths.data_dir() / "empty"), True, None)
    # An unreadable file, named in full: the reason is given, not "no conversation".
    broken = "b" * 32
    (paths.conversations_dir() / f"{broken}.toml").write_text('format = 1\ntitle = "cut')
    with pytest.raises(SystemExit, match=f"cannot open conversation {broken}"):
        reopened(history, False, broken)


async def test_a_resumed_conversation_opens_at_its_end(emulator: OllamaEmulator) -> None:
    conversation = sample(turns=40)
    store().save(conversation)
    app = make_app(Config(host=emulator.url), conversation=reopened(store(), True, None))
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await pilot.pause()
        assert chat.conversation.id == conversation.id
        log = chat.chat_log
        assert len(log.turns.entries) == 40 and log.scroll_y == log.max_scroll_y > 0
        assert not chat.query_one("#welcome", Static).display


async def test_opening_the_conversation_shown_keeps_it_as_it_is(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hello")
        shown = chat.conversation
        screen = await open_history(pilot)
        await wait_until(pilot, lambda: len(table_rows(screen)) == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is chat)
        assert chat.conversation is shown  # not a copy read back from its file


async def test_deleting_the_conversation_shown_starts_a_new_chat_and_it_stays_deleted(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hello")
        shown = chat.conversation.id
        await wait_until(pilot, lambda: store().has_file(shown))
        screen = await open_history(pilot)
        await wait_until(pilot, lambda: len(table_rows(screen)) == 1)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(pilot, lambda: table_rows(screen) == [])
        assert chat.conversation.id != shown and not chat.conversation.turns
        assert store().trash_count() == 1
        await pilot.press("escape")
        await pilot.press(*"next one", "enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 2)
        await wait_until(pilot, lambda: chat.session.streaming is None)
    # Quitting writes what the app holds: the deleted conversation is not among it.
    assert not store().has_file(shown)
    assert [listing.id for listing in store().listings()] == [chat.conversation.id]
