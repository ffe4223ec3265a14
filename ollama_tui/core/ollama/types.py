"""Typed results of the Ollama API.

Server replies are untrusted: every ``from_json`` tolerates unknown fields, missing
fields and values of the wrong type, which become ``None`` or an empty default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ParameterValue = str | int | float | bool | list[Any]


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


INT64 = 2**63
"""Ollama's counts and durations are Go int64s; anything outside is not a real value."""


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value) if -INT64 <= value < INT64 else None


def _dict(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def parse_time(value: Any) -> datetime | None:
    """Parse Ollama's RFC 3339 timestamps (up to nanoseconds); None if unparsable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    head, dot, tail = text.partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}" if digits else head + tail
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ModelDetails:
    family: str = ""
    families: tuple[str, ...] = ()
    parameter_size: str = ""
    quantization_level: str = ""
    format: str = ""
    parent_model: str = ""
    context_length: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelDetails:
        return cls(
            family=_str(data, "family"),
            families=_str_list(data.get("families")),
            parameter_size=_str(data, "parameter_size"),
            quantization_level=_str(data, "quantization_level"),
            format=_str(data, "format"),
            parent_model=_str(data, "parent_model"),
            context_length=_int(data, "context_length"),
        )


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """One entry of ``/api/tags``."""

    name: str
    size: int
    digest: str = ""
    modified_at: datetime | None = None
    details: ModelDetails = field(default_factory=ModelDetails)
    capabilities: frozenset[str] | None = None
    """Present on servers >= 0.30 only; otherwise ask ``show``."""
    remote_host: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelSummary:
        caps = data.get("capabilities")
        return cls(
            name=_str(data, "name") or _str(data, "model"),
            size=_int(data, "size") or 0,
            digest=_str(data, "digest"),
            modified_at=parse_time(data.get("modified_at")),
            details=ModelDetails.from_json(_dict(data, "details")),
            capabilities=frozenset(_str_list(caps)) if isinstance(caps, list) else None,
            remote_host=_str(data, "remote_host"),
        )


def parse_parameters(text: str) -> dict[str, ParameterValue]:
    """Parse ``/api/show``'s ``parameters`` blob: one ``key  value`` per line.

    Values are Go ``%#v`` literals, which decode as JSON. Repeated keys (``stop``)
    become lists. A value that is not JSON is kept as its raw text.
    """
    result: dict[str, ParameterValue] = {}
    repeated: set[str] = set()
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) != 2:
            continue
        key, raw = parts
        try:
            value: ParameterValue = json.loads(raw)
        except (ValueError, RecursionError):
            value = raw.strip()
        if key in result:
            previous = result[key]
            if key not in repeated:
                previous = [previous]
                repeated.add(key)
            assert isinstance(previous, list)
            previous.append(value)
            result[key] = previous
        elif key == "stop":
            result[key] = [value]
            repeated.add(key)
        else:
            result[key] = value
    return result


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What ``/api/show`` says about one model."""

    name: str
    details: ModelDetails = field(default_factory=ModelDetails)
    capabilities: frozenset[str] = frozenset()
    architecture: str = ""
    context_length: int | None = None
    embedding_length: int | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    template: str = ""
    system: str = ""
    license: str = ""
    modelfile: str = ""
    modified_at: datetime | None = None

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> ModelInfo:
        model_info = _dict(data, "model_info")
        arch = _str(model_info, "general.architecture")
        license_value = data.get("license")
        if isinstance(license_value, list):
            license_text = "\n\n".join(_str_list(license_value))
        else:
            license_text = _str(data, "license")
        return cls(
            name=name,
            details=ModelDetails.from_json(_dict(data, "details")),
            capabilities=frozenset(_str_list(data.get("capabilities"))),
            architecture=arch,
            context_length=_int(model_info, f"{arch}.context_length") if arch else None,
            embedding_length=_int(model_info, f"{arch}.embedding_length") if arch else None,
            parameters=parse_parameters(_str(data, "parameters")),
            template=_str(data, "template"),
            system=_str(data, "system"),
            license=license_text,
            modelfile=_str(data, "modelfile"),
            modified_at=parse_time(data.get("modified_at")),
        )

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True, slots=True)
class RunningModel:
    """One entry of ``/api/ps``."""

    name: str
    size: int = 0
    size_vram: int = 0
    digest: str = ""
    details: ModelDetails = field(default_factory=ModelDetails)
    expires_at: datetime | None = None
    context_length: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunningModel:
        return cls(
            name=_str(data, "name") or _str(data, "model"),
            size=_int(data, "size") or 0,
            size_vram=_int(data, "size_vram") or 0,
            digest=_str(data, "digest"),
            details=ModelDetails.from_json(_dict(data, "details")),
            expires_at=parse_time(data.get("expires_at")),
            context_length=_int(data, "context_length"),
        )


