"""``ollama-tui pull NAME``: the TUI's pull queue, with its progress on stderr (one line
kept up to date on a terminal, a line every few seconds otherwise). Ctrl+C closes the
stream: Ollama keeps the parts downloaded, and pulling again resumes."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import IO, Any

from ollama_tui.cli.common import client_for
from ollama_tui.cli.exits import FAILED, INTERRUPTED, NOT_FOUND, OK, USAGE
from ollama_tui.core.config import Config
from ollama_tui.core.formatting import human_size
from ollama_tui.core.pulls import PullJob, PullState, name_problem
from ollama_tui.services.pull_queue import PullChange, PullQueue

LOG_SECONDS = 5.0
"""How often progress is written when stderr is not a terminal (a log, a CI job)."""


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    pull = commands.add_parser(
        "pull", parents=parents, help="download a model, with its progress", description=__doc__
    )
    pull.add_argument("name", help="e.g. llama3.2 or qwen3:8b")


def progress_line(job: PullJob) -> str:
    tracker = job.tracker
    line = f"{job.model}: {tracker.status}"
    if tracker.total:
        line += f" {tracker.fraction:.0%} ({human_size(tracker.completed)}"
        line += f" of {human_size(tracker.total)})"
    if tracker.rate:
        line += f" {human_size(int(tracker.rate))}/s"
    return line


async def run(args: argparse.Namespace, config: Config, err: IO[str]) -> int:
    problem = name_problem(args.name)
    if problem:
        err.write(f"ollama-tui pull: {problem}\n")
        return USAGE
    client = client_for(config)
    done = asyncio.Event()
    live = err.isatty()
    written = [0.0]

    def changed(change: PullChange) -> None:
        job = change.job
        if live:
            err.write("\r\x1b[2K" + progress_line(job)[:200])
            err.flush()
        elif job.finished or time.monotonic() - written[0] >= LOG_SECONDS:
            written[0] = time.monotonic()
            err.write(progress_line(job) + "\n")
        if job.finished:
            done.set()

    queue = PullQueue(client, changed)
    job = queue.start(args.name)
    try:
        await done.wait()
    except asyncio.CancelledError:
        queue.cancel(job)
        err.write(
            "\nollama-tui pull: cancelled; the parts downloaded are kept, pull again to go on.\n"
        )
        return INTERRUPTED
    finally:
        await queue.aclose()
        await client.aclose()
    if live:
        err.write("\n")
    if job.state is PullState.SUCCEEDED:
        return OK
    err.write(f"ollama-tui pull: {job.problem}\n")
    return FAILED if job.exists else NOT_FOUND
