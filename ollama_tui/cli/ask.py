"""``ollama-tui ask``: one prompt, its reply streamed to stdout, with its figures.

The prompt is the arguments; text piped in comes before them (``git diff | ollama-tui
ask "review this"``), and ``-`` alone means stdin only. The reply goes to stdout as it
arrives and thinking to stderr; on a terminal both are made inert as in the TUI.
``--json`` prints one object at the end, ``--ndjson`` one event per line as it
happens. It runs the TUI's own chat session: unsaved, or with ``--save``, ``-c`` or
``--cid`` kept in the history, where the chat shows it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ollama_tui.cli.ask_output import Printer, report
from ollama_tui.cli.common import client_for
from ollama_tui.cli.exits import FAILED, INTERRUPTED, USAGE, UsageError
from ollama_tui.cli.reopen import reopened
from ollama_tui.core import paths
from ollama_tui.core.attachments import load_file
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import (
    Attachment,
    Conversation,
    FileAttachment,
    Reply,
    with_files,
)
from ollama_tui.core.files import read_text
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.options import (
    OPTIONS_BY_KEY,
    InvalidValue,
    parse_format,
    parse_keep_alive,
    parse_option,
)
from ollama_tui.core.scales import ScaleStore
from ollama_tui.core.settings import Think, think_to_send
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.services.catalog import ModelCatalog
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.generation_log import GenerationLog
from ollama_tui.services.reply_relay import ArrivalFailed, ReplyEnded, relay_stream
from ollama_tui.services.saver import ConversationSaver

THINK: dict[str, Think] = {
    "false": False,
    "true": True,
    "low": "low",
    "medium": "medium",
    "high": "high",
}


SCHEMA_BYTES = 1024 * 1024
"""A ``--format`` schema file larger than this is refused."""


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    ask = commands.add_parser(
        "ask",
        parents=parents,
        help="send one prompt and print the reply",
        description="Send one prompt and print the reply as it arrives. Text piped in "
        "comes before the arguments; '-' alone reads stdin only.",
    )
    ask.add_argument("prompt", nargs="*", help="the prompt (after any piped text)")
    ask.add_argument("-m", "--model", default=argparse.SUPPRESS, help="model to ask")
    ask.add_argument("-s", "--system", help="system prompt")
    ask.add_argument(
        "-o", dest="options", action="append", default=[], metavar="KEY=VALUE", help="an option"
    )
    ask.add_argument("--think", choices=list(THINK), help="for models that can think")
    ask.add_argument("--hide-thinking", action="store_true", help="do not print thinking")
    ask.add_argument(
        "--format", metavar="json|FILE.json", help="JSON output, or a JSON schema from a file"
    )
    ask.add_argument("--keep-alive", metavar="DURATION", help="e.g. 5m, 1h, -1, 0")
    ask.add_argument("--num-ctx", metavar="N", help="context length (same as -o num_ctx=N)")
    ask.add_argument(
        "-a",
        "--attach",
        action="append",
        default=[],
        metavar="FILE",
        help="a text, code or PDF file (sent in a fenced block), or an image",
    )
    ask.add_argument("-v", "--verbose", action="store_true", help="figures on stderr")
    kept = ask.add_mutually_exclusive_group()
    kept.add_argument("--save", action="store_true", help="save it as a new conversation")
    kept.add_argument(
        "-c",
        "--continue",
        dest="continue_last",
        action="store_true",
        help="go on with the most recent conversation (it shows in the chat's history)",
    )
    kept.add_argument("--cid", metavar="ID", help="go on with this conversation")
    ask.add_argument(
        "--raw", action="store_true", help="the prompt as it is, no template (/api/generate)"
    )
    ask.add_argument("--no-log", action="store_true", help="leave it out of the log")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object at the end")
    output.add_argument("--ndjson", action="store_true", help="one JSON event per line")


def read_prompt(words: list[str], stdin: IO[str]) -> str:
    if words == ["-"]:
        text = stdin.read()
    else:
        piped = "" if stdin.isatty() else stdin.read()
        typed = " ".join(words)
        text = f"{piped.rstrip()}\n\n{typed}" if piped.strip() and typed else piped or typed
    if not text.strip():
        raise UsageError("no prompt: give it as arguments or pipe it in")
    return text


def parse_options(pairs: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        spec = OPTIONS_BY_KEY.get(key.strip())
        if not equals or spec is None:
            known = ", ".join(sorted(OPTIONS_BY_KEY))
            raise UsageError(f"-o takes KEY=VALUE with a known option ({known}), not {pair!r}")
        try:
            parsed = parse_option(spec, value)
        except InvalidValue as error:
            raise UsageError(str(error)) from None
        if parsed is not None:
            options[spec.key] = parsed
    return options


def parse_extras(args: argparse.Namespace) -> dict[str, Any]:
    """``--format`` and ``--keep-alive``, checked as the sidebar checks them."""
    extras: dict[str, Any] = {}
    try:
        if args.keep_alive is not None:
            extras["keep_alive"] = parse_keep_alive(args.keep_alive)
        if args.format is not None:
            text = args.format
            if text.strip() != "json":
                text = read_text(Path(text).expanduser(), SCHEMA_BYTES)
            extras["format"] = parse_format(text)
    except InvalidValue as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"--format {args.format}: {error.strerror or error}") from None
    return extras


def attached(paths: list[str]) -> tuple[list[Attachment], list[FileAttachment]]:
    """The images and the text files (code, a PDF's text) given with ``-a``."""
    images: list[Attachment] = []
    files: list[FileAttachment] = []
    for path in paths:
        try:
            found = load_file(path)
        except ValueError as error:
            raise UsageError(str(error)) from None
        if isinstance(found, FileAttachment):
            files.append(found)
        else:
            images.append(found)
    return images, files


async def ask(args: argparse.Namespace, config: Config, out: IO[str], err: IO[str]) -> int:
    """Run ``ask``; the exit code."""
    printer = Printer(args, out, err)
    store = HistoryStore(config.history_dir, config.history_format)
    try:
        prompt = read_prompt(args.prompt, sys.stdin)
        num_ctx = [f"num_ctx={args.num_ctx}"] if args.num_ctx is not None else []
        options = parse_options([*args.options, *num_ctx])
        extras = parse_extras(args)
        attachments = attached(args.attach)
        try:
            earlier = reopened(store, args.continue_last, args.cid)
        except SystemExit as error:
            raise UsageError(str(error).removeprefix("ollama-tui: ")) from None
        model = getattr(args, "model", None) or (earlier.model if earlier else config.model)
        if not model:
            raise UsageError("no model: give one with -m (or set model in the config)")
    except UsageError as error:
        err.write(f"ollama-tui ask: {error}\n")
        return USAGE
    conversation = earlier or Conversation()
    conversation.model = model
    if args.system is not None:
        conversation.settings.system = args.system
    conversation.settings.options = {**conversation.settings.options, **options}
    conversation.settings.format = extras.get("format", conversation.settings.format)
    conversation.settings.keep_alive = extras.get("keep_alive", conversation.settings.keep_alive)
    client = client_for(config)
    saver = ConversationSaver(store, lambda _: None)
    try:
        return await _ask(args, config, client, saver, printer, prompt, attachments, conversation)
    finally:
        await saver.close()
        await client.aclose()


async def _ask(
    args: argparse.Namespace,
    config: Config,
    client: OllamaClient,
    saver: ConversationSaver,
    printer: Printer,
    prompt: str,
    attachments: tuple[list[Attachment], list[FileAttachment]],
    conversation: Conversation,
) -> int:
    model = conversation.model
    images, files = attachments
    catalog = ModelCatalog(client)
    capabilities: frozenset[str] | None = None
    if args.think is not None or images:
        try:
            capabilities = (await catalog.show(model)).capabilities
        except errors.OllamaError:
            capabilities = None
    if args.think is not None:
        conversation.settings.think = think_to_send(THINK[args.think], capabilities)
        if THINK[args.think] and conversation.settings.think is None:
            why = "cannot think" if capabilities is not None else "could not be checked"
            printer.err.write(f"ollama-tui ask: {model} {why}; --think is not sent.\n")
    if images and capabilities is not None and "vision" not in capabilities:
        printer.err.write(
            f"ollama-tui ask: {model} cannot see images: attach them to a vision model.\n"
        )
        return USAGE
    session = ChatSession(
        conversation,
        client=client,
        counter=ContextCounter(Tokenizer(), ScaleStore(paths.meter_scales())),
        catalog=catalog,
        saver=saver,
        log=None if args.no_log else GenerationLog(paths.generation_log()),
        source="ask",
    )
    session.kept = args.save or args.continue_last or args.cid is not None
    if session.log is not None:
        with contextlib.suppress(errors.OllamaError):
            session.server_version = await client.version()
    if session.kept and not saver.hold(conversation):
        printer.err.write(
            "ollama-tui ask: another ollama-tui has this conversation open; "
            "use --save to start a new one.\n"
        )
        return FAILED
    conversation.add_prompt(prompt, images, files)
    reply = session.begin_reply()
    printer.event("start", model=model, host=config.host)
    shown = _show_arrivals(session, printer)
    try:
        if args.raw:
            ended = await _raw(session, reply, with_files(prompt, files), shown)
        else:
            ended = await session.stream(reply, shown)
    except asyncio.CancelledError:
        session.stop()  # logged as stopped
        shown()
        printer.err.write("\nollama-tui ask: stopped.\n")
        return INTERRUPTED
    except ArrivalFailed as failed:  # stdout's reader went away (| head): stop there
        session.stop()
        raise failed.error from None
    session.finish(ended)
    shown()
    if reply.prompt_truncated:
        what = reply.truncation or "the prompt filled the context window"
        printer.err.write(f"ollama-tui ask: warning: {what}; a larger --num-ctx would help.\n")
    if session.log is not None and (problem := session.log.news()):
        printer.err.write(f"ollama-tui ask: {problem}\n")
    saved = conversation.id if session.kept else None
    return report(args, printer, config, reply, ended.error, saved, session.logged)


async def _raw(
    session: ChatSession, reply: Reply, prompt: str, shown: Callable[[], None]
) -> ReplyEnded:
    """The prompt sent as it is to ``/api/generate`` (code completion), read into the
    session's record like a chat's reply."""
    settings = session.conversation.settings
    stream = session.client.generate(
        reply.model,
        prompt,
        options=settings.options or None,
        keep_alive=settings.keep_alive,
        format=settings.format,
        raw=True,
    )
    return await relay_stream(stream, reply, session.received, shown)


def _show_arrivals(session: ChatSession, printer: Printer) -> Callable[[], None]:
    def shown() -> None:
        chunk = session.take_arrived()
        if chunk is not None:
            printer.text(chunk.content, chunk.thinking)

    return shown
