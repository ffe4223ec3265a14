"""Make untrusted text (model output, server messages, titles) inert for the terminal.

Text that reaches the screen must never carry a control character: ESC would start
an escape sequence (OSC 52 can write the clipboard, CSI can move the cursor), BEL
rings, and C1 codes are escape sequences on some terminals. Each is replaced by a
visible stand-in, so the user still sees that something was there.
"""

from __future__ import annotations

import re

_C0 = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_TABLE: dict[int, str] = {**_C0, 0x7F: "\u2421"}
_TABLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def sanitize(text: str) -> str:
    """Return ``text`` with every control character except tab and newline made visible.

    CRLF becomes LF first, since that is only a line ending.
    """
    if not _CONTROL.search(text):
        return text
    return text.replace("\r\n", "\n").translate(_TABLE)


def sanitize_line(text: str, limit: int = 200) -> str:
    """One line for a title or status: control characters made visible, newlines
    folded to spaces, and cut to ``limit`` characters."""
    flat = " ".join(sanitize(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
