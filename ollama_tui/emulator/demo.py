"""Demo content for the emulator: a Markdown reply with code and a table."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from ollama_tui.emulator.models import ChatReply, PullLayer, PullScript

DEMO_ANSWER = """Here is a quick way to count words in a file with Python:

```python
from collections import Counter
from pathlib import Path

def top_words(path: str, n: int = 5) -> list[tuple[str, int]]:
    words = Path(path).read_text().lower().split()
    return Counter(words).most_common(n)
```

| approach | speed | memory |
|---|---|---|
| `Counter` | fast | whole file |
| streaming lines | fast | one line |

- Use **`Counter`** for small files.
- Stream line by line for *large* ones.
"""

PROSE = (
    "Local models trade a little quality for privacy and speed, and most people find the "
    "trade worth it once they have tried a few sizes on their own hardware. Start small, "
    "measure how many tokens a second you get, then move up until the replies feel slow.\n\n"
)

DEMO_THINKING = (
    "The user wants word counts. Counter from collections is the simplest tool; "
    "I should mention memory use for big files."
)


def tokens(text: str) -> list[str]:
    """Split text into word-sized pieces, keeping every character."""
    return re.findall(r"\s*\S+|\s+", text)


VISION_ANSWER = """I was sent **{count}** picture{s}, {size} of image data.

This is the demo server, which cannot look at pictures: a vision model such as
`llava` would describe {them} here.
"""


def decoded_size(image: object) -> int:
    """Bytes in a base64 image (0 for one that is not base64)."""
    try:
        return len(base64.b64decode(str(image), validate=True))
    except binascii.Error:
        return 0


def sample_of(schema: object) -> object:
    """A value for a JSON schema (``"json"``: any object), as structured output gives."""
    if not isinstance(schema, dict):
        return {"answer": "The demo server gives this same answer to every question."}
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {key: sample_of(value) for key, value in properties.items()}
    if kind == "array":
        return [sample_of(schema.get("items") or {"type": "string"})]
    samples = {"string": "demo", "integer": 42, "number": 4.2, "boolean": True, "null": None}
    return samples.get(str(kind), "demo")


def demo_reply(body: dict[str, Any], delay: float = 0.0) -> ChatReply:
    """The demo's answer: Markdown with code and a table (with thinking first when it
    was asked for), or, for a prompt with images, what a vision model was sent."""
    thinking = tokens(DEMO_THINKING) if body.get("think") else []
    if body.get("format"):
        answer = json.dumps(sample_of(body["format"]), indent=2)
        return ChatReply(content=tokens(answer), thinking=thinking, delay=delay)
    messages = body.get("messages") or []
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    images = last.get("images") or body.get("images") or []
    if images:
        size = sum(decoded_size(image) for image in images)
        answer = VISION_ANSWER.format(
            count=len(images),
            s="" if len(images) == 1 else "s",
            size=f"{size:,} bytes",
            them="it" if len(images) == 1 else "them",
        )
        return ChatReply(content=tokens(answer), thinking=thinking, delay=delay)
    return ChatReply(content=tokens(DEMO_ANSWER), thinking=thinking, delay=delay)


def long_reply(count: int, delay: float, text: str = DEMO_ANSWER) -> ChatReply:
    """``count`` tokens of ``text``, repeated: by default Markdown with a code block,
    a table and a list every hundred tokens."""
    pattern = tokens(text)
    return ChatReply(content=[pattern[i % len(pattern)] for i in range(count)], delay=delay)


def demo_pulls(delay: float = 0.1) -> dict[str, PullScript]:
    """Pulls for trying the pull modal by hand: one with a cached layer, one failing."""
    layers = [
        PullLayer("sha256:" + "3f" * 32, 1_900_000_000),
        PullLayer("sha256:" + "c7" * 32, 12_000, cached=True),
        PullLayer("sha256:" + "9a" * 32, 1_500),
        PullLayer("sha256:" + "e1" * 32, 485),
    ]
    return {
        "mistral:7b": PullScript(layers=layers, step=25_000_000, delay=delay),
        "flaky:1b": PullScript(  # its big layer is its own, so mistral's pull leaves it to do
            layers=[PullLayer("sha256:" + "5b" * 32, 1_300_000_000), layers[1]],
            step=50_000_000,
            delay=delay,
            error_after_bytes=400_000_000,
        ),
    }


MARKER_PREFIX = "mk"
"""Marker words are ``mk`` and five digits, numbered from 1 through a whole reply, so
a reader of the screen can tell how far the reply has got; nothing else the app
draws looks like one."""

_SECTION = """Part {part} {m} of the answer: reading a large file in one go holds all of it in \
memory, so {m} read it a line at a time and count as you go.

- Open {m} the file with a context manager.
- Iterate {m} over its lines lazily.

```python
total = 0  # {m}
for line in open(path):
    total += len(line.split())
```

| step | cost |
|---|---|
| open | tiny |
| read | linear |

That ends part {part}, {m}.

"""


def marked_markdown(count: int) -> list[str]:
    """At least ``count`` tokens of Markdown: sections of about a hundred tokens, each a
    paragraph, a list, a code block and a table, with numbered marker words in the
    paragraphs, the list and the code. Whole sections only, so the reply's last word
    is a marker (``marker_numbers`` finds them)."""
    pieces: list[str] = []
    number = 0
    part = 0
    while len(pieces) < count:
        part += 1
        text = _SECTION
        while "{m}" in text:
            number += 1
            text = text.replace("{m}", f"{MARKER_PREFIX}{number:05d}", 1)
        pieces += tokens(text.replace("{part}", str(part)))
    return pieces


def marker_numbers(text: str) -> list[int]:
    """The marker words' numbers in ``text``, in order."""
    return [int(n) for n in re.findall(rf"\b{MARKER_PREFIX}(\d{{5}})\b", text)]


def marked_reply(count: int, delay: float = 0.0, rate: float | None = None) -> ChatReply:
    return ChatReply(content=marked_markdown(count), delay=delay, rate=rate)
