"""The generation log: rows written by the chat and by ``ask``, read back by ``logs``
and ``stats``; a broken database never breaks a generation."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ollama_tui.core import paths
from ollama_tui.core.conversation import Reply, ReplyStatus
from ollama_tui.core.ollama.types import Stats
from ollama_tui.core.settings import ChatSettings
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.services.generation_log import SCHEMA_VERSION, Generation, GenerationLog
from tests.chat_helpers import app_for, chat_of, send, wait_until
from tests.test_cli_ask import ask
from tests.test_cli_models import run


def generation(model: str, eval_ms: float, source: str = "chat") -> Generation:
    reply = Reply(model, "text", status=ReplyStatus.COMPLETE, first_token_s=0.1)
    reply.stats = Stats(eval_count=50, eval_duration=int(eval_ms * 1e6), prompt_eval_count=10)
    return Generation.of(
        reply,
        ChatSettings(options={"num_ctx": 4096}),
        host="h",
        source=source,
        conversation_id=None,
    )


def test_rows_are_written_and_summed_up(tmp_path: Path) -> None:
    log = GenerationLog(tmp_path / "state" / "generations.db")
    for eval_ms in (1000, 500, 2000):
        assert log.add(generation("a", eval_ms)) is not None
    log.add(generation("b", 1000, source="ask"))
    rows = log.recent()
    assert [row["model"] for row in rows] == ["b", "a", "a", "a"]
    assert rows[0]["num_ctx"] == 4096 and rows[0]["ttft_ms"] == 100.0
    assert [row["model"] for row in log.recent(source="ask")] == ["b"]
    [a, b] = log.stats()
    assert (a["model"], a["count"], a["tokens_out"]) == ("a", 3, 150)
    assert a["tokens_per_second_median"] == 50.0 and a["tokens_per_second_p90"] == 100.0
    assert b["count"] == 1
    with sqlite3.connect(log.path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_broken_log_is_said_once_and_never_stops_anything(tmp_path: Path) -> None:
    path = tmp_path / "generations.db"
    path.write_bytes(b"this is no database" * 100)
    log = GenerationLog(path)
    assert log.add(generation("a", 1000)) is None
    assert "was not written" in log.news()
    assert log.add(generation("a", 1000)) is None and log.news() == ""  # said once
    assert log.recent() == [] and "cannot be read" in log.problem


async def test_the_chat_logs_each_reply(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.health.state.connected is True)
        await send(pilot, "hello")
        await wait_until(pilot, lambda: chat.session.logged is not None)
        [row] = app.shared.log.recent()
        assert (row["source"], row["status"], row["model"]) == (
            "chat",
            "complete",
            "llama3.2:latest",
        )
        assert row["conversation_id"] == chat.conversation.id and row["eval_count"]
        assert (row["host"], row["server_version"]) == (emulator.url, "0.12.6")


def test_ask_logs_unless_told_not_to_and_logs_and_stats_read_it(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["one"]), ChatReply(content=["two"]))
    logged = json.loads(ask(emulator, "-m", "llama3.2:latest", "--json", "hi").stdout)
    assert logged["log_id"] == 1
    unlogged = json.loads(ask(emulator, "-m", "llama3.2:latest", "--json", "--no-log", "hi").stdout)
    assert unlogged["log_id"] is None
    [row] = json.loads(run(emulator.url, "logs", "--json").stdout)
    assert (row["source"], row["status"], row["conversation_id"]) == ("ask", "complete", None)
    assert row["server_version"] == "0.12.6"
    [summary] = json.loads(run(emulator.url, "stats", "--json").stdout)
    assert (summary["model"], summary["count"]) == ("llama3.2:latest", 1)
    assert run(emulator.url, "logs", "path").stdout.strip() == str(paths.generation_log())
    assert run(emulator.url, "logs", "--since", "soon").returncode == 2


def test_a_log_locked_by_another_writer_is_skipped_not_waited_for(tmp_path: Path) -> None:
    log = GenerationLog(tmp_path / "generations.db")
    assert log.add(generation("a", 1000)) == 1
    other = sqlite3.connect(log.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert log.add(generation("a", 1000)) is None
        assert "locked" in log.news()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert log.add(generation("a", 1000)) == 2  # free again: written


def test_logs_and_stats_say_a_broken_log_cannot_be_read_and_fail() -> None:
    path = paths.generation_log()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is no database" * 100)
    for command in ("logs", "stats"):
        done = run("http://127.0.0.1:9", command)
        assert done.returncode == 1 and done.stdout == ""
        unreadable = f"The generation log at {path} cannot be read: file is not a database."
        assert done.stderr == f"ollama-tui {command}: {unreadable}\n"
    assert path.read_bytes() == b"this is no database" * 100  # left as it was
