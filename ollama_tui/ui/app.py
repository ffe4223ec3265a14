"""The Textual application: themes, global keys, the services' news and which screen
shows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from textual import work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from ollama_tui.core.config import Config, write_template
from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import ModelInfo
from ollama_tui.core.pulls import PullJob
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.services.health import ConnectionState
from ollama_tui.services.pull_queue import PullChange
from ollama_tui.services.saver import SaveNews
from ollama_tui.ui.actions import BY_ID, key_label, keys_of
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.commands import palette_commands, scope_of
from ollama_tui.ui.compat import recognise_alt_enter
from ollama_tui.ui.context import build_shared
from ollama_tui.ui.copying import CopyElsewhere
from ollama_tui.ui.first_model import FirstModelPrompt
from ollama_tui.ui.messages import ChatWith, FirstRunClosed, OpenPull, ShowConversation
from ollama_tui.ui.news import announce_pull, announce_saving
from ollama_tui.ui.screens.chat import ChatScreen
from ollama_tui.ui.themes import ThemeChoice, semantic_defaults

PRELOAD_DELAY = 0.5
TOAST_CHARS = 1000
"""A toast longer than this (a server can send a whole page as an error) is cut."""


@dataclass
class ServiceNews(Message):
    """A service's report, posted to the app, whose handler tells the screens."""

    news: ConnectionState | PullChange | ModelInfo | SaveNews


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
        recognise_alt_enter()
        self.config = config
        self._first_conversation = conversation
        self.themes = ThemeChoice(self, config)
        self.shared, self._problems = build_shared(self, config, client, store, self._post_news)
        self._problems += [("Themes", problem) for problem in self.themes.problems]
        self.set_keymap(self.shared.keymap)
        self.first_model = FirstModelPrompt(lambda: self.chat.model.pick())
        self.copies = CopyElsewhere(self)
        self._last_connection = ConnectionState()

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
        if hasattr(self, "themes"):  # Textual sets the theme before ``__init__`` ends
            self.themes.changed()

    def on_first_run_closed(self, event: FirstRunClosed) -> None:
        """Write the commented config file, so the welcome shows once."""
        if self.config.path is not None:
            problem = write_template(self.config.path)
            if problem:
                self.notify(problem, title="Configuration", severity="warning")
        self.first_model.welcome_closed(event.typed)

    # -- start and end --------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        conversation = self._first_conversation
        welcoming = self.config.first_run and self.config.path is not None
        self.first_model.welcoming = welcoming
        new = Conversation(settings=self.shared.new_chat_settings.copy())
        return ChatScreen(self.shared, conversation or new, first_run=welcoming)

    def on_mount(self) -> None:
        self.sub_title = self.config.host
        for title, problem in self._problems:
            self.notify(sanitize_line(problem, 300), title=title, severity="warning")
        self.run_worker(self.shared.health.run(), group="health", exit_on_error=False)
        # After the first paint: parsing the encoding holds the GIL for ~0.3 s.
        self.set_timer(PRELOAD_DELAY, self.preload)

    async def on_unmount(self) -> None:
        # What the chat screen kept for the exit (``keep_for_exit``) is written now.
        await self.shared.saver.close()
        await self.shared.pulls.aclose()
        await self.shared.client.aclose()

    @work(group="preload", exit_on_error=False)
    async def preload(self) -> None:
        """Off the start-up path: importing tiktoken and its encoding takes ~0.2 s."""
        tokenizer = self.shared.counter.tokenizer
        await asyncio.to_thread(tokenizer.load)
        if tokenizer.problem:
            self.notify(tokenizer.problem, title="Token counts", severity="warning")
        if not self.shutting_down:
            self.chat.settings.recount()

    # -- the services' news -----------------------------------------------------------------

    def _post_news(self, news: ConnectionState | PullChange | ModelInfo | SaveNews) -> None:
        self.post_message(ServiceNews(news))

    def on_service_news(self, event: ServiceNews) -> None:
        news, signals = event.news, self.shared.signals
        if isinstance(news, ConnectionState):
            self._connection_checked(news)
        elif self.shutting_down:
            return
        elif isinstance(news, PullChange):
            announce_pull(self, news)
            signals.pulls.publish(news)
        elif isinstance(news, ModelInfo):
            signals.model_info.publish(news)
        else:
            announce_saving(self, news)
            signals.saving.publish(news)

    def _connection_checked(self, state: ConnectionState) -> None:
        came_back = state.connected and self._last_connection.connected is False
        # Kept even before the chat is up, so that "back" is said only after "down".
        self._last_connection = state
        if self.shutting_down:
            return
        if came_back:
            self.notify("Ollama is back.", title="Connected")
        if state.connected:
            # The chat may not have applied --model yet, so the config counts too.
            model = self.chat.session.conversation.model or self.config.model
            self.first_model.server_answered(bool(model))
        self.shared.signals.connection.publish(state)

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

    def on_show_conversation(self, event: ShowConversation) -> None:
        if event.conversation.id == self.chat.session.conversation.id:
            self._back_to_chat()  # it is the one shown, newer than its file
            return

        async def show() -> None:
            self._back_to_chat()
            await self.chat.show_conversation(event.conversation)

        self.chat.after_stopping("open that conversation", show)

    # -- clipboard and palette ------------------------------------------------------------

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy, ours and Textual's (a selection's Ctrl+C), asks the terminal
        (OSC 52), then goes where it can surely be pasted; a toast says where."""
        super().copy_to_clipboard(text)
        self.copies.copy(text)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        return palette_commands(self, screen, super().get_system_commands(screen))
