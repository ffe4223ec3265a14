"""What a model's chat template does on its own: some insert a system prompt of their
own when the request sends none (Qwen 2.5's "You are Qwen, created by Alibaba Cloud…"),
which the settings show instead of claiming there is no default."""

from __future__ import annotations

import re

_DEFAULT_SYSTEM = re.compile(
    r"\{\{-?\s*if\s+(?:\.System|\$\.System)\s*-?\}\}"  # {{ if .System }}
    r"(?:(?!\{\{-?\s*(?:if|end)\b).)*?"  # its own branch, with no nested block
    r"\{\{-?\s*else\s*-?\}\}"  # {{ else }}
    r"(?P<text>(?:(?!\{\{).)+?)"  # plain text: the default
    r"\{\{-?\s*end\s*-?\}\}",
    re.DOTALL,
)


def template_default_system(template: str) -> str:
    """The system prompt ``template`` inserts when none is sent ("" for none)."""
    found = _DEFAULT_SYSTEM.search(template)
    return found.group("text").strip() if found else ""
