"""``ollama-tui models``, ``ps`` and ``health``: what the server has, what it has
loaded, and whether it answers. Tables for people, ``--json`` for scripts; the exit
code is 3 when Ollama cannot be reached, 1 when it answers with an error."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from typing import IO, Any

from ollama_tui.cli.common import add_command, client_for, table
from ollama_tui.cli.exits import OK, code_for
from ollama_tui.core.config import Config
from ollama_tui.core.formatting import expires_in, human_size, processor_split, relative_time
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import Message
from ollama_tui.core.sanitize import sanitize_line

Command = Callable[[OllamaClient, argparse.Namespace, Config, IO[str]], Awaitable[None]]


def add_parsers(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    for name, text in (
        ("models", "list the installed models"),
        ("ps", "list the models loaded in memory"),
        ("health", "say whether Ollama answers, its version and how many models it has"),
    ):
        parser = add_command(commands, name, parents, text)
        parser.add_argument("--json", action="store_true", help="JSON instead of a table")
        if name == "health":
            parser.add_argument(
                "-m", "--model", default=argparse.SUPPRESS, help="also generate one token"
            )


async def list_models(
    client: OllamaClient, args: argparse.Namespace, _: Config, out: IO[str]
) -> None:
    models = await client.list_models()
    if args.json:
        out.write(
            json.dumps(
                [
                    {
                        "name": model.name,
                        "size": model.size,
                        "digest": model.digest,
                        "modified_at": model.modified_at.isoformat() if model.modified_at else None,
                        "family": model.details.family,
                        "parameter_size": model.details.parameter_size,
                        "quantization_level": model.details.quantization_level,
                    }
                    for model in models
                ],
                ensure_ascii=False,
            )
            + "\n"
        )
        return
    rows = [["NAME", "SIZE", "PARAMETERS", "QUANTIZATION", "MODIFIED"]]
    for model in models:
        details = model.details
        rows.append(
            [
                model.name,
                human_size(model.size),
                details.parameter_size,
                details.quantization_level,
                relative_time(model.modified_at),
            ]
        )
    out.write(table(rows))


async def list_running(
    client: OllamaClient, args: argparse.Namespace, _: Config, out: IO[str]
) -> None:
    running = await client.running()
    if args.json:
        out.write(
            json.dumps(
                [
                    {
                        "name": model.name,
                        "size": model.size,
                        "size_vram": model.size_vram,
                        "context_length": model.context_length,
                        "expires_at": model.expires_at.isoformat() if model.expires_at else None,
                    }
                    for model in running
                ],
                ensure_ascii=False,
            )
            + "\n"
        )
        return
    rows = [["NAME", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"]]
    for model in running:
        context = f"{model.context_length:,}" if model.context_length else ""
        rows.append(
            [
                model.name,
                human_size(model.size),
                processor_split(model.size, model.size_vram),
                context,
                expires_in(model.expires_at),
            ]
        )
    out.write(table(rows))


async def health(
    client: OllamaClient, args: argparse.Namespace, config: Config, out: IO[str]
) -> None:
    version = await client.version()
    models = await client.list_models()
    found: dict[str, Any] = {"ok": True, "host": config.host, "version": version}
    found["models"] = len(models)
    model = getattr(args, "model", None)
    if model:
        found["model"], found["generated_ms"] = model, await one_token(client, model)
    if args.json:
        out.write(json.dumps(found) + "\n")
        return
    shown = sanitize_line(version, 40)
    server = (
        f"The demo server (as Ollama {shown})"
        if config.demo
        else f"Ollama {shown} at {config.host}"
    )
    out.write(f"{server}: {len(models)} models installed.\n")
    if model:
        out.write(f"{model} generated a token in {found['generated_ms']:,.0f} ms.\n")


async def one_token(client: OllamaClient, model: str) -> float:
    """Milliseconds for ``model`` to answer with one token (loading it if needed)."""
    started = time.monotonic()
    events = client.chat(model, [Message("user", "Say OK.")], options={"num_predict": 1})
    async with aclosing(events) as stream:
        async for _ in stream:
            pass
    return (time.monotonic() - started) * 1000


COMMANDS: dict[str, Command] = {"models": list_models, "ps": list_running, "health": health}


async def run(args: argparse.Namespace, config: Config, out: IO[str], err: IO[str]) -> int:
    """Run the model command named in ``args``; the exit code."""
    client = client_for(config)
    try:
        await COMMANDS[args.command](client, args, config, out)
    except errors.OllamaError as error:
        if args.json and args.command == "health":
            out.write(
                json.dumps({"ok": False, "host": config.host, "error": error.explain()}) + "\n"
            )
        err.write(f"ollama-tui {args.command}: {error.explain()}\n")
        return code_for(error)
    finally:
        await client.aclose()
    return OK
