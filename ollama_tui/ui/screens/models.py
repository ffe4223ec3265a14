"""The models screen: installed models with their facts, actions on one, and what is loaded.

Running models refresh every few seconds while this screen is showing; the timer
pauses when another screen covers it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, TextArea

from ollama_tui.core.formatting import (
    expires_in,
    human_size,
    model_details,
    processor_split,
    relative_time,
)
from ollama_tui.core.fuzzy import fuzzy_score
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import ModelInfo, ModelSummary, RunningModel
from ollama_tui.core.pulls import PullState, new_name_problem
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.services.pull_queue import PullChange
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.context import Shared
from ollama_tui.ui.messages import ChatWith
from ollama_tui.ui.screens.base import selected_key
from ollama_tui.ui.screens.confirm import Confirm, TextPrompt
from ollama_tui.ui.screens.models_create import CreateFromModelfile
from ollama_tui.ui.widgets.plain import Plain, cell
from ollama_tui.ui.widgets.row_table import RowTable

RUNNING_REFRESH_SECONDS = 3.0
MODEL_COLUMNS = (
    ("Name", 28),
    ("Family", 10),
    ("Params", 7),
    ("Quant", 8),
    ("Size", 9),
    ("Modified", 14),
    ("Can", 18),
    ("Loaded", 8),
)
SORTS = ("name", "size", "modified")


@dataclass
class ModelsLoaded(Message):
    models: list[ModelSummary]
    running: list[RunningModel]


@dataclass
class RunningLoaded(Message):
    running: list[RunningModel]


@dataclass
class InfoLoaded(Message):
    info: ModelInfo


@dataclass
class ActionDone(Message):
    text: str


@dataclass
class ActionFailed(Message):
    error: errors.OllamaError


@dataclass
class LoadFailed(Message):
    reason: str


class ModelsScreen(Screen[None]):
    ACTION_SCOPE = "models"
    BINDINGS = bindings("models")

    def __init__(self, shared: Shared) -> None:
        super().__init__()
        self.shared = shared
        self.models: list[ModelSummary] = []
        self.running: list[RunningModel] = []
        self.sort = "name"

    def compose(self) -> ComposeResult:
        yield Plain("Installed models", classes="models-title")
        yield Input(placeholder="Filter (/)…", id="models-filter")
        yield RowTable(id="models-table")
        yield Plain(id="models-message")
        yield Plain("Loaded now (refreshes every 3 s)", classes="models-title")
        yield DataTable(id="running-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#models-table", DataTable)
        # Fixed widths: long values are cut with "…" instead of pushing columns away.
        for label, width in MODEL_COLUMNS:
            table.add_column(label, key=label.lower(), width=width)
        running = self.query_one("#running-table", DataTable)
        for label in ("Name", "Size", "Processor", "Context", "Expires"):
            running.add_column(label, key=label.lower())
        self.poll = self.set_interval(RUNNING_REFRESH_SECONDS, self.refresh_running)
        signals = self.shared.signals
        signals.model_info.subscribe(self, lambda _: self.render_models())
        signals.pulls.subscribe(self, self.pull_changed)
        table.focus()
        self.reload()

    def on_screen_suspend(self) -> None:
        self.poll.pause()

    def on_screen_resume(self) -> None:
        self.poll.resume()

    # -- loading ----------------------------------------------------------------------

    def reload(self) -> None:
        self.load_models()

    def action_reload(self) -> None:
        self.reload()

    @work(group="models-load", exclusive=True, exit_on_error=False)
    async def load_models(self) -> None:
        catalog = self.shared.catalog
        try:
            models, running = await asyncio.gather(catalog.list_models(), catalog.running())
        except errors.OllamaError as error:
            self.post_message(LoadFailed(error.explain()))
            return
        self.post_message(ModelsLoaded(models, running))
        for model in models:
            if model.capabilities is None:
                # Each one loaded comes back through the app's model-info signal.
                with contextlib.suppress(errors.OllamaError):
                    await catalog.show(model.name)

    def on_load_failed(self, event: LoadFailed) -> None:
        self.query_one("#models-message", Plain).update(event.reason)

    @work(group="models-running", exclusive=True, exit_on_error=False)
    async def refresh_running(self) -> None:
        try:
            running = await self.shared.catalog.running()
        except errors.OllamaError:
            return
        self.post_message(RunningLoaded(running))

    def on_models_loaded(self, event: ModelsLoaded) -> None:
        self.models = event.models
        self.running = event.running
        self.render_models()
        self.render_running()

    def on_running_loaded(self, event: RunningLoaded) -> None:
        self.shared.signals.running.publish(None)
        self.running = event.running
        self.render_running()
        self.render_models()

    def pull_changed(self, change: PullChange) -> None:
        if change.state is PullState.SUCCEEDED:
            self.reload()

    # -- showing ------------------------------------------------------------------------

    def _capabilities(self, model: ModelSummary) -> str:
        caps = model.capabilities
        if caps is None:
            caps = self.shared.catalog.capabilities(model.name)
        if caps is None:
            return "…"
        return ", ".join(sorted(caps - {"completion"}))

    def visible_models(self) -> list[ModelSummary]:
        query = self.query_one("#models-filter", Input).value.strip()
        models = [m for m in self.models if fuzzy_score(query, m.name) is not None]
        if self.sort == "size":
            models.sort(key=lambda m: -m.size)
        elif self.sort == "modified":
            models.sort(key=lambda m: m.modified_at.timestamp() if m.modified_at else 0.0)
            models.reverse()
        else:
            models.sort(key=lambda m: m.name)
        return models

    def render_models(self) -> None:
        table = self.query_one("#models-table", DataTable)
        selected = self.selected_name()
        loaded = {r.name for r in self.running}
        table.clear()
        for model in self.visible_models():
            details = model.details
            table.add_row(
                cell(model.name, 40),
                cell(details.family, 16),
                cell(details.parameter_size, 10),
                cell(details.quantization_level, 10),
                cell(human_size(model.size)),
                cell(relative_time(model.modified_at)),
                cell(self._capabilities(model)),
                cell("● loaded" if model.name in loaded else ""),
                key=model.name,
            )
        if selected is not None and selected in {m.name for m in self.visible_models()}:
            table.move_cursor(row=table.get_row_index(selected))
        self._show_message()

    def _show_message(self) -> None:
        message = "" if self.models else "No models yet. F4 pulls one, for example llama3.2."
        sort = f"Sorted by {self.sort} (s changes it) · i info · d delete · c copy · / filter"
        self.query_one("#models-message", Plain).update(message or sort)

    def render_running(self) -> None:
        table = self.query_one("#running-table", DataTable)
        table.clear()
        for model in self.running:
            table.add_row(
                cell(model.name, 40),
                cell(human_size(model.size)),
                cell(processor_split(model.size, model.size_vram)),
                cell(f"{model.context_length:,}" if model.context_length else "?"),
                cell(expires_in(model.expires_at)),
                key=model.name,
            )

    def selected_name(self) -> str | None:
        return selected_key(self.query_one("#models-table", DataTable))

    def _selected(self) -> ModelSummary | None:
        name = self.selected_name()
        return next((m for m in self.models if m.name == name), None)

    @on(Input.Changed, "#models-filter")
    def filter_changed(self) -> None:
        self.render_models()

    @on(Input.Submitted, "#models-filter")
    def filter_done(self) -> None:
        self.query_one("#models-table", DataTable).focus()

    def action_focus_list(self) -> None:
        """Down from the filter goes into the list."""
        self.query_one("#models-table", DataTable).focus()

    # -- actions ------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#models-filter", Input).focus()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.render_models()

    def action_chat(self) -> None:
        model = self._selected()
        if model is not None:
            self.post_message(ChatWith(model.name))

    @on(DataTable.RowSelected, "#models-table")
    def row_chosen(self) -> None:
        self.action_chat()

    def action_info(self) -> None:
        model = self._selected()
        if model is not None:
            self.show_info(model.name)

    @work(group="models-info", exclusive=True, exit_on_error=False)
    async def show_info(self, name: str) -> None:
        try:
            info = await self.shared.catalog.show(name, with_modelfile=True)
        except errors.OllamaError as error:
            self.post_message(ActionFailed(error))
            return
        self.post_message(InfoLoaded(info))

    def on_info_loaded(self, event: InfoLoaded) -> None:
        self.app.push_screen(ModelInfoScreen(event.info))

    def on_action_failed(self, event: ActionFailed) -> None:
        self.shared.report_error(self, event.error)

    def action_delete(self) -> None:
        model = self._selected()
        if model is None:
            return
        name = model.name

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_server(
                    partial(self.delete_model, name), f"Deleted {sanitize_line(name, 60)}."
                )

        question = (
            f"Delete {sanitize_line(name, 60)} ({human_size(model.size)}) from the server's "
            "disk? Layers other models share are kept."
        )
        self.app.push_screen(Confirm(question, yes="Delete", no="Keep"), answered)

    def action_copy(self) -> None:
        model = self._selected()
        if model is None:
            return
        source = model.name
        taken = {m.name for m in self.models}

        def check(name: str) -> str:
            return new_name_problem(name, taken)

        def named(name: str | None) -> None:
            if name:
                self.call_server(
                    lambda: self.shared.client.copy(source, name),
                    f"Copied {sanitize_line(source, 40)} to {sanitize_line(name, 40)}.",
                )

        prompt = TextPrompt(
            f"Copy {sanitize_line(source, 60)} to a new name",
            "Enter copies (no download: the layers are shared) · Esc cancels",
            placeholder="new name, e.g. my-model:v1",
            check=check,
        )
        self.app.push_screen(prompt, named)

    def action_unload(self) -> None:
        model = self._selected()
        if model is not None:
            name = model.name
            self.call_server(
                lambda: self.shared.client.unload(name), f"Unloaded {sanitize_line(name, 60)}."
            )

    def action_load(self) -> None:
        model = self._selected()
        if model is not None:
            name = model.name
            self.notify(f"Loading {sanitize_line(name, 60)}…")
            self.call_server(
                lambda: self.shared.client.load(name), f"{sanitize_line(name, 60)} is loaded."
            )

    def action_create_from_modelfile(self) -> None:
        creation = CreateFromModelfile(self, self.shared, on_created=lambda _: self.reload())
        creation.ask({m.name for m in self.models})

    async def delete_model(self, name: str) -> None:
        await self.shared.client.delete(name)
        self.shared.catalog.forget(name)

    @work(group="models-action", exit_on_error=False)
    async def call_server(self, call: Callable[[], Awaitable[object]], done: str) -> None:
        try:
            await call()
        except errors.ModelNotFound:
            self.post_message(ActionDone("That model is no longer on the server."))
        except errors.OllamaError as error:
            self.post_message(ActionFailed(error))
            return
        else:
            self.post_message(ActionDone(done))

    def on_action_done(self, event: ActionDone) -> None:
        self.notify(event.text)
        self.refresh_running()
        self.reload()


class ModelInfoScreen(ModalScreen[None]):
    """Everything known about one model, scrollable, selectable and copyable."""

    ACTION_SCOPE = "info"
    BINDINGS = bindings("info")

    def __init__(self, info: ModelInfo) -> None:
        super().__init__()
        self.info = info
        self.text = sanitize(model_details(info))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="info-dialog"):
            yield Plain(sanitize_line(self.info.name, 80), classes="dialog-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="info-text")
            yield Plain(
                "Select with the mouse or Shift+arrows, Ctrl+C copies the selection · "
                "Ctrl+L copies everything · Esc closes",
                classes="dialog-hint",
            )

    def action_copy_all(self) -> None:
        self.app.copy_to_clipboard(self.text)
