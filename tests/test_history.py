"""History files: exact round trips, atomic and private writes, never touching bad files."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ollama_tui.core.conversation import (
    AssistantTurn,
    Attachment,
    Conversation,
    Reply,
    ReplyStatus,
    UserTurn,
)
from ollama_tui.core.history.codec import decode, encode, from_data, to_data
from ollama_tui.core.history.export import import_file, to_json, to_markdown
from ollama_tui.core.history.store import LOCKS, ConversationBusy, HistoryError, HistoryStore
from ollama_tui.core.ollama.types import Stats
from ollama_tui.core.settings import ChatSettings

NASTY = ["'''", '"""', "\\", "\r\n", "\r", "\n", "\x00", "\x1b[2J", "😀", "中文", "\t", "\u2028"]
texts = st.one_of(
    st.text(),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=5), max_size=12).map("".join),
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
stats = st.builds(
    Stats,
    total_duration=st.none() | st.integers(0, 10**15),
    eval_count=st.none() | st.integers(0, 10**6),
    eval_duration=st.none() | st.integers(0, 10**12),
    prompt_eval_count=st.none() | st.integers(0, 10**6),
    done_reason=st.none() | st.sampled_from(["stop", "length"]),
)
replies = st.builds(
    Reply,
    model=texts,
    content=texts,
    thinking=texts,
    status=st.sampled_from(
        [ReplyStatus.COMPLETE, ReplyStatus.STOPPED, ReplyStatus.INTERRUPTED, ReplyStatus.ERROR]
    ),
    error=texts,
    stats=st.none() | stats,
    first_token_s=st.none() | st.floats(0, 100, allow_nan=False),
    prompt_truncated=st.booleans(),
    created_at=moments,
    prompt_version=st.none() | st.integers(0, 5),
)
user_turns = st.builds(
    UserTurn,
    content=texts,
    images=st.lists(st.builds(Attachment, name=texts, data=st.text("abcXYZ+/=", max_size=20))),
    model=texts,
    created_at=moments,
    earlier_versions=st.lists(texts, max_size=2),
)
assistant_turns = st.lists(replies, min_size=1, max_size=3).flatmap(
    lambda versions: st.builds(
        AssistantTurn, versions=st.just(versions), selected=st.integers(0, len(versions) - 1)
    )
)
conversations = st.builds(
    Conversation,
    id=st.text("abcdef0123456789-_", min_size=1, max_size=32),
    title=texts,
    model=texts,
    settings=st.builds(
        ChatSettings,
        system=texts,
        options=st.fixed_dictionaries(
            {}, optional={"temperature": st.floats(0, 2), "seed": st.integers(0, 2**31)}
        ),
    ),
    turns=st.lists(user_turns | assistant_turns, max_size=6),
    created_at=moments,
    updated_at=moments,
)


def files_in(folder: Path) -> list[str]:
    """The files in ``folder``, without the store's lock folder."""
    return [path.name for path in folder.iterdir() if path.name != LOCKS]


