"""Conversations to and from plain data, TOML and JSON, with every string kept exactly.

A file's layout (TOML shown; JSON has the same keys):

    format = 1
    id = "…"                      # also the file name
    title = "…"
    created = "2026-11-23T19:05:59.123456+00:00"
    updated = "…"
    model = "…"
    [settings]                    # system prompt, options, keep_alive, format, think…
    [summary]                     # text, turns (the first turns it stands for in
                                  # requests), model, created: from compacting
    [[messages]]                  # role, content, created, model, left_out (not
                                  # sent), unseen (dropped by Ollama); user: images,
                                  # files (name, size, kind, text), earlier_versions;
                                  # assistant: thinking, status,
                                  # error, stats, first_token_s, prompt_truncated,
                                  # truncation, prompt_version (which text of an
                                  # edited prompt it answers), other_versions and
                                  # selected

Files from people and other programs are untrusted: ``from_data`` checks every
field and raises ``UnreadableConversation`` naming the first problem.
"""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from typing import Any

import tomli_w

from ollama_tui.core import safe_json
from ollama_tui.core.conversation import (
    AssistantTurn,
    Attachment,
    Conversation,
    FileAttachment,
    Reply,
    ReplyStatus,
    Summary,
    Turn,
    UserTurn,
)
from ollama_tui.core.ollama.types import Stats
from ollama_tui.core.sanitize import escape_unsafe, without_surrogates
from ollama_tui.core.settings import ChatSettings

FORMAT_VERSION = 1
FORMATS = ("toml", "json")
"""The file formats a conversation can be saved in; both always load."""
STATS_FIELDS = (
    "total_duration",
    "load_duration",
    "prompt_eval_count",
    "prompt_eval_duration",
    "eval_count",
    "eval_duration",
)


class UnreadableConversation(ValueError):
    """A file that is not a conversation this version can read; the text says why."""


# -- to plain data -------------------------------------------------------------------


def to_data(conversation: Conversation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "id": conversation.id,
        "title": conversation.title,
        "created": _time_text(conversation.created_at),
        "updated": _time_text(conversation.updated_at),
        "model": conversation.model,
        "settings": conversation.settings.to_dict(),
        "messages": [_turn_data(turn) for turn in conversation.turns],
    }
    summary = conversation.summary
    if summary is not None:
        data["summary"] = {
            "text": summary.text,
            "turns": summary.turns,
            "model": summary.model,
            "created": _time_text(summary.created_at),
        }
    return data


def _marks(turn: Turn) -> dict[str, Any]:
    marks = {"left_out": turn.left_out, "unseen": turn.unseen}
    return {name: True for name, on in marks.items() if on}


def _turn_data(turn: Turn) -> dict[str, Any]:
    if isinstance(turn, UserTurn):
        data: dict[str, Any] = {
            "role": "user",
            "content": turn.content,
            "created": _time_text(turn.created_at),
            "model": turn.model,
        }
        if turn.images:
            data["images"] = [{"name": image.name, "data": image.data} for image in turn.images]
        if turn.files:
            data["files"] = [
                {"name": f.name, "size": f.size, "kind": f.kind, "text": f.text} for f in turn.files
            ]
        if turn.earlier_versions:
            data["earlier_versions"] = list(turn.earlier_versions)
        return {**data, **_marks(turn)}
    data = {"role": "assistant", **_reply_data(turn.reply), **_marks(turn)}
    others = [reply for index, reply in enumerate(turn.versions) if index != turn.selected]
    if others:
        data["selected"] = turn.selected
        data["other_versions"] = [_reply_data(reply) for reply in others]
    return data


def _reply_data(reply: Reply) -> dict[str, Any]:
    status = reply.status
    if status is ReplyStatus.STREAMING:
        # Saved while it streams: if the app never writes again, it was interrupted.
        status = ReplyStatus.INTERRUPTED
    data: dict[str, Any] = {
        "content": reply.content,
        "created": _time_text(reply.created_at),
        "model": reply.model,
        "status": str(status),
    }
    if reply.thinking:
        data["thinking"] = reply.thinking
    if reply.error:
        data["error"] = reply.error
    if reply.stats is not None:
        stats = {name: getattr(reply.stats, name) for name in STATS_FIELDS}
        data["stats"] = {name: value for name, value in stats.items() if value is not None}
        if reply.stats.done_reason is not None:
            data["stats"]["done_reason"] = reply.stats.done_reason
    if reply.first_token_s is not None:
        data["first_token_s"] = reply.first_token_s
    if reply.prompt_truncated:
        data["prompt_truncated"] = True
    if reply.truncation:
        data["truncation"] = reply.truncation
    if reply.prompt_version is not None:
        data["prompt_version"] = reply.prompt_version
    return data


