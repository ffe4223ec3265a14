"""``ollama-tui batch FILE``: many prompts, a few at a time, each answered as ``ask --json``
would, as JSON lines in the input's order.

A line is a prompt, or a JSON object with ``prompt`` and optional ``id``, ``system``,
``model`` and ``options``. A failure is recorded on its line and the batch goes on.
With ``-o FILE``, lines whose id already succeeded in the file are skipped, so an
interrupted batch resumes where it stopped; a line that failed is run again (its new
result is appended after the failed one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ollama_tui.cli.ask import parse_options
from ollama_tui.cli.ask_output import timing
from ollama_tui.cli.common import client_for, input_lines
from ollama_tui.cli.exits import FAILED, OK, USAGE, UsageError
from ollama_tui.cli.progress import Progress
from ollama_tui.core import paths
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import Conversation, ReplyStatus
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.services.catalog import ModelCatalog
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.generation_log import GenerationLog
from ollama_tui.services.saver import ConversationSaver


@dataclass
class Job:
    id: str
    prompt: str
    model: str
    system: str = ""
    options: dict[str, Any] = field(default_factory=dict)


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    batch = commands.add_parser(
        "batch", parents=parents, help="run many prompts, a few at a time", description=__doc__
    )
    batch.add_argument("file", type=Path, help="prompts, one per line or JSON lines ('-': stdin)")
    batch.add_argument("-m", "--model", default=argparse.SUPPRESS, help="the default model")
    batch.add_argument("-j", type=int, default=2, help="requests at a time (default 2)")
    batch.add_argument("-o", "--output", type=Path, help="append results here and resume")


def read_jobs(text: str, model: str | None) -> list[Job]:
    jobs: list[Job] = []
    for number, item in input_lines(text, "prompt"):
        chosen = item.get("model") or model
        if not chosen:
            raise UsageError(f"line {number} names no model, and -m gives none")
        options = item.get("options") or {}
        if not isinstance(options, dict):
            raise UsageError(f'line {number}: "options" must be an object')
        pairs = [f"{key}={value}" for key, value in options.items()]
        jobs.append(
            Job(
                id=str(item.get("id", number)),
                prompt=item["prompt"],
                model=str(chosen),
                system=str(item.get("system") or ""),
                options=parse_options(pairs),
            )
        )
    return jobs


def done_ids(output: Path | None) -> set[str]:
    if output is None or not output.exists():
        return set()
    ids = set()
    for line in output.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short when the batch was stopped: run it again
        if isinstance(item, dict) and "id" in item and item.get("success") is True:
            ids.add(str(item["id"]))
    return ids


@dataclass(frozen=True)
class Shared:
    """What every job of a batch uses, made once: the client, the tokenizer's counts,
    the model details, the log, and a saver that never writes (jobs are not kept)."""

    config: Config
    client: OllamaClient
    log: GenerationLog
    counter: ContextCounter
    catalog: ModelCatalog
    saver: ConversationSaver


async def answer(job: Job, shared: Shared) -> dict[str, Any]:
    config = shared.config
    conversation = Conversation(model=job.model)
    conversation.settings.system = job.system
    conversation.settings.options = job.options
    session = ChatSession(
        conversation,
        client=shared.client,
        counter=shared.counter,
        catalog=shared.catalog,
        saver=shared.saver,
        log=shared.log,
        source="batch",
    )
    session.kept = False
    conversation.add_prompt(job.prompt)
    reply = session.begin_reply()
    session.finish(await session.stream(reply))
    error = None if reply.status is ReplyStatus.COMPLETE else reply.error or reply.status.value
    result: dict[str, Any] = {
        "id": job.id,
        "success": error is None,
        "model": job.model,
        "host": config.host,
        "response": reply.content,
        "thinking": reply.thinking,
        "done": error is None,
        "done_reason": reply.stats.done_reason if reply.stats else None,
        "timing": timing(reply.stats, reply.first_token_s),
        "log_id": session.logged,
    }
    if error is not None:
        result["error"] = {"message": error}
    return result


async def run(args: argparse.Namespace, config: Config, out: IO[str], err: IO[str]) -> int:
    try:
        text = sys.stdin.read() if str(args.file) == "-" else args.file.read_text("utf-8")
        jobs = read_jobs(text, getattr(args, "model", None) or config.model)
        if args.j < 1:
            raise UsageError("-j must be at least 1")
    except (OSError, UnicodeDecodeError) as error:
        err.write(f"ollama-tui batch: {args.file}: {getattr(error, 'strerror', None) or error}\n")
        return USAGE
    except UsageError as error:
        err.write(f"ollama-tui batch: {error}\n")
        return USAGE
    skipped = done_ids(args.output)
    jobs = [job for job in jobs if job.id not in skipped]
    client = client_for(config)
    shared = Shared(
        config,
        client,
        GenerationLog(paths.generation_log()),
        ContextCounter(Tokenizer()),
        ModelCatalog(client),
        ConversationSaver(HistoryStore(config.history_dir), lambda _: None),
    )
    target = args.output.open("a", encoding="utf-8") if args.output else out
    gate = asyncio.Semaphore(args.j)
    results: dict[int, dict[str, Any]] = {}
    written, failed = 0, 0
    if skipped:
        err.write(f"{len(skipped)} done before, skipped.\n")
    progress = Progress(err, len(jobs), "batch")

    async def one(index: int, job: Job) -> None:
        async with gate:
            try:
                results[index] = await answer(job, shared)
            except errors.OllamaError as error:  # the batch goes on
                failure = {"message": error.explain()}
                results[index] = {"id": job.id, "success": False, "error": failure}

    def flush() -> None:
        nonlocal written, failed
        while written in results:
            result = results.pop(written)
            failed += not result["success"]
            target.write(json.dumps(result, ensure_ascii=False) + "\n")
            target.flush()
            written += 1
            progress.step(f"({failed} failed)" if failed else "")

    try:
        tasks = [asyncio.create_task(one(index, job)) for index, job in enumerate(jobs)]
        for task in asyncio.as_completed(tasks):
            await task
            flush()
    finally:
        progress.close()
        await client.aclose()
        if target is not out:
            target.close()
    err.write(f"{written - failed} succeeded, {failed} failed.\n")
    return FAILED if failed else OK
