"""Settings, resolved as: CLI flags > environment > config file > defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ollama_tui import paths
from ollama_tui.ollama.host import parse_host


@dataclass
class Config:
    host: str = field(default_factory=lambda: parse_host(None))
    """Base URL of the Ollama server."""
    model: str = ""
    """Model to chat with; empty means "ask" (the picker opens)."""
    api_key: str | None = field(default=None, repr=False)
    """From OLLAMA_API_KEY only: never written to disk or shown."""
    history_format: str = "toml"
    """How new conversations are saved: "toml" or "json" (both always load)."""
    history_dir: Path = field(default_factory=paths.conversations_dir)


def resolve_config(
    *,
    host: str | None = None,
    model: str | None = None,
    environ: Mapping[str, str],
) -> Config:
    config = Config()
    env_host = environ.get("OLLAMA_HOST")
    if host:
        config.host = parse_host(host)
    elif env_host:
        config.host = parse_host(env_host)
    if model:
        config.model = model
    config.api_key = environ.get("OLLAMA_API_KEY") or None
    return config
