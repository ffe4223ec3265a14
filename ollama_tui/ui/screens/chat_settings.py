"""The chat screen's settings half: the sidebar, the context meter and the checks made
before sending. ``ChatScreen`` extends it with the conversation itself."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, TextArea

from ollama_tui.core.conversation import AssistantTurn, Conversation
from ollama_tui.core.ollama.types import Message as ApiMessage
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.settings import THINK_LEVELS, ChatSettings, Think
from ollama_tui.core.tokens import Estimate, context_window, overflow_warning
from ollama_tui.services.health import ConnectionState
from ollama_tui.ui.screens.base import tui_of
from ollama_tui.ui.widgets.composer import Composer
from ollama_tui.ui.widgets.context_meter import ContextMeter
from ollama_tui.ui.widgets.sidebar import SettingsSidebar

if TYPE_CHECKING:
    from ollama_tui.ui.app import OllamaTUI

COUNT_DELAY = 0.15
"""Seconds of quiet typing before the context meter recounts."""
SETTINGS_SAVE_DELAY = 1.0
"""Seconds of quiet in the sidebar before the conversation is saved with its settings."""


@dataclass
class Counted(Message):
    """The counting worker's estimate of the next request."""

    estimate: Estimate


class ChatSettingsScreen(Screen[None]):
    conversation: Conversation
    editing: bool
    """The composer holds the last prompt, to be resent in its place."""
    estimate: Estimate | None
    _overflow_accepted_for: str | None
    _settings_save: Timer | None = None

    def refresh_status(self, state: ConnectionState | None = None) -> None:
        raise NotImplementedError

    def close_first_run(self, typed: bool) -> None:
        raise NotImplementedError

    @property
    def tui(self) -> OllamaTUI:
        return tui_of(self)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def sidebar(self) -> SettingsSidebar:
        return self.query_one(SettingsSidebar)

    @property
    def has_sidebar(self) -> bool:
        """The sidebar is built the first time it opens: its ~100 widgets would cost
        start-up a quarter of a second."""
        return bool(self.query(SettingsSidebar))

    async def ensure_sidebar(self) -> SettingsSidebar:
        if not self.has_sidebar:
            sidebar = SettingsSidebar(self.conversation.settings)
            await self.mount(sidebar, before=self.query_one("#chat-log"))
            self.load_sidebar()
        return self.sidebar

    # -- settings sidebar and context meter -------------------------------------

    def load_sidebar(self) -> None:
        if not self.has_sidebar:
            return
        model = self.conversation.model
        version = self.tui.connection.version if self.tui.connection.connected else ""
        self.sidebar.load(self.conversation.settings, self.tui.model_info.get(model), version)

    async def action_toggle_settings(self) -> None:
        sidebar = await self.ensure_sidebar()
        opening = not sidebar.has_class("-open")
        sidebar.set_class(opening, "-open")
        if opening:
            self.load_sidebar()
            sidebar.query_one(TextArea).focus()
        else:
            self.composer.focus()

    @on(SettingsSidebar.Changed)
    def settings_changed(self) -> None:
        self.refresh_status()
        self.recount()
        # Settings belong to the conversation: saved soon (not at every keystroke),
        # and at exit.
        if self._settings_save is not None:
            self._settings_save.stop()
        self._settings_save = self.set_timer(SETTINGS_SAVE_DELAY, self.save_settings_now)

    def save_settings_now(self) -> None:
        """Write settings changed in the last moments (before the chat moves on)."""
        if self._settings_save is not None:
            self._settings_save.stop()
            self._settings_save = None
            self.tui.save_conversation(self.conversation)

    @on(TextArea.Changed, "#composer")
    def draft_changed(self) -> None:
        if self.composer.text:
            self.close_first_run(typed=True)
        self.recount()

    @on(Button.Pressed, "#reset-all")
    async def reset_settings(self) -> None:
        sidebar = await self.ensure_sidebar()
        sidebar.reset_all()
        self.notify("Every setting is back to the model's default.")

    @on(Button.Pressed, "#save-preset")
    async def save_preset(self) -> None:
        if await self.settings_are_valid("saving them as a preset"):
            self.tui.open_save_preset(self.conversation.settings)

    @on(Button.Pressed, "#apply-preset")
    def choose_preset(self) -> None:
        self.tui.open_preset_picker()

    @on(Button.Pressed, "#make-default")
    async def make_default(self) -> None:
        if await self.settings_are_valid("using them for new chats"):
            self.tui.save_new_chat_settings(self.conversation.settings)

    # The palette runs these (see the table of actions).
    async def action_reset_settings(self) -> None:
        await self.reset_settings()

    async def action_save_preset(self) -> None:
        await self.save_preset()

    def action_choose_preset(self) -> None:
        self.choose_preset()

    async def action_make_default(self) -> None:
        await self.make_default()

    def apply_settings(self, settings: ChatSettings) -> None:
        """Replace this chat's settings (from a preset)."""
        self.conversation.settings = settings
        self.load_sidebar()
        self.settings_changed()

    def context_window(self) -> tuple[int | None, str]:
        model = self.conversation.model
        info = self.tui.model_info.get(model)
        return context_window(
            self.conversation.settings.options.get("num_ctx"),
            self.tui.running_context.get(model),
            info.context_length if info is not None else None,
        )

    def _outgoing_messages(self) -> list[ApiMessage]:
        """The history the next prompt is added to (without the prompt being edited)."""
        messages = self.conversation.request_messages()
        if self.editing:
            while messages and messages[-1].role != "user":
                messages.pop()
            if messages:
                messages.pop()
        return messages

    @work(group="count", exclusive=True, exit_on_error=False)
    async def recount(self) -> None:
        await asyncio.sleep(COUNT_DELAY)
        estimate = await asyncio.to_thread(
            self.tui.counter.estimate,
            self.conversation.model,
            self._outgoing_messages(),
            self.composer.text,
        )
        self.post_message(Counted(estimate))

    def on_counted(self, event: Counted) -> None:
        self.estimate = event.estimate
        self.refresh_meter()

    def refresh_meter(self) -> None:
        window, note = self.context_window()
        last = next(
            (
                turn.reply.stats.prompt_eval_count
                for turn in reversed(self.conversation.turns)
                if isinstance(turn, AssistantTurn) and turn.reply.stats is not None
            ),
            None,
        )
        self.query_one(ContextMeter).show(self.estimate, window, note, last)

    async def settings_are_valid(self, doing: str = "sending") -> bool:
        """Nothing invalid is ever sent or kept: say what to fix and show where."""
        problems = self.conversation.settings.problems()
        if problems:
            self.notify(
                f"Fix the settings before {doing}: " + "; ".join(problems),
                severity="error",
                timeout=6,
            )
            sidebar = await self.ensure_sidebar()
            if not sidebar.has_class("-open"):
                await self.action_toggle_settings()
            # Where the fix is typed: the first setting that needs one.
            sidebar.focus_field(next(iter(self.conversation.settings.invalid)))
        return not problems

    async def check_before_sending(self, text: str) -> bool:
        """Refuse invalid settings; warn once about a prompt that would overflow."""
        if not await self.settings_are_valid():
            return False
        messages = self._outgoing_messages()
        estimate = await asyncio.to_thread(
            self.tui.counter.estimate, self.conversation.model, messages, text
        )
        window, _ = self.context_window()
        if window is None or estimate.total <= window or self._overflow_accepted_for == text:
            return True
        self._overflow_accepted_for = text
        self.notify(
            overflow_warning(messages, estimate, window) + " Press Enter again to send "
            "anyway, raise num_ctx, or set truncate to refuse in the settings (F3).",
            title="Context overflow",
            severity="warning",
            timeout=15,
        )
        return False

    def _capabilities(self) -> frozenset[str] | None:
        info = self.tui.model_info.get(self.conversation.model)
        return info.capabilities if info is not None else None

    def _can_think(self) -> bool:
        return "thinking" in (self._capabilities() or ())

    def _takes_levels(self) -> bool:
        name = self.conversation.model.lower()
        return name.startswith("gpt-oss") or "gptoss" in name

    def effective_think(self) -> Think | None:
        """What is sent as ``think``: nothing to a model that cannot think; otherwise
        the setting, or ``true`` when unset, so that thoughts arrive apart from the
        answer instead of inline."""
        if not self._can_think():
            return None
        think = self.conversation.settings.think
        return True if think is None else think

    def _think_label(self) -> str:
        think = self.effective_think()
        if isinstance(think, str):
            return think
        return "on" if think else "off"

    def action_toggle_think(self) -> None:
        if not self._can_think():
            model = self.conversation.model or "this model"
            self.notify(f"{sanitize_line(model, 60)} cannot think.", severity="warning")
            return
        settings = self.conversation.settings
        cycle: list[Think] = list(THINK_LEVELS) if self._takes_levels() else [True, False]
        think = self.effective_think()
        index = cycle.index(think) if think in cycle else -1
        settings.think = cycle[(index + 1) % len(cycle)]
        self.settings_changed()
        self.notify(f"Thinking: {self._think_label()}")
