"""``ollama-tui embed``: texts turned into embeddings, in batches.

Texts come from the arguments, from ``-f FILE`` (one per line, or JSON lines with
``text`` and an optional ``id``) or from stdin. The output is JSON lines
(``{"id"?, "text", "embedding"}``) on stdout, or NumPy's ``.npy`` file format (written
here, so NumPy is not needed) to ``-o FILE``.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path
from typing import IO, Any

from ollama_tui.cli.common import client_for, input_lines
from ollama_tui.cli.exits import FAILED, OK, USAGE, UsageError, code_for
from ollama_tui.cli.progress import Progress
from ollama_tui.core.config import Config
from ollama_tui.core.ollama import errors


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    embed = commands.add_parser(
        "embed", parents=parents, help="turn texts into embeddings", description=__doc__
    )
    embed.add_argument("texts", nargs="*", help="texts (else -f FILE, else stdin)")
    embed.add_argument("-m", "--model", default=argparse.SUPPRESS, help="an embedding model")
    embed.add_argument("-f", "--file", type=Path, help="one text per line, or JSON lines")
    embed.add_argument("--batch", type=int, default=32, help="texts per request (default 32)")
    embed.add_argument("--dimensions", type=int, help="truncate to N (servers that allow it)")
    embed.add_argument("--format", choices=["jsonl", "npy"], default="jsonl")
    embed.add_argument("-o", "--output", type=Path, help="the file to write (needed for npy)")


def read_texts(args: argparse.Namespace, stdin: IO[str]) -> list[tuple[str | None, str]]:
    """(id, text) pairs, in order."""
    if args.texts:
        return [(None, text) for text in args.texts]
    try:
        source = args.file.read_text(encoding="utf-8") if args.file else stdin.read()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{args.file}: {getattr(error, 'strerror', None) or error}") from None
    texts = [
        (None if item.get("id") is None else str(item["id"]), item["text"])
        for _, item in input_lines(source, "text")
    ]
    if not texts:
        raise UsageError("no texts: give them as arguments, with -f FILE or on stdin")
    return texts


def npy(vectors: list[tuple[float, ...]]) -> bytes:
    """A 2-D float32 array in NumPy's ``.npy`` format (version 1.0)."""
    width = len(vectors[0]) if vectors else 0
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({len(vectors)}, {width}), }}"
    padding = 64 - (10 + len(header) + 1) % 64
    header += " " * padding + "\n"
    values = [value for vector in vectors for value in vector]
    body = struct.pack(f"<{len(values)}f", *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1") + body


async def run(args: argparse.Namespace, config: Config, out: IO[str], err: IO[str]) -> int:
    try:
        texts = read_texts(args, sys.stdin)
        model = getattr(args, "model", None) or config.model
        if not model:
            raise UsageError("no model: give an embedding model with -m")
        if args.format == "npy" and args.output is None:
            raise UsageError("--format npy writes a file: give it with -o FILE")
        if args.batch < 1:
            raise UsageError("--batch must be at least 1")
    except UsageError as error:
        err.write(f"ollama-tui embed: {error}\n")
        return USAGE
    client = client_for(config)
    try:
        info = await client.show(model)
        if "embedding" not in info.capabilities:
            err.write(f"ollama-tui embed: {model} is not an embedding model.\n")
            return USAGE
        vectors: list[tuple[float, ...]] = []
        batches = range(0, len(texts), args.batch)
        progress = Progress(err, len(batches), "embed") if len(batches) > 1 else None
        for start in batches:
            batch = [text for _, text in texts[start : start + args.batch]]
            found = await client.embed(model, batch, dimensions=args.dimensions)
            if len(found.vectors) != len(batch):
                raise errors.MalformedResponse(
                    f"/api/embed gave {len(found.vectors)} embeddings for {len(batch)} texts."
                )
            vectors.extend(found.vectors)
            if progress is not None:
                progress.step()
        if progress is not None:
            progress.close()
    except errors.OllamaError as error:
        err.write(f"ollama-tui embed: {error.explain()}\n")
        return code_for(error)
    finally:
        await client.aclose()
    return _write(args, texts, vectors, out, err)


def _write(
    args: argparse.Namespace,
    texts: list[tuple[str | None, str]],
    vectors: list[tuple[float, ...]],
    out: IO[str],
    err: IO[str],
) -> int:
    if args.format == "npy":
        data = npy(vectors)
    else:
        lines = []
        for (text_id, text), vector in zip(texts, vectors, strict=True):
            item: dict[str, Any] = {} if text_id is None else {"id": text_id}
            item.update(text=text, embedding=list(vector))
            lines.append(json.dumps(item, ensure_ascii=False) + "\n")
        if args.output is None:
            out.write("".join(lines))
            return OK
        data = "".join(lines).encode("utf-8")
    try:
        args.output.write_bytes(data)
    except OSError as error:
        err.write(f"ollama-tui embed: {args.output}: {error.strerror or error}\n")
        return FAILED
    return OK
