"""Rendering cost of a streamed reply: Markdown appended to a ``MarkdownDocument`` in
pieces of about 4 tokens, its lines asked for after every 6 pieces (30 times a second
at 200 tokens a second), at width 118.

A token here is a piece of at most four characters (with the spaces before it), about
what a model's tokenizer makes of English and code. Reports CPU seconds per 1,000
tokens for a 2,000-, 3,000- and 20,000-token reply: the cost must not grow with the
reply's length.

    python -m bench.render [--profile]
"""

from __future__ import annotations

import itertools
import re
import sys
import time

from ollama_tui.ui.render.document import MarkdownDocument
from ollama_tui.ui.render.palette import DEFAULT

WIDTH = 118
TOKENS_PER_APPEND = 4
APPENDS_PER_FRAME = 6
_TOKEN = re.compile(r"\s*\S{1,4}|\s+")

PARAGRAPH = (
    "The **renderer** draws each block once it is finished, and only the `open` block "
    "again while the reply streams; see [the notes](https://example.com/notes) for why "
    "that keeps the cost of a frame small even when the reply grows long. "
)
LIST = (
    "- first point about the design\n- second point, with `code`\n  - a nested detail\n"
    "1. one\n2. two\n"
)
CODE = (
    "```python\ndef total(items: list[int]) -> int:\n    result = 0\n"
    "    for item in items:\n        result += item * 2  # doubled\n    return result\n```\n"
)
TABLE = (
    "| Name | Count | Note |\n|:-----|------:|:----:|\n"
    "| apples | 3 | fresh |\n| kiwis | 12 | ok |\n"
)


def reply(tokens: int) -> list[str]:
    """A Markdown reply of about ``tokens`` tokens: paragraphs, and a list, a code block
    or a table every hundred tokens or so."""
    pieces: list[str] = []
    extras = itertools.cycle([LIST, CODE, TABLE])
    while len(pieces) < tokens:
        pieces.extend(_TOKEN.findall(PARAGRAPH * 2 + "\n\n"))
        pieces.extend(_TOKEN.findall(next(extras) + "\n"))
    return pieces[:tokens]


def stream(tokens: list[str]) -> tuple[float, MarkdownDocument]:
    document = MarkdownDocument()
    started = time.process_time()
    for frame, start in enumerate(range(0, len(tokens), TOKENS_PER_APPEND)):
        document.append("".join(tokens[start : start + TOKENS_PER_APPEND]))
        if frame % APPENDS_PER_FRAME == APPENDS_PER_FRAME - 1:
            document.lines(WIDTH, DEFAULT)
    document.lines(WIDTH, DEFAULT)
    return time.process_time() - started, document


def main() -> None:
    if "--profile" in sys.argv:
        import cProfile
        import pstats

        with cProfile.Profile() as profiler:
            stream(reply(20_000))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return
    stream(reply(500))  # warm the caches (lexers, styles) once
    for size in (2_000, 3_000, 20_000):
        best = min(stream(reply(size))[0] for _ in range(3))
        lines = len(stream(reply(size))[1].lines(WIDTH, DEFAULT))
        print(f"{size:>6} tokens: {best / size * 1000:.4f} CPU s per 1,000 tokens ({lines} lines)")


if __name__ == "__main__":
    main()
