"""The settings a conversation sends with each request: system prompt, options and fields.

Only values that passed validation live here; a blank (absent) value means "the
model's default". ``from_dict`` reads untrusted files (presets, history): what does
not validate is dropped and reported, never sent.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from typing import Any

from ollama_tui.core.options import (
    OPTIONS_BY_KEY,
    InvalidValue,
    Kind,
    OptionValue,
    check_range,
    format_value,
    parse_format,
    parse_keep_alive,
    parse_option,
)

Think = bool | str
THINK_LEVELS = ("low", "medium", "high")


@dataclass
class ChatSettings:
    system: str = ""
    options: dict[str, OptionValue] = field(default_factory=dict)
    keep_alive: int | float | str | None = None
    format: str | dict[str, Any] | None = None
    think: Think | None = None
    """None leaves it to the model (and is what a model that cannot think gets)."""
    truncate: bool | None = None
    """False asks the server (>= 0.12.6) to refuse an overlong prompt, not trim it."""
    invalid: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)
    """Text typed for a setting that does not validate, and why, by setting: it is
    shown again wherever the setting is shown, and nothing is sent until it is fixed.
    Not saved: files hold valid settings only."""

    def problems(self) -> list[str]:
        """Why sending must wait: one sentence per setting holding invalid text."""
        return [reason for _, reason in self.invalid.values()]

    def copy(self) -> ChatSettings:
        """The valid settings: invalid text stays in the chat it was typed in."""
        return copy.deepcopy(replace(self, invalid={}))

    def to_dict(self) -> dict[str, Any]:
        """For TOML and JSON files: unset values are left out."""
        data: dict[str, Any] = {}
        if self.system:
            data["system"] = self.system
        if self.options:
            data["options"] = copy.deepcopy(self.options)
        if self.keep_alive is not None:
            data["keep_alive"] = self.keep_alive
        if self.format is not None:
            data["format"] = (
                self.format if isinstance(self.format, str) else format_value(self.format)
            )
        if self.think is not None:
            data["think"] = self.think
        if self.truncate is not None:
            data["truncate"] = self.truncate
        return data

    @classmethod
    def from_dict(cls, data: object) -> tuple[ChatSettings, list[str]]:
        """Settings from a file, and a message for each value that was dropped."""
        settings, problems = cls(), []
        if not isinstance(data, dict):
            return settings, ["settings are not a table"] if data is not None else []
        system = data.get("system", "")
        if isinstance(system, str):
            settings.system = system
        else:
            problems.append("system prompt is not text")
        options = data.get("options", {})
        if isinstance(options, dict):
            for key, value in options.items():
                try:
                    settings.options[str(key)] = _option_from_file(str(key), value)
                except InvalidValue as error:
                    problems.append(str(error))
        else:
            problems.append("options are not a table")
        for name, parse in (("keep_alive", parse_keep_alive), ("format", parse_format)):
            value = data.get(name)
            if value is None:
                continue
            try:
                text = value if isinstance(value, str) else json.dumps(value)
                setattr(settings, name, parse(text))
            except InvalidValue as error:
                problems.append(str(error))
        think = data.get("think")
        if think is not None:
            if isinstance(think, bool) or think in THINK_LEVELS:
                settings.think = think
            else:
                problems.append(f"think must be true, false, low, medium or high, not {think!r}")
        truncate = data.get("truncate")
        if isinstance(truncate, bool):
            settings.truncate = truncate
        elif truncate is not None:
            problems.append("truncate must be true or false")
        return settings, problems


def _option_from_file(key: str, value: object) -> OptionValue:
    spec = OPTIONS_BY_KEY.get(key)
    if spec is None:
        raise InvalidValue(f"unknown option {key[:40]!r}")
    if spec.kind is Kind.STOP:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [str(v) for v in value]
        raise InvalidValue("stop must be a list of strings")
    if isinstance(value, bool) or not isinstance(value, int | float):
        parsed = parse_option(spec, str(value))
        if parsed is None:
            raise InvalidValue(f"{key} is empty")
        return parsed
    if spec.kind is Kind.INT:
        if isinstance(value, float) and not value.is_integer():
            raise InvalidValue(f"{key} must be a whole number")
        check_range(spec, value)
        return int(value)
    parsed = parse_option(spec, repr(float(value)))
    assert parsed is not None
    return parsed


def think_to_send(think: Think | None, capabilities: frozenset[str] | None) -> Think | None:
    """What is sent as ``think``: nothing to a model that cannot think; otherwise the
    setting, or ``true`` when unset, so that thoughts arrive apart from the answer
    instead of inline."""
    if "thinking" not in (capabilities or ()):
        return None
    return True if think is None else think


def think_label(think: Think | None) -> str:
    if isinstance(think, str):
        return think
    return "on" if think else "off"


def next_think(model: str, think: Think | None, capabilities: frozenset[str] | None) -> Think:
    """The setting after ``think`` when the user cycles it: gpt-oss takes levels,
    other thinking models on and off."""
    name = model.lower()
    takes_levels = name.startswith("gpt-oss") or "gptoss" in name
    cycle: list[Think] = list(THINK_LEVELS) if takes_levels else [True, False]
    current = think_to_send(think, capabilities)
    index = cycle.index(current) if current in cycle else -1
    return cycle[(index + 1) % len(cycle)]