def _time_text(moment: datetime) -> str:
    return moment.isoformat()


# -- from plain data -----------------------------------------------------------------


def check_version(top: dict[str, Any]) -> None:
    """Refuse a file without a format number, or from a newer version of the app."""
    version = top.get("format")
    if not isinstance(version, int) or isinstance(version, bool):
        raise UnreadableConversation("it has no format version number")
    if version > FORMAT_VERSION:
        raise UnreadableConversation(
            f"it was written by a newer ollama-tui (format {version}; this one reads "
            f"{FORMAT_VERSION})"
        )
    if version < 1:
        raise UnreadableConversation(f"format {version} is not a known version")


def from_data(data: object) -> tuple[Conversation, list[str]]:
    """A conversation, and notes about settings that had to be dropped."""
    top = _table(data, "the file")
    check_version(top)
    conversation_id = _text(top, "id")
    if not is_valid_id(conversation_id):
        raise UnreadableConversation("its id is not a plain identifier")
    settings, notes = ChatSettings.from_dict(top.get("settings", {}))
    messages = top.get("messages", [])
    if not isinstance(messages, list):
        raise UnreadableConversation("messages is not a list")
    turns = [_turn(_table(item, f"message {n}"), n) for n, item in enumerate(messages, 1)]
    conversation = Conversation(
        id=conversation_id,
        title=_text(top, "title", ""),
        model=_text(top, "model", ""),
        settings=settings,
        turns=turns,
        created_at=_time(top, "created"),
        updated_at=_time(top, "updated"),
        summary=_summary(top, len(turns)),
    )
    return conversation, notes


def _summary(top: dict[str, Any], turns: int) -> Summary | None:
    if "summary" not in top:
        return None
    data = _table(top["summary"], "the summary")
    covered = data.get("turns")
    if not isinstance(covered, int) or isinstance(covered, bool) or not 0 < covered <= turns:
        raise UnreadableConversation("the summary stands for turns that do not exist")
    return Summary(
        text=_text(data, "text"),
        turns=covered,
        model=_text(data, "model", ""),
        created_at=_time(data, "created"),
    )


def _file(data: dict[str, Any], where: str) -> FileAttachment:
    size = data.get("size", 0)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise UnreadableConversation(f"a file of {where} has a bad size")
    kind = _text(data, "kind", "text")
    if kind not in ("text", "pdf"):
        raise UnreadableConversation(f"a file of {where} is of an unknown kind")
    return FileAttachment(_text(data, "name"), _text(data, "text"), size, kind)


def _flag(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise UnreadableConversation(f"{where} has a bad {key}")
    return value


def is_valid_id(text: str) -> bool:
    """Ids become file names, so they are restricted to letters, digits, '-' and '_'."""
    return 0 < len(text) <= 64 and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text)


def _turn(data: dict[str, Any], number: int) -> Turn:
    role = data.get("role")
    where = f"message {number}"
    if role == "user":
        images = [
            Attachment(_text(image, "name"), _text(image, "data"))
            for image in (_table(item, f"an image of {where}") for item in _list(data, "images"))
        ]
        files = [_file(_table(item, f"a file of {where}"), where) for item in _list(data, "files")]
        earlier = _list(data, "earlier_versions")
        if not all(isinstance(text, str) for text in earlier):
            raise UnreadableConversation(f"{where} has an earlier version that is not text")
        return UserTurn(
            content=_text(data, "content"),
            images=images,
            model=_text(data, "model", ""),
            created_at=_time(data, "created"),
            earlier_versions=list(earlier),
            files=files,
            left_out=_flag(data, "left_out", where),
            unseen=_flag(data, "unseen", where),
        )
    if role == "assistant":
        selected_reply = _reply(data, where)
        others = [
            _reply(_table(item, f"a version of {where}"), where)
            for item in _list(data, "other_versions")
        ]
        selected = data.get("selected", 0)
        if not isinstance(selected, int) or not 0 <= selected <= len(others):
            raise UnreadableConversation(f"{where} selects a version that does not exist")
        versions = [*others[:selected], selected_reply, *others[selected:]]
        return AssistantTurn(
            versions,
            selected,
            left_out=_flag(data, "left_out", where),
            unseen=_flag(data, "unseen", where),
        )
    raise UnreadableConversation(f"{where} has role {str(role)[:20]!r}, not user or assistant")


