"""Two ollama-tui instances (or another program) on one conversation: every message
of either survives. The other instance is a second ``HistoryStore`` on the same folder,
which holds its own lock exactly as another process would."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, TextArea

from ollama_tui.cli.main import make_app
from ollama_tui.core import paths
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import AssistantTurn, Conversation, UserTurn
from ollama_tui.core.history.codec import encode, to_data
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.ui.screens.confirm import TextPrompt
from ollama_tui.ui.screens.history import HistoryScreen
from tests.chat_helpers import chat_of, notices, wait_until
from tests.test_history import sample


def history() -> HistoryStore:
    return HistoryStore(paths.conversations_dir())


def contents(conversation: Conversation) -> list[str]:
    return [
        turn.content if isinstance(turn, UserTurn) else turn.reply.content
        for turn in conversation.turns
    ]


async def send_one_then_edit_its_file_by_hand(pilot: Pilot[None]) -> str:
    """Send "one", wait for the exchange to be saved, then retitle its file as another
    program would; the conversation's id."""
    chat = chat_of(pilot)
    await wait_until(pilot, lambda: chat.composer.has_focus)
    await pilot.press(*"one", "enter")
    original = chat.conversation.id
    path = history().path_for(original)
    await wait_until(pilot, lambda: chat.session.streaming is None and path.exists())
    await wait_until(pilot, lambda: len(contents(history().load(original)[0])) == 2)
    edited, _ = history().load(original)
    edited.title = "edited by hand"
    path.write_bytes(encode(to_data(edited), "toml"))
    return original


async def test_a_conversation_open_elsewhere_is_read_only_until_let_go(
    emulator: OllamaEmulator,
) -> None:
    other = history()
    conversation = sample()
    conversation.model = "llama3.2:latest"
    other.save(conversation, keep_claim=True)  # the other instance has it open
    path = other.path_for(conversation.id)
    before = path.read_bytes()
    store = history()
    loaded, _ = store.load(conversation.id)
    app = make_app(Config(host=emulator.url), store=store, conversation=loaded)
    emulator.script(ChatReply(content=["mine"]))
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.composer.has_focus)
        assert chat.session.read_only

        def refusals() -> int:
            return sum(n.title == "Read-only" for n in notices(app))

        shown = refusals()  # once on opening
        await pilot.press(*"from here", "enter")
        await wait_until(pilot, lambda: refusals() == shown + 1)  # and now for the Enter
        assert emulator.chat_requests() == []
        assert chat.composer.text == "from here"  # the draft is kept
        assert path.read_bytes() == before
        # The other instance adds a message, then quits.
        conversation.add_prompt("from there")
        other.save(conversation)
        other.release(conversation.id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 1)
        await wait_until(
            pilot, lambda: chat.session.streaming is None and not chat.session.read_only
        )
        sent = [m["content"] for m in emulator.chat_requests()[0]["messages"]]
        assert sent[-2:] == ["from there", "from here"]
    saved, _ = history().load(conversation.id)
    assert contents(saved)[-3:] == ["from there", "from here", "mine"]


async def test_a_file_changed_by_another_program_is_kept_and_the_chat_goes_on_in_a_copy(
    emulator: OllamaEmulator,
) -> None:
    emulator.script(ChatReply(content=["first"]), ChatReply(content=["second"]))
    app = make_app(Config(host=emulator.url, model="llama3.2:latest"))
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        original = await send_one_then_edit_its_file_by_hand(pilot)
        await pilot.press(*"two", "enter")
        await wait_until(pilot, lambda: chat.conversation.id != original)
        await wait_until(pilot, lambda: chat.session.streaming is None)
        copy_id = chat.conversation.id
        await wait_until(pilot, lambda: len(contents(history().load(copy_id)[0])) == 4)
    kept, _ = history().load(original)
    assert kept.title == "edited by hand"
    copy, _ = history().load(copy_id)
    assert contents(copy) == ["one", "first", "two", "second"]
    assert copy.title.endswith("(copy)")


async def test_changes_to_a_chat_left_as_its_file_changed_are_saved_as_a_copy(
    emulator: OllamaEmulator,
) -> None:
    emulator.script(ChatReply(content=["first"]))
    app = make_app(Config(host=emulator.url, model="llama3.2:latest"))
    # Every toast's title, kept (a toast goes away after a while: a busy machine could
    # look too late).
    titles: list[str] = []
    notify = app.notify

    def recording(message: str, **kwargs: Any) -> None:
        titles.append(kwargs.get("title", ""))
        notify(message, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        original = await send_one_then_edit_its_file_by_hand(pilot)
        # A system prompt typed, then a new chat at once: the chat left is written
        # as it goes, and finds its file changed.
        await pilot.press("f3")
        # What this test is about is the save, not keys typed while the sidebar mounts.
        await wait_until(
            pilot, lambda: isinstance(app.focused, TextArea) and app.focused.id != "composer"
        )
        await pilot.press(*"Be brief.", "ctrl+n")
        await wait_until(pilot, lambda: chat.conversation.id != original)
        await wait_until(pilot, lambda: len(history().listings()) == 2)
        await wait_until(pilot, lambda: "Saved as a copy" in titles)
    kept, _ = history().load(original)
    assert kept.title == "edited by hand" and kept.settings.system == ""
    (copy_listing,) = [item for item in history().listings() if item.id != original]
    copy, _ = history().load(copy_listing.id)
    assert copy.title.endswith("(copy)") and copy.settings.system == "Be brief."
    assert contents(copy) == ["one", "first"]


async def test_quitting_at_once_after_a_reply_keeps_it(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["the", " answer"]))
    app = make_app(Config(host=emulator.url, model="llama3.2:latest"))
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.composer.has_focus)
        await pilot.press(*"question", "enter")
        await wait_until(
            pilot, lambda: chat.session.streaming is None and len(chat.conversation.turns) == 2
        )
        conversation_id = chat.conversation.id
        await pilot.press("ctrl+q")
    saved, _ = history().load(conversation_id)
    last = saved.turns[-1]
    assert isinstance(last, AssistantTurn) and last.reply.content == "the answer"


async def test_renaming_a_conversation_open_elsewhere_is_refused_and_said(
    emulator: OllamaEmulator,
) -> None:
    other = history()
    conversation = sample()
    other.save(conversation, keep_claim=True)
    path = other.path_for(conversation.id)
    before = path.read_bytes()
    store = history()
    loaded, _ = store.load(conversation.id)
    app = make_app(Config(host=emulator.url), store=store, conversation=loaded)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.session.read_only)
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await wait_until(pilot, lambda: bool(app.screen.query_one(DataTable).row_count))
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("ctrl+u", *"new name", "enter")
        await wait_until(pilot, lambda: any(n.title == "Not renamed" for n in notices(app)))
        assert chat.conversation.title == conversation.title
    assert path.read_bytes() == before
