"""The CommonMark spec's examples: whatever a browser would show for the spec's HTML is
in the rendered lines, word for word and in order. Raw HTML, which a browser would
interpret, is shown as text by this renderer, so its tags must be there literally."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ollama_tui.ui.render.document import MarkdownDocument
from ollama_tui.ui.render.palette import DEFAULT

FIXTURE = Path(__file__).parent / "fixtures" / "commonmark_spec_0.31.2.json"
EXAMPLES: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))

EXCEPTIONS: dict[int, str] = {}
"""Examples whose text legitimately differs, by number, with the reason."""

_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<[^>]*>", re.DOTALL)
_ALT = re.compile(r'\salt="([^"]*)"')


def shown_words(expected_html: str, markdown: str) -> list[str]:
    """The words a browser shows for ``expected_html``, and the words of each tag that
    came through from ``markdown`` as raw HTML (this renderer shows those as text)."""
    words: list[str] = []
    position = 0
    for markup in _MARKUP.finditer(expected_html):
        words.extend(html.unescape(expected_html[position : markup.start()]).split())
        tag = markup.group()
        if tag in markdown:
            words.extend(tag.split())
        elif tag.startswith("<img"):
            alt = _ALT.search(tag)
            if alt:
                words.extend(html.unescape(alt.group(1)).split())
        position = markup.end()
    words.extend(html.unescape(expected_html[position:]).split())
    return words


def rendered_text(markdown: str, width: int = 80) -> str:
    lines = MarkdownDocument(markdown).lines(width, DEFAULT)
    return " ".join("".join(line.text + line.join for line in lines).split())


def missing_words(words: list[str], text: str) -> list[str]:
    """The words not found in ``text`` in order (each after the one before)."""
    missing: list[str] = []
    position = 0
    for word in words:
        found = text.find(word, position)
        if found < 0:
            missing.append(word)
        else:
            position = found + len(word)
    return missing


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"{e['example']}-{e['section']}" for e in EXAMPLES]
)
def test_every_word_a_browser_shows_is_rendered(example: dict[str, Any]) -> None:
    if example["example"] in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[example["example"]])
    words = shown_words(example["html"], example["markdown"])
    text = rendered_text(example["markdown"])
    assert not missing_words(words, text), (example["markdown"], text)


def test_the_fixture_is_the_whole_spec() -> None:
    assert len(EXAMPLES) == 652
    assert [e["example"] for e in EXAMPLES] == list(range(1, 653))


def test_the_exceptions_are_few() -> None:
    assert len(EXCEPTIONS) <= 5
