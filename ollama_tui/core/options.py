"""Every setting a chat request can carry: its type, range and how text becomes a value.

The sidebar, presets and saved conversations all go through ``parse_*`` here, so a
value that fails validation is never sent, whichever way it came in.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class InvalidValue(ValueError):
    """Text that cannot be sent; the message says why, in words."""


class Kind(StrEnum):
    INT = "int"
    FLOAT = "float"
    STOP = "stop"


class Group(StrEnum):
    SAMPLING = "sampling"
    LOAD = "load"
    LEGACY = "legacy"


@dataclass(frozen=True)
class OptionSpec:
    key: str
    kind: Kind
    group: Group
    server_default: str
    """What the server uses when neither the request nor the model sets it."""
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

    @property
    def range_text(self) -> str:
        kind = "whole number" if self.kind is Kind.INT else "number"
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"{kind}, {_num(low)} to {_num(high)}"
        if low is not None:
            return f"{kind}, at least {_num(low)}"
        return kind


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("temperature", Kind.FLOAT, Group.SAMPLING, "0.8", 0, 2, "randomness"),
    OptionSpec("top_k", Kind.INT, Group.SAMPLING, "40", 0, None, "sample from the k likeliest"),
    OptionSpec("top_p", Kind.FLOAT, Group.SAMPLING, "0.9", 0, 1, "nucleus sampling"),
    OptionSpec("min_p", Kind.FLOAT, Group.SAMPLING, "0.0", 0, 1, "drop unlikely tokens"),
    OptionSpec("typical_p", Kind.FLOAT, Group.SAMPLING, "1.0", 0, 1, "locally typical"),
    OptionSpec("repeat_penalty", Kind.FLOAT, Group.SAMPLING, "1.1", 0, 5, "penalise repeats"),
    OptionSpec(
        "repeat_last_n", Kind.INT, Group.SAMPLING, "64", -1, None, "0 off, -1 whole context"
    ),
    OptionSpec("presence_penalty", Kind.FLOAT, Group.SAMPLING, "0.0", -2, 2),
    OptionSpec("frequency_penalty", Kind.FLOAT, Group.SAMPLING, "0.0", -2, 2),
    OptionSpec("seed", Kind.INT, Group.SAMPLING, "-1", -1, None, "-1 random"),
    OptionSpec("num_predict", Kind.INT, Group.SAMPLING, "-1", -2, None, "reply length cap"),
    OptionSpec("stop", Kind.STOP, Group.SAMPLING, "the model's", help="one per line"),
    OptionSpec("num_ctx", Kind.INT, Group.LOAD, "4096", 1, None, "context window"),
    OptionSpec("num_batch", Kind.INT, Group.LOAD, "512", 1, None),
    OptionSpec("num_gpu", Kind.INT, Group.LOAD, "-1", -1, None, "layers on GPU, -1 auto"),
    OptionSpec("num_thread", Kind.INT, Group.LOAD, "0", 0, None, "0 auto"),
    OptionSpec("mirostat", Kind.INT, Group.LEGACY, "0", 0, 2, "0 off, 1 or 2"),
    OptionSpec("mirostat_eta", Kind.FLOAT, Group.LEGACY, "0.1", 0, None),
    OptionSpec("mirostat_tau", Kind.FLOAT, Group.LEGACY, "5.0", 0, None),
)
OPTIONS_BY_KEY = {spec.key: spec for spec in OPTIONS}

LEGACY_UNTIL = (0, 7, 0)
"""Servers from this version on ignore the legacy (mirostat) options."""
TRUNCATE_SINCE = (0, 12, 6)
"""The first server version that honours ``truncate``."""

OptionValue = int | float | list[str]


def parse_option(spec: OptionSpec, text: str) -> OptionValue | None:
    """The value to send for ``text``; None when blank (the model's default applies)."""
    if spec.kind is Kind.STOP:
        return parse_stop(text)
    text = text.strip()
    if not text:
        return None
    value: int | float
    if spec.kind is Kind.INT:
        if not re.fullmatch(r"[+-]?\d+", text):
            raise InvalidValue(f"{spec.key} must be a whole number, not {text[:20]!r}")
        value = int(text)
    else:
        try:
            value = float(text)
        except ValueError:
            raise InvalidValue(f"{spec.key} must be a number, not {text[:20]!r}") from None
        if not math.isfinite(value):
            raise InvalidValue(f"{spec.key} must be a finite number")
    check_range(spec, value)
    return value


def check_range(spec: OptionSpec, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise InvalidValue(f"{spec.key} must be at least {_num(spec.minimum)}")
    if spec.maximum is not None and value > spec.maximum:
        raise InvalidValue(f"{spec.key} must be at most {_num(spec.maximum)}")


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}


def parse_stop(text: str) -> list[str] | None:
    """One stop sequence per line; ``\\n``, ``\\t`` and ``\\\\`` are escapes."""
    sequences = []
    for line in text.splitlines():
        if line.strip():
            sequences.append(re.sub(r"\\([nt\\])", lambda m: _ESCAPES[m.group(1)], line))
    return sequences or None


def format_stop(sequences: list[str]) -> str:
    return "\n".join(
        s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") for s in sequences
    )


_DURATION = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+")


def parse_keep_alive(text: str) -> int | float | str | None:
    """A Go duration (``5m``, ``1h30m``, ``-1m``) is sent as text; a bare number
    (``300``, ``-1``, ``0``) as seconds, since the server refuses unit-less strings."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)", text):
        return float(text)
    if _DURATION.fullmatch(text):
        return text
    raise InvalidValue(
        f"keep_alive {text[:20]!r} is not a duration: use e.g. 5m, 1h30m, 300 (seconds), "
        "-1 (keep loaded) or 0 (unload after the reply)"
    )


def parse_format(text: str) -> str | dict[str, Any] | None:
    """Blank, ``json``, or a JSON schema object."""
    text = text.strip()
    if not text:
        return None
    if text == "json":
        return "json"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidValue(
            f"format is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    if not isinstance(value, dict):
        raise InvalidValue('format must be "json" or a JSON schema object ({...})')
    return value


def format_value(value: object) -> str:
    """The text a field shows for a stored value."""
    if isinstance(value, list):
        return format_stop([str(v) for v in value])
    if isinstance(value, dict):
        return json.dumps(value, indent=2)
    return "" if value is None else str(value)


def version_tuple(version: str) -> tuple[int, ...]:
    """``0.12.6`` → (0, 12, 6); anything unreadable → () (treated as unknown)."""
    match = re.match(r"\d+(\.\d+)*", version.strip())
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()
