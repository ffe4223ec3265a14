"""``ollama-tui logs`` and ``stats``: the generation log, row by row or summed up."""

from __future__ import annotations

import argparse
import json
import re
import time
from typing import IO, Any

from ollama_tui.cli.common import table
from ollama_tui.cli.exits import FAILED, OK, USAGE, UsageError
from ollama_tui.core import paths
from ollama_tui.services.generation_log import GenerationLog

_SINCE = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def add_parsers(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    logs = commands.add_parser(
        "logs",
        parents=parents,
        help="recent generations from the log ('logs path' prints where it is)",
        description="Recent generations, newest first: figures only, never text.",
    )
    logs.add_argument("what", nargs="?", choices=["path"], help="print where the log is")
    logs.add_argument("-n", type=int, default=20, help="how many (default 20)")
    logs.add_argument("-m", "--model", default=argparse.SUPPRESS, help="only this model")
    logs.add_argument("--source", choices=["chat", "ask", "batch", "bench"])
    logs.add_argument("--since", metavar="WHEN", help="e.g. 30m, 2h, 7d, 1w")
    logs.add_argument("--json", action="store_true")
    stats = commands.add_parser(
        "stats",
        parents=parents,
        help="figures per model (or day) from the log",
        description="Per model or day: count, tokens in and out, median and p90 of "
        "generation and prompt tok/s, time to first token and load time.",
    )
    stats.add_argument("-m", "--model", default=argparse.SUPPRESS, help="only this model")
    stats.add_argument("--since", metavar="WHEN", help="e.g. 30m, 2h, 7d, 1w")
    stats.add_argument("--by", choices=["model", "day"], default="model")
    stats.add_argument("--json", action="store_true")


def since(text: str | None) -> float | None:
    if text is None:
        return None
    match = _SINCE.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--since takes a number and m, h, d or w (e.g. 7d), not {text!r}")
    return time.time() - int(match.group(1)) * _UNITS[match.group(2)]


def _number(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    log = GenerationLog(paths.generation_log())
    if args.command == "logs" and args.what == "path":
        out.write(f"{log.path}\n")
        return OK
    try:
        start = since(args.since)
    except UsageError as error:
        err.write(f"ollama-tui {args.command}: {error}\n")
        return USAGE
    model = getattr(args, "model", None)
    if args.command == "logs":
        rows = log.recent(args.n, start, model, args.source)
        columns = ["time", "model", "source", "status", "eval_count", "ttft_ms", "done_reason"]
        headers = ["TIME", "MODEL", "SOURCE", "STATUS", "TOKENS", "FIRST TOKEN MS", "REASON"]
    else:
        rows = log.stats(start, model, args.by)
        columns = [args.by, "count", "tokens_in", "tokens_out", "tokens_per_second_median"]
        columns += ["tokens_per_second_p90", "prompt_tokens_per_second_median", "ttft_ms_median"]
        columns += ["load_ms_median"]
        headers = [args.by.upper(), "COUNT", "IN", "OUT", "TOK/S", "P90", "PROMPT TOK/S"]
        headers += ["FIRST TOKEN MS", "LOAD MS"]
    if log.problem:
        err.write(f"ollama-tui {args.command}: {log.problem}\n")
        return FAILED
    if args.json:
        out.write(json.dumps(rows) + "\n")
        return OK
    shown = [headers]
    for row in rows:
        cells = [row[column] for column in columns]
        if args.command == "logs":
            cells[0] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["time"]))
        shown.append([cell if isinstance(cell, str) else _number(cell) for cell in cells])
    out.write(table(shown))
    return OK
