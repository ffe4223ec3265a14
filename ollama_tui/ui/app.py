"""The Textual application: themes, global keys, the services' news and which screen
shows."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass

from textual import work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from ollama_tui.core import clipboard, paths
from ollama_tui.core.config import DEFAULT_THEME, Config, remember, write_template
from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.codec import UnreadableConversation
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import ModelInfo
from ollama_tui.core.presets import load_new_chat_settings
from ollama_tui.core.pulls import PullJob
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.services.catalog import ModelCatalog
from ollama_tui.services.health import ConnectionState, HealthMonitor
from ollama_tui.services.pull_queue import PullQueue
from ollama_tui.services.saver import ConversationSaver, SaveNews
from ollama_tui.ui.actions import BY_ID, check_keymap, key_label, keys_of
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.commands import palette_commands, scope_of
from ollama_tui.ui.compat import recognise_alt_enter
from ollama_tui.ui.context import Shared, Signals
from ollama_tui.ui.messages import ChatWith, FirstRunClosed, OpenConversation, OpenPull
from ollama_tui.ui.news import announce_pull, announce_saving
from ollama_tui.ui.screens.chat import ChatScreen
from ollama_tui.ui.themes import load_themes, semantic_defaults
from ollama_tui.ui.widgets.compact_blocks import warm_code_highlighting
from ollama_tui.ui.widgets.layout_once import lay_out_once

PRELOAD_DELAY = 0.5
TOAST_CHARS = 1000
"""A toast longer than this (a server can send a whole page as an error) is cut."""
THEME_SAVE_DELAY = 1.0


@dataclass
class ServiceNews(Message):
    """A service's report, posted to the app, whose handler tells the screens."""

    news: ConnectionState | PullJob | ModelInfo | SaveNews


@dataclass
class ConversationLoaded(Message):
    conversation: Conversation
    notes: list[str]


