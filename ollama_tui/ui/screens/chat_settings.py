"""The chat's settings: the sidebar, the context meter and the checks made before
sending. The chat screen holds one ``ChatSettingsPanel``; its keys and buttons call it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import TextArea
from textual.worker import Worker

from ollama_tui.core import paths
from ollama_tui.core.conversation import AssistantTurn, Attachment, FileAttachment, with_files
from ollama_tui.core.ollama.types import Message as ApiMessage
from ollama_tui.core.presets import (
    Preset,
    PresetError,
    list_presets,
    save_new_chat_settings,
    save_preset,
)
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.settings import ChatSettings, next_think, think_label
from ollama_tui.core.tokens import Estimate
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.confirm import TextPrompt
from ollama_tui.ui.screens.presets import PresetPicker
from ollama_tui.ui.widgets.composer import Composer
from ollama_tui.ui.widgets.context_meter import ContextMeter
from ollama_tui.ui.widgets.sidebar import SettingsSidebar

COUNT_DELAY = 0.15
"""Seconds of quiet typing before the context meter recounts."""
SETTINGS_SAVE_DELAY = 1.0
"""Seconds of quiet in the sidebar before the conversation is saved with its settings."""


@dataclass
class Counted(Message):
    """The counting worker's estimate of the next request."""

    estimate: Estimate


