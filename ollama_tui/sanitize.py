"""Make untrusted text (model output, server messages, names, files) inert for the terminal.

Text that reaches the screen, a log or an export must never carry a character that
the terminal acts on, or that changes how the text around it is drawn:
- C0 and C1 control characters (ESC starts an escape sequence: OSC 52 writes the
  clipboard, OSC 0 the window title, CSI moves the cursor or sets a scroll region);
- bidirectional formatting (U+202A-U+202E, U+2066-U+2069 and the marks), which can
  reorder what a line seems to say;
- invisible format characters (zero-width space, word joiner, BOM...), which hide
  text and which terminals disagree on the width of;
- lone surrogates, which cannot be written to a UTF-8 terminal or file at all.

Each is replaced by a visible stand-in, so the user still sees that something was
there. Tab and newline are kept; CRLF becomes LF. Zero-width joiners and variation
selectors stay: emoji and several scripts need them.
"""

from __future__ import annotations

import re

_C0 = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_FORMAT = [
    *(0x061C, 0x180E, 0x200B, 0x200E, 0x200F, 0xFEFF),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x2070),
    *range(0xFFF9, 0xFFFC),
]
_TABLE: dict[int, str] = {**_C0, 0x7F: "\u2421", 0x2028: "\n", 0x2029: "\n"}
_TABLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_TABLE.update({code: f"⟨U+{code:04X}⟩" for code in _FORMAT})
_TABLE.update({code: "\ufffd" for code in range(0xD800, 0xE000)})

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
    + "".join(chr(code) for code in _FORMAT)
    + "]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def sanitize(text: str) -> str:
    """Return ``text`` with every unsafe character (see the module's note) made visible."""
    if not _UNSAFE.search(text):
        return text
    return text.replace("\r\n", "\n").translate(_TABLE)


def sanitize_line(text: str, limit: int = 200) -> str:
    """One line for a title, label or status: unsafe characters made visible, line
    breaks and runs of spaces folded to one space, and cut to ``limit`` characters."""
    flat = " ".join(sanitize(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def without_surrogates(text: str) -> str:
    """``text`` with lone surrogates (valid in JSON as ``\\ud800``, but not in UTF-8)
    replaced by U+FFFD, so that it can be saved and sent again."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


_ESCAPABLE = re.compile("[\x80-\x9f" + "".join(chr(code) for code in _FORMAT) + "]")


def escape_unsafe(text: str) -> str:
    """JSON or TOML text with the C1, bidi and invisible characters inside its strings
    written as ``\\uXXXX`` escapes, which both formats read back as the character.
    (Other control characters are escaped by the encoders already.)"""
    if not _ESCAPABLE.search(text):
        return text
    return _ESCAPABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def is_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character that ``sanitize`` would replace."""
    return _UNSAFE.search(text) is not None
