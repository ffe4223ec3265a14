"""Full-text search of saved conversations: which hold a query, and where.

A title is searched from its listing; a file's bytes are then checked cheaply, so
most files that cannot match are never parsed. Text is searched as one line
(``sanitize_line``) in any case, so a query's words match across line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ollama_tui.core.conversation import AssistantTurn, Conversation
from ollama_tui.core.history.codec import UnreadableConversation, decode, from_data
from ollama_tui.core.history.listing import Listing, read_file
from ollama_tui.core.sanitize import sanitize_line


@dataclass(frozen=True)
class SearchHit:
    listing: Listing
    text: str
    """The title or message that matched, on one line (``sanitize_line``)."""
    start: int
    end: int
    """Where in ``text`` the match is."""

    def snippet(self, width: int) -> tuple[str, int, int]:
        """At most ``width`` characters of ``text`` around the match, marked with "…"
        where cut, and where the match is in it."""
        width = max(width, 3)
        room = max(0, width - 2 - (self.end - self.start))
        start = max(0, self.start - room // 2)
        end = min(len(self.text), start + width - 2)
        start = max(0, min(start, end - (width - 2)))
        prefix = "…" if start else ""
        suffix = "…" if end < len(self.text) else ""
        shown = prefix + self.text[start:end] + suffix
        at = self.start - start + len(prefix)
        return shown, at, min(len(shown), at + self.end - self.start)


def find_hits(listings: Iterable[Listing], query: str) -> list[SearchHit]:
    """The first match in each listed conversation whose title or any message holds
    ``query`` (any case), in the listings' order; unreadable files are skipped."""
    query = query.strip()
    needle = query.casefold()
    if not needle:
        return []
    pattern = re.compile(re.escape(" ".join(query.split())), re.IGNORECASE)
    hits = []
    for listing in listings:
        if listing.problem:
            continue
        title_hit = _hit(listing, listing.title, pattern)
        if title_hit is not None:
            hits.append(title_hit)
            continue
        try:
            raw = read_file(listing.path)
        except OSError:
            continue
        if not _may_contain(raw, needle):
            continue
        try:
            conversation, _ = from_data(decode(raw, listing.path.suffix.lstrip(".")))
        except UnreadableConversation:
            continue
        hit = _find_hit(listing, conversation, pattern)
        if hit is not None:
            hits.append(hit)
    return hits


def _may_contain(raw: bytes, needle: str) -> bool:
    """A cheap pre-check on a file's bytes. Text can be escaped in a file (quotes,
    backslashes, control characters, and non-ASCII as \\u escapes in JSON written by
    other programs), so only a plain ASCII needle is ruled out by a word of it not
    appearing verbatim (words may be apart: a match spans any white space, line breaks
    included, which a file may write as ``\\n``)."""
    if not needle.isascii() or not needle.isprintable() or any(ch in needle for ch in "\"\\'"):
        return True
    text = raw.decode("utf-8", errors="replace").casefold()
    return all(word in text for word in needle.split())


def _hit(listing: Listing, text: str, pattern: re.Pattern[str]) -> SearchHit | None:
    line = sanitize_line(text, len(text) + 1)
    match = pattern.search(line)
    return SearchHit(listing, line, match.start(), match.end()) if match else None


def _find_hit(
    listing: Listing, conversation: Conversation, pattern: re.Pattern[str]
) -> SearchHit | None:
    for turn in conversation.turns:
        texts = (
            [reply.content for reply in turn.versions]
            if isinstance(turn, AssistantTurn)
            else [turn.content]
        )
        for text in texts:
            hit = _hit(listing, text, pattern)
            if hit is not None:
                return hit
    return None
