"""Make untrusted text (model output, server messages, names, files) inert for the terminal.

Text that reaches the screen, a log or an export must never carry a character that
the terminal acts on, or that changes how the text around it is drawn:
- C0 and C1 control characters (ESC starts an escape sequence: OSC 52 writes the
  clipboard, OSC 0 the window title, CSI moves the cursor or sets a scroll region);
- bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
  which can reorder what a line seems to say;
- invisible characters that hide text: tag characters (outside the emoji flags that
  need them), the word joiner and invisible operators, a byte-order mark, Hangul
  fillers;
- lone surrogates, which cannot be written to a UTF-8 terminal or file at all.

Each is replaced by a visible stand-in, so the user still sees that something was
there. Tab and newline are kept; CRLF becomes LF. Characters that writing systems
need stay in text: zero-width joiners (emoji, Indic scripts), the zero-width space
(Thai, Khmer), the directional marks (Arabic, Hebrew). In a single line (a name, a
title, a status), where a hidden character can only deceive, they are shown too.
"""

from __future__ import annotations

import re

_C0 = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_HIDING = [
    *(0x180E, 0xFEFF, 0x3164, 0xFFA0),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x2070),
    *range(0xFFF9, 0xFFFC),
]
"""Shown by name wherever they are."""
_MARKS = [0x061C, 0x00AD, 0x200B, 0x200E, 0x200F]
"""Shown by name in single lines only: text in several scripts needs them."""


def _named(code: int) -> str:
    return f"⟨U+{code:04X}⟩"


_TABLE: dict[int, str] = {**_C0, 0x7F: "\u2421", 0x2028: "\n", 0x2029: "\n"}
_TABLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_TABLE.update({code: _named(code) for code in _HIDING})
_TABLE.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
_LINE_TABLE = {**_TABLE, **{code: _named(code) for code in _MARKS}}

_TAGS = "\U000e0000-\U000e007f"
_UNSAFE = re.compile(
    f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_TAGS}"
    + "".join(chr(code) for code in _HIDING)
    + "]"
)
_FLAG_OR_TAG = re.compile(f"(\U0001f3f4[\U000e0020-\U000e007e]{{1,32}}\U000e007f)|([{_TAGS}])")
"""A subdivision flag (a black flag, tag letters, a cancel tag) is kept whole; any
other tag character hides text (it is how "ASCII smuggling" hides instructions)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def sanitize(text: str) -> str:
    """Return ``text`` with every unsafe character (see the module's note) made visible."""
    if not _UNSAFE.search(text):
        return text
    text = text.replace("\r\n", "\n").translate(_TABLE)
    return _FLAG_OR_TAG.sub(_tag_stand_in, text)


def _tag_stand_in(match: re.Match[str]) -> str:
    return match.group(1) or _named(ord(match.group(2)))


def sanitize_line(text: str, limit: int = 200) -> str:
    """One line for a title, label or status: unsafe characters and invisible marks
    made visible, line breaks and runs of spaces folded to one space, and cut to
    ``limit`` characters."""
    flat = " ".join(sanitize(text).translate(_LINE_TABLE).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def without_surrogates(text: str) -> str:
    """``text`` with lone surrogates (valid in JSON as ``\\ud800``, but not in UTF-8)
    replaced by U+FFFD, so that it can be saved and sent again."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


_ESCAPABLE = re.compile(f"[\x80-\x9f{_TAGS}" + "".join(chr(code) for code in _HIDING) + "]")


def escape_unsafe(text: str, fmt: str) -> str:
    """JSON or TOML (``fmt``) text with the C1, bidi and hiding characters inside its
    strings written as escapes, which the format reads back as the character. (Other
    control characters are escaped by the encoders already.)"""
    if not _ESCAPABLE.search(text):
        return text
    return _ESCAPABLE.sub(_escape_toml if fmt == "toml" else _escape_json, text)


def _escape_json(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
    return f"\\u{high:04x}\\u{low:04x}"


def _escape_toml(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def is_unsafe(text: str) -> bool:
    """Whether ``sanitize`` would change ``text``."""
    return sanitize(text) != text
