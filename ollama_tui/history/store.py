"""One file per conversation, written atomically, listed and searched without a database.

Rules that keep a user's words safe:
- a file is only ever replaced whole (temporary file, fsync, rename), ``0600`` in a
  ``0700`` folder;
- a file that does not parse, or comes from a newer version, is listed as unreadable
  and never written, renamed or deleted;
- deleting moves a file to ``trash/``; only "empty trash" removes it.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ollama_tui.conversation import AssistantTurn, Conversation
from ollama_tui.files import write_atomic
from ollama_tui.history.codec import (
    FORMATS,
    UnreadableConversation,
    check_version,
    decode,
    encode,
    from_data,
    is_valid_id,
    to_data,
)
from ollama_tui.sanitize import sanitize_line

TRASH = "trash"
HEADER_END = re.compile(r"^\[", re.MULTILINE)
"""The first table header: a TOML file's top-level keys all come before it."""
MESSAGE_HEADER = "\n[[messages]]\n"
SNIPPET_RADIUS = 40


class HistoryError(Exception):
    """Saving or moving a file failed; the text says what and where."""


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


@dataclass(frozen=True)
class SearchHit:
    listing: Listing
    snippet: str


class HistoryStore:
    def __init__(self, directory: Path, fmt: str = "toml") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"history format must be toml or json, not {fmt!r}")
        self.directory = directory
        self.format = fmt
        self._paths: dict[str, Path] = {}
        """Where each conversation this store read or wrote lives."""

    @property
    def trash(self) -> Path:
        return self.directory / TRASH

    # -- saving ---------------------------------------------------------------------

    def path_for(self, conversation_id: str) -> Path:
        if not is_valid_id(conversation_id):
            raise HistoryError(f"{conversation_id[:40]!r} is not a valid conversation id")
        known = self._paths.get(conversation_id)
        if known is not None:
            return known
        for fmt in FORMATS:
            existing = self.directory / f"{conversation_id}.{fmt}"
            if existing.exists():
                return existing
        return self.directory / f"{conversation_id}.{self.format}"

    def save(self, conversation: Conversation) -> Path:
        """Write the conversation; ``HistoryError`` leaves the old file as it was."""
        return self.save_data(conversation.id, to_data(conversation))

    def save_data(self, conversation_id: str, data: dict[str, object]) -> Path:
        """Write a snapshot made with ``codec.to_data`` (so it can be taken on the UI
        thread and written on another)."""
        path = self.path_for(conversation_id)
        if conversation_id not in self._paths and path.exists():
            self._refuse_if_unreadable(path)
        try:
            raw = encode(data, path.suffix.lstrip("."))
        except Exception as error:  # the data itself could not be written as a file
            raise HistoryError(f"Could not save {path}: {type(error).__name__}") from None
        try:
            self._make_directory(self.directory)
            write_atomic(path, raw)
        except OSError as error:
            raise HistoryError(f"Could not save {path}: {error.strerror or error}") from None
        self._paths[conversation_id] = path
        return path

    def _refuse_if_unreadable(self, path: Path) -> None:
        problem = self._read_listing(path).problem
        if problem:
            raise HistoryError(f"{path} is unreadable ({problem}), so it was left untouched.")

    @staticmethod
    def _make_directory(directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            directory.chmod(0o700)

    # -- reading --------------------------------------------------------------------

    def load(self, conversation_id: str) -> tuple[Conversation, list[str]]:
        """The conversation and notes on settings that were dropped; raises
        ``UnreadableConversation`` or ``OSError``."""
        path = self.path_for(conversation_id)
        conversation, notes = self.load_file(path)
        if conversation.id != conversation_id:
            raise UnreadableConversation("its id does not match its file name")
        self._paths[conversation_id] = path
        return conversation, notes

    @staticmethod
    def load_file(path: Path) -> tuple[Conversation, list[str]]:
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise UnreadableConversation("it is neither .toml nor .json")
        return from_data(decode(path.read_bytes(), fmt))

    def listings(self) -> list[Listing]:
        """Every conversation file, most recently updated first; unreadable ones last."""
        listings = [self._read_listing(path) for path in self._files()]
        readable = [item for item in listings if not item.problem]
        readable.sort(key=lambda item: item.updated or datetime.min.replace(tzinfo=UTC))
        readable.reverse()
        return readable + [item for item in listings if item.problem]

    def most_recent(self) -> Listing | None:
        return next((item for item in self.listings() if not item.problem), None)

    def _files(self) -> list[Path]:
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return []
        return [
            Path(entry.path)
            for entry in entries
            if entry.is_file() and entry.name.rsplit(".", 1)[-1] in FORMATS
        ]

    def _read_listing(self, path: Path) -> Listing:
        conversation_id = path.stem
        try:
            raw = path.read_bytes()
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

    # -- search ---------------------------------------------------------------------

    def search(self, query: str) -> list[SearchHit]:
        """Conversations whose title or any message holds ``query`` (any case)."""
        needle = query.strip().casefold()
        if not needle:
            return []
        hits = []
        for listing in self.listings():
            if listing.problem:
                continue
            if needle in listing.title.casefold():
                hits.append(SearchHit(listing, sanitize_line(listing.title, 80)))
                continue
            try:
                raw = listing.path.read_bytes()
            except OSError:
                continue
            if not _may_contain(raw, needle):
                continue
            try:
                conversation, _ = from_data(decode(raw, listing.path.suffix.lstrip(".")))
            except UnreadableConversation:
                continue
            snippet = _find_snippet(conversation, needle)
            if snippet:
                hits.append(SearchHit(listing, snippet))
        return hits

    # -- trash ----------------------------------------------------------------------

    def delete(self, conversation_id: str) -> Path:
        """Move the file to the trash (a same-named file there is kept too)."""
        path = self.path_for(conversation_id)
        self._make_directory(self.trash)
        target = self.trash / path.name
        stamp = 1
        while target.exists():
            target = self.trash / f"{path.stem}.{stamp}{path.suffix}"
            stamp += 1
        try:
            os.replace(path, target)
        except OSError as error:
            raise HistoryError(f"Could not move {path} to the trash: {error.strerror}") from None
        self._paths.pop(conversation_id, None)
        return target

    def empty_trash(self) -> int:
        removed = 0
        try:
            entries = list(os.scandir(self.trash))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if entry.is_file():
                try:
                    os.unlink(entry.path)
                except OSError as error:
                    raise HistoryError(f"Could not remove {entry.path}: {error}") from None
                removed += 1
        return removed

    def trash_count(self) -> int:
        try:
            return sum(1 for entry in os.scandir(self.trash) if entry.is_file())
        except FileNotFoundError:
            return 0


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


def _may_contain(raw: bytes, needle: str) -> bool:
    """A cheap pre-check on a file's bytes. Text can be escaped in a file (quotes,
    backslashes, control characters, and non-ASCII as \\u escapes in JSON written by
    other programs), so only a plain ASCII needle is ruled out by not appearing verbatim."""
    if not needle.isascii() or not needle.isprintable() or any(ch in needle for ch in "\"\\'"):
        return True
    return needle in raw.decode("utf-8", errors="replace").casefold()


def _find_snippet(conversation: Conversation, needle: str) -> str:
    for turn in conversation.turns:
        texts = (
            [reply.content for reply in turn.versions]
            if isinstance(turn, AssistantTurn)
            else [turn.content]
        )
        for text in texts:
            at = text.casefold().find(needle)
            if at >= 0:
                start = max(0, at - SNIPPET_RADIUS)
                end = at + len(needle) + SNIPPET_RADIUS
                prefix = "…" if start else ""
                suffix = "…" if end < len(text) else ""
                return prefix + sanitize_line(text[start:end], 2 * SNIPPET_RADIUS + 60) + suffix
    return ""
