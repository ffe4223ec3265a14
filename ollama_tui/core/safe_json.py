"""JSON from outside (the server, files), parsed so that nothing odd escapes as an
unexpected exception or as text that cannot be stored.

``json.loads`` alone raises ``RecursionError`` on deep nesting, ``ValueError`` on an
integer of more than 4,300 digits, and gives lone surrogates (``"\\ud800"`` is valid
JSON) that UTF-8 cannot encode, so a reply holding one could never be saved or sent
again. Here every failure is a ``ValueError``, and lone surrogates become U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ollama_tui.core.sanitize import without_surrogates

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads(text: str | bytes) -> Any:
    """Parse ``text``; ``ValueError`` says why it is not usable JSON."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text):
        value = _without_surrogates(value)
    return value


def _without_surrogates(value: Any) -> Any:
    """``value`` with every string in it (keys too) freed of lone surrogates; without
    recursion, since the document may be nested as deeply as ``json`` allows."""
    if isinstance(value, str):
        return without_surrogates(value)
    if not isinstance(value, dict | list):
        return value
    stack: list[dict[str, Any] | list[Any]] = [value]
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            for key in list(container):
                item = container.pop(key)
                if isinstance(item, str):
                    item = without_surrogates(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
                container[without_surrogates(key)] = item
        else:
            for index, item in enumerate(container):
                if isinstance(item, str):
                    container[index] = without_surrogates(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
    return value
