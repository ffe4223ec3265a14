"""The bodies of Ollama requests, built in one place: the client sends them, and the
chat shows the next one as it will be sent ("Show the request")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ollama_tui.core.ollama.types import Message

Think = bool | str
KeepAlive = int | float | str


def without_none(**fields: Any) -> dict[str, Any]:
    """The fields that are set: Ollama applies its defaults to those left out."""
    return {key: value for key, value in fields.items() if value is not None}


def chat_body(
    model: str,
    messages: Sequence[Message],
    *,
    options: Mapping[str, Any] | None = None,
    think: Think | None = None,
    format: str | Mapping[str, Any] | None = None,  # noqa: A002 - the API's name
    keep_alive: KeepAlive | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    truncate: bool | None = None,
) -> dict[str, Any]:
    return without_none(
        model=model,
        messages=[m.to_json() for m in messages],
        options=dict(options) if options else None,
        think=think,
        format=format,
        keep_alive=keep_alive,
        tools=list(tools) if tools else None,
        truncate=truncate,
        stream=True,
    )
