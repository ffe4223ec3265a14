"""A conversation another ollama-tui holds: shown read-only, taken over once the other
lets it go, or continued here as a copy."""

from __future__ import annotations

import asyncio
import uuid

from textual.screen import Screen

from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.codec import UnreadableConversation
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.saver import ContinuedAsCopy
from ollama_tui.ui.news import say_saved_as_copy


class Ownership:
    def __init__(self, screen: Screen[None], session: ChatSession) -> None:
        self.screen = screen
        self.session = session

    def say_if_read_only(self) -> None:
        if self.session.read_only:
            self.screen.notify(
                "This conversation is open in another ollama-tui, so it is read-only here. "
                "Ctrl+N starts a new chat; Ctrl+P, then “Continue in a copy”, goes on with it "
                "here.",
                title="Read-only",
                severity="warning",
                timeout=12,
            )

    async def reclaim(self) -> Conversation | None:
        """The conversation as the other ollama-tui left it, once that one has let it go;
        None (having said why) while it holds it."""
        session = self.session
        store = session.saver.store
        conversation_id = session.conversation.id
        if not store.claim(conversation_id):
            self.say_if_read_only()
            return None
        try:
            conversation, _ = await asyncio.to_thread(store.load, conversation_id)
        except (OSError, UnreadableConversation) as error:
            store.release(conversation_id)
            self.screen.notify(str(error), title="Cannot reopen the conversation", severity="error")
            return None
        return conversation

    def held_elsewhere(self) -> None:
        """Saving found that another ollama-tui holds this conversation."""
        if not self.session.read_only:
            self.session.read_only = True
            self.say_if_read_only()

    def continue_in_copy(self) -> None:
        """Go on with this conversation under a new id, leaving the file as it is."""
        session = self.session
        conversation = session.conversation
        left = conversation.id
        conversation.id = uuid.uuid4().hex
        conversation.title = f"{conversation.title or 'Untitled'} (copy)"
        session.saver.show(conversation.id)
        session.saver.left(left, superseded=True)
        session.read_only = False
        self._say_continued("")
        session.save()

    def continued_as_copy(self, news: ContinuedAsCopy) -> None:
        """Saving found the file changed under it and wrote a copy: the chat goes on
        with the copy if it still shows that conversation."""
        conversation = self.session.conversation
        if conversation.id == news.conversation_id:
            conversation.id, conversation.title = news.copy_id, news.title
            self._say_continued(news.why)
            return
        self.session.saver.left(news.copy_id)
        say_saved_as_copy(self.screen, news.why, news.title)

    def _say_continued(self, why: str) -> None:
        title = sanitize_line(self.session.conversation.title, 80)
        self.screen.notify(
            f"{why} This chat goes on as a copy, “{title}”; the other is kept.".lstrip(),
            title="Continuing in a copy",
        )
