"""What ``ask`` prints: the reply as it arrives (made inert on a terminal), thinking
on stderr, ``--ndjson`` events, and at the end ``--json``'s object or ``-v``'s figures."""

from __future__ import annotations

import argparse
import json
import os
from typing import IO, Any

from ollama_tui.cli.exits import NOT_FOUND, OK, UNREACHABLE, code_for
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import Reply, ReplyStatus
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import Stats, milliseconds
from ollama_tui.core.sanitize import sanitize

DIM, PLAIN = "\x1b[2m", "\x1b[0m"


def timing(stats: Stats | None, first_token_s: float | None) -> dict[str, Any]:
    def ms(nanoseconds: int | None) -> float | None:
        value = milliseconds(nanoseconds)
        return None if value is None else round(value, 3)

    def rate(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    stats = stats or Stats()
    return {
        "total_duration_ms": ms(stats.total_duration),
        "load_duration_ms": ms(stats.load_duration),
        "prompt_eval_count": stats.prompt_eval_count,
        "prompt_eval_duration_ms": ms(stats.prompt_eval_duration),
        "eval_count": stats.eval_count,
        "eval_duration_ms": ms(stats.eval_duration),
        "prompt_tokens_per_second": rate(stats.prompt_tokens_per_second),
        "tokens_per_second": rate(stats.tokens_per_second),
        "ttft_ms": None if first_token_s is None else round(first_token_s * 1000, 1),
    }


def error_kind(error: errors.OllamaError) -> str:
    return {UNREACHABLE: "unreachable", NOT_FOUND: "model_not_found"}.get(code_for(error), "server")


class Printer:
    """Where the reply goes: text as it arrives, JSON events, or nothing until the end."""

    def __init__(self, args: argparse.Namespace, out: IO[str], err: IO[str]) -> None:
        self.args, self.out, self.err = args, out, err
        self.inert_out, self.inert_err = out.isatty(), err.isatty()
        self.dim = self.inert_err and not os.environ.get("NO_COLOR")
        """Thinking is dimmed on a terminal, unless NO_COLOR asks for no colour."""
        self.thinking_shown = False

    def event(self, event: str, **fields: Any) -> None:
        if self.args.ndjson:
            self.out.write(json.dumps({"event": event, **fields}) + "\n")
            self.out.flush()

    def text(self, content: str, thinking: str) -> None:
        if self.args.json:
            return
        if self.args.ndjson:
            if thinking:
                self.event("thinking", text=thinking)
            if content:
                self.event("delta", text=content)
            return
        if thinking and not self.args.hide_thinking:
            text = sanitize(thinking) if self.inert_err else thinking
            self.err.write(f"{DIM}{text}{PLAIN}" if self.dim else text)
            self.err.flush()
            self.thinking_shown = True
        if content and self.thinking_shown:
            self.err.write("\n\n")  # the answer starts on a line of its own
            self.err.flush()
            self.thinking_shown = False
        if content:
            self.out.write(sanitize(content) if self.inert_out else content)
            self.out.flush()


def report(
    args: argparse.Namespace,
    printer: Printer,
    config: Config,
    reply: Reply,
    error: errors.OllamaError | None,
    conversation_id: str | None,
    log_id: int | None,
) -> int:
    figures = timing(reply.stats, reply.first_token_s)
    done_reason = reply.stats.done_reason if reply.stats else None
    failure = None
    if error is not None:
        status = error.status if isinstance(error, errors.HTTPError) else None
        failure = {"kind": error_kind(error), "status": status, "message": error.explain()}
    if args.json:
        result: dict[str, Any] = {
            "success": error is None,
            "model": reply.model,
            "host": config.host,
            "response": reply.content,
            "thinking": reply.thinking,
            "done": reply.status is ReplyStatus.COMPLETE,
            "done_reason": done_reason,
            "timing": figures,
            "conversation_id": conversation_id,
            "log_id": log_id,
        }
        if failure is not None:
            result["error"] = failure
        printer.out.write(json.dumps(result, ensure_ascii=False) + "\n")
    elif args.ndjson:
        if failure is not None:
            printer.event("error", **failure)
        printer.event("done", done_reason=done_reason, timing=figures)
    elif reply.content and not reply.content.endswith("\n"):
        printer.out.write("\n")
    if args.verbose:
        printer.err.write(figures_text(figures))
    if error is not None:
        printer.err.write(f"ollama-tui ask: {error.explain()}\n")
        return code_for(error)
    return OK


def figures_text(figures: dict[str, Any]) -> str:
    rows = [
        ("total duration", figures["total_duration_ms"], "ms"),
        ("load duration", figures["load_duration_ms"], "ms"),
        ("prompt eval count", figures["prompt_eval_count"], "token(s)"),
        ("prompt eval rate", figures["prompt_tokens_per_second"], "tokens/s"),
        ("eval count", figures["eval_count"], "token(s)"),
        ("eval rate", figures["tokens_per_second"], "tokens/s"),
        ("time to first token", figures["ttft_ms"], "ms"),
    ]
    return "".join(f"{name + ':':<21}{value} {unit}\n" for name, value, unit in rows if value)
