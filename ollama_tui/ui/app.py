"""The Textual application: global bindings, connection health and wiring."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from ollama_tui.core import clipboard, paths
from ollama_tui.core.config import DEFAULT_THEME, Config, remember, write_template
from ollama_tui.core.conversation import Attachment, Conversation
from ollama_tui.core.history.codec import UnreadableConversation, to_data
from ollama_tui.core.history.store import (
    ChangedOnDisk,
    ConversationBusy,
    HistoryError,
    HistoryStore,
)
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.errors import (
    MalformedResponse,
    OllamaError,
    StreamEndedEarly,
    Unreachable,
)
from ollama_tui.core.ollama.types import ModelInfo
from ollama_tui.core.presets import (
    Preset,
    PresetError,
    list_presets,
    load_new_chat_settings,
    save_new_chat_settings,
    save_preset,
)
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.core.settings import ChatSettings
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.services.health import HEALTHY_POLL_SECONDS, ConnectionState, backoff
from ollama_tui.services.pulls import PullJob
from ollama_tui.ui.actions import BY_ID, check_keymap, in_scope, key_label, keys_of
from ollama_tui.ui.app_pulls import PullingApp
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.compat import recognise_alt_enter
from ollama_tui.ui.screens.chat import ChatScreen, FirstRunClosed
from ollama_tui.ui.themes import load_themes, semantic_defaults
from ollama_tui.ui.widgets.compact_blocks import warm_code_highlighting
from ollama_tui.ui.widgets.layout_once import lay_out_once

PRELOAD_DELAY = 0.5
TOAST_CHARS = 1000
"""A toast longer than this (a server can send a whole page as an error) is cut."""
THEME_SAVE_DELAY = 1.0
GC_THRESHOLDS = (5000, 20, 20)
"""Textual makes many short-lived objects: with Python's default of a collection
every 700 allocations, the collector took ~0.4 s of CPU per 2,000 streamed tokens."""


class OllamaTUI(PullingApp):
    TITLE = "ollama-tui"
    CSS_PATH = "app.tcss"

    BINDINGS = bindings("app")

    connection: reactive[ConnectionState] = reactive(ConnectionState, init=False)
    """What the last contact with the server said."""

    @dataclass
    class ModelInfoLoaded(Message):
        info: ModelInfo

    def __init__(
        self,
        config: Config,
        client: OllamaClient,
        store: HistoryStore,
        conversation: Conversation | None = None,
    ) -> None:
        super().__init__()
        lay_out_once()
        recognise_alt_enter()
        self.config = config
        self.client = client
        self.store = store
        self._first_conversation = conversation
        self._unsaved: dict[str, dict[str, object]] = {}
        """Snapshots waiting to be written, newest per conversation."""
        self._writing: str | None = None
        """The conversation whose snapshot is being written now."""
        self._save_turn = asyncio.Lock()
        self._copying = asyncio.Lock()
        self._save_failing = False
        self.model_info: dict[str, ModelInfo] = {}
        """``/api/show`` answers by model name, shared by the picker and the chat."""
        self.new_chat_settings, self._settings_problems = load_new_chat_settings(
            paths.new_chat_file()
        )
        if config.new_chat is not None and not paths.new_chat_file().exists():
            self.new_chat_settings = config.new_chat.copy()
        self._theme_problems = self._register_themes()
        self._saved_theme = self.theme
        self._keymap_problems = self._apply_keymap(config.keymap)
        self.counter = ContextCounter(Tokenizer())
        self.running_context: dict[str, int] = {}
        """Context length each loaded model was given, from ``/api/ps``."""
        self._recheck = asyncio.Event()
        self._picker_open = False
        self._asked_for_model = False
        self._welcoming = False
        self._picker_after_welcome = False

    # -- themes, keys, config ---------------------------------------------------------

    def _register_themes(self) -> list[str]:
        themes, problems = load_themes(paths.user_themes_dir())
        for theme in themes:
            self.register_theme(theme)
        wanted = self.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            problems.append(f"There is no theme called {sanitize_line(wanted, 40)!r}.")
            self.theme = DEFAULT_THEME
        return problems

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast, from any screen or widget, comes through here: its text is shown
        as it is (``markup`` is ignored), made inert and kept to a readable length."""
        text = sanitize(message)
        if len(text) > TOAST_CHARS:
            text = text[: TOAST_CHARS - 1] + "…"
        super().notify(
            text,
            title=sanitize_line(title, 80),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        """Ctrl+C with nothing to copy: say how to quit (Textual's words are markup)."""
        keys = keys_of(BY_ID["app.quit"], self.keymap)
        if keys:
            self.notify(f"Press {key_label(keys[0])} to quit.", title="Do you want to quit?")

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        self.theme_variables = {**semantic_defaults(variables), **variables}
        return self.theme_variables

    def watch_theme(self, name: str) -> None:
        # The palette previews themes as the user browses, so wait before saving.
        if self.is_running:
            self.set_timer(THEME_SAVE_DELAY, self._save_theme)

    def _save_theme(self) -> None:
        if self.theme != self._saved_theme:
            self._saved_theme = self.theme
            self._remember(theme=self.theme)

    def on_first_run_closed(self, event: FirstRunClosed) -> None:
        """Write the commented config file (so the welcome shows once), then ask for a
        model if the server answered while the welcome was up, unless the user has
        started typing a prompt: the picker would take their keys."""
        self._welcoming = False
        if self.config.path is not None:
            problem = write_template(self.config.path)
            if problem:
                self.notify(problem, title="Configuration", severity="warning")
        if self._picker_after_welcome and not event.typed:
            self.open_model_picker()

    def _remember(self, **values: str) -> None:
        problem = remember(self.config, **values)
        if problem:
            self.notify(problem, title="Settings not saved", severity="warning")

    def _apply_keymap(self, keymap: dict[str, str]) -> list[str]:
        """Apply the config's remaps that can be applied; say why of the others."""
        where = str(self.config.path or "the configuration")
        self.keymap, problems = check_keymap(keymap, where)
        self.set_keymap(self.keymap)
        return problems

    def get_default_screen(self) -> Screen[None]:
        conversation = self._first_conversation
        self._welcoming = self.config.first_run and self.config.path is not None
        return ChatScreen(
            conversation or Conversation(settings=self.new_chat_settings.copy()),
            first_run=self._welcoming,
        )

    def on_mount(self) -> None:
        self.sub_title = self.config.host
        for problem in self._settings_problems:
            self.notify(sanitize_line(problem, 200), title="New-chat settings", severity="warning")
        for problem in self.config.problems + self._keymap_problems:
            self.notify(sanitize_line(problem, 300), title="Configuration", severity="warning")
        for problem in self._theme_problems:
            self.notify(sanitize_line(problem, 300), title="Themes", severity="warning")
        self.watch_health()
        gc.set_threshold(*GC_THRESHOLDS)
        # After the first paint: parsing the encoding holds the GIL for ~0.3 s.
        self.set_timer(PRELOAD_DELAY, self.preload)

    async def on_unmount(self) -> None:
        # What the save worker has not written yet (it is cancelled at exit), with
        # the chat as it was when its screen closed (``chat_closing``).
        for conversation_id, data in list(self._unsaved.items()):
            with contextlib.suppress(Exception):  # nobody is left to tell
                self.store.save_data(conversation_id, data)
        await self.client.aclose()

    # -- history ----------------------------------------------------------------------

    def save_conversation(self, conversation: Conversation) -> None:
        """Write the conversation soon, off the UI thread; an empty chat is not saved,
        nor one that another ollama-tui holds."""
        if not conversation.turns or self.chat.read_only:
            return
        self._unsaved[conversation.id] = to_data(conversation)
        self.write_history()

    def chat_closing(self, conversation: Conversation, writable: bool) -> None:
        """The chat screen is going (the app exits): what it holds is written at the
        app's unmount, the last second of a streaming reply and settings just changed
        included."""
        if conversation.turns and writable:
            self._unsaved[conversation.id] = to_data(conversation)

    def hold(self, conversation: Conversation) -> bool:
        """Hold ``conversation`` for writing, if no other ollama-tui holds it (a new
        one is held from its first save); False means read-only here."""
        return not self.store.has_file(conversation.id) or self.store.claim(conversation.id)

    def left_conversation(self, conversation_id: str, *, superseded: bool = False) -> None:
        """The chat moved on: let another ollama-tui have it once it is written.
        ``superseded``: the chat goes on as a copy, so nothing more of it is written."""
        if superseded:
            self._unsaved.pop(conversation_id, None)
        self._release_if_left(conversation_id)

    async def delete_conversation(self, conversation_id: str) -> Path:
        """Move a conversation the chat has left to the trash; nothing of it that was
        waiting to be written is written after (it would bring the file back)."""
        self._unsaved.pop(conversation_id, None)
        async with self._save_turn:  # a write under way ends first
            return await asyncio.to_thread(self.store.delete, conversation_id)

    def action_history(self) -> None:
        from ollama_tui.ui.screens.history import HistoryScreen

        if not any(isinstance(screen, HistoryScreen) for screen in self.screen_stack):
            self.push_screen(HistoryScreen())

    @work(group="history-open", exclusive=True, exit_on_error=False)
    async def open_conversation(self, conversation_id: str) -> None:
        """Reopen a saved conversation with its model and settings, at its end."""
        try:
            conversation, notes = await asyncio.to_thread(self.store.load, conversation_id)
        except (OSError, UnreadableConversation) as error:
            self.notify(str(error), title="Cannot open the conversation", severity="error")
            return
        self.post_message(ConversationLoaded(conversation, notes))

    def on_conversation_loaded(self, event: ConversationLoaded) -> None:
        if event.conversation.id == self.chat.conversation.id:
            self._back_to_chat()  # it is the one shown, newer than its file
            return
        for note in event.notes:
            self.notify(note, title="A setting was dropped", severity="warning")

        async def show() -> None:
            self._back_to_chat()
            await self.chat.show_conversation(event.conversation)

        self.chat.after_stopping("open that conversation", show)

    @work(group="history-save", exit_on_error=False)
    async def write_history(self) -> None:
        failed: dict[str, dict[str, object]] = {}
        async with self._save_turn:
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
                    self._report_save_failure(error)
                else:
                    if self._save_failing:
                        self.notify("Saving works again.", title="Saved")
                    self._save_failing = False
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
        overwritten, and what this one has goes on (the chat) or is saved as a copy."""
        if conversation_id == self.chat.conversation.id:
            if isinstance(error, ConversationBusy):
                self.chat.held_elsewhere()
            else:
                self.chat.continue_in_copy(str(error))
            return
        copy_id = uuid.uuid4().hex
        title = f"{data.get('title') or 'Untitled'} (copy)"
        self._unsaved[copy_id] = {**data, "id": copy_id, "title": title}
        self.notify(
            f"{error} What this ollama-tui had is saved as “{sanitize_line(title, 80)}”.",
            title="Saved as a copy",
            severity="warning",
        )

    def _report_save_failure(self, error: Exception) -> None:
        if not self._save_failing:
            reason = error if isinstance(error, HistoryError) else type(error).__name__
            self.notify(
                f"{reason} The conversation is kept in memory and saving is retried at "
                "the next change.",
                title="Not saved",
                severity="error",
                timeout=15,
            )
        self._save_failing = True

    def _release_if_left(self, conversation_id: str) -> None:
        """Let another ollama-tui have a conversation the chat has left, once nothing
        of it is waiting to be written or being written."""
        pending = conversation_id in self._unsaved or conversation_id == self._writing
        current = not self.shutting_down and self.chat.conversation.id == conversation_id
        if not pending and not current:
            self.store.release(conversation_id)

    # -- connection health ------------------------------------------------------

    @work(group="health", exclusive=True, exit_on_error=False)
    async def watch_health(self) -> None:
        """Check the server now, then keep checking: with backoff while it is down."""
        failures = 0
        while True:
            self._recheck.clear()
            try:
                version = await self.client.version()
            except Exception as error:  # one strange answer must not end the checking
                failure = (
                    error
                    if isinstance(error, OllamaError)
                    else MalformedResponse(f"/api/version failed ({type(error).__name__}).")
                )
                delay = backoff(failures)
                failures += 1
                self.post_message(ConnectionChecked(ConnectionState(False, "", failure, delay)))
            else:
                failures = 0
                delay = HEALTHY_POLL_SECONDS
                self.post_message(ConnectionChecked(ConnectionState(True, version)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recheck.wait(), delay)

    def on_connection_checked(self, event: ConnectionChecked) -> None:
        if self.shutting_down:
            return
        answered = event.state.connected and not self.connection.connected
        came_back = answered and self.connection.connected is False
        self.connection = event.state
        if came_back:
            self.notify("Ollama is back.", title="Connected")
        if answered:
            self.chat.server_answered()
        # The chat screen may not have applied --model yet, so the config counts too.
        has_model = self.chat.conversation.model or self.config.model
        wants_model = event.state.connected and not has_model
        if wants_model and not self._asked_for_model:
            self._asked_for_model = True
            if self._welcoming:
                self._picker_after_welcome = True
            else:
                self.open_model_picker()

    def report_error(self, error: OllamaError) -> None:
        """Show a failed request, and re-check the connection if it looks lost."""
        if isinstance(error, Unreachable | StreamEndedEarly):
            self._recheck.set()
        self.notify(error.explain(), title=error.title, severity="error", timeout=8)

    @work(group="preload", exit_on_error=False)
    async def preload(self) -> None:
        """Off the start-up path: importing tiktoken and its encoding takes ~0.2 s,
        the code highlighters ~0.07 s."""
        await asyncio.to_thread(self.counter.tokenizer.load)
        await asyncio.to_thread(warm_code_highlighting)
        # What start-up built (styles, widgets, the encoding's tables) lives as long
        # as the app, so the collector need not scan it again; its garbage goes first
        # (~20 ms), or it would be kept for good.
        gc.collect()
        gc.freeze()
        if self.counter.tokenizer.problem:
            self.notify(self.counter.tokenizer.problem, title="Token counts", severity="warning")
        if not self.shutting_down:
            self.chat.recount()

    @work(group="running", exclusive=True, exit_on_error=False)
    async def refresh_running(self) -> None:
        try:
            running = await self.client.running()
        except OllamaError:
            return
        self.post_message(self.RunningLoaded({m.name: m.context_length for m in running}))

    @dataclass
    class RunningLoaded(Message):
        context_lengths: dict[str, int | None]

    def on_ollama_tui_running_loaded(self, event: RunningLoaded) -> None:
        self.running_context = {k: v for k, v in event.context_lengths.items() if v}
        if not self.shutting_down:
            self.chat.refresh_meter()

    def on_ollama_tui_model_info_loaded(self, event: ModelInfoLoaded) -> None:
        self.model_info[event.info.name] = event.info
        if not self.shutting_down and event.info.name == self.chat.conversation.model:
            self.chat.model_info_loaded()

    # -- pull dialogs -------------------------------------------------------------------

    def action_pull(self) -> None:
        """Show the running pull (with the queue, and room to queue another), or ask
        for a model to pull."""
        from ollama_tui.ui.screens.pull import PullScreen

        if isinstance(self.screen, PullScreen):
            return
        running = next((job for job in self.pulls if not job.finished), None)
        self.open_pull(job=running)

    def open_pull(self, job: PullJob | None = None, name: str = "") -> None:
        from ollama_tui.ui.screens.pull import PullScreen

        def chosen(model: str | None) -> None:
            if model:
                self.chat_with(model)

        self.push_screen(PullScreen(job, name), chosen)

    def chat_with(self, model: str) -> None:
        """Back to the chat, talking to ``model`` (the conversation is kept)."""
        self._back_to_chat()
        self.chat.set_model(model)
        self.chat.composer.focus()

    def _back_to_chat(self) -> None:
        """Close every screen above the chat (the picker included, so it can reopen)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._picker_open = False

    def action_models(self) -> None:
        from ollama_tui.ui.screens.models import ModelsScreen

        if not any(isinstance(screen, ModelsScreen) for screen in self.screen_stack):
            self.push_screen(ModelsScreen())

    # -- dialogs ------------------------------------------------------------------

    def open_model_picker(self) -> None:
        from ollama_tui.ui.screens.model_picker import ModelPicker

        if self._picker_open:
            return
        self._picker_open = True

        def chosen(name: str | None) -> None:
            self._picker_open = False
            if name:
                self.chat.set_model(name)
                self._remember(last_model=name)
            self.chat.composer.focus()

        self.push_screen(ModelPicker(self.client, self.model_info), chosen)

    def open_preset_picker(self) -> None:
        from ollama_tui.ui.screens.presets import PresetPicker

        presets, problems = list_presets(paths.presets_dir())
        for problem in problems:
            self.notify(sanitize_line(problem, 200), title="Presets", severity="warning")

        def chosen(preset: Preset | None) -> None:
            if preset is None:
                return
            self.chat.apply_settings(preset.settings.copy())
            dropped = f" Left out: {'; '.join(preset.problems)}" if preset.problems else ""
            self.notify(sanitize_line(f"Applied {preset.name}.{dropped}", 300))

        self.push_screen(PresetPicker(presets), chosen)

    def open_save_preset(self, settings: ChatSettings) -> None:
        from ollama_tui.ui.screens.confirm import TextPrompt

        def named(name: str | None) -> None:
            if not name:
                return
            try:
                path = save_preset(paths.presets_dir(), name, settings)
            except (OSError, PresetError) as error:
                self.notify(str(error), title="Preset not saved", severity="error")
            else:
                self.notify(f"Saved to {path}", title="Preset saved")

        prompt = TextPrompt(
            "Save the system prompt and options as a preset",
            "Enter saves (a preset of the same name is replaced) · Esc cancels",
            placeholder="Preset name",
        )
        self.push_screen(prompt, named)

    def save_new_chat_settings(self, settings: ChatSettings) -> None:
        path = paths.new_chat_file()
        try:
            save_new_chat_settings(path, settings)
        except OSError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return
        self.new_chat_settings = settings.copy()
        self.notify(f"New chats start with these settings ({path}).")

    def open_copy_picker(self, markdown: str) -> None:
        from ollama_tui.ui.screens.dialogs import CopyPicker

        def chosen(text: str | None) -> None:
            if text:
                self.copy_to_clipboard(text)

        self.push_screen(CopyPicker(markdown), chosen)

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy, ours and Textual's (a selection's Ctrl+C), asks the terminal
        (OSC 52), then goes where it can surely be pasted; a toast says where."""
        super().copy_to_clipboard(text)
        self._copy_elsewhere(text)

    @work(group="clipboard", exit_on_error=False)
    async def _copy_elsewhere(self, text: str) -> None:
        # One at a time, in order: a copy tool cannot be stopped once started, and the
        # last copy must be the one that stays.
        async with self._copying:
            copied = await asyncio.to_thread(
                clipboard.copy, text, dict(os.environ), paths.clipboard_file()
            )
        self.notify(copied.message, severity="information" if copied.ok else "warning")

    def open_image_prompt(self) -> None:
        from ollama_tui.ui.screens.dialogs import ImagePrompt

        def chosen(result: Attachment | bool | None) -> None:
            if result is not False:
                self.chat.attach_image(result if isinstance(result, Attachment) else None)

        self.push_screen(ImagePrompt(), chosen)

    def action_help(self) -> None:
        from ollama_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.keymap, getattr(self.screen, "ACTION_SCOPE", "")))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own (themes, screenshots...), then every action that works on
        ``screen`` (the one the palette was opened from), run there."""
        for command in super().get_system_commands(screen):
            # "Keys" and "Quit" are ours too; "Screenshot" says where it saved in
            # markup, which every toast here shows as it is.
            if command.title not in {"Keys", "Quit", "Screenshot"}:
                yield command
        scope = getattr(screen, "ACTION_SCOPE", "")
        for action in in_scope(["app", scope]):
            if action.palette and action.id != f"app.{scope}":  # not the screen shown
                target: App[None] | Screen[object] = self if action.scope == "app" else screen
                run = partial(target.run_action, action.action)
                yield SystemCommand(action.palette, action.tooltip or action.description, run)


@dataclass
class ConnectionChecked(Message):
    state: ConnectionState


@dataclass
class ConversationLoaded(Message):
    """A saved conversation, read by a worker, to show in the chat."""

    conversation: Conversation
    notes: list[str]
