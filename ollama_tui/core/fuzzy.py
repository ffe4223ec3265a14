"""Fuzzy matching for filters: the query's characters must appear in order."""

from __future__ import annotations


def fuzzy_score(query: str, text: str) -> int | None:
    """Score ``text`` against ``query`` (higher is better); None if it does not match.

    Consecutive matches and matches at the start of words score more, so "q8" ranks
    "qwen3:8b" above "llava-q:78b".
    """
    if not query:
        return 0
    query, text = query.lower(), text.lower()
    score, position, previous = 0, 0, -2
    for char in query:
        if char == " ":
            continue
        index = text.find(char, position)
        if index < 0:
            return None
        score += 1
        if index == previous + 1:
            score += 3
        if index == 0 or not text[index - 1].isalnum():
            score += 2
        previous, position = index, index + 1
    return score - len(text) // 20
