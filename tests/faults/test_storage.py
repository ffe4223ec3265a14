"""Storage that fails, and text no file can hold: nothing is lost, every failure is
said, and saving works again once it can."""

from __future__ import annotations

import errno
import json
import os
import shutil
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ollama_tui.core import paths
from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, ReplyStatus, UserTurn
from ollama_tui.core.history.codec import UnreadableConversation, decode, encode, from_data, to_data
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.sanitize import without_surrogates
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.emulator.models import RawReply
from tests.chat_helpers import (
    app_for,
    chat_of,
    last_reply_turn,
    notices,
    send,
    wait_until,
)
from tests.test_history import sample


def saved(conversation_id: str) -> Conversation:
    return HistoryStore(paths.conversations_dir()).load(conversation_id)[0]


async def test_a_reply_with_lone_surrogates_is_saved_and_sent_again(
    emulator: OllamaEmulator,
) -> None:
    lines = [
        b'{"message": {"role": "assistant", "content": "odd \\ud800 text"}, "done": false}\n',
        b'{"message": {"role": "assistant", "content": ""}, "done": true}\n',
    ]
    emulator.respond_raw("/api/chat", RawReply.ndjson(*lines))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "first")
        turn = last_reply_turn(chat)
        assert turn.reply.content == "odd \ufffd text"
        assert turn.reply.status is ReplyStatus.COMPLETE
        await send(pilot, "second")  # the odd reply goes back to the server
        assert emulator.chat_requests()[-1]["messages"][1]["content"] == "odd \ufffd text"
        conversation_id = chat.conversation.id
        await wait_until(pilot, lambda: len(saved(conversation_id).turns) == 4)
        assert not any("Not saved" in n.title for n in notices(app))


async def test_the_history_folder_deleted_while_running_is_made_again(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "first")
        conversation_id = chat.conversation.id
        await wait_until(pilot, lambda: len(saved_turns(conversation_id)) == 2)
        shutil.rmtree(paths.conversations_dir())
        await send(pilot, "second")
        await wait_until(pilot, lambda: len(saved_turns(conversation_id)) == 4)


def saved_turns(conversation_id: str) -> list[object]:
    try:
        return list(saved(conversation_id).turns)
    except OSError:
        return []


async def test_a_folder_that_cannot_be_written_is_said_and_saving_resumes(
    emulator: OllamaEmulator,
) -> None:
    """The history folder's place is taken by a file (a mount gone wrong, say): the
    write really fails, whoever runs the tests (permissions do not stop root)."""
    folder = paths.conversations_dir()
    folder.parent.mkdir(parents=True)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        folder.write_text("not a folder")
        await send(pilot, "first")
        await wait_until(pilot, lambda: any(n.title == "Not saved" for n in notices(app)))
        assert len(chat.conversation.turns) == 2  # kept in memory
        folder.unlink()
        await send(pilot, "second")
        conversation_id = chat.conversation.id
        await wait_until(pilot, lambda: len(saved_turns(conversation_id)) == 4)
        assert any("Saving works again" in n.message for n in notices(app))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["toml", "json"]))
def test_the_history_loader_takes_any_bytes(raw: bytes, fmt: str) -> None:
    """Any bytes give a conversation or ``UnreadableConversation``, nothing else."""
    try:
        conversation, _ = from_data(decode(raw, fmt))
    except UnreadableConversation as error:
        assert str(error)  # it says why
    else:
        assert isinstance(conversation, Conversation)


def json_like(text: str) -> bytes:
    return json.dumps({"format": 1, "id": "x", "title": text}).encode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.characters(codec=None, categories=None, exclude_categories=()),
        max_size=60,
    ),
    st.sampled_from(["toml", "json"]),
)
def test_any_text_survives_a_file_and_makes_a_valid_request(text: str, fmt: str) -> None:
    """Any text, lone surrogates included, survives a save and a load exactly (but for
    surrogates, which become U+FFFD) and makes a request body the server can read
    (the app sending it is covered by the lone-surrogate test above)."""
    conversation = Conversation(title=text, model="m")
    conversation.turns = [
        UserTurn(text),
        AssistantTurn([Reply("m", content=text, thinking=text, status=ReplyStatus.COMPLETE)]),
    ]
    loaded, _ = from_data(decode(encode(to_data(conversation), fmt), fmt))
    kept = without_surrogates(text)
    first = loaded.turns[0]
    assert isinstance(first, UserTurn) and first.content == kept
    assert loaded.title == kept
    second = loaded.turns[1]
    assert isinstance(second, AssistantTurn)
    assert (second.reply.content, second.reply.thinking) == (kept, kept)
    body = {"messages": [message.to_json() for message in loaded.request_messages()]}
    sent = json.loads(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    # (An empty reply is not sent back.)
    assert [m["content"] for m in sent["messages"]] == [kept, kept][: 2 if kept else 1]


def test_a_file_name_holding_escape_sequences_is_listed_inert() -> None:
    from ollama_tui.core.sanitize import is_unsafe
    from tests.faults.test_hostile_files import fingerprint

    folder = paths.conversations_dir()
    folder.mkdir(parents=True)
    name = "\x1b]0;pwned\x07\u202e" + "".join(string.ascii_letters[:4]) + ".toml"
    (folder / name).write_bytes(json_like("x"))
    before = fingerprint(folder)
    (listing,) = HistoryStore(folder).listings()
    assert listing.problem
    from ollama_tui.ui.widgets.plain import cell

    assert not is_unsafe(str(cell(f"{listing.path.name}: {listing.problem}")))
    assert fingerprint(folder) == before


async def test_a_conversation_left_while_saving_failed_is_saved_once_it_can_be(
    emulator: OllamaEmulator,
) -> None:
    folder = paths.conversations_dir()
    folder.parent.mkdir(parents=True)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        folder.write_text("not a folder")
        await send(pilot, "first")
        first_id = chat.conversation.id
        await wait_until(pilot, lambda: any(n.title == "Not saved" for n in notices(app)))
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: chat.conversation.id != first_id)
        folder.unlink()
        await send(pilot, "second")
        await wait_until(pilot, lambda: len(saved_turns(first_id)) == 2)
        await wait_until(pilot, lambda: len(saved_turns(chat.conversation.id)) == 2)


@pytest.mark.parametrize(
    ("failure", "writable"),
    [(errno.ENOLCK, True), (errno.EOPNOTSUPP, True), (errno.EWOULDBLOCK, False)],
)
def test_only_a_lock_held_elsewhere_makes_a_conversation_read_only(
    monkeypatch: pytest.MonkeyPatch, failure: int, writable: bool
) -> None:
    """A file system without locks (some network mounts) leaves chats writable."""
    import fcntl

    def refuse(fd: int, operation: int) -> None:
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(fcntl, "flock", refuse)
    store = HistoryStore(paths.conversations_dir())
    conversation = sample()
    assert store.claim(conversation.id) is writable
    if writable:
        store.save(conversation)
        assert store.load(conversation.id)[0] == conversation