def _reply(data: dict[str, Any], where: str) -> Reply:
    try:
        status = ReplyStatus(_text(data, "status", "complete"))
    except ValueError:
        raise UnreadableConversation(f"{where} has an unknown status") from None
    if status is ReplyStatus.STREAMING:
        status = ReplyStatus.INTERRUPTED
    stats = None
    if "stats" in data:
        raw = _table(data["stats"], f"the stats of {where}")
        values = {name: raw.get(name) for name in STATS_FIELDS}
        if not all(v is None or (isinstance(v, int) and v >= 0) for v in values.values()):
            raise UnreadableConversation(f"the stats of {where} are not whole numbers")
        reason = raw.get("done_reason")
        if reason is not None and not isinstance(reason, str):
            raise UnreadableConversation(f"the stats of {where} have a bad done_reason")
        stats = Stats(**values, done_reason=reason)
    first_token = data.get("first_token_s")
    if first_token is not None and (
        not isinstance(first_token, int | float) or isinstance(first_token, bool)
    ):
        raise UnreadableConversation(f"{where} has a bad first_token_s")
    truncated = data.get("prompt_truncated", False)
    if not isinstance(truncated, bool):
        raise UnreadableConversation(f"{where} has a bad prompt_truncated")
    prompt_version = data.get("prompt_version")
    if prompt_version is not None and (
        not isinstance(prompt_version, int) or isinstance(prompt_version, bool)
    ):
        raise UnreadableConversation(f"{where} has a bad prompt_version")
    return Reply(
        model=_text(data, "model", ""),
        content=_text(data, "content"),
        thinking=_text(data, "thinking", ""),
        status=status,
        error=_text(data, "error", ""),
        stats=stats,
        first_token_s=float(first_token) if first_token is not None else None,
        prompt_truncated=truncated,
        truncation=_text(data, "truncation", ""),
        created_at=_time(data, "created"),
        prompt_version=prompt_version,
    )


def _table(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnreadableConversation(f"{what} is not a table")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise UnreadableConversation(f"{key} is not a list")
    return value


_MISSING = object()


def _text(data: dict[str, Any], key: str, default: object = _MISSING) -> str:
    value = data.get(key, default)
    if value is _MISSING:
        raise UnreadableConversation(f"{key} is missing")
    if not isinstance(value, str):
        raise UnreadableConversation(f"{key} is not text")
    return value


def _time(data: dict[str, Any], key: str) -> datetime:
    value = data.get(key)
    if isinstance(value, datetime):  # a TOML datetime typed by hand
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        raise UnreadableConversation(f"{key} is missing or not a time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UnreadableConversation(f"{key} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- text formats ---------------------------------------------------------------------


def encode(data: dict[str, Any], fmt: str) -> bytes:
    """The file's bytes. Characters a terminal would act on or hide (C1 controls,
    bidi and invisible formatting) are written as escapes, so ``cat`` on a file is
    safe and every string still reads back exactly; lone surrogates, which UTF-8
    cannot hold, become U+FFFD."""
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        # TOML's multi-line strings keep long text readable, but a parser turns CRLF
        # into LF there, so text holding a CR is written with escapes instead.
        multiline = not _has_carriage_return(data)
        text = tomli_w.dumps(data, multiline_strings=multiline)
    return escape_unsafe(without_surrogates(text), fmt).encode("utf-8")


def decode(raw: bytes, fmt: str) -> object:
    """Parse a file's bytes; ``UnreadableConversation`` says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableConversation(f"it is not UTF-8 text (byte {error.start})") from None
    try:
        if fmt == "json":
            return safe_json.loads(text)
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UnreadableConversation(f"invalid TOML: {error}") from None
    except ValueError as error:
        raise UnreadableConversation(f"invalid JSON: {error}") from None
    except RecursionError:
        raise UnreadableConversation("it is nested too deeply") from None


def _has_carriage_return(value: object) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_has_carriage_return(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_carriage_return(v) for v in value)
    return False