@pytest.mark.parametrize("fmt", ["toml", "json"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conversation=conversations)
def test_every_conversation_round_trips_exactly(fmt: str, conversation: Conversation) -> None:
    raw = encode(to_data(conversation), fmt)
    loaded, notes = from_data(decode(raw, fmt))
    assert notes == []
    assert loaded == conversation


def test_long_text_stays_readable_in_toml() -> None:
    conversation = sample()
    raw = encode(to_data(conversation), "toml").decode()
    assert 'content = """\nline one\nline two"""' in raw


@pytest.fixture
def history_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "history"
    folder.mkdir()
    return folder


def sample(turns: int = 2, when: datetime | None = None) -> Conversation:
    moment = when or datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    conversation = Conversation(
        title="Counting words", model="llama3.2:latest", created_at=moment, updated_at=moment
    )
    for n in range(turns // 2):
        conversation.turns.append(UserTurn(f"question {n}", created_at=moment))
        reply = Reply("llama3.2:latest", "line one\nline two", status=ReplyStatus.COMPLETE)
        reply.created_at = moment
        conversation.turns.append(AssistantTurn([reply]))
    conversation.updated_at = moment
    return conversation


def test_files_are_private_and_named_by_id(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "conversations")
    conversation = sample()
    conversation.title = "../../etc/passwd"
    path = store.save(conversation)
    assert path == tmp_path / "conversations" / f"{conversation.id}.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert store.load(conversation.id)[0] == conversation


def test_json_when_configured_and_both_formats_list(history_dir: Path) -> None:
    toml_store = HistoryStore(history_dir)
    json_store = HistoryStore(history_dir, "json")
    first, second = sample(), sample(when=datetime(2026, 11, 24, tzinfo=UTC))
    toml_store.save(first)
    assert json_store.save(second).suffix == ".json"
    assert [item.id for item in json_store.listings()] == [second.id, first.id]
    assert json_store.load(first.id)[0] == first  # it stays in its own format
    assert json_store.save(first).suffix == ".toml"


def test_a_corrupt_file_is_listed_as_unreadable_and_left_alone(history_dir: Path) -> None:
    store = HistoryStore(history_dir)
    good = sample()
    store.save(good)
    bad = history_dir / "deadbeef.toml"
    bad.write_bytes(b'format = 1\nid = "deadbeef"\ntitle = "unterminated\n')
    before = bad.read_bytes()
    listings = store.listings()
    assert [item.id for item in listings] == [good.id, "deadbeef"]
    assert "invalid TOML" in listings[1].problem
    broken = Conversation(id="deadbeef")
    with pytest.raises(HistoryError, match="left untouched"):
        store.save(broken)
    store.search("anything")
    assert bad.read_bytes() == before
    assert sorted(files_in(history_dir)) == sorted([bad.name, f"{good.id}.toml"])


def test_a_newer_version_is_left_alone(history_dir: Path) -> None:
    store = HistoryStore(history_dir)
    newer = history_dir / "future.toml"
    newer.write_text('format = 99\nid = "future"\ntitle = "from the future"\n')
    before = newer.read_bytes()
    (listing,) = store.listings()
    assert "newer ollama-tui" in listing.problem
    with pytest.raises(HistoryError):
        store.save(Conversation(id="future"))
    assert newer.read_bytes() == before


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ("fsync", OSError(28, "No space left on device")),  # a full disk
        ("replace", PermissionError(13, "Permission denied")),  # a read-only folder
    ],
)
def test_a_failing_write_keeps_the_old_file(
    history_dir: Path, monkeypatch: pytest.MonkeyPatch, call: str, error: OSError
) -> None:
    store = HistoryStore(history_dir)
    conversation = sample()
    path = store.save(conversation)
    before = path.read_bytes()
    conversation.turns.append(UserTurn("a new prompt"))

    def fail(*args: object) -> None:
        raise error

    monkeypatch.setattr(os, call, fail)
    with pytest.raises(HistoryError, match=error.strerror or ""):
        store.save(conversation)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert files_in(history_dir) == [path.name]  # no temporary file left
    store.save(conversation)  # the next save succeeds
    assert store.load(conversation.id)[0].turns[-1] == conversation.turns[-1]


