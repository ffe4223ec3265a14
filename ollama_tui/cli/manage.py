"""``ollama-tui show``, ``rm``, ``cp`` and ``stop``: one model's details, and removing,
copying or unloading it. Server text is made inert when it goes to a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from ollama_tui.cli.common import add_command, client_for
from ollama_tui.cli.exits import FAILED, OK, code_for
from ollama_tui.core.config import Config
from ollama_tui.core.formatting import model_details
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.sanitize import sanitize

SECTIONS = ("modelfile", "parameters", "template", "system", "license")
COMMANDS = ("show", "rm", "cp", "stop")


def add_parsers(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    show = add_command(commands, "show", parents, "one model's details")
    show.add_argument("name")
    part = show.add_mutually_exclusive_group()
    for section in SECTIONS:
        part.add_argument(f"--{section}", action="store_true", help=f"only its {section}")
    part.add_argument("--json", action="store_true", help="everything, as JSON")
    remove = add_command(commands, "rm", parents, "delete a model (asks first)")
    remove.add_argument("name")
    remove.add_argument("-y", "--yes", action="store_true", help="do not ask")
    copy = add_command(commands, "cp", parents, "copy a model under a new name")
    copy.add_argument("source")
    copy.add_argument("destination")
    stop = add_command(commands, "stop", parents, "unload a model from memory")
    stop.add_argument("name")


async def run(args: argparse.Namespace, config: Config, out: IO[str], err: IO[str]) -> int:
    """Run the model command in ``args``; the exit code."""
    if args.command == "rm" and not args.yes and not _confirmed(args.name, err):
        err.write("ollama-tui rm: kept.\n")
        return FAILED
    client = client_for(config)
    try:
        if args.command == "show":
            await _show(client, args, out)
        elif args.command == "rm":
            await client.delete(args.name)
            out.write(f"Deleted {args.name}.\n")
        elif args.command == "cp":
            await client.copy(args.source, args.destination)
            out.write(f"Copied {args.source} to {args.destination}.\n")
        else:
            await client.unload(args.name)
            out.write(f"Unloaded {args.name}.\n")
    except errors.OllamaError as error:
        # "Pull it first" makes no sense for a model one is removing, copying or showing.
        said = error.message if isinstance(error, errors.ModelNotFound) else error.explain()
        err.write(f"ollama-tui {args.command}: {said}\n")
        return code_for(error)
    finally:
        await client.aclose()
    return OK


def _confirmed(name: str, err: IO[str]) -> bool:
    if not sys.stdin.isatty():
        err.write(f"ollama-tui rm: to delete {name} without a terminal to ask on, add -y.\n")
        return False
    err.write(f"Delete {name}? [y/N] ")
    err.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


async def _show(client: OllamaClient, args: argparse.Namespace, out: IO[str]) -> None:
    info = await client.show(args.name)
    inert = out.isatty()
    if args.json:
        data = {
            "name": info.name,
            "family": info.details.family,
            "parameter_size": info.details.parameter_size,
            "quantization_level": info.details.quantization_level,
            "capabilities": sorted(info.capabilities),
            "context_length": info.context_length,
            "parameters": dict(info.parameters),
            "template": info.template,
            "system": info.system,
            "license": info.license,
            "modelfile": info.modelfile,
        }
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    chosen = next((section for section in SECTIONS if getattr(args, section)), None)
    if chosen == "parameters":
        text = "".join(f"{key} {value}\n" for key, value in info.parameters.items())
    elif chosen is not None:
        text = str(getattr(info, chosen))
    else:
        text = model_details(info)
    text = sanitize(text) if inert else text
    out.write(text if text.endswith("\n") or not text else text + "\n")