@dataclass(frozen=True, slots=True)
class Stats:
    """The final chunk's metrics. Durations are nanoseconds; every field is optional."""

    total_duration: int | None = None
    load_duration: int | None = None
    prompt_eval_count: int | None = None
    prompt_eval_duration: int | None = None
    eval_count: int | None = None
    eval_duration: int | None = None
    done_reason: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Stats:
        return cls(
            total_duration=_int(data, "total_duration"),
            load_duration=_int(data, "load_duration"),
            prompt_eval_count=_int(data, "prompt_eval_count"),
            prompt_eval_duration=_int(data, "prompt_eval_duration"),
            eval_count=_int(data, "eval_count"),
            eval_duration=_int(data, "eval_duration"),
            done_reason=_str(data, "done_reason") or None,
        )

    @property
    def tokens_per_second(self) -> float | None:
        if not self.eval_count or not self.eval_duration:
            return None
        return self.eval_count / self.eval_duration * 1e9

    @property
    def prompt_tokens_per_second(self) -> float | None:
        if not self.prompt_eval_count or not self.prompt_eval_duration:
            return None
        return self.prompt_eval_count / self.prompt_eval_duration * 1e9


def milliseconds(nanoseconds: int | None) -> float | None:
    """One of Ollama's durations (nanoseconds) in milliseconds."""
    return None if nanoseconds is None else nanoseconds / 1e6


@dataclass(frozen=True, slots=True)
class ToolCall:
    name: str
    arguments: Mapping[str, Any]
    id: str = ""
    index: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToolCall:
        function = _dict(data, "function")
        return cls(
            name=_str(function, "name"),
            arguments=dict(_dict(function, "arguments")),
            id=_str(data, "id"),
            index=_int(function, "index"),
        )

    def to_json(self) -> dict[str, Any]:
        function: dict[str, Any] = {"name": self.name, "arguments": dict(self.arguments)}
        if self.index is not None:
            function["index"] = self.index
        payload: dict[str, Any] = {"function": function}
        if self.id:
            payload["id"] = self.id
        return payload


@dataclass(frozen=True, slots=True)
class Message:
    """A chat message as sent to ``/api/chat``. ``images`` are raw base64 strings."""

    role: str
    content: str
    thinking: str = ""
    images: tuple[str, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    tool_name: str = ""

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.thinking:
            payload["thinking"] = self.thinking
        if self.images:
            payload["images"] = list(self.images)
        if self.tool_calls:
            payload["tool_calls"] = [call.to_json() for call in self.tool_calls]
        if self.tool_name:
            payload["tool_name"] = self.tool_name
        return payload


@dataclass(frozen=True, slots=True)
class ContentDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ThinkingDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallsReceived:
    calls: tuple[ToolCall, ...]


@dataclass(frozen=True, slots=True)
class Done:
    """The last event of a chat or generate stream."""

    stats: Stats
    context: tuple[int, ...] = ()
    """``/api/generate`` only: the deprecated context token list."""


ChatEvent = ContentDelta | ThinkingDelta | ToolCallsReceived | Done


@dataclass(frozen=True, slots=True)
class PullProgress:
    """One line of a ``/api/pull`` or ``/api/create`` stream."""

    status: str
    digest: str = ""
    total: int | None = None
    completed: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PullProgress:
        return cls(
            status=_str(data, "status"),
            digest=_str(data, "digest"),
            total=_int(data, "total"),
            completed=_int(data, "completed"),
        )


@dataclass(frozen=True, slots=True)
class Embeddings:
    model: str
    vectors: tuple[tuple[float, ...], ...]
    prompt_eval_count: int | None = None
