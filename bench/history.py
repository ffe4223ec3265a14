"""History at scale: reopen a 2,000-message conversation in a real terminal (time to
the first accepted key, and resident memory), and list and search 1,000 conversations.

Targets: 1.5 s and 250 MB to open; 1 s to list.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, ReplyStatus, UserTurn
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.emulator.demo import DEMO_ANSWER

START = datetime(2026, 1, 1, tzinfo=UTC)


def conversation(messages: int, title: str, when: datetime) -> Conversation:
    chat = Conversation(title=title, model="llama3.2:latest", created_at=when, updated_at=when)
    for n in range(messages // 2):
        chat.turns.append(UserTurn(f"Question {n}: how do I count words in file {n}?"))
        chat.turns.append(
            AssistantTurn([Reply("llama3.2:latest", DEMO_ANSWER, status=ReplyStatus.COMPLETE)])
        )
    return chat


def bench_listing(root: Path) -> None:
    store = HistoryStore(root / "many")
    for n in range(1000):
        store.save(conversation(20, f"Conversation {n}", START + timedelta(minutes=n)))
    store.save(conversation(20, "the needle", START))
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        listings = store.listings()
        runs.append(time.perf_counter() - started)
    assert len(listings) == 1001
    print(
        f"list 1,001 conversations of 20 messages: median {statistics.median(runs):.3f} s "
        f"(target <= 1 s)"
    )
    started = time.perf_counter()
    hits = store.search("regrows its limbs")
    print(
        f"search them for a phrase that is nowhere: {time.perf_counter() - started:.3f} s "
        f"({len(hits)} hits)"
    )
    started = time.perf_counter()
    hits = store.search("most_common")
    print(
        f"search them for a phrase in every one: {time.perf_counter() - started:.3f} s "
        f"({len(hits)} hits)"
    )


def bench_open(root: Path) -> None:
    from bench.startup import isolated_home, measure_once
    from bench.streaming import emulator_process

    env = isolated_home(root)
    store = HistoryStore(root / "data" / "ollama-tui" / "conversations")
    big = conversation(2000, "A very long chat", START)
    path = store.save(big)
    size = path.stat().st_size / 1e6
    rss: list[int] = []
    with emulator_process(10, 0.0) as url:
        runs = [measure_once(url, env, f"--resume {big.id}", rss) for _ in range(3)]
    print(
        f"open a 2,000-message conversation ({size:.1f} MB TOML) to the first key: median "
        f"{statistics.median(runs):.3f} s (target <= 1.5 s); resident memory "
        f"{max(rss) / 1024:.0f} MB (target <= 250 MB)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bench_listing(root)
        bench_open(root)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    main()
