"""The Textual application: global bindings, connection health and wiring."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from ollama_tui import paths
from ollama_tui.config import Config
from ollama_tui.connection import HEALTHY_POLL_SECONDS, ConnectionState, backoff
from ollama_tui.conversation import Attachment, Conversation
from ollama_tui.ollama.client import OllamaClient
from ollama_tui.ollama.errors import OllamaError, StreamEndedEarly, Unreachable
from ollama_tui.ollama.types import ModelInfo
from ollama_tui.presets import load_new_chat_settings
from ollama_tui.sanitize import sanitize_line
from ollama_tui.screens.chat import ChatScreen
from ollama_tui.widgets.composer import Composer


class OllamaTUI(App[None]):
    TITLE = "ollama-tui"
    CSS_PATH = "app.tcss"

    BINDINGS = [
        Binding(
            "ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave ollama-tui.", priority=True
        ),
        Binding("f1", "help", "Help", id="app.help", tooltip="List every key."),
    ]

    connection: reactive[ConnectionState] = reactive(ConnectionState, init=False)
    """What the last contact with the server said."""

    @dataclass
    class ModelInfoLoaded(Message):
        info: ModelInfo

    def __init__(self, config: Config, client: OllamaClient) -> None:
        super().__init__()
        self.config = config
        self.client = client
        self.model_info: dict[str, ModelInfo] = {}
        """``/api/show`` answers by model name, shared by the picker and the chat."""
        self.new_chat_settings, self._settings_problems = load_new_chat_settings(
            paths.new_chat_file()
        )
        self._recheck = asyncio.Event()
        self._picker_open = False
        self._asked_for_model = False

    def get_default_screen(self) -> Screen[None]:
        return ChatScreen(Conversation(settings=self.new_chat_settings.copy()))

    @property
    def chat(self) -> ChatScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, ChatScreen)
        return screen

    def on_mount(self) -> None:
        self.sub_title = self.config.host
        for problem in self._settings_problems:
            self.notify(sanitize_line(problem, 200), title="New-chat settings", severity="warning")
        self.watch_health()

    async def on_unmount(self) -> None:
        await self.client.aclose()

    # -- connection health ------------------------------------------------------

    @work(group="health", exclusive=True, exit_on_error=False)
    async def watch_health(self) -> None:
        """Check the server now, then keep checking: with backoff while it is down."""
        failures = 0
        while True:
            self._recheck.clear()
            try:
                version = await self.client.version()
            except OllamaError as error:
                delay = backoff(failures)
                failures += 1
                self.post_message(ConnectionChecked(ConnectionState(False, "", error, delay)))
            else:
                failures = 0
                delay = HEALTHY_POLL_SECONDS
                self.post_message(ConnectionChecked(ConnectionState(True, version)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recheck.wait(), delay)

    def on_connection_checked(self, event: ConnectionChecked) -> None:
        came_back = event.state.connected and self.connection.connected is False
        self.connection = event.state
        if came_back:
            self.notify("Ollama is back.", title="Connected")
        wants_model = event.state.connected and not self.chat.conversation.model
        if wants_model and not self._asked_for_model:
            self._asked_for_model = True
            self.open_model_picker()

    def report_error(self, error: OllamaError) -> None:
        """Show a failed request, and re-check the connection if it looks lost."""
        if isinstance(error, Unreachable | StreamEndedEarly):
            self._recheck.set()
        self.notify(error.explain(), title=error.title, severity="error", timeout=8)

    def on_ollama_tui_model_info_loaded(self, event: ModelInfoLoaded) -> None:
        self.model_info[event.info.name] = event.info
        if event.info.name == self.chat.conversation.model:
            self.chat.model_info_loaded()

    # -- dialogs ------------------------------------------------------------------

    def open_model_picker(self) -> None:
        from ollama_tui.screens.model_picker import ModelPicker

        if self._picker_open:
            return
        self._picker_open = True

        def chosen(name: str | None) -> None:
            self._picker_open = False
            if name:
                self.chat.set_model(name)
            self.chat.composer.focus()

        self.push_screen(ModelPicker(self.client, self.model_info), chosen)

    def open_copy_picker(self, markdown: str) -> None:
        from ollama_tui.screens.dialogs import CopyPicker

        def chosen(text: str | None) -> None:
            if text:
                self.copy_to_clipboard(text)
                self.notify(f"Copied {len(text)} characters.")

        self.push_screen(CopyPicker(markdown), chosen)

    def open_image_prompt(self) -> None:
        from ollama_tui.screens.dialogs import ImagePrompt

        def chosen(result: Attachment | bool | None) -> None:
            if result is not False:
                self.chat.attach_image(result if isinstance(result, Attachment) else None)

        self.push_screen(ImagePrompt(), chosen)

    def action_help(self) -> None:
        from ollama_tui.screens.help import HelpScreen
        from ollama_tui.screens.model_picker import ModelPicker

        groups = [
            ("Anywhere", list(self.BINDINGS)),
            ("Chat", list(ChatScreen.BINDINGS)),
            ("Composer", list(Composer.BINDINGS)),
            ("Model picker", list(ModelPicker.BINDINGS)),
        ]
        self.push_screen(HelpScreen(groups))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        chat = self.chat
        yield SystemCommand("Choose model", "Pick the model to chat with", chat.action_pick_model)
        yield SystemCommand("New chat", "Start a new conversation", chat.action_new_chat)
        yield SystemCommand("Stop reply", "Stop the reply being written", chat.action_stop)
        yield SystemCommand(
            "Regenerate reply", "Write the last reply again", chat.action_regenerate
        )
        yield SystemCommand(
            "Edit last prompt", "Change the last prompt and resend", chat.action_edit_last
        )
        yield SystemCommand(
            "Copy reply or code", "Copy the last reply or a code block", chat.action_copy
        )
        yield SystemCommand(
            "Toggle thinking", "Thinking on/off or its level", chat.action_toggle_think
        )
        yield SystemCommand(
            "Attach image", "Attach an image for a vision model", chat.action_attach_image
        )
        yield SystemCommand(
            "Previous reply version",
            "Show the previous version",
            lambda: chat.action_browse_versions(-1),
        )
        yield SystemCommand(
            "Next reply version", "Show the next version", lambda: chat.action_browse_versions(1)
        )
        yield SystemCommand("Keys", "List every key binding", self.action_help)


@dataclass
class ConnectionChecked(Message):
    state: ConnectionState