class ChatSettingsPanel:
    def __init__(
        self,
        screen: Screen[None],
        shared: Shared,
        session: ChatSession,
        show_change: Callable[[], None],
    ) -> None:
        self.screen = screen
        self.shared = shared
        self.session = session
        self.show_change = show_change
        """Shows elsewhere what a change of settings changes (the status line)."""
        self.estimate: Estimate | None = None
        self.editing_last_prompt = False
        """The composer holds the last prompt, to be resent in its place."""
        self.pending: Callable[[], tuple[list[FileAttachment], list[Attachment]]] = lambda: (
            [],
            [],
        )
        """The files and the images waiting to go with the draft."""
        self._save_timer: Timer | None = None

    @property
    def composer(self) -> Composer:
        return self.screen.query_one(Composer)

    @property
    def sidebar(self) -> SettingsSidebar | None:
        """Built the first time it opens: its ~100 widgets would cost start-up a
        quarter of a second."""
        found = self.screen.query(SettingsSidebar)
        return found.first() if found else None

    async def ensure_sidebar(self) -> SettingsSidebar:
        sidebar = self.sidebar
        if sidebar is None:
            sidebar = SettingsSidebar(self.session.conversation.settings)
            await self.screen.mount(sidebar, before=self.screen.query_one("#chat-log"))
            self.load_sidebar()
        return sidebar

    def load_sidebar(self) -> None:
        sidebar = self.sidebar
        if sidebar is None:
            return
        state = self.shared.health.state
        conversation = self.session.conversation
        info = self.shared.catalog.info(conversation.model)
        sidebar.load(conversation.settings, info, state.version if state.connected else "")

    async def toggle(self) -> None:
        sidebar = await self.ensure_sidebar()
        opening = not sidebar.has_class("-open")
        sidebar.set_class(opening, "-open")
        if opening:
            self.load_sidebar()
            sidebar.query_one(TextArea).focus()
        else:
            self.composer.focus()

    async def open_at(self, key: str) -> None:
        """Open the sidebar with the focus on the setting ``key``."""
        sidebar = await self.ensure_sidebar()
        if not sidebar.has_class("-open"):
            await self.toggle()
        sidebar.focus_field(key)

    def changed(self) -> None:
        """Settings belong to the conversation: saved soon (not at every keystroke),
        and at exit."""
        self.show_change()
        self.recount()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.screen.set_timer(SETTINGS_SAVE_DELAY, self.save_now)

    def save_now(self) -> None:
        """Write settings changed in the last moments (before the chat moves on)."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
            self.session.save()

    def apply(self, settings: ChatSettings) -> None:
        """Replace this chat's settings (from a preset)."""
        self.session.conversation.settings = settings
        self.load_sidebar()
        self.changed()

    async def reset(self) -> None:
        sidebar = await self.ensure_sidebar()
        sidebar.reset_all()
        self.screen.notify("Every setting is back to the model's default.")

    def choose_preset(self) -> None:
        presets, problems = list_presets(paths.presets_dir())
        for problem in problems:
            self.screen.notify(sanitize_line(problem, 200), title="Presets", severity="warning")

        def chosen(preset: Preset | None) -> None:
            if preset is None:
                return
            self.apply(preset.settings.copy())
            dropped = f" Left out: {'; '.join(preset.problems)}" if preset.problems else ""
            self.screen.notify(sanitize_line(f"Applied {preset.name}.{dropped}", 300))

        self.screen.app.push_screen(PresetPicker(presets), chosen)

    async def save_preset(self) -> None:
        if not await self.valid("saving them as a preset"):
            return
        settings = self.session.conversation.settings.copy()

        def named(name: str | None) -> None:
            if not name:
                return
            try:
                path = save_preset(paths.presets_dir(), name, settings)
            except (OSError, PresetError) as error:
                self.screen.notify(str(error), title="Preset not saved", severity="error")
            else:
                self.screen.notify(f"Saved to {path}", title="Preset saved")

        prompt = TextPrompt(
            "Save the system prompt and options as a preset",
            "Enter saves (a preset of the same name is replaced) · Esc cancels",
            placeholder="Preset name",
        )
        self.screen.app.push_screen(prompt, named)

    async def make_default(self) -> None:
        if not await self.valid("using them for new chats"):
            return
        settings, path = self.session.conversation.settings, paths.new_chat_file()
        try:
            save_new_chat_settings(path, settings)
        except OSError as error:
            self.screen.notify(str(error), title="Not saved", severity="error")
            return
        self.shared.new_chat_settings = settings.copy()
        self.screen.notify(f"New chats start with these settings ({path}).")

    def toggle_think(self) -> bool:
        """Cycle thinking; False when the model cannot think (and the user was told)."""
        conversation = self.session.conversation
        capabilities = self.session.capabilities()
        if "thinking" not in (capabilities or ()):
            model = conversation.model or "this model"
            self.screen.notify(f"{sanitize_line(model, 60)} cannot think.", severity="warning")
            return False
        settings = conversation.settings
        settings.think = next_think(conversation.model, settings.think, capabilities)
        self.screen.notify(f"Thinking: {think_label(self.session.think_to_send())}")
        return True

    # -- the context meter ------------------------------------------------------------------

    def outgoing_messages(self) -> list[ApiMessage]:
        """The history the next prompt is added to (without the prompt being edited)."""
        messages = self.session.conversation.request_messages()
        if self.editing_last_prompt:
            while messages and messages[-1].role != "user":
                messages.pop()
            if messages:
                messages.pop()
        return messages

    def recount(self) -> Worker[None]:
        # The method, not a coroutine: a count replaced before it starts is never made.
        return self.screen.run_worker(
            self._count, group="count", exclusive=True, exit_on_error=False
        )

    async def _count(self) -> None:
        await asyncio.sleep(COUNT_DELAY)
        estimate = await asyncio.to_thread(self.estimate_next, self.composer.text)
        self.screen.post_message(Counted(estimate))

    def next_attachments(self) -> tuple[list[FileAttachment], list[Attachment]]:
        """The files and the images that go with the next prompt: the edited prompt's
        own while editing it, else those waiting."""
        edited = self.session.conversation.last_user_turn
        if self.editing_last_prompt and edited is not None:
            return edited.files, edited.images
        return self.pending()

    def draft(self, text: str) -> str:
        """The next prompt as the model will read it: with its files."""
        return with_files(text, self.next_attachments()[0])

    def estimate_next(self, text: str) -> Estimate:
        """The next request with ``text`` as its prompt (each file counted once, as it
        goes in the message)."""
        files, images = self.next_attachments()
        return self.shared.counter.estimate(
            self.session.conversation.model,
            self.outgoing_messages(),
            text,
            files=[with_files("", [attached]) for attached in files],
            images=len(images),
        )

    def counted(self, estimate: Estimate) -> None:
        self.estimate = estimate
        self.refresh_meter()

    def refresh_meter(self) -> None:
        window, note = self.session.context_window()
        conversation = self.session.conversation
        replies = (
            turn.reply
            for turn in reversed(conversation.turns)
            if isinstance(turn, AssistantTurn) and turn.reply.stats is not None
        )
        reply = next(replies, None)
        # Another model's count says nothing of this one's.
        last = None
        if reply is not None and reply.stats is not None and reply.model == conversation.model:
            last = reply.stats.prompt_eval_count
        self.screen.query_one(ContextMeter).show(self.estimate, window, note, last)

    # -- checks before sending ----------------------------------------------------------------

    async def valid(self, doing: str = "sending") -> bool:
        """Nothing invalid is ever sent or kept: say what to fix and show where."""
        settings = self.session.conversation.settings
        problems = settings.problems()
        if problems:
            self.screen.notify(
                f"Fix the settings before {doing}: " + "; ".join(problems),
                severity="error",
                timeout=6,
            )
            sidebar = await self.ensure_sidebar()
            if not sidebar.has_class("-open"):
                await self.toggle()
            # Where the fix is typed: the first setting that needs one.
            sidebar.focus_field(next(iter(settings.invalid)))
        return not problems
