"""Split ``<think>…</think>`` out of streamed content.

Older servers (and models without Ollama's thinking parser) put the reasoning inside
``content`` between these tags. Tags may arrive split across chunks, so the splitter
holds back a possible partial tag until the next chunk decides it.
"""

from __future__ import annotations

OPEN = "<think>"
CLOSE = "</think>"


class ThinkTagSplitter:
    def __init__(self) -> None:
        self._inside = False
        self._held = ""
        self._seen_text = False

    def feed(self, text: str) -> tuple[str, str]:
        """Return ``(thinking, content)`` to show for this chunk."""
        data = self._held + text
        self._held = ""
        thinking: list[str] = []
        content: list[str] = []
        while data:
            tag = CLOSE if self._inside else OPEN
            index = data.find(tag)
            if index >= 0:
                self._emit(data[:index], thinking, content)
                data = data[index + len(tag) :]
                if tag == OPEN and self._seen_text:
                    content.append(tag)
                else:
                    self._inside = not self._inside
                continue
            keep = _partial_suffix(data, tag)
            self._emit(data[: len(data) - keep], thinking, content)
            self._held = data[len(data) - keep :]
            break
        return "".join(thinking), "".join(content)

    def finish(self) -> tuple[str, str]:
        held, self._held = self._held, ""
        return (held, "") if self._inside else ("", held)

    def _emit(self, text: str, thinking: list[str], content: list[str]) -> None:
        if not text:
            return
        if self._inside:
            thinking.append(text)
        else:
            content.append(text)
            # Only a tag at the very start of the reply opens a thinking section;
            # later "<think>" is just text the model wrote.
            self._seen_text = self._seen_text or bool(text.strip())


def _partial_suffix(text: str, tag: str) -> int:
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0
