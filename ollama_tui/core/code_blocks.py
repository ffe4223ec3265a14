"""Find fenced code blocks in Markdown, for copying one block on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$")


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str

    @property
    def summary(self) -> str:
        first = next((line.strip() for line in self.code.splitlines() if line.strip()), "")
        return first[:60]


def code_blocks(markdown: str) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    fence = ""
    language = ""
    lines: list[str] = []
    for line in markdown.splitlines():
        if not fence:
            match = _FENCE.match(line)
            if match:
                fence, language, lines = match.group(1), match.group(2), []
            continue
        stripped = line.strip()
        if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
            blocks.append(CodeBlock(language, "\n".join(lines)))
            fence = ""
        else:
            lines.append(line)
    if fence:
        blocks.append(CodeBlock(language, "\n".join(lines)))
    return blocks
