"""What the app gives every screen: the services, and the signals that carry app-wide
news. Screens receive this in their constructor and never import the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from textual.dom import DOMNode
from textual.signal import Signal
from textual.widget import Widget

from ollama_tui.core import paths
from ollama_tui.core.config import Config
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.errors import OllamaError, StreamEndedEarly, Unreachable
from ollama_tui.core.ollama.types import ModelInfo
from ollama_tui.core.presets import load_new_chat_settings
from ollama_tui.core.scales import ScaleStore
from ollama_tui.core.settings import ChatSettings
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.services.catalog import ModelCatalog
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.generation_log import GenerationLog
from ollama_tui.services.health import ConnectionState, HealthMonitor
from ollama_tui.services.model_creator import ModelCreator
from ollama_tui.services.pull_queue import PullChange, PullQueue
from ollama_tui.services.saver import ConversationSaver, SaveNews
from ollama_tui.ui.actions import check_keymap


@dataclass
class Signals:
    connection: Signal[ConnectionState]
    """Each answer (or silence) of the server."""
    pulls: Signal[PullChange]
    """A pull started, moved on or ended."""
    model_info: Signal[ModelInfo]
    """A model's details were loaded."""
    running: Signal[None]
    """The loaded models (and their context lengths) were read again."""
    saving: Signal[SaveNews]
    """Saving failed, recovered, or found the file taken."""

    @classmethod
    def owned_by(cls, owner: DOMNode) -> Signals:
        return cls(
            Signal(owner, "connection"),
            Signal(owner, "pulls"),
            Signal(owner, "model-info"),
            Signal(owner, "running"),
            Signal(owner, "saving"),
        )


@dataclass
class Shared:
    config: Config
    client: OllamaClient
    store: HistoryStore
    counter: ContextCounter
    catalog: ModelCatalog
    saver: ConversationSaver
    log: GenerationLog
    pulls: PullQueue
    health: HealthMonitor
    creator: ModelCreator
    signals: Signals
    new_chat_settings: ChatSettings
    """What a new chat starts with (changed from the sidebar)."""
    keymap: dict[str, str]
    """The user's key remaps that apply."""

    def report_error(self, node: Widget, error: OllamaError) -> None:
        """Show a failed request, and re-check the connection if it looks lost."""
        if isinstance(error, Unreachable | StreamEndedEarly):
            self.health.recheck()
        node.notify(error.explain(), title=error.title, severity="error", timeout=8)


def build_shared(
    owner: DOMNode,
    config: Config,
    client: OllamaClient,
    store: HistoryStore,
    news: Callable[[ConnectionState | PullChange | ModelInfo | SaveNews], None],
) -> tuple[Shared, list[tuple[str, str]]]:
    """The services for ``config``, reporting to ``news``; and what is wrong with the
    user's files (title, text), to tell once the app is up."""
    new_chat, settings_problems = load_new_chat_settings(paths.new_chat_file())
    if config.new_chat is not None and not paths.new_chat_file().exists():
        new_chat = config.new_chat.copy()
    keymap, keymap_problems = check_keymap(config.keymap, str(config.path or "the configuration"))
    catalog = ModelCatalog(client, on_info=news)
    scales = ScaleStore(paths.meter_scales())
    shared = Shared(
        config=config,
        client=client,
        store=store,
        counter=ContextCounter(Tokenizer(), scales),
        catalog=catalog,
        saver=ConversationSaver(store, news),
        log=GenerationLog(paths.generation_log()),
        pulls=PullQueue(client, news, on_pulled=catalog.forget),
        health=HealthMonitor(client, news),
        creator=ModelCreator(client),
        signals=Signals.owned_by(owner),
        new_chat_settings=new_chat,
        keymap=keymap,
    )
    problems = [("New-chat settings", problem) for problem in settings_problems]
    problems += [("Configuration", problem) for problem in config.problems + keymap_problems]
    problems += [("Context meter", scales.problem)] if scales.problem else []
    return shared, problems


class ShownChat(Protocol):
    """The chat on screen, as other screens may use it."""

    @property
    def session(self) -> ChatSession: ...

    def after_stopping(self, doing: str, then: Callable[[], Awaitable[None]]) -> None: ...

    async def new_chat(self) -> None: ...
