"""Hypothesis strategies for Markdown a model might write, and some it should not."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

WORDS = st.sampled_from(
    [
        "word",
        "a",
        "longerword",
        "x" * 30,
        "日本語",
        "テキスト",
        "👍",
        "👨‍👩‍👧",
        "é",
        "e\u0301",
        "**bold**",
        "*em*",
        "_em_",
        "~~s~~",
        "`code`",
        "[link](http://x.y/z)",
        "![alt](i.png)",
        "<b>",
        "</b>",
        "<!-- c -->",
        "&amp;",
        "&#x41;",
        "\\*",
        "http://example.com/" + "p" * 40,
        "[ref]",
        "[ref][]",
        "|",
        "\t",
        "  ",
        "`",
        "*",
        "_",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)

LINE_STARTS = st.sampled_from(
    [
        "",
        "",
        "",
        "# ",
        "## ",
        "### ",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "3) ",
        "10. ",
        "> ",
        "> > ",
        "    ",
        "  - ",
        "    - ",
        "- [ ] ",
        "- [x] ",
        "  ",
        "| ",
        "#",
        "1.",
        "-",
        ">",
    ]
)
WHOLE_LINES = st.sampled_from(
    [
        "",
        "",
        "",
        "---",
        "***",
        "===",
        "```",
        "```python",
        "~~~",
        "``` a`b",
        "| a | b |",
        "|---|:-:|",
        "| 1 | 2 | 3 |",
        "a | b",
        "-|-",
        "<div>",
        "</div>",
        "<!--",
        "-->",
        "<pre>",
        "</pre>",
        "[ref]: /url",
        "[ref]: /u 'title",
        "title'",
        "[other]:",
        "/other",
        "    code()",
        "\tindented",
        "Setext",
        "<script>",
        "</script>",
        "<?php",
        "?>",
        "<!DOCTYPE html>",
        "<![CDATA[",
        "]]>",
        "$$",
        "\\",
        "  ",
    ]
)
LINE = st.one_of(st.tuples(LINE_STARTS, TEXT).map("".join), WHOLE_LINES)
MARKDOWN = st.lists(LINE, min_size=1, max_size=25).map("\n".join)
"""Markdown of many kinds, with a trailing newline or not."""


@st.composite
def split_points(draw: st.DrawFn, text: str) -> list[str]:
    """``text`` cut into the pieces a stream would append."""
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=30)))
    edges = [0, *cuts, len(text)]
    return [text[start:end] for start, end in itertools.pairwise(edges) if end > start]
