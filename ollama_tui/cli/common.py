"""What the commands share: their parsers, a client for the configured server, and
tables."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from ollama_tui.cli.exits import UsageError
from ollama_tui.core.config import Config
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.sanitize import sanitize_line


def client_for(config: Config) -> OllamaClient:
    """A client for the configured server, with its credentials (never shown)."""
    return OllamaClient(config.host, api_key=config.api_key, basic_auth=config.basic_auth)


def table(rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; every cell made safe for a terminal."""
    cells = [[sanitize_line(cell, 60) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def add_command(
    commands: Any, name: str, parents: list[argparse.ArgumentParser], summary: str
) -> argparse.ArgumentParser:
    """A command whose ``summary`` (lower case, no full stop) is its line in the
    command list and, as a sentence, the start of its own --help."""
    description = summary[:1].upper() + summary[1:] + "."
    parser: argparse.ArgumentParser = commands.add_parser(
        name, parents=parents, help=summary, description=description
    )
    return parser


def input_lines(text: str, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The non-blank lines of an input file with their numbers: a line that starts with
    ``{`` is a JSON object that must hold the string ``key``; any other line is that
    string alone (``{key: line}``). A broken line is a ``UsageError`` naming it."""
    items: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not line.lstrip().startswith("{"):
            items.append((number, {key: line}))
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise UsageError(f"line {number} is not valid JSON: {error.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get(key), str):
            raise UsageError(f'line {number} has no "{key}"')
        items.append((number, item))
    return items
