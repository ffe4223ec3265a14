"""The services, driven directly against the emulator, without Textual."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ollama_tui.core.conversation import Conversation, ReplyStatus
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.pulls import PullJob, PullState
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.emulator import ChatReply, OllamaEmulator, PullScript
from ollama_tui.emulator.models import PullLayer
from ollama_tui.services.catalog import ModelCatalog
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.health import (
    BACKOFF_STEPS,
    HEALTHY_POLL_SECONDS,
    ConnectionState,
    HealthMonitor,
)
from ollama_tui.services.pull_queue import PullQueue
from ollama_tui.services.saver import (
    ContinuedAsCopy,
    ConversationSaver,
    HeldElsewhere,
    SavedAsCopy,
    SaveFailed,
    SaveNews,
    SaveWorksAgain,
)

MB = 1_000_000


def session_for(
    client: OllamaClient, store: HistoryStore, model: str = "llama3.2:latest"
) -> tuple[ChatSession, list[SaveNews]]:
    news: list[SaveNews] = []
    session = ChatSession(
        Conversation(model=model),
        client=client,
        counter=ContextCounter(Tokenizer()),
        catalog=ModelCatalog(client),
        saver=ConversationSaver(store, news.append),
    )
    session.switch_to(session.conversation)
    return session, news


async def test_a_reply_streams_into_its_record_ends_with_figures_and_is_saved(
    emulator: OllamaEmulator, client: OllamaClient, tmp_path: Path
) -> None:
    emulator.script(ChatReply(content=["Hel", "lo", " there"]))
    store = HistoryStore(tmp_path / "history")
    session, news = session_for(client, store)
    session.conversation.add_prompt("hi")
    reply = session.begin_reply()
    ended = await session.stream(reply)
    taken = session.take_arrived()
    assert taken is not None and taken.content == "Hello there"
    assert session.take_arrived() is None  # nothing new since
    assert session.finish(ended)
    assert (reply.status, reply.content) == (ReplyStatus.COMPLETE, "Hello there")
    # The emulator counts "Hello there" as two tokens.
    assert reply.stats is not None and reply.stats.eval_count == 2
    assert session.streaming is None
    await session.saver.close()
    saved, _ = HistoryStore(tmp_path / "history").load(session.conversation.id)
    assert saved.turns[-1].reply.content == "Hello there"  # type: ignore[union-attr]
    [sent] = emulator.chat_requests()
    assert sent["messages"] == [{"role": "user", "content": "hi"}]
    assert "think" not in sent  # llama3.2 cannot think
    assert news == []


async def test_stopping_keeps_everything_that_arrived(
    emulator: OllamaEmulator, client: OllamaClient, tmp_path: Path
) -> None:
    emulator.script(ChatReply(content=["one ", "two ", "three"], hold_after=2))
    session, _ = session_for(client, HistoryStore(tmp_path / "history"))
    session.conversation.add_prompt("count")
    reply = session.begin_reply()
    # Nothing is taken into the reply before the stop: it takes all that arrived.
    streaming = asyncio.create_task(session.stream(reply))
    while "".join(session.received.content) != "one two ":
        await asyncio.sleep(0.01)
    rest = session.stop()
    streaming.cancel()
    assert rest is not None and rest.content == "one two "
    assert (reply.status, reply.content) == (ReplyStatus.STOPPED, "one two ")
    assert session.stop() is None  # nothing streams now
    await session.saver.close()
    saved, _ = HistoryStore(tmp_path / "history").load(session.conversation.id)
    assert saved.turns[-1].reply.status is ReplyStatus.STOPPED  # type: ignore[union-attr]


async def test_a_stream_that_fails_part_way_is_interrupted_with_its_text(
    emulator: OllamaEmulator, client: OllamaClient, tmp_path: Path
) -> None:
    emulator.script(ChatReply(content=["a", "b", "c"], error_after=2, error="GPU fell over"))
    session, _ = session_for(client, HistoryStore(tmp_path / "history"))
    session.conversation.add_prompt("go")
    reply = session.begin_reply()
    session.finish(await session.stream(reply))
    assert (reply.status, reply.content) == (ReplyStatus.INTERRUPTED, "ab")
    assert "GPU fell over" in reply.error


async def test_a_thinking_model_is_asked_to_think_apart(
    emulator: OllamaEmulator, client: OllamaClient, tmp_path: Path
) -> None:
    emulator.script(ChatReply(thinking=["hmm"], content=["yes"]))
    session, _ = session_for(client, HistoryStore(tmp_path / "history"), "qwen3:8b")
    await session.catalog.show("qwen3:8b")
    session.conversation.add_prompt("why?")
    reply = session.begin_reply()
    session.finish(await session.stream(reply))
    assert emulator.chat_requests()[0]["think"] is True
    assert (reply.thinking, reply.content) == ("hmm", "yes")


async def test_the_catalog_asks_for_a_model_once(
    emulator: OllamaEmulator, client: OllamaClient
) -> None:
    heard: list[str] = []
    catalog = ModelCatalog(client, on_info=lambda info: heard.append(info.name))
    assert catalog.capabilities("qwen3:8b") is None
    first = await catalog.show("qwen3:8b")
    again = await catalog.show("qwen3:8b")
    assert again is first
    assert len(emulator.requests_to("/api/show")) == 1
    assert catalog.capabilities("qwen3:8b") is not None
    assert "thinking" in (catalog.capabilities("qwen3:8b") or ())
    assert heard == ["qwen3:8b"]
    catalog.forget("qwen3:8b")
    await catalog.show("qwen3:8b")
    assert len(emulator.requests_to("/api/show")) == 2
    await client.load("llama3.2:latest")
    await catalog.running()
    assert catalog.running_context("llama3.2:latest")


async def test_pulls_run_one_at_a_time_in_order(
    emulator: OllamaEmulator, client: OllamaClient
) -> None:
    layers = [PullLayer("sha256:" + "ab" * 32, 3 * MB)]
    emulator.pulls["tiny:1b"] = PullScript(layers=layers, step=MB)
    emulator.pulls["small:2b"] = PullScript(layers=layers, step=MB)
    seen: list[tuple[str, PullState]] = []
    pulled: list[str] = []
    queue = PullQueue(
        client,
        lambda change: seen.append((change.job.model, change.state)),
        on_pulled=pulled.append,
    )
    first, second = queue.start("tiny:1b"), queue.start("small:2b")
    assert queue.current is first
    assert "+1 queued" in queue.summary()
    while not second.finished:
        await asyncio.sleep(0.01)
    states = [entry for entry in seen if entry[1] is not PullState.QUEUED]
    assert states[0] == ("tiny:1b", PullState.RUNNING)
    assert states.index(("tiny:1b", PullState.SUCCEEDED)) < states.index(
        ("small:2b", PullState.RUNNING)
    )
    assert (first.state, second.state) == (PullState.SUCCEEDED, PullState.SUCCEEDED)
    # Each report says the state the job had then: the end is reported once.
    assert seen.count(("tiny:1b", PullState.SUCCEEDED)) == 1
    assert first.tracker.completed == 3 * MB
    assert pulled == ["tiny:1b", "small:2b"]
    assert queue.summary() == ""


async def test_a_failed_and_a_cancelled_pull(
    emulator: OllamaEmulator, client: OllamaClient
) -> None:
    layers = [PullLayer("sha256:" + "cd" * 32, 4 * MB)]
    emulator.pulls["flaky:1b"] = PullScript(layers=layers, step=MB, error_after_bytes=2 * MB)
    emulator.pulls["slow:1b"] = PullScript(layers=layers, step=MB, hold_at_bytes=MB)
    queue = PullQueue(client, lambda job: None)
    flaky = queue.start("flaky:1b")
    slow = queue.start("slow:1b")
    while slow.state is not PullState.RUNNING:
        await asyncio.sleep(0.01)
    assert flaky.state is PullState.FAILED
    assert "kept failing" in flaky.problem and flaky.retryable
    queue.cancel(slow)
    assert queue.jobs[1].state is PullState.CANCELLED
    await queue.aclose()
    assert queue.current is None
    assert isinstance(queue.jobs[0], PullJob)


async def test_health_backs_off_while_down_and_polls_slowly_once_up() -> None:
    emulator = OllamaEmulator().start()
    port = emulator.port
    emulator.go_down()
    client = OllamaClient(f"http://127.0.0.1:{port}")
    states: list[ConnectionState] = []
    delays: list[float] = []
    checks = iter(range(len(BACKOFF_STEPS) + 3))

    async def pause(delay: float, wake: asyncio.Event) -> None:
        delays.append(delay)
        if next(checks) == len(BACKOFF_STEPS):
            emulator.come_back(port)
        if len(delays) == len(BACKOFF_STEPS) + 2:
            raise asyncio.CancelledError

    now = iter(range(1000, 2000))
    monitor = HealthMonitor(client, states.append, pause=pause, clock=lambda: float(next(now)))
    try:
        with pytest.raises(asyncio.CancelledError):
            await monitor.run()
    finally:
        await client.aclose()
        emulator.stop()
    down = len(BACKOFF_STEPS) + 1
    assert delays[:down] == [*BACKOFF_STEPS, BACKOFF_STEPS[-1]]
    assert delays[down:] == [HEALTHY_POLL_SECONDS]
    assert all(state.connected is False and state.error for state in states[:down])
    assert states[0].retry_at == states[0].checked_at + BACKOFF_STEPS[0]
    assert states[-1].connected is True and states[-1].version == "0.12.6"


async def test_a_recheck_wakes_the_monitor_at_once(emulator: OllamaEmulator) -> None:
    client = OllamaClient(emulator.url)
    monitor = HealthMonitor(client, lambda state: None)
    running = asyncio.create_task(monitor.run())
    while monitor.state.connected is not True:
        await asyncio.sleep(0.01)
    asked = len(emulator.requests_to("/api/version"))
    monitor.recheck()  # the next check was 20 s away
    while len(emulator.requests_to("/api/version")) == asked:
        await asyncio.sleep(0.01)
    running.cancel()
    await client.aclose()


async def test_the_saver_reports_failure_once_and_recovery(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    news: list[SaveNews] = []
    saver = ConversationSaver(HistoryStore(folder), news.append)
    conversation = Conversation(model="m")
    conversation.add_prompt("hello")
    folder.write_text("a file where the folder should be")
    saver.save(conversation)
    saver.save(conversation)
    await saver.close()
    assert [type(n) for n in news] == [SaveFailed]
    folder.unlink()
    folder.mkdir()
    saver.save(conversation)
    await saver.close()
    assert [type(n) for n in news] == [SaveFailed, SaveWorksAgain]
    assert HistoryStore(folder).load(conversation.id)[0].turns[0].content == "hello"  # type: ignore[union-attr]


async def test_a_file_held_elsewhere_is_never_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    news: list[SaveNews] = []
    saver = ConversationSaver(HistoryStore(folder), news.append)
    shown, other = Conversation(model="m"), Conversation(model="m", title="Other")
    for conversation in (shown, other):
        conversation.add_prompt("mine")
        HistoryStore(folder).save(conversation)
    elsewhere = HistoryStore(folder)
    assert elsewhere.claim(shown.id) and elsewhere.claim(other.id)
    saver.show(shown.id)
    assert not saver.hold(shown)
    saver.save(shown)
    saver.save(other)
    await saver.close()
    assert HeldElsewhere(shown.id) in news
    [copy_news] = [n for n in news if isinstance(n, SavedAsCopy)]
    assert copy_news.title == "Other (copy)"
    titles = sorted(listing.title for listing in HistoryStore(folder).listings())
    assert titles == ["Other", "Other (copy)", "mine"]  # untitled: named by its prompt


async def test_a_file_changed_under_the_chat_goes_on_in_one_copy(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    news: list[SaveNews] = []
    saver = ConversationSaver(HistoryStore(folder), news.append)
    conversation = Conversation(model="m", title="Plans")
    conversation.add_prompt("first")
    saver.show(conversation.id)
    saver.save(conversation)
    await saver.close()
    path = HistoryStore(folder).path_for(conversation.id)
    path.write_text(path.read_text().replace("first", "edited elsewhere"))
    conversation.add_prompt("second")
    saver.save(conversation)
    await saver.close()
    [moved] = [n for n in news if isinstance(n, ContinuedAsCopy)]
    assert (moved.conversation_id, moved.title) == (conversation.id, "Plans (copy)")
    # Until the chat takes the copy's id, its saves go to the copy, not to new copies.
    conversation.add_prompt("third")
    saver.save(conversation)
    await saver.close()
    files = {listing.id: listing for listing in HistoryStore(folder).listings()}
    assert set(files) == {conversation.id, moved.copy_id}
    assert "edited elsewhere" in path.read_text()
    copy, _ = HistoryStore(folder).load(moved.copy_id)
    assert [turn.content for turn in copy.turns] == ["first", "second", "third"]  # type: ignore[union-attr]


async def test_a_conversation_held_elsewhere_is_saved_as_a_copy_once_left(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "history"
    news: list[SaveNews] = []
    saver = ConversationSaver(HistoryStore(folder), news.append)
    conversation = Conversation(model="m", title="Shared")
    conversation.add_prompt("mine")
    HistoryStore(folder).save(conversation)
    elsewhere = HistoryStore(folder)
    assert elsewhere.claim(conversation.id)
    saver.show(conversation.id)
    conversation.add_prompt("typed here")
    saver.save(conversation)
    await saver.close()
    assert news == [HeldElsewhere(conversation.id)]
    saver.show("another")
    saver.left(conversation.id)
    await saver.close()
    assert isinstance(news[-1], SavedAsCopy) and news[-1].title == "Shared (copy)"
    [copy] = [item for item in HistoryStore(folder).listings() if item.id != conversation.id]
    loaded, _ = HistoryStore(folder).load(copy.id)
    assert loaded.turns[-1].content == "typed here"  # type: ignore[union-attr]


async def test_the_catalog_knows_a_model_by_either_name(client: OllamaClient) -> None:
    catalog = ModelCatalog(client)
    await catalog.show("llama3.2")
    assert catalog.capabilities("llama3.2:latest") == frozenset({"completion", "tools"})
    await client.load("llama3.2")
    await catalog.running()
    assert catalog.running_context("llama3.2") == 4096
    catalog.forget("llama3.2:latest")
    assert catalog.info("llama3.2") is None
