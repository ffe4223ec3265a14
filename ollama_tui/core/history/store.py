"""One file per conversation, written atomically, listed (``listing``) and searched
(``search``) without a database.

Rules that keep a user's words safe:
- a file is only ever replaced whole (temporary file, fsync, rename), ``0600`` in a
  ``0700`` folder;
- a file that does not parse, comes from a newer version, is a symbolic link or not a
  regular file, or shares its id with another file, is listed as unreadable and never
  read further, written, renamed or deleted;
- one process at a time writes a conversation: it holds a lock on it (``claim``), and
  another ollama-tui opens it read-only; a file changed on disk since this store last
  read or wrote it is never overwritten (``ChangedOnDisk``);
- deleting moves a file to ``trash/``; only "empty trash" removes it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from ollama_tui.core.conversation import Conversation
from ollama_tui.core.files import write_atomic
from ollama_tui.core.history.codec import (
    FORMATS,
    UnreadableConversation,
    decode,
    encode,
    from_data,
    is_valid_id,
    to_data,
)
from ollama_tui.core.history.listing import (
    Listing,
    conversation_files,
    read_file,
    read_listing,
)
from ollama_tui.core.history.search import SearchHit, find_hits

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; changes on disk are still detected
    fcntl = None  # type: ignore[assignment]

TRASH = "trash"
LOCKS = ".locks"
SHORT_ID = 8
"""How many of an id's characters the browser and exports show; ``--resume`` takes any
unique start of an id."""


class HistoryError(Exception):
    """Saving or moving a file failed; the text says what and where."""


class ConversationBusy(HistoryError):
    """Another ollama-tui holds the conversation; it was not written here."""


class ChangedOnDisk(HistoryError):
    """The file changed since this store read or wrote it, so it was not overwritten."""


class HistoryStore:
    def __init__(self, directory: Path, fmt: str = "toml") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"history format must be toml or json, not {fmt!r}")
        self.directory = directory
        self.format = fmt
        self._paths: dict[str, Path] = {}
        """Where each conversation this store read or wrote lives."""
        self._locks: dict[str, BinaryIO] = {}
        """Open lock files of the conversations this store holds (a store that is
        dropped closes them, and so lets its conversations go)."""
        self._seen: dict[str, tuple[int, int, int]] = {}
        """Each file as this store last read or wrote it: (inode, size, mtime_ns)."""
        self._writing = threading.Lock()
        """Writes come from worker threads and from the app's exit: one at a time."""
        self._claims = threading.Lock()

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
            if os.path.lexists(existing):
                return existing
        return self.directory / f"{conversation_id}.{self.format}"

    def save(self, conversation: Conversation, *, keep_claim: bool = False) -> Path:
        """Write the conversation; ``HistoryError`` leaves the old file as it was."""
        return self.save_data(conversation.id, to_data(conversation), keep_claim=keep_claim)

    def save_data(
        self, conversation_id: str, data: dict[str, object], *, keep_claim: bool = False
    ) -> Path:
        """Write a snapshot made with ``codec.to_data`` (so it can be taken on the UI
        thread and written on another). A claim taken for this write is let go after
        it, unless ``keep_claim``."""
        held = conversation_id in self._locks
        if not self.claim(conversation_id):
            raise ConversationBusy(
                f"{self.path_for(conversation_id)} is open in another ollama-tui, so it "
                "was not saved here."
            )
        written = False
        try:
            with self._writing:
                path = self._write(conversation_id, data)
            written = True
            return path
        finally:
            # A claim taken for this write goes after it, and also (keep_claim or not)
            # when the write failed: nothing of it was ours to keep.
            if not held and (not keep_claim or not written):
                self.release(conversation_id)

    def _write(self, conversation_id: str, data: dict[str, object]) -> Path:
        path = self.path_for(conversation_id)
        if conversation_id not in self._paths and os.path.lexists(path):
            self._refuse_if_unreadable(path)
        seen = self._seen.get(conversation_id)
        if seen is not None and _signature(path) not in (seen, None):
            raise ChangedOnDisk(
                f"{path} was changed by another program since it was opened, so it was "
                "not overwritten."
            )
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
        signature = _signature(path)
        if signature is not None:
            self._seen[conversation_id] = signature
        return path

    # -- one writer per conversation ------------------------------------------------

    def has_file(self, conversation_id: str) -> bool:
        return os.path.lexists(self.path_for(conversation_id))

    def claim(self, conversation_id: str) -> bool:
        """Hold the conversation for writing; False when another process holds it.
        The lock goes with the process, so a crash never leaves it held."""
        with self._claims:
            return self._claim(conversation_id)

    def _claim(self, conversation_id: str) -> bool:
        if conversation_id in self._locks:
            return True
        if fcntl is None or not is_valid_id(conversation_id):
            return True
        try:
            folder = self.directory / LOCKS
            self._make_directory(folder)
            fd = os.open(folder / f"{conversation_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            lock = os.fdopen(fd, "r+b")
        except OSError:
            return True  # no lock can be had here: changes on disk are still caught
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            lock.close()
            # Only a lock held elsewhere means busy; a file system without locks
            # leaves the conversation writable (changes on disk are still caught).
            return error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
        self._locks[conversation_id] = lock
        return True

    def release(self, conversation_id: str) -> None:
        with self._claims:
            lock = self._locks.pop(conversation_id, None)
            if lock is not None:
                lock.close()

    def is_claimed_elsewhere(self, conversation_id: str) -> bool:
        if conversation_id in self._locks:
            return False
        if not self.claim(conversation_id):
            return True
        self.release(conversation_id)
        return False

    def _refuse_if_unreadable(self, path: Path) -> None:
        problem = read_listing(path).problem
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
        before = _signature(path)
        conversation, notes = self.load_file(path, follow_symlinks=False)
        if conversation.id != conversation_id:
            raise UnreadableConversation("its id does not match its file name")
        self._paths[conversation_id] = path
        if before is not None:
            # As it was when reading began: a change during the read is caught too.
            self._seen[conversation_id] = before
        return conversation, notes

    @staticmethod
    def load_file(path: Path, *, follow_symlinks: bool = True) -> tuple[Conversation, list[str]]:
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise UnreadableConversation("it is neither .toml nor .json")
        raw = read_file(path, follow_symlinks=follow_symlinks)
        return from_data(decode(raw, fmt))

    def listings(self) -> list[Listing]:
        """Every conversation file, most recently updated first; unreadable ones last.
        Of two files with the same id, the one ``load`` opens is listed as it is and
        the other as unreadable."""
        listings = [read_listing(path) for path in conversation_files(self.directory)]
        opened = {item.id: self.path_for(item.id) for item in listings if not item.problem}
        listings = [
            item
            if item.problem or item.path == opened[item.id]
            else replace(item, problem=f"another file, {opened[item.id].name}, has its id")
            for item in listings
        ]
        readable = [item for item in listings if not item.problem]
        readable.sort(key=lambda item: item.updated or datetime.min.replace(tzinfo=UTC))
        readable.reverse()
        return readable + [item for item in listings if item.problem]

    def most_recent(self) -> Listing | None:
        return next((item for item in self.listings() if not item.problem), None)

    # -- search ---------------------------------------------------------------------

    def search(self, query: str) -> list[SearchHit]:
        """Conversations whose title or any message holds ``query`` (any case)."""
        return find_hits(self.listings(), query)

    # -- trash ----------------------------------------------------------------------

    def delete(self, conversation_id: str) -> Path:
        """Move the file to the trash (a same-named file there is kept too)."""
        path = self.path_for(conversation_id)
        if self.is_claimed_elsewhere(conversation_id):
            raise HistoryError(f"{path} is open in another ollama-tui; it was not moved.")
        self._refuse_if_unreadable(path)
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
        self._seen.pop(conversation_id, None)
        self.release(conversation_id)
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
        except OSError:
            return 0


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from another, or None when there is no file."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)
