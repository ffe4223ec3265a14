"""Saving conversations: soon after each change, off the event loop, newest snapshot
per conversation, never over a file another ollama-tui holds or changed."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.codec import to_data
from ollama_tui.core.history.store import (
    ChangedOnDisk,
    ConversationBusy,
    HistoryError,
    HistoryStore,
)


@dataclass(frozen=True)
class SaveFailed:
    """Saving stopped working (said once until it works again)."""

    reason: str


@dataclass(frozen=True)
class SaveWorksAgain:
    pass


@dataclass(frozen=True)
class HeldElsewhere:
    """Another ollama-tui holds the conversation on screen: nothing was written to its
    file. What this one had is saved as a copy once the screen leaves it."""

    conversation_id: str


@dataclass(frozen=True)
class ContinuedAsCopy:
    """The file of the conversation on screen changed under it: it is left as it is,
    and what this one has went to a copy, which the screen goes on with."""

    conversation_id: str
    copy_id: str
    title: str
    why: str


@dataclass(frozen=True)
class SavedAsCopy:
    """A conversation no longer on screen could not be written to its file."""

    why: str
    title: str


SaveNews = SaveFailed | SaveWorksAgain | HeldElsewhere | ContinuedAsCopy | SavedAsCopy


class ConversationSaver:
    def __init__(self, store: HistoryStore, on_news: Callable[[SaveNews], None]) -> None:
        self.store = store
        self.on_news = on_news
        self.showing: str | None = None
        """The conversation on screen: it stays held while it is shown."""
        self._unsaved: dict[str, dict[str, object]] = {}
        """Snapshots waiting to be written, newest per conversation."""
        self._writing: str | None = None
        self._turn = asyncio.Lock()
        self._failing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: dict[str, dict[str, object]] = {}
        """What could not be written because another ollama-tui holds the file."""
        self._copies: dict[str, tuple[str, str]] = {}
        """Conversations that went on as a copy: the copy's id and title, for the
        snapshots that still carry the old id."""

    def save(self, conversation: Conversation) -> None:
        """Write ``conversation`` soon; an empty one is not saved."""
        if conversation.turns:
            self._keep(to_data(conversation))
            self._write_soon()

    def _write_soon(self) -> None:
        task = asyncio.create_task(self._write_pending())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def keep_for_exit(self, conversation: Conversation) -> None:
        """Written by ``close``, with whatever changed in its last moments."""
        if conversation.turns:
            self._keep(to_data(conversation))

    def _keep(self, data: dict[str, object]) -> None:
        conversation_id = str(data["id"])
        if conversation_id in self._copies:
            conversation_id, title = self._copies[conversation_id]
            data = {**data, "id": conversation_id, "title": title}
        self._unsaved[conversation_id] = data

    def hold(self, conversation: Conversation) -> bool:
        """Hold ``conversation`` for writing, if no other ollama-tui holds it (a new
        one is held from its first save); False means read-only here."""
        return not self.store.has_file(conversation.id) or self.store.claim(conversation.id)

    def show(self, conversation_id: str) -> None:
        self.showing = conversation_id

    def left(self, conversation_id: str, *, superseded: bool = False) -> None:
        """The screen moved on: another ollama-tui may have the conversation once it is
        written. ``superseded``: it goes on as a copy, so nothing more of it is written."""
        if superseded:
            self._unsaved.pop(conversation_id, None)
        held = self._held.pop(conversation_id, None)
        if held is not None:
            title = self._save_as_copy(held)
            self._write_soon()
            why = "Another ollama-tui holds the conversation."
            self.on_news(SavedAsCopy(why, title))
        self._release_if_left(conversation_id)

    async def delete(self, conversation_id: str) -> Path:
        """Move a conversation to the trash; nothing of it waiting to be written is
        written after (it would bring the file back)."""
        self._unsaved.pop(conversation_id, None)
        async with self._turn:  # a write under way ends first
            return await asyncio.to_thread(self.store.delete, conversation_id)

    async def close(self) -> None:
        """Write everything still waiting (the app is quitting)."""
        for held in self._held.values():
            self._save_as_copy(held)
        self._held.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for conversation_id, data in list(self._unsaved.items()):
            with contextlib.suppress(Exception):  # nobody is left to tell
                self.store.save_data(conversation_id, data)
        self._unsaved.clear()

    async def _write_pending(self) -> None:
        failed: dict[str, dict[str, object]] = {}
        async with self._turn:
            while self._unsaved:
                conversation_id, data = self._unsaved.popitem()
                self._writing = conversation_id
                try:
                    await asyncio.to_thread(
                        partial(self.store.save_data, conversation_id, data, keep_claim=True)
                    )
                except (ConversationBusy, ChangedOnDisk) as error:
                    self._kept_from_the_file(conversation_id, data, error)
                except Exception as error:  # any failure is reported, and saving goes on
                    failed[conversation_id] = data
                    if not self._failing:
                        reason = error if isinstance(error, HistoryError) else type(error).__name__
                        self.on_news(SaveFailed(str(reason)))
                    self._failing = True
                else:
                    if self._failing:
                        self.on_news(SaveWorksAgain())
                    self._failing = False
                finally:
                    self._writing = None
                    if conversation_id not in failed:
                        self._release_if_left(conversation_id)
        # Kept to write at the next change (or at exit), unless a newer one came.
        for conversation_id, data in failed.items():
            self._unsaved.setdefault(conversation_id, data)

    def _kept_from_the_file(
        self, conversation_id: str, data: dict[str, object], error: HistoryError
    ) -> None:
        """The file is another ollama-tui's, or changed there: nothing of it is
        overwritten, and nothing this one had is lost."""
        if conversation_id == self.showing and isinstance(error, ConversationBusy):
            self._held[conversation_id] = data
            self.on_news(HeldElsewhere(conversation_id))
            return
        # A newer snapshot that came meanwhile goes to the copy too.
        title = self._save_as_copy(self._unsaved.pop(conversation_id, data))
        if conversation_id == self.showing:
            copy_id, _ = self._copies[conversation_id]
            self.showing = copy_id
            self.on_news(ContinuedAsCopy(conversation_id, copy_id, title, str(error)))
        else:
            self.on_news(SavedAsCopy(str(error), title))

    def _save_as_copy(self, data: dict[str, object]) -> str:
        """Queue ``data`` under a new id; its title says it is a copy."""
        copy_id = uuid.uuid4().hex
        title = f"{data.get('title') or 'Untitled'} (copy)"
        self._copies[str(data["id"])] = (copy_id, title)
        self._unsaved[copy_id] = {**data, "id": copy_id, "title": title}
        return title

    def _release_if_left(self, conversation_id: str) -> None:
        pending = conversation_id in self._unsaved or conversation_id == self._writing
        if not pending and conversation_id != self.showing:
            self.store.release(conversation_id)