class OllamaTUI(App[None]):
    TITLE = "ollama-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = bindings("app")

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
        self._first_conversation = conversation
        new_chat, self._settings_problems = load_new_chat_settings(paths.new_chat_file())
        if config.new_chat is not None and not paths.new_chat_file().exists():
            new_chat = config.new_chat.copy()
        self._theme_problems = self._register_themes()
        self._saved_theme = self.theme
        keymap, self._keymap_problems = check_keymap(
            config.keymap, str(config.path or "the configuration")
        )
        self.set_keymap(keymap)
        catalog = ModelCatalog(client, on_info=self._post_news)
        self.shared = Shared(
            config=config,
            client=client,
            store=store,
            counter=ContextCounter(Tokenizer()),
            catalog=catalog,
            saver=ConversationSaver(store, self._post_news),
            pulls=PullQueue(client, self._post_news, on_pulled=catalog.forget),
            health=HealthMonitor(client, self._post_news),
            signals=Signals.owned_by(self),
            new_chat_settings=new_chat,
            keymap=keymap,
        )
        self._copying = asyncio.Lock()
        self._asked_for_model = False
        self._welcoming = False
        self._picker_after_welcome = False

    @property
    def chat(self) -> ChatScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, ChatScreen)
        return screen

    @property
    def shutting_down(self) -> bool:
        """Workers' messages can still arrive while the app exits and removes its screens."""
        return not self.is_running or not self.screen_stack

    # -- themes, toasts, config -----------------------------------------------------------

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
            text, title=sanitize_line(title, 80), severity=severity, timeout=timeout, markup=False
        )

    def action_help_quit(self) -> None:
        """Ctrl+C with nothing to copy: say how to quit (Textual's words are markup)."""
        keys = keys_of(BY_ID["app.quit"], self.shared.keymap)
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
            problem = remember(self.config, theme=self.theme)
            if problem:
                self.notify(problem, title="Settings not saved", severity="warning")

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
            self.chat.model.pick()

    # -- start and end --------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        conversation = self._first_conversation
        self._welcoming = self.config.first_run and self.config.path is not None
        new = Conversation(settings=self.shared.new_chat_settings.copy())
        return ChatScreen(self.shared, conversation or new, first_run=self._welcoming)

    def on_mount(self) -> None:
        self.sub_title = self.config.host
        for problem in self._settings_problems:
            self.notify(sanitize_line(problem, 200), title="New-chat settings", severity="warning")
        for problem in self.config.problems + self._keymap_problems:
            self.notify(sanitize_line(problem, 300), title="Configuration", severity="warning")
        for problem in self._theme_problems:
            self.notify(sanitize_line(problem, 300), title="Themes", severity="warning")
        self.run_worker(self.shared.health.run(), group="health", exit_on_error=False)
        # After the first paint: parsing the encoding holds the GIL for ~0.3 s.
        self.set_timer(PRELOAD_DELAY, self.preload)

    async def on_unmount(self) -> None:
        # What the chat screen kept for the exit (``keep_for_exit``) is written now.
        await self.shared.pulls.aclose()
        await self.shared.saver.close()
        await self.shared.client.aclose()

    @work(group="preload", exit_on_error=False)
    async def preload(self) -> None:
        """Off the start-up path: importing tiktoken and its encoding takes ~0.2 s,
        the code highlighters ~0.07 s."""
        tokenizer = self.shared.counter.tokenizer
        await asyncio.to_thread(tokenizer.load)
        await asyncio.to_thread(warm_code_highlighting)
        if tokenizer.problem:
            self.notify(tokenizer.problem, title="Token counts", severity="warning")
        if not self.shutting_down:
            self.chat.settings.recount()

    # -- the services' news -----------------------------------------------------------------

    def _post_news(self, news: ConnectionState | PullJob | ModelInfo | SaveNews) -> None:
        self.post_message(ServiceNews(news))

    def on_service_news(self, event: ServiceNews) -> None:
        if self.shutting_down:
            return
        news, signals = event.news, self.shared.signals
        if isinstance(news, ConnectionState):
            self._connection_checked(news)
            signals.connection.publish(news)
        elif isinstance(news, PullJob):
            announce_pull(self, news)
            signals.pulls.publish(news)
        elif isinstance(news, ModelInfo):
            signals.model_info.publish(news)
        else:
            announce_saving(self, news)
            signals.saving.publish(news)

    def _connection_checked(self, state: ConnectionState) -> None:
        """Ask for a model once the server answers, if none is chosen."""
        has_model = self.chat.session.conversation.model or self.config.model
        if state.connected and not has_model and not self._asked_for_model:
            self._asked_for_model = True
            if self._welcoming:
                self._picker_after_welcome = True
            else:
                self.chat.model.pick()

    # -- which screen shows ---------------------------------------------------------------

    def _back_to_chat(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def on_chat_with(self, event: ChatWith) -> None:
        self._back_to_chat()
        self.chat.set_model(event.model)
        self.chat.composer.focus()

    def on_open_pull(self, event: OpenPull) -> None:
        self.open_pull(name=event.name)

    def action_pull(self) -> None:
        """Show the running pull (with the queue, and room to queue another), or ask
        for a model to pull."""
        if scope_of(self.screen) != "pull":
            self.open_pull(job=self.shared.pulls.current)

    def open_pull(self, job: PullJob | None = None, name: str = "") -> None:
        from ollama_tui.ui.screens.pull import PullScreen

        def chosen(model: str | None) -> None:
            if model:
                self.post_message(ChatWith(model))

        self.push_screen(PullScreen(self.shared, job, name), chosen)

    def action_models(self) -> None:
        from ollama_tui.ui.screens.models import ModelsScreen

        if not any(scope_of(screen) == "models" for screen in self.screen_stack):
            self.push_screen(ModelsScreen(self.shared))

    def action_history(self) -> None:
        from ollama_tui.ui.screens.history import HistoryScreen

        if not any(scope_of(screen) == "history" for screen in self.screen_stack):
            self.push_screen(HistoryScreen(self.shared, self.chat))

    def action_help(self) -> None:
        from ollama_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.shared.keymap, scope_of(self.screen)))

    def on_open_conversation(self, event: OpenConversation) -> None:
        self.load_conversation(event.conversation_id)

    @work(group="history-open", exclusive=True, exit_on_error=False)
    async def load_conversation(self, conversation_id: str) -> None:
        """Reopen a saved conversation with its model and settings, at its end."""
        try:
            loaded = await asyncio.to_thread(self.shared.store.load, conversation_id)
        except (OSError, UnreadableConversation) as error:
            self.notify(str(error), title="Cannot open the conversation", severity="error")
            return
        self.post_message(ConversationLoaded(*loaded))

    def on_conversation_loaded(self, event: ConversationLoaded) -> None:
        if event.conversation.id == self.chat.session.conversation.id:
            self._back_to_chat()  # it is the one shown, newer than its file
            return
        for note in event.notes:
            self.notify(note, title="A setting was dropped", severity="warning")

        async def show() -> None:
            self._back_to_chat()
            await self.chat.show_conversation(event.conversation)

        self.chat.after_stopping("open that conversation", show)

    # -- clipboard and palette ------------------------------------------------------------

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

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        return palette_commands(self, screen, super().get_system_commands(screen))