def test_two_stores_writing_at_once_one_holds_it_and_the_file_stays_valid(
    history_dir: Path,
) -> None:
    conversation = sample(turns=200)
    refused: dict[str, int] = {"first": 0, "second": 0}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(store: HistoryStore, marker: str) -> None:
        copy = sample(turns=200)
        copy.id = conversation.id
        copy.title = marker
        start.wait()
        for _ in range(30):
            try:
                store.save(copy, keep_claim=True)
            except ConversationBusy:
                refused[marker] += 1
            except BaseException as error:
                errors.append(error)

    stores = {marker: HistoryStore(history_dir) for marker in ("first", "second")}
    threads = [
        threading.Thread(target=writer, args=(store, marker)) for marker, store in stores.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    holder = next(marker for marker, count in refused.items() if count == 0)
    other = "second" if holder == "first" else "first"
    assert refused[other] == 30
    loaded, _ = HistoryStore(history_dir).load(conversation.id)
    assert loaded.title == holder
    assert len(loaded.turns) == 200


def test_search_finds_text_deep_inside_a_long_conversation(history_dir: Path) -> None:
    store = HistoryStore(history_dir)
    long = sample(turns=400)
    assert isinstance(long.turns[351], AssistantTurn)
    long.turns[351].reply.content = "Somewhere here: the Quokka is a small marsupial. " * 2
    store.save(long)
    other = sample()
    store.save(other)
    (hit,) = store.search("quokka")
    assert hit.listing.id == long.id
    assert "Quokka is a small marsupial" in hit.snippet(60)[0]
    assert store.search('"quokka') == []  # escaped characters take the slow path
    title_hit = store.search("counting")
    assert {h.listing.id for h in title_hit} == {long.id, other.id}


def test_listing_reads_titles_and_counts(history_dir: Path) -> None:
    store = HistoryStore(history_dir)
    conversation = sample(turns=6)
    store.save(conversation)
    (listing,) = store.listings()
    assert (listing.title, listing.model, listing.messages) == (
        "Counting words",
        "llama3.2:latest",
        6,
    )
    assert listing.updated == conversation.updated_at


def test_delete_moves_to_trash_and_empty_trash_removes(history_dir: Path) -> None:
    store = HistoryStore(history_dir)
    conversation = sample()
    store.save(conversation)
    moved = store.delete(conversation.id)
    assert moved.parent == history_dir / "trash" and moved.exists()
    assert store.listings() == []
    assert store.trash_count() == 1
    assert store.empty_trash() == 1
    assert not moved.exists()


def test_markdown_and_json_export_and_import(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "conversations")
    conversation = sample(turns=2)
    conversation.settings.system = "Be brief."
    markdown = to_markdown(conversation)
    assert markdown.startswith("# Counting words\n\n- model: llama3.2:latest")
    assert "## System\n\nBe brief." in markdown
    assert "## You\n\nquestion 0" in markdown and "## Assistant (llama3.2:latest)" in markdown
    exported = tmp_path / "out.json"
    exported.write_bytes(to_json(conversation))
    imported, notes = import_file(store, exported)
    assert imported == conversation and notes == []
    again, notes = import_file(store, exported)  # the id is taken now
    assert again.id != conversation.id and "new id" in notes[0]
    assert len(store.listings()) == 2


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "invalid JSON"),
        (b'{"format": 1, "id": "x", "title": "t", "messages": [{"role": "robot"}]}', "role"),
        (b'{"format": 1, "id": "../x"}', "plain identifier"),
        (b'{"format": 1, "id": "x", "created": "yesterday"}', "not an ISO 8601 time"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_import_refuses_bad_files_in_words(tmp_path: Path, content: bytes, words: str) -> None:
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    with pytest.raises(ValueError, match=words):
        import_file(HistoryStore(tmp_path / "conversations"), source)


def test_a_streaming_reply_is_saved_as_interrupted(history_dir: Path) -> None:
    conversation = sample()
    conversation.add_prompt("more")
    reply = conversation.start_reply()
    reply.content = "partial"
    store = HistoryStore(history_dir)
    store.save(conversation)
    loaded, _ = store.load(conversation.id)
    assert loaded.turns[-1].reply.status is ReplyStatus.INTERRUPTED  # type: ignore[union-attr]
    assert loaded.turns[-1].reply.content == "partial"  # type: ignore[union-attr]


def test_most_recent(history_dir: Path) -> None:
    store = HistoryStore(history_dir)
    old = sample(when=datetime(2026, 1, 1, tzinfo=UTC))
    new = sample(when=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=1))
    store.save(new)
    store.save(old)
    most_recent = store.most_recent()
    assert most_recent is not None and most_recent.id == new.id


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_search_finds_words_across_a_line_break_in_either_format(
    history_dir: Path, fmt: str
) -> None:
    store = HistoryStore(history_dir, fmt=fmt)
    conversation = sample()
    assert isinstance(conversation.turns[1], AssistantTurn)
    conversation.turns[1].reply.content = "It ends with the red\npanda, asleep."
    store.save(conversation)
    (hit,) = store.search("red panda")
    assert "red panda" in hit.snippet(60)[0]
    assert store.search("red fox") == []


def test_search_finds_non_ascii_text_escaped_in_json(history_dir: Path) -> None:
    import json

    conversation = sample()
    assert isinstance(conversation.turns[1], AssistantTurn)
    conversation.turns[1].reply.content = "Un café, s'il vous plaît."
    # Written by another program, with every non-ASCII character as a \u escape.
    path = history_dir / f"{conversation.id}.json"
    path.write_text(json.dumps(to_data(conversation), ensure_ascii=True))
    (hit,) = HistoryStore(history_dir).search("café")
    assert "café" in hit.snippet(60)[0]
