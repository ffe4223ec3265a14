"""The generation log: one row of figures per generation, from the chat and the command
line alike, in a SQLite database in the state directory.

Metrics only: no prompt or reply text (the conversations hold that), and the host
without credentials. The schema carries a version (``PRAGMA user_version``) and
migrates forward. WAL lets the chat and a script write at once. A locked, read-only or
corrupt database never breaks a generation: the row is not written, and ``problem``
says why, once.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ollama_tui.core.conversation import Reply, ReplyStatus
from ollama_tui.core.ollama.types import milliseconds
from ollama_tui.core.settings import ChatSettings

SCHEMA_VERSION = 1
BUSY_SECONDS = 0.2
"""How long a write waits for another writer: a chat must never wait on its log."""


@dataclass
class Generation:
    """One generation's figures (durations in milliseconds)."""

    time: float
    host: str
    model: str
    source: str
    """``chat``, ``ask``, ``batch`` or ``bench``."""
    status: str
    """``complete``, ``stopped`` or ``failed``."""
    server_version: str = ""
    conversation_id: str | None = None
    num_ctx: int | None = None
    num_predict: int | None = None
    think: str | None = None
    total_ms: float | None = None
    load_ms: float | None = None
    prompt_eval_count: int | None = None
    prompt_eval_ms: float | None = None
    eval_count: int | None = None
    eval_ms: float | None = None
    done_reason: str | None = None
    ttft_ms: float | None = None
    error: str | None = None

    @classmethod
    def of(
        cls,
        reply: Reply,
        settings: ChatSettings,
        *,
        host: str,
        source: str,
        conversation_id: str | None,
        server_version: str = "",
    ) -> Generation:
        stats = reply.stats
        status = {ReplyStatus.COMPLETE: "complete", ReplyStatus.STOPPED: "stopped"}
        options = settings.options
        think = settings.think
        return cls(
            time=time.time(),
            host=host,
            model=reply.model,
            source=source,
            status=status.get(reply.status, "failed"),
            server_version=server_version,
            conversation_id=conversation_id,
            num_ctx=_int(options.get("num_ctx")),
            num_predict=_int(options.get("num_predict")),
            think=None if think is None else str(think).lower(),
            total_ms=milliseconds(stats.total_duration) if stats else None,
            load_ms=milliseconds(stats.load_duration) if stats else None,
            prompt_eval_count=stats.prompt_eval_count if stats else None,
            prompt_eval_ms=milliseconds(stats.prompt_eval_duration) if stats else None,
            eval_count=stats.eval_count if stats else None,
            eval_ms=milliseconds(stats.eval_duration) if stats else None,
            done_reason=stats.done_reason if stats else None,
            ttft_ms=None if reply.first_token_s is None else reply.first_token_s * 1000,
            error=reply.error or None,
        )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


COLUMNS = [field.name for field in fields(Generation)]
_TYPES = {"time": "REAL NOT NULL", "host": "TEXT", "model": "TEXT", "source": "TEXT"}
MIGRATIONS = {
    1: "CREATE TABLE IF NOT EXISTS generations (id INTEGER PRIMARY KEY, "
    + ", ".join(f"{name} {_TYPES.get(name, '')}".strip() for name in COLUMNS)
    + "); CREATE INDEX IF NOT EXISTS generations_time ON generations (time)",
}
"""Each schema version's step from the one before."""


class GenerationLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem = ""
        """Why the last write or read failed; empty when it worked."""
        self._told = False

    def news(self) -> str:
        """The problem, the first time there is one (a warning is given once)."""
        if not self.problem or self._told:
            return ""
        self._told = True
        return self.problem

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            connection.execute("PRAGMA journal_mode=WAL")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                connection.executescript(MIGRATIONS[step])
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.commit()
        return connection

    def add(self, generation: Generation) -> int | None:
        """Write one row; its id, or None (with ``problem`` set) when it could not be."""
        row = asdict(generation)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        try:
            connection = self._connect()
            try:
                with connection:
                    cursor = connection.execute(
                        f"INSERT INTO generations ({names}) VALUES ({marks})", list(row.values())
                    )
                return cursor.lastrowid
            finally:
                connection.close()
        except (sqlite3.Error, OSError) as error:
            self.problem = f"The generation log at {self.path} was not written: {error}."
            return None

    def recent(
        self,
        limit: int = 20,
        since: float | None = None,
        model: str | None = None,
        source: str | None = None,
    ) -> list[dict[str, Any]]:
        """The newest rows first, matching the filters given."""
        where, values = _filters(since, model, source)
        query = f"SELECT id, {', '.join(COLUMNS)} FROM generations {where} ORDER BY time DESC"
        return self._read(query + " LIMIT ?", [*values, limit])

    def stats(
        self, since: float | None = None, model: str | None = None, by: str = "model"
    ) -> list[dict[str, Any]]:
        """Per model (or per day): count, tokens in and out, and the median and p90 of
        generation and prompt tok/s, time to first token and load time."""
        where, values = _filters(since, model, None)
        rows = self._read(f"SELECT {', '.join(COLUMNS)} FROM generations {where}", values)
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            key = (
                time.strftime("%Y-%m-%d", time.localtime(row["time"]))
                if by == "day"
                else row["model"]
            )
            groups.setdefault(key, []).append(row)
        return [_summary(by, key, group) for key, group in sorted(groups.items())]

    def _read(self, query: str, values: list[Any]) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        try:
            connection = self._connect()
            try:
                connection.row_factory = sqlite3.Row
                return [dict(row) for row in connection.execute(query, values)]
            finally:
                connection.close()
        except (sqlite3.Error, OSError) as error:
            self.problem = f"The generation log at {self.path} cannot be read: {error}."
            return []


def _filters(since: float | None, model: str | None, source: str | None) -> tuple[str, list[Any]]:
    clauses, values = [], []
    for clause, value in (("time >= ?", since), ("model = ?", model), ("source = ?", source)):
        if value is not None:
            clauses.append(clause)
            values.append(value)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", values


def _rate(count: int | None, ms: float | None) -> float | None:
    return count / (ms / 1000) if count and ms else None


def _spread(values: list[float | None]) -> tuple[float | None, float | None]:
    known = sorted(value for value in values if value is not None)
    if not known:
        return None, None
    p90 = known[min(len(known) - 1, round(0.9 * (len(known) - 1)))]
    return round(statistics.median(known), 2), round(p90, 2)


def _summary(by: str, key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {by: key, "count": len(rows)}
    summary["tokens_in"] = sum(row["prompt_eval_count"] or 0 for row in rows)
    summary["tokens_out"] = sum(row["eval_count"] or 0 for row in rows)
    for name, values in (
        ("tokens_per_second", [_rate(row["eval_count"], row["eval_ms"]) for row in rows]),
        (
            "prompt_tokens_per_second",
            [_rate(row["prompt_eval_count"], row["prompt_eval_ms"]) for row in rows],
        ),
        ("ttft_ms", [row["ttft_ms"] for row in rows]),
        ("load_ms", [row["load_ms"] for row in rows]),
    ):
        summary[f"{name}_median"], summary[f"{name}_p90"] = _spread(values)
    return summary
