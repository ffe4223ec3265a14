"""Command line: ``ollama-tui [--host URL] [--model NAME]``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ollama_tui import __version__
from ollama_tui.config import Config, resolve_config
from ollama_tui.ollama.client import OllamaClient

if TYPE_CHECKING:
    from ollama_tui.app import OllamaTUI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ollama-tui",
        description="Chat with local Ollama models in the terminal.",
        epilog="Environment: OLLAMA_HOST (server address), OLLAMA_API_KEY (bearer token).",
    )
    parser.add_argument("--version", action="version", version=f"ollama-tui {__version__}")
    parser.add_argument(
        "--host",
        metavar="URL",
        help="Ollama server, e.g. http://gpu-box:11434 (default: $OLLAMA_HOST or "
        "http://127.0.0.1:11434)",
    )
    parser.add_argument("--model", metavar="NAME", help="model to chat with, e.g. llama3.2")
    return parser


def make_app(config: Config, client: OllamaClient | None = None) -> OllamaTUI:
    """Build the app; the CLI and the tests share this factory."""
    from ollama_tui.app import OllamaTUI

    return OllamaTUI(config, client or OllamaClient(config.host, api_key=config.api_key))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = resolve_config(host=args.host, model=args.model, environ=os.environ)
    app = make_app(config)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
