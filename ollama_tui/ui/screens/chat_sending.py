"""From Enter to a finished reply: the checks a prompt passes before it is sent, the
reply begun and streamed, and what follows its end."""

from __future__ import annotations

from typing import Protocol

from ollama_tui.core.ollama import errors
from ollama_tui.ui.chatlog.messages import ReplyFinished
from ollama_tui.ui.messages import OpenPull
from ollama_tui.ui.screens.chat_parts import ChatParts
from ollama_tui.ui.screens.chat_switching import ConversationSwitch


class SendingParts(ChatParts, Protocol):
    switch: ConversationSwitch


class Sending:
    def __init__(self, screen: SendingParts) -> None:
        self.screen = screen
        self.checking = False
        """A prompt is being checked: keys bound to actions run between the checks'
        awaits, and must not start a reply or an edit of their own."""

    def busy(self) -> bool:
        """A reply is under way (or about to be): say so, and refuse."""
        screen = self.screen
        if screen.session.streaming is not None or self.checking:
            screen.notify("Stop the current reply first (Esc).", severity="warning")
            return True
        return screen.overflow.summary_pending()

    async def submit(self, text: str) -> None:
        """Send what was typed; a prompt that cannot go now goes back to the composer."""
        self.checking = True
        try:
            if not await self._send(text):
                self.screen.composer.give_back(text)
        finally:
            self.checking = False

    async def _send(self, text: str) -> bool:
        """Send ``text`` as the next prompt (or as the edited last one); False when it
        cannot be sent now, and the user has been told why."""
        screen = self.screen
        if screen.session.streaming is not None:
            screen.notify(
                "A reply is still being written. Wait for it, or press Esc to stop it.",
                severity="warning",
            )
            return False
        if screen.overflow.summary_pending():
            return False
        if not text.strip() and not screen.attachments:
            screen.welcome.close_first_run(typed=False)
            return True
        # Typed in one burst, a prompt can be sent before its keys' changes are seen.
        screen.welcome.close_first_run(typed=True)
        if not screen.conversation.model:
            screen.notify("Choose a model first.", severity="warning")
            screen.model.pick()
            return False
        if not await screen.switch.take_over() or not await screen.settings.valid():
            return False
        if not await screen.overflow.ready_to_send(text):
            return False
        if not screen.attachments.can_go():
            return False
        screen.composer.recall.append(text)
        conversation = screen.conversation  # taking it over may have reloaded it
        if screen.editing.active:
            conversation.edit_last_prompt(text)
            screen.editing.leave(sent=True)
        else:
            turn = conversation.add_prompt(text, *screen.attachments.take())
            screen.show_welcome(False)
            screen.chat_log.add_prompt(turn)
        screen.session.save()
        await self.begin_reply()
        return True

    async def begin_reply(self) -> None:
        screen = self.screen
        session = screen.session
        session.server_version = screen.shared.health.state.version
        new_turn = screen.conversation.last_assistant_turn is None
        # Before any wait: a key pressed meanwhile sees a reply under way.
        reply = session.begin_reply()
        screen.chat_log.begin_reply(reply, new_turn)
        if session.streaming is not reply:
            return  # stopped (Esc) while the view was made: nothing is asked for
        screen.refresh_status()
        screen.chat_log.stream(reply)

    def finished(self, event: ReplyFinished) -> None:
        screen = self.screen
        if not screen.session.finish(event.ended):
            return
        error = event.ended.error
        if error is not None:
            screen.shared.report_error(screen.chat_log, error)
            if isinstance(error, errors.ModelNotFound) and error.model:
                screen.post_message(OpenPull(error.model))
        screen.chat_log.finish_reply()
        screen.chat_log.refresh_marks()
        self.ended()

    def ended(self) -> None:
        """After a reply, finished or stopped: news from the log, the status, the window
        the model has now, and the meter."""
        screen = self.screen
        problem = screen.shared.log.news()
        if problem:
            screen.notify(problem, title="Generation log", severity="warning")
        screen.refresh_status()
        screen.refresh_running()
        screen.settings.recount()
