"""What message mode does to the message under its cursor: copy it or one of its code
blocks, edit and resend a prompt, regenerate a reply or show another version of it.

The last exchange is changed in place. An earlier one cannot be: the turns after it
answered what it said. So editing an earlier prompt, or regenerating an earlier
reply, continues in a new conversation that holds a copy of the turns before it; the
original stays as it was, in history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from ollama_tui.core.conversation import AssistantTurn, Conversation, UserTurn
from ollama_tui.core.sanitize import sanitize
from ollama_tui.ui.chatlog.messages import MessageChosen
from ollama_tui.ui.screens.chat_parts import ChatParts
from ollama_tui.ui.screens.confirm import Confirm
from ollama_tui.ui.screens.dialogs import CopyPicker

BRANCHED = "This continues in a new conversation; the original is kept as it was (F9 finds it)."


class ChatControls(ChatParts, Protocol):
    """What of the chat screen message mode uses."""

    def busy(self) -> bool: ...
    async def show_conversation(self, conversation: Conversation) -> None: ...
    async def action_regenerate(self) -> None: ...


class MessageActions:
    def __init__(self, screen: ChatControls) -> None:
        self.screen = screen

    async def chosen(self, event: MessageChosen) -> None:
        screen = self.screen
        turns = screen.conversation.turns
        if not 0 <= event.turn < len(turns):
            return
        turn = turns[event.turn]
        last = event.turn == len(turns) - 1 or (
            isinstance(turn, UserTurn) and event.turn == len(turns) - 2
        )
        if event.what == "copy":
            text = turn.content if isinstance(turn, UserTurn) else turn.reply.content
            screen.app.copy_to_clipboard(text)
        elif event.what == "code":
            self._copy_code(turn)
        elif event.what == "edit":
            await self._edit(event.turn, turn, last)
        elif event.what == "regenerate":
            await self._regenerate(event.turn, turn, last)
        elif isinstance(turn, AssistantTurn):
            await self._browse(turn, -1 if event.what == "older" else 1)

    def _copy_code(self, turn: UserTurn | AssistantTurn) -> None:
        text = turn.content if isinstance(turn, UserTurn) else turn.reply.content

        def picked(choice: str | None) -> None:
            if choice:
                self.screen.app.copy_to_clipboard(choice)

        whole = "The whole prompt" if isinstance(turn, UserTurn) else "The whole reply"
        self.screen.app.push_screen(CopyPicker(text, whole), picked)

    async def _edit(self, number: int, turn: UserTurn | AssistantTurn, last: bool) -> None:
        screen = self.screen
        if not isinstance(turn, UserTurn):
            screen.notify("Only your own prompts can be edited.", severity="warning")
            return
        if screen.busy():
            return
        screen.chat_log.cursor.leave()
        if last:
            screen.editing.start()
            return

        async def edit() -> None:
            screen.composer.text = sanitize(turn.content)
            screen.composer.move_cursor(screen.composer.document.end)

        self._branch(number, "edit an earlier prompt", edit)

    async def _regenerate(self, number: int, turn: UserTurn | AssistantTurn, last: bool) -> None:
        screen = self.screen
        if not isinstance(turn, AssistantTurn):
            screen.notify("Only replies can be regenerated.", severity="warning")
            return
        if screen.busy():
            return
        screen.chat_log.cursor.leave()
        if last:
            await screen.action_regenerate()
            return
        self._branch(number + 1, "regenerate an earlier reply", screen.action_regenerate)

    def _branch(self, turns: int, doing: str, then: Callable[[], Awaitable[None]]) -> None:
        """Once the user agrees (a letter in message mode must not start a new chat
        unasked), continue in a copy of the first ``turns`` turns and run ``then``."""
        screen = self.screen

        async def branch() -> None:
            await screen.show_conversation(screen.conversation.branch(turns))
            screen.session.save()
            await then()

        def answered(yes: bool | None) -> None:
            if yes:
                screen.call_later(branch)

        question = f"To {doing}, continue in a new conversation? {BRANCHED}"
        screen.app.push_screen(Confirm(question, yes="Continue", no="Cancel"), answered)

    async def _browse(self, turn: AssistantTurn, step: int) -> None:
        screen = self.screen
        if screen.session.streaming is not None and turn is screen.conversation.turns[-1]:
            screen.notify("Stop the current reply first (Esc).", severity="warning")
            return
        if not turn.browse(step):
            end = "first" if step < 0 else "last"
            screen.notify(f"This is the {end} version of this reply.", severity="warning")
            return
        screen.chat_log.show_version(turn)
        screen.session.save()
