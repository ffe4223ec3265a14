"""Changing the conversation on screen: a new chat, another one from history, or the
same one taken back from another ollama-tui."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ollama_tui.core.conversation import Conversation
from ollama_tui.ui.screens.chat_parts import ChatParts
from ollama_tui.ui.screens.confirm import Confirm


class ConversationSwitch:
    def __init__(self, screen: ChatParts) -> None:
        self.screen = screen

    def after_stopping(self, doing: str, then: Callable[[], Awaitable[None]]) -> None:
        """Run ``then``; while a reply streams, only once the user agrees to stop it."""
        screen = self.screen
        if screen.session.streaming is None:
            screen.call_later(then)
            return

        def answered(stop: bool | None) -> None:
            if stop:
                screen.call_later(then)

        question = f"A reply is still being written. Stop it and {doing}?"
        screen.app.push_screen(Confirm(question, yes="Stop it", no="Keep it"), answered)

    async def new_chat(self) -> None:
        """Show a new, empty chat with the same model and the new-chat settings."""
        screen = self.screen
        settings = screen.shared.new_chat_settings.copy()
        await self.show(Conversation(model=screen.conversation.model, settings=settings))

    async def show(self, conversation: Conversation) -> None:
        """Switch to ``conversation`` (the current one is already saved)."""
        screen = self.screen
        await screen.action_stop()
        screen.settings.save_now()
        screen.shared.counter.forget()  # the counts of the chat left
        screen.session.switch_to(conversation)  # learns its replies' counts
        screen.ownership.say_if_read_only()
        if conversation.model:
            screen.set_model(conversation.model)
        screen.settings.load_sidebar()
        screen.editing.leave()
        screen.overflow.cancel()
        screen.attachments.add(None)
        screen.settings.recount()
        screen.refresh_status()
        screen.show_turns()
        screen.composer.focus()

    async def take_over(self) -> bool:
        """Before changing a read-only conversation: if the other ollama-tui has let it
        go, reload it (with what was added there) and go on."""
        screen = self.screen
        if not screen.session.read_only:
            return True
        conversation = await screen.ownership.reclaim()
        if conversation is None:
            return False
        # What the user was about to send stays: the draft, images, an edit under way.
        draft, attached = screen.composer.text, screen.attachments.take()
        editing, before_editing = screen.editing.active, screen.editing.draft_before
        await self.show(conversation)
        screen.composer.text = draft
        screen.attachments.keep(attached)
        if editing:
            screen.editing.resume(before_editing)
        screen.notify("The other ollama-tui let this conversation go: it is yours again.")
        return not screen.session.read_only
