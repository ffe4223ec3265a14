"""Which files in a history folder are conversations, and what the browser shows of each.

A listing is read from a file's top-level keys without parsing its messages, so a
folder of long conversations lists quickly. Every read of a conversation file goes
through ``read_file``, which refuses links (unless asked), non-regular files and
files over ``MAX_FILE_BYTES``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ollama_tui.core.files import read_regular
from ollama_tui.core.history.codec import (
    FORMATS,
    UnreadableConversation,
    check_version,
    decode,
    is_valid_id,
)

MAX_FILE_BYTES = 256 * 1024 * 1024
"""A conversation file bigger than this is listed as too large rather than read."""
HEADER_END = re.compile(r"^\[", re.MULTILINE)
"""The first table header: a TOML file's top-level keys all come before it."""
MESSAGE_HEADER = "\n[[messages]]\n"


@dataclass(frozen=True)
class Listing:
    """What the browser shows for one file, read without parsing the messages."""

    id: str
    path: Path
    title: str = ""
    model: str = ""
    updated: datetime | None = None
    messages: int = 0
    problem: str = ""
    """Why the file cannot be opened; empty when it can."""


def read_file(path: Path, *, follow_symlinks: bool = False) -> bytes:
    """The bytes of a conversation file; ``OSError`` when it cannot or may not be read."""
    return read_regular(path, MAX_FILE_BYTES, follow_symlinks=follow_symlinks)


def conversation_files(directory: Path) -> list[Path]:
    """The entries of ``directory`` named as conversation files, in no order."""
    try:
        entries = list(os.scandir(directory))
    except OSError:  # missing, or not a folder: nothing to list
        return []
    # Links and other non-regular entries are listed too (as unreadable), so that
    # nothing in the folder is silently left out.
    return [
        Path(entry.path)
        for entry in entries
        if entry.name.rsplit(".", 1)[-1] in FORMATS
        and not entry.name.startswith(".")
        and not entry.is_dir(follow_symlinks=False)
    ]


def read_listing(path: Path) -> Listing:
    """The file's listing; one that cannot be opened says why in ``problem``."""
    conversation_id = path.stem
    if not is_valid_id(conversation_id):
        return Listing(conversation_id, path, problem="its name is not a conversation id")
    try:
        raw = read_file(path)
    except OSError as error:
        return Listing(conversation_id, path, problem=f"cannot read: {error.strerror}")
    fmt = path.suffix.lstrip(".")
    try:
        if fmt == "toml":
            head, count = _toml_head(raw)
        else:
            data = decode(raw, fmt)
            head = data if isinstance(data, dict) else {}
            messages = head.get("messages")
            count = len(messages) if isinstance(messages, list) else 0
        _check_head(head, conversation_id)
    except UnreadableConversation as error:
        return Listing(conversation_id, path, problem=str(error))
    updated = head.get("updated")
    try:
        moment = datetime.fromisoformat(updated) if isinstance(updated, str) else None
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Listing(
        conversation_id,
        path,
        title=str(head.get("title", "")),
        model=str(head.get("model", "")),
        updated=moment,
        messages=count,
    )


def _toml_head(raw: bytes) -> tuple[dict[str, object], int]:
    """The top-level keys, parsed alone, and the number of messages (by their headers)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableConversation("it is not UTF-8 text") from None
    match = HEADER_END.search(text)
    try:
        head = decode(text[: match.start()].encode("utf-8"), "toml") if match else None
    except UnreadableConversation:
        head = None  # a hand-edited file may not split there: read all of it
    if not isinstance(head, dict):
        head = decode(raw, "toml")
        assert isinstance(head, dict)
    count = text.count(MESSAGE_HEADER) + (1 if text.startswith(MESSAGE_HEADER[1:]) else 0)
    if "messages" in head:  # an inline array: count it properly
        messages = head["messages"]
        count = len(messages) if isinstance(messages, list) else 0
    return head, count


def _check_head(head: object, file_id: str) -> None:
    if not isinstance(head, dict):
        raise UnreadableConversation("it is not a table")
    check_version(head)
    if head.get("id") != file_id:
        raise UnreadableConversation("its id does not match its file name")
