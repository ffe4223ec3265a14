"""A message's Markdown, rendered block by block as it streams in.

The source is split at its top-level blocks. Blocks before the last one that can no
longer change are "closed": rendered once, their lines kept. Only the rest (the open
block, from the line where it starts) is parsed and rendered again after an append.

A block is closed only when a later block has started on complete lines: a partial
last line can still turn into something else ("#" into "#tag", which would continue a
paragraph above). Markdown decides where a block ends from the lines up to the next
block's first line (a table from its first two), never from lines further on, with one
exception handled here: a link reference definition's title may still continue into
the paragraph right below it. Link references are the other way a later line changes
an earlier block: a definition can come after its use, so whenever the definitions
seen change, everything is rendered again from the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from ollama_tui.ui.render.blocks import (
    Node,
    blank_separated,
    nest,
    parse,
    render_block,
)
from ollama_tui.ui.render.line import ChatLine
from ollama_tui.ui.render.palette import Palette
from ollama_tui.ui.render.plain import TAB_SIZE

References = dict[str, dict[str, Any]]
"""markdown-it's ``env["references"]``: each label's href, title and lines."""


def _targets(references: References) -> dict[str, tuple[object, object]]:
    """What rendering a link reads from the definitions."""
    return {label: (entry.get("href"), entry.get("title")) for label, entry in references.items()}


def _closable(roots: Sequence[Node], source: Sequence[str]) -> int:
    """How many of ``roots`` (a parse of complete lines) are finished: all but the last,
    up to one that may still be the start of a link reference definition."""
    count = 0
    for block, following in pairwise(roots):
        if block.token.map is None or following.token.map is None:
            break
        if _may_become_definition(block, following, source):
            break
        count += 1
    return count


def _may_become_definition(block: Node, following: Node, source: Sequence[str]) -> bool:
    """A definition's title may span lines until a blank one, across what now reads as a
    paragraph or a setext underline: "[a]: /u 'x", "===", "y'" is one definition."""
    assert block.token.map is not None and following.token.map is not None
    start, end = block.token.map
    return (
        block.token.type in ("paragraph_open", "heading_open", "definition")
        and following.token.type in ("paragraph_open", "heading_open")
        and following.token.map[0] == end
        and start < len(source)
        and source[start].lstrip(" ").startswith("[")
    )


def _line_offset(text: str, line: int) -> int:
    """Where line number ``line`` (from 0) starts in ``text``."""
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset


class MarkdownDocument:
    """A message's Markdown, rendered block by block. While a reply streams, text is
    appended; only the open (last) top-level block is parsed and rendered again, the
    lines of the blocks above are reused."""

    def __init__(self, source: str = "") -> None:
        self._chunks: list[str] = [source] if source else []
        self._key: tuple[int, Palette] | None = None
        self._lines: list[ChatLine] = []
        self._first_changed = 0
        self._changed = True
        self._known_references: References = {}
        self._restart()

    def _restart(self) -> None:
        """Forget what was rendered: everything is open again."""
        self._tail = self.source
        """The source from the open block on."""
        self._tail_start = 0
        self._closed: list[ChatLine] = []
        self._closed_references: References = {}
        """Definitions in the closed blocks: the open block's parse starts with them."""
        self._closed_targets: dict[str, tuple[object, object]] = {}
        """The link targets the closed blocks were rendered with."""
        self._checked_until = 0
        """Source offset up to which complete lines were looked at for closing."""

    @property
    def source(self) -> str:
        if len(self._chunks) > 1:
            self._chunks = ["".join(self._chunks)]
        return self._chunks[0] if self._chunks else ""

    def append(self, text: str) -> None:
        if not text:
            return
        self._chunks.append(text)
        self._tail += text
        self._changed = True

    def replace(self, source: str) -> None:
        current = self.source
        if source.startswith(current):
            self.append(source[len(current) :])
            return
        self._chunks = [source] if source else []
        self._restart()
        self._changed = True

    @property
    def first_changed(self) -> int:
        """After ``lines()``: the index of the first line that may differ from the
        previous ``lines()`` for the same width and palette (0 after a re-render)."""
        return self._first_changed

    def lines(self, width: int, palette: Palette) -> Sequence[ChatLine]:
        """The rendered lines; the same object while nothing changed."""
        key = (width, palette)
        previous = self._lines
        if key != self._key:
            self._key = key
            self._restart()
            self._changed = True
            previous = []
        if not self._changed:
            self._first_changed = len(self._lines)
            return self._lines
        unchanged = len(self._closed)
        if not self._update(width, palette):
            unchanged = 0
        open_lines = self._open_lines
        lines = (
            [*self._closed, ChatLine.blank(), *open_lines]
            if self._closed and open_lines
            else [
                *self._closed,
                *open_lines,
            ]
        )
        limit = min(len(lines), len(previous))
        while unchanged < limit and lines[unchanged] == previous[unchanged]:
            unchanged += 1
        self._first_changed = unchanged
        self._lines = lines
        self._changed = False
        return lines

    def _update(self, width: int, palette: Palette, may_restart: bool = True) -> bool:
        """Close the blocks that are finished and render the open ones. False when
        everything had to be rendered again (the link definitions changed)."""
        stale = self._close_finished(width, palette)
        references: References = dict(self._closed_references)
        environment: dict[str, Any] = {"references": references}
        tokens = parse(self._tail, environment)
        found: References = environment["references"]
        if self._closed and may_restart and (stale or _targets(found) != self._closed_targets):
            self._known_references = found
            self._restart()
            self._update(width, palette, may_restart=False)
            return False
        self._known_references = found
        source = self._tail.expandtabs(TAB_SIZE).split("\n")
        self._open_lines = blank_separated(
            [render_block(node, width, palette, source) for node in nest(tokens)]
        )
        return may_restart

    def _close_finished(self, width: int, palette: Palette) -> bool:
        """Render and keep the blocks that complete lines show are finished. True when
        the blocks closed before were rendered with other link definitions."""
        tail = self._tail
        complete = tail.rfind("\n") + 1
        if self._tail_start + complete <= self._checked_until:
            return False
        self._checked_until = self._tail_start + complete
        # Definitions from anywhere in the source, as a parse of all of it would see them.
        environment: dict[str, Any] = {"references": dict(self._known_references)}
        roots = nest(parse(tail[:complete], environment))
        source = tail[:complete].expandtabs(TAB_SIZE).split("\n")
        count = _closable(roots, source)
        if count == 0:
            return False
        targets = _targets(environment["references"])
        stale = bool(self._closed) and targets != self._closed_targets
        self._closed_targets = targets
        blocks = [render_block(node, width, palette, source) for node in roots[:count]]
        for block in blocks:
            if block and self._closed:
                self._closed.append(ChatLine.blank())
            self._closed.extend(block)
        for node in roots[:count]:
            for token in node.tokens:
                label = token.meta.get("id") if token.type == "definition" else None
                if label and label not in self._closed_references:
                    # From the definition itself, not the parse's table: that table
                    # started from definitions seen before, which may have changed.
                    self._closed_references[label] = {
                        "href": token.meta.get("url"),
                        "title": token.meta.get("title"),
                        "map": token.map,
                    }
        open_map = roots[count].token.map
        open_line = open_map[0] if open_map else 0
        cut = _line_offset(tail, open_line)
        self._tail = tail[cut:]
        self._tail_start += cut
        return stale
