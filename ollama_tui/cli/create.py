"""``ollama-tui create NAME -f Modelfile [--quantize TYPE]``: make a model from a
Modelfile, FROM an installed model or FROM a local GGUF file or safetensors folder
(and ADAPTER files). Local files are hashed and uploaded unless the server has them
already; progress goes to stderr (a bar on a terminal, lines in a log). Ctrl+C stops:
blobs already uploaded stay on the server, so creating again skips them."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import IO, Any

from ollama_tui.cli.common import client_for
from ollama_tui.cli.exits import INTERRUPTED, OK, USAGE, code_for
from ollama_tui.cli.progress import Progress
from ollama_tui.core.config import Config
from ollama_tui.core.modelfile import ModelfileError, read_modelfile
from ollama_tui.core.ollama import errors
from ollama_tui.core.pulls import name_problem
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.model_creator import CreateProblem, CreateProgress, ModelCreator


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    create = commands.add_parser(
        "create",
        parents=parents,
        help="make a model from a Modelfile (FROM a model, a GGUF file or a folder)",
        description=__doc__,
    )
    create.add_argument("name", help="the new model's name, e.g. my-model or me/model:v1")
    create.add_argument(
        "-f", "--file", type=Path, default=Path("Modelfile"), help="default: ./Modelfile"
    )
    create.add_argument(
        "-q",
        "--quantize",
        metavar="TYPE",
        help="quantize an F16/F32 model, e.g. q4_K_M or q8_0 (the server names what it can)",
    )


async def run(args: argparse.Namespace, config: Config, out: IO[str], err: IO[str]) -> int:
    """Create the model; the exit code."""
    problem = name_problem(args.name)
    if problem:
        err.write(f"ollama-tui create: {problem}\n")
        return USAGE
    path = args.file.expanduser()
    try:
        modelfile = read_modelfile(path)
    except (ModelfileError, OSError) as error:
        reason = getattr(error, "strerror", None) or error
        err.write(f"ollama-tui create: {args.file}: {reason}\n")
        return USAGE
    client = client_for(config)
    progress = Progress(err, 0, sanitize_line(args.name, 60), unit="bytes")

    def report(event: CreateProgress) -> None:
        progress.show(event.describe(), event.completed, event.total)

    try:
        try:
            await ModelCreator(client).create(
                args.name, modelfile, path.parent, quantize=args.quantize, on_progress=report
            )
        finally:
            progress.close()  # before anything else is written to stderr
    except CreateProblem as local:
        err.write(f"ollama-tui create: {local}\n")
        return USAGE
    except errors.OllamaError as error:
        err.write(f"ollama-tui create: {error.explain()}\n")
        return code_for(error)
    except asyncio.CancelledError:
        err.write(
            "ollama-tui create: cancelled; the files already uploaded stay on the server, "
            "so creating again skips them.\n"
        )
        return INTERRUPTED
    finally:
        await client.aclose()
    out.write(f"Created {sanitize_line(args.name, 80)}.\n")
    return OK
