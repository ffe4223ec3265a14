"""Command line: ``ollama-tui [--config PATH] [--host URL] [--model NAME]
[--continue | --resume ID] [COMMAND ...] (see --help)``."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ollama_tui import __version__
from ollama_tui.cli import ask, batch, bench, create, embed, logs, manage, models, pull
from ollama_tui.cli.common import add_command, client_for
from ollama_tui.cli.demo import (
    DEMO_EMBEDDING_MODEL,
    DEMO_MODEL,
    FORGETFUL_IN_THE_DEMO,
    FORGETFUL_NOTE,
    LEFT_ON_A_SIGNAL,
    demo_server,
)
from ollama_tui.cli.exits import BROKEN_PIPE, INTERRUPTED, USAGE
from ollama_tui.cli.reopen import reopened
from ollama_tui.core import paths
from ollama_tui.core.config import Config, resolve_config
from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.client import OllamaClient

if TYPE_CHECKING:
    from ollama_tui.ui.app import OllamaTUI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ollama-tui",
        description="Chat with local Ollama models in the terminal. Without a command it "
        "opens the chat.",
        epilog="Environment: OLLAMA_HOST (server address), OLLAMA_API_KEY (bearer token).",
    )
    parser.add_argument("--version", action="version", version=f"ollama-tui {__version__}")
    parser.add_argument("--model", metavar="NAME", help="model to chat with, e.g. llama3.2")
    for where in (parser, common := argparse.ArgumentParser(add_help=False)):
        # Given before or after a command alike; a command's own copy must not reset
        # what was given before it.
        default = None if where is parser else argparse.SUPPRESS
        where.add_argument(
            "--host",
            metavar="URL",
            default=default,
            help="Ollama server, e.g. http://gpu-box:11434 (default: $OLLAMA_HOST or "
            "http://127.0.0.1:11434)",
        )
        where.add_argument(
            "--config",
            metavar="PATH",
            type=Path,
            default=default,
            help=f"config file to use (default: {paths.config_file()})",
        )
        where.add_argument(
            "--demo",
            action="store_true",
            default=False if where is parser else argparse.SUPPRESS,
            help="use a built-in demo server instead of Ollama, in a throwaway profile "
            "(nothing of yours is read or written)",
        )
    reopen = parser.add_mutually_exclusive_group()
    reopen.add_argument(
        "--continue",
        dest="continue_last",
        action="store_true",
        help="reopen the most recent conversation",
    )
    reopen.add_argument(
        "--resume",
        metavar="ID",
        help="reopen the conversation with this id, or the first characters of it (F9 shows them)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_command(
        commands, "paths", [common], "print where the config, themes, history and logs live"
    )
    ask.add_parser(commands, [common])
    models.add_parsers(commands, [common])
    logs.add_parsers(commands, [common])
    manage.add_parsers(commands, [common])
    create.add_parser(commands, [common])
    embed.add_parser(commands, [common])
    pull.add_parser(commands, [common])
    batch.add_parser(commands, [common])
    bench.add_parser(commands, [common])
    for command in commands.choices.values():
        # Descriptions come from docstrings, whose ``code`` marks mean nothing in a terminal.
        command.description = (command.description or "").replace("``", "")
    return parser


def make_app(
    config: Config,
    client: OllamaClient | None = None,
    store: HistoryStore | None = None,
    conversation: Conversation | None = None,
) -> OllamaTUI:
    """Build the app; the CLI and the tests share this factory."""
    from ollama_tui.ui.app import OllamaTUI

    return OllamaTUI(
        config,
        client or client_for(config),
        store or HistoryStore(config.history_dir, config.history_format),
        conversation,
    )


def describe_paths(config: Config) -> str:
    rows = [
        ("config", config.path or paths.config_file()),
        ("themes", paths.user_themes_dir()),
        ("presets", paths.presets_dir()),
        ("history", config.history_dir),
        ("trash", config.history_dir / "trash"),
        ("state", paths.state_dir()),
    ]
    return "\n".join(f"{name:<8} {path}" for name, path in rows)


GC_THRESHOLDS = (5000, 20, 20)
"""Textual makes many short-lived objects: with Python's default of a collection
every 700 allocations, the collector took ~0.4 s of CPU per 2,000 streamed tokens."""


def tune_garbage_collection() -> None:
    """For this process only (not for every app a test makes): collect less often,
    and never scan again what is built before the app runs (the imports, the app
    object), which lives as long as the process."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return choose_server(build_parser().parse_args(argv))
    except BrokenPipeError:
        # The reader went away (``| head -1``): stop quietly, as a shell tool does.
        # Python would complain again flushing stdout at exit; point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE


def choose_server(args: argparse.Namespace) -> int:
    """Run the command against the server the user named, or the demo's."""
    if not args.demo:
        config = resolve_config(
            host=args.host,
            model=args.model,
            config_path=(args.config or paths.config_file()).expanduser(),
            environ=os.environ,
        )
        return run(args, config)
    if args.host or args.config:
        print(
            "ollama-tui: --demo uses its own server and profile: leave out --host and --config",
            file=sys.stderr,
        )
        return USAGE
    try:
        with demo_server() as url:
            config = resolve_config(
                host=url, model=args.model, config_path=paths.config_file(), environ={}
            )
            config.demo = True
            if args.command is not None and not config.model:
                config.model = DEMO_EMBEDDING_MODEL if args.command == "embed" else DEMO_MODEL
            if args.command in FORGETFUL_IN_THE_DEMO or args.continue_last or args.resume:
                print(FORGETFUL_NOTE, file=sys.stderr)
            return run(args, config)
    except SystemExit as leaving:
        if leaving.code in LEFT_ON_A_SIGNAL:
            # The profile is removed. The terminal may be gone with Textual's threads
            # still reading it, which Python would wait for at exit, for ever.
            os._exit(int(leaving.code))
        raise


def run(args: argparse.Namespace, config: Config) -> int:
    """Do what the command line asked, with ``config``."""
    if args.command == "paths":
        print(describe_paths(config))
        return 0
    if args.command == "ask":
        try:
            return asyncio.run(ask.ask(args, config, sys.stdout, sys.stderr))
        except KeyboardInterrupt:
            return INTERRUPTED
    if args.command in ("logs", "stats"):
        return logs.run(args, sys.stdout, sys.stderr)
    if args.command == "pull":
        try:
            return asyncio.run(pull.run(args, config, sys.stderr))
        except KeyboardInterrupt:
            return INTERRUPTED
    if args.command == "create":
        try:
            return asyncio.run(create.run(args, config, sys.stdout, sys.stderr))
        except KeyboardInterrupt:
            return INTERRUPTED
    if args.command == "bench":
        return asyncio.run(bench.run(args, config, sys.stdout, sys.stderr))
    if args.command == "batch":
        return asyncio.run(batch.run(args, config, sys.stdout, sys.stderr))
    if args.command == "embed":
        return asyncio.run(embed.run(args, config, sys.stdout, sys.stderr))
    if args.command in manage.COMMANDS:
        return asyncio.run(manage.run(args, config, sys.stdout, sys.stderr))
    if args.command in models.COMMANDS:
        return asyncio.run(models.run(args, config, sys.stdout, sys.stderr))
    store = HistoryStore(config.history_dir, config.history_format)
    conversation = reopened(store, args.continue_last, args.resume)
    app = make_app(config, store=store, conversation=conversation)
    tune_garbage_collection()
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
