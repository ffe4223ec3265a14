"""Before a prompt goes out: a request that does not fit the window (or only just) is
held, and a dialog says what Ollama would drop and offers the remedies: raise
num_ctx, compact the oldest turns into a summary, leave out older turns, send anyway
or cancel. After a remedy the prompt is sent again, and checked again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.screen import Screen

from ollama_tui.core.conversation import Conversation, Summary
from ollama_tui.core.formatting import human_size
from ollama_tui.core.ollama import errors
from ollama_tui.core.remedies import (
    Older,
    compact_budget,
    older_turns,
    raised_num_ctx,
    summary_request,
    turns_to_compact,
)
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.tokens import Estimate
from ollama_tui.core.truncation import (
    dropped_messages,
    needs_warning,
    overflow_warning,
    reply_room,
    safe_limit,
)
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.compactor import summarize
from ollama_tui.ui.chatlog.view import ChatLog
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.chat_settings import ChatSettingsPanel
from ollama_tui.ui.screens.overflow import LeaveOutDialog, OverflowDialog, Remedy, SummaryEditor
from ollama_tui.ui.widgets.composer import Composer

TEMPLATE_WORTH_A_LOAD = 0.8
"""A first request this full by the general estimate is counted exactly before it goes,
even if that loads the model."""


class OverflowGuard:
    def __init__(
        self,
        screen: Screen[None],
        shared: Shared,
        session: ChatSession,
        settings: ChatSettingsPanel,
        settings_changed: Callable[[], None],
    ) -> None:
        self.screen = screen
        self.shared = shared
        self.session = session
        self.settings = settings
        self.settings_changed = settings_changed
        """What the chat does when a setting changes (num_ctx: the window is asked)."""
        self._accepted_for: str | None = None
        """A prompt the user chose to send as it is."""
        self.compacting = False
        """The model is writing a summary (the chat waits for it)."""
        self.probing: asyncio.Task[None] | None = None
        """The server renders the template before a first request (it may load the
        model: Esc stops waiting for it)."""
        self._probe_stopped = False

    def summary_pending(self) -> bool:
        """The model is writing a summary, which the next request needs: say so."""
        if self.compacting:
            self.screen.notify("The model is writing a summary: wait for it.", severity="warning")
        return self.compacting

    @property
    def conversation(self) -> Conversation:
        return self.session.conversation

    async def ready_to_send(self, text: str) -> bool:
        """False (and the dialog opens) when the request would overflow the window."""
        messages = self.settings.outgoing_messages()
        model = self.conversation.model
        counter = self.shared.counter
        estimate = await asyncio.to_thread(self.settings.estimate_next, text)
        window, _ = self.session.context_window()
        if window is not None and counter.needs_template(model):
            # Nothing calibrated yet: the template's own parts are asked of the server
            # when that is free (the model is loaded) or worth a load (it may not fit).
            loaded = self.shared.catalog.loaded(model) is not None
            if loaded or estimate.total >= window * TEMPLATE_WORTH_A_LOAD:
                if not loaded:
                    self.screen.notify(
                        f"Loading {sanitize_line(model, 40)} to count this prompt as it will… "
                        "(Esc stops)"
                    )
                self.session.server_version = self.shared.health.state.version
                if not await self._probe():
                    return False
                estimate = await asyncio.to_thread(self.settings.estimate_next, text)
        if window is None or not needs_warning(estimate, window):
            return True
        if self._accepted_for == text:
            self._accepted_for = None  # for this sending only
            return True
        warning = overflow_warning(messages, estimate, window)
        title = "The request does not fit the context window"
        if estimate.total <= window:
            title = "The request may not fit the context window"
        dialog = OverflowDialog(title, warning, self._remedies(estimate, window))
        self.screen.app.push_screen(dialog, lambda choice: self._chosen(choice, text, estimate))
        return False

    async def _probe(self) -> bool:
        """Learn the template; False when the user stopped it (Esc)."""
        self.probing = asyncio.create_task(self.session.learn_template())
        self._probe_stopped = False
        try:
            await self.probing
        except asyncio.CancelledError:
            if not self._probe_stopped:
                raise  # the chat itself is going away
            self.screen.notify("Stopped: the prompt is back in the editor, not sent.")
            return False
        finally:
            self.probing = None
        return True

    def stop_probing(self) -> bool:
        """Esc while the template is rendered: stop waiting (the prompt is not sent).
        False when there is nothing to stop (it has just ended, say)."""
        if self.probing is None or not self.probing.cancel():
            return False
        self._probe_stopped = True
        return True

    def _remedies(self, estimate: Estimate, window: int) -> list[Remedy]:
        model = self.conversation.model
        info = self.shared.catalog.info(model)
        most = info.context_length if info is not None else None
        size = raised_num_ctx(estimate, most)
        if size is None or size <= window:
            most_text = f" ({most:,})" if most else ""
            why = f"the model's maximum{most_text} leaves no room for a reply"
            raise_it = Remedy("raise", "r", "Raise num_ctx", why)
        else:
            text = f"Raise num_ctx to {size:,} (now {window:,}): the model reloads; "
            raise_it = Remedy("raise", "r", text + self._memory(model))
        turns = turns_to_compact(self.conversation, estimate, window)
        if turns:
            compact = Remedy(
                "compact", "c", f"Compact: the model summarizes the first {turns} messages"
            )
        else:
            alone = estimate.next_prompt + estimate.fixed + reply_room(window) > window
            why = "the new prompt alone is too long" if alone else "nothing old to summarize"
            compact = Remedy("compact", "c", "Compact older messages", why)
        older = bool(self._older(estimate, [], sending=True))
        leave = Remedy(
            "leave-out",
            "l",
            "Leave out older messages you choose, or put them back",
            "" if older else "there are no older messages",
        )
        return [raise_it, compact, leave, Remedy("send", "s", "Send anyway")]

    def _memory(self, model: str) -> str:
        loaded = self.shared.catalog.loaded(model)
        if loaded is None or not loaded.size:
            return "not loaded now"
        gpu = f", {human_size(loaded.size_vram)} on the GPU" if loaded.size_vram else ""
        return f"loaded now: {human_size(loaded.size)}{gpu}, more with a larger window"

    def cancel(self) -> None:
        """The chat moves to another conversation: a summary being written is not for it."""
        self.screen.workers.cancel_group(self.screen, "compact")
        self.compacting = False

    def _chosen(self, choice: str | None, text: str, estimate: Estimate) -> None:
        if choice == "send":
            self._accepted_for = text
            self._send_again()
        elif choice == "raise":
            self._raise(estimate)
        elif choice == "compact":
            self.screen.run_worker(self._compact(estimate), group="compact", exclusive=True)
        elif choice == "leave-out":
            self._leave_out(estimate, sending=True)

    def _send_again(self) -> None:
        self.screen.query_one(Composer).send()

    def _raise(self, estimate: Estimate) -> None:
        info = self.shared.catalog.info(self.conversation.model)
        size = raised_num_ctx(estimate, info.context_length if info is not None else None)
        if size is None:
            return
        self.conversation.settings.options["num_ctx"] = size
        self.settings.load_sidebar()
        self.settings_changed()
        self.screen.notify(f"num_ctx is {size:,} for this chat (F3 to change it).")
        self._send_again()

    async def _compact(self, estimate: Estimate) -> None:
        conversation = self.conversation
        window, _ = self.session.context_window()
        turns = turns_to_compact(conversation, estimate, window or 0)
        if not turns:
            return
        model = conversation.model
        self.screen.notify(f"{sanitize_line(model, 40)} is summarizing the first {turns} messages…")
        tokens, _ = compact_budget(window or 0)
        options = self._summary_options(turns, tokens)
        self.compacting = True
        try:
            text = await summarize(self.shared.client, conversation, turns, tokens, options)
        except errors.OllamaError as error:
            self.screen.notify(f"The summary failed: {error.explain()}", severity="error")
            return
        finally:
            self.compacting = False
        if not text:
            self.screen.notify("The model wrote no summary.", severity="warning")
            return

        def edited(final: str | None) -> None:
            if final is None:
                return
            if self.conversation is not conversation:
                self.screen.notify("The chat changed: that summary was not used.")
                return
            self.set_summary(final, turns)
            self._send_again()

        self.screen.app.push_screen(SummaryEditor(text, turns), edited)

    def _summary_options(self, turns: int, tokens: int) -> dict[str, object]:
        """The chat's options, with a window that holds the turns to summarize (the
        model reloads for it, and again for the next message, unless it fits)."""
        options: dict[str, object] = dict(self.conversation.settings.options)
        model = self.conversation.model
        request = summary_request(self.conversation, turns, tokens)
        estimate = self.shared.counter.estimate(model, request)
        info = self.shared.catalog.info(model)
        size = raised_num_ctx(estimate, info.context_length if info is not None else None)
        current = options.get("num_ctx")
        if size is not None and (not isinstance(current, int) or current < size):
            options["num_ctx"] = size
        return options

    def set_summary(self, text: str, turns: int) -> None:
        """``text`` stands for the first ``turns`` turns from now on ("": no summary)."""
        model = self.conversation.model
        self.conversation.summary = Summary(text, turns, model) if text else None
        self._conversation_changed()

    def edit_summary(self) -> None:
        summary = self.conversation.summary
        if self._read_only():
            return
        if summary is None:
            self.screen.notify("This chat has no summary: compact it when it overflows.")
            return

        def edited(final: str | None) -> None:
            if final is not None:
                self.set_summary(final, summary.turns)

        self.screen.app.push_screen(SummaryEditor(summary.text, summary.turns), edited)

    def choose_left_out(self) -> None:
        """Choose the older turns left out of requests (or put them back): all before
        the last prompt, which the reply to come, a regeneration or an edit needs."""
        if self._read_only():
            return
        messages = self.settings.outgoing_messages()
        estimate = self.shared.counter.estimate(self.conversation.model, messages)
        self._leave_out(estimate, sending=False)

    def _leave_out(self, estimate: Estimate, sending: bool) -> None:
        window, _ = self.session.context_window()
        messages = self.settings.outgoing_messages()
        roles = [m.role for m in messages] + ["user"]
        # Checked to begin with: the oldest that must go for the request to fit with
        # room for a reply (else the warning would come straight back).
        dropped = (
            dropped_messages(
                roles, estimate.per_message, safe_limit(estimate, window), estimate.fixed
            )
            if window
            else []
        )
        older = self._older(estimate, dropped if sending else [], sending)
        if not older:
            self.screen.notify("There are no older messages to leave out.")
            return
        left_out = {o.turn for o in older if self.conversation.turns[o.turn].left_out}

        def chosen(turns: list[int] | None) -> None:
            if turns is None:
                return
            for o in older:
                self.conversation.turns[o.turn].left_out = o.turn in turns
            self._conversation_changed()
            if sending:
                self._send_again()

        self.screen.app.push_screen(LeaveOutDialog(older, left_out), chosen)

    def _older(self, estimate: Estimate, dropped: list[int], sending: bool) -> list[Older]:
        counter, model = self.shared.counter, self.conversation.model
        return older_turns(
            self.conversation,
            estimate,
            dropped,
            self._first_kept_turn(sending),
            lambda text: round(counter.scale(model).message(counter.count_text(text))),
        )

    def _first_kept_turn(self, sending: bool) -> int:
        """The first turn that cannot be left out: the prompt being sent (after every
        turn), else the last prompt (being edited, or answered by the last reply)."""
        turns = self.conversation.turns
        if sending and not self.settings.editing_last_prompt:
            return len(turns)
        last = self.conversation.last_user_turn
        return next((n for n, turn in enumerate(turns) if turn is last), len(turns))

    def _read_only(self) -> bool:
        if self.session.read_only:
            self.screen.notify(
                "Another ollama-tui has this conversation: it is shown here, not changed.",
                severity="warning",
            )
        return self.session.read_only

    def _conversation_changed(self) -> None:
        self.conversation.touch()
        self.session.save()
        self.screen.query_one(ChatLog).refresh_marks()
        self.settings.recount()
