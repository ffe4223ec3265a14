"""The Markdown parser for replies: markdown-it's, made to never hide text.

markdown-it stops parsing at a nesting depth of 20 and drops the rest of the
container it was in, so a list nested a dozen levels, or a line of many "1. ", would
hide what follows. Here, from ``MAX_DEPTH`` down, a container's remaining lines are
one paragraph of their literal text: shown, flattened, with their markers.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

MAX_DEPTH = 12
"""Token nesting from which text is flattened: six lists, or twelve block quotes, deep.
Below markdown-it's own limit (20), and shallow enough to indent within a terminal."""


def _flatten_deep(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.level < MAX_DEPTH:
        return False
    if silent:
        return True
    text = state.getLines(start_line, end_line, state.blkIndent, False).strip()
    opening = state.push("paragraph_open", "p", 1)
    opening.map = [start_line, end_line]
    inline = state.push("inline", "", 0)
    inline.content = text
    inline.map = [start_line, end_line]
    inline.children = []
    state.push("paragraph_close", "p", -1)
    state.line = end_line
    return True


@cache
def document_parser() -> MarkdownIt:
    """A parser like Textual's own ("gfm-like") that flattens what it cannot nest, and
    keeps each link reference definition as a "definition" token: the chat log shows
    them, as text the model wrote (a browser hides them). One is shared."""
    parser = MarkdownIt("gfm-like", {"inline_definitions": True})
    first_rule = parser.block.ruler.__rules__[0].name
    parser.block.ruler.before(first_rule, "flatten_deep", _flatten_deep)
    return parser
