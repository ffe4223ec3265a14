"""The emulator's tokenizer: it counts a prompt as Ollama does, over the whole rendered
chat template (start of text, the model's own system prompt when the request has none,
role markers around every message, the opening of the reply), and counts text the way
a byte-pair tokenizer roughly would, about four characters a token in English prose: a
word (or identifier) is a token per five letters, with the space before it; punctuation
is split from words, a token per three marks in a row; a group of up to three digits, a
run of spaces and a run of line breaks are a token each.

It is deliberately not tiktoken: a client's meter has to learn this scale and these
per-message overheads from ``prompt_eval_count``, as it must from a real model."""

from __future__ import annotations

import math
import re
from typing import Any

PIECES = re.compile(r" ?[A-Za-z_]+| ?\d{1,3}|\n+| +|[^\sA-Za-z_\d]+|\s")
START, END = "<|start|>", "<|end|>"
SPECIAL = re.compile(r"<\|(?:begin|start|end)\|>")
BEGIN = "<|begin|>"


def count_text(text: str) -> int:
    total = 0
    for special in SPECIAL.split(text):
        for piece in PIECES.findall(special):
            total += _piece_tokens(piece.lstrip(" "))
    return total + len(SPECIAL.findall(text))


def _piece_tokens(piece: str) -> int:
    if piece.replace("_", "").isalpha():
        return math.ceil(len(piece) / 5)
    if piece and not piece[0].isdigit() and not piece.isspace():
        return math.ceil(len(piece) / 3)
    return 1


def render(messages: list[dict[str, Any]], system: str = "") -> str:
    """The prompt the model reads for ``messages``: the model's ``system`` (its
    Modelfile SYSTEM) goes first when the request does not start with its own."""
    first = messages[0].get("role") if messages else None
    if system and first != "system":
        messages = [{"role": "system", "content": system}, *messages]
    parts = [BEGIN]
    for message in messages:
        content = message.get("content")
        text = content if isinstance(content, str) else ""
        parts.append(f"{START}{message.get('role', 'user')}\n{text}{END}\n")
    parts.append(f"{START}assistant\n")
    return "".join(parts)


def count_prompt(messages: list[dict[str, Any]], system: str = "") -> int:
    images = sum(len(m.get("images") or ()) for m in messages)
    return count_text(render(messages, system)) + IMAGE_TOKENS * images


IMAGE_TOKENS = 768
"""What Ollama counts an image as when it fits a prompt into its window."""
