"""Pick a model: every installed model with its size, age, capabilities and load state."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ollama_tui.core.formatting import human_size, relative_time
from ollama_tui.core.fuzzy import fuzzy_score
from ollama_tui.core.ollama.errors import OllamaError
from ollama_tui.core.ollama.types import ModelInfo, ModelSummary
from ollama_tui.core.pulls import PullState
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.pull_queue import PullChange
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.context import Shared
from ollama_tui.ui.widgets.plain import Plain

BADGES = (("vision", "vision"), ("tools", "tools"), ("thinking", "think"))
LIST_WAIT = 2.0
"""At most, in seconds, how long Enter waits for the letters typed before it and for
the server's list of models (the keys typed after it wait too, so that they reach the
prompt, not the filter)."""
WIDE_ROWS = 100
"""Rows narrower than this leave out a model's facts and age."""

EMPTY_HELP = (
    "No models are installed on this server.\n\n"
    "Press F4 to pull one, for example llama3.2; this list refreshes when it is done."
)


@dataclass
class ModelRow:
    summary: ModelSummary
    capabilities: frozenset[str] | None
    loaded: bool

    @property
    def embedding_only(self) -> bool:
        caps = self.capabilities
        return caps is not None and "embedding" in caps and "completion" not in caps


class ModelPicker(ModalScreen[str | None]):
    """Returns the chosen model's name, or None when dismissed."""

    ACTION_SCOPE = "picker"
    BINDINGS = bindings("picker")

    def __init__(self, shared: Shared) -> None:
        super().__init__()
        self.shared = shared
        self.rows: list[ModelRow] = []
        self._filtered_by = ""
        """The filter the rows shown were chosen by."""
        self.listed = asyncio.Event()
        """The server has answered with its models (or failed to)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog"):
            yield Plain("Choose a model", id="picker-title")
            yield Input(placeholder="Type to filter…", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Plain("Loading models…", id="picker-message")
            yield Plain(
                "Enter chooses · F4 pulls a new model · F5 manages models · Ctrl+R refreshes"
                " · Esc closes",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.shared.signals.pulls.subscribe(self, self.pull_changed)
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load_models()

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @dataclass
    class ModelsLoaded(Message):
        models: list[ModelSummary]
        loaded: set[str]

    @dataclass
    class LoadFailed(Message):
        error: OllamaError

    @dataclass
    class InfoLoaded(Message):
        info: ModelInfo

    @work(exclusive=True, group="picker-load", exit_on_error=False)
    async def load_models(self) -> None:
        try:
            catalog = self.shared.catalog
            models, running = await asyncio.gather(catalog.list_models(), catalog.running())
        except OllamaError as error:
            self.post_message(self.LoadFailed(error))
            return
        self.post_message(self.ModelsLoaded(models, {r.name for r in running}))
        for model in models:
            if model.capabilities is None and catalog.info(model.name) is None:
                try:
                    info = await catalog.show(model.name)
                except OllamaError:
                    continue
                self.post_message(self.InfoLoaded(info))

    def on_model_picker_load_failed(self, event: LoadFailed) -> None:
        self.listed.set()
        message = self.query_one("#picker-message", Plain)
        message.update(event.error.explain())
        message.display = True

    def on_model_picker_models_loaded(self, event: ModelsLoaded) -> None:
        self.rows = [
            ModelRow(m, m.capabilities or self._known_capabilities(m.name), m.name in event.loaded)
            for m in event.models
        ]
        message = self.query_one("#picker-message", Plain)
        message.update(EMPTY_HELP)
        message.display = not self.rows
        self.render_rows()
        self.listed.set()

    def _known_capabilities(self, name: str) -> frozenset[str] | None:
        return self.shared.catalog.capabilities(name)

    def pull_changed(self, change: PullChange) -> None:
        if change.state is PullState.SUCCEEDED:
            self.action_refresh()

    def on_model_picker_info_loaded(self, event: InfoLoaded) -> None:
        for row in self.rows:
            if row.summary.name == event.info.name:
                row.capabilities = event.info.capabilities
        self.render_rows()

    @on(Input.Changed, "#picker-filter")
    def filter_changed(self) -> None:
        self.render_rows()

    async def action_choose(self) -> None:
        """Enter: chat with the highlighted model. A priority binding, awaited, so
        that what is typed right after Enter goes to the chat's prompt, not here. It is
        handled before the letters typed ahead of it, which are still on their way to
        the filter: it waits for them, and filters with all of them."""
        typed = asyncio.get_running_loop().create_future()
        if self.query_one("#picker-filter", Input).call_later(typed.set_result, None):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(typed, LIST_WAIT)
        if not self.listed.is_set():  # Enter came with Ctrl+O, before the list
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.listed.wait(), LIST_WAIT)
        if self.query_one("#picker-filter", Input).value.strip() != self._filtered_by:
            self.render_rows()  # its Changed message is still on its way
        option = self.query_one(OptionList).highlighted_option
        if option is not None and not option.disabled and option.id:
            await self.dismiss(option.id)
            return
        query = self.query_one("#picker-filter", Input).value.strip()
        shown = [row for row in self.rows if fuzzy_score(query, row.summary.name) is not None]
        if shown and all(row.embedding_only for row in shown):
            name = sanitize_line(shown[0].summary.name, 60)
            self.notify(
                f"{name} only makes embeddings, so it cannot chat. Choose another model, "
                "or F4 to pull one.",
                severity="warning",
            )
        elif self.rows and not shown:
            self.notify("No installed model matches. F4 pulls a new one.", severity="warning")

    @on(OptionList.OptionSelected)
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and not event.option.disabled:
            self.dismiss(event.option.id)

    def render_rows(self) -> None:
        query = self.query_one("#picker-filter", Input).value.strip()
        self._filtered_by = query
        scored = [(fuzzy_score(query, row.summary.name), row) for row in self.rows]
        matches = [(score, row) for score, row in scored if score is not None]
        if query:
            matches.sort(key=lambda pair: -pair[0])
        options = self.query_one(OptionList)
        highlighted = options.highlighted_option
        keep = highlighted.id if highlighted else None
        options.set_options(
            Option(self._row_content(row), id=row.summary.name, disabled=row.embedding_only)
            for _, row in matches
        )
        ids = [row.summary.name for _, row in matches]
        chosen = ids.index(keep) if keep in ids and not query else None
        if chosen is None:
            chosen = next((i for i, (_, r) in enumerate(matches) if not r.embedding_only), None)
        options.highlighted = chosen

    def on_resize(self) -> None:
        self.render_rows()

    def _row_content(self, row: ModelRow) -> Content:
        """One line per model: on a narrow screen the facts and the age are left out
        (the models screen, F5, has them all), so a row never wraps."""
        summary = row.summary
        details = summary.details
        wide = self.query_one(OptionList).size.width >= WIDE_ROWS
        parts: list[str | tuple[str, str]] = [
            (f"{sanitize_line(summary.name, 26):<26} ", "bold"),
        ]
        if wide:
            facts = " · ".join(
                sanitize_line(part, 20)
                for part in (details.family, details.parameter_size, details.quantization_level)
                if part
            )
            parts.append((f"{facts:<24} ", "dim"))
        parts.append(f"{human_size(summary.size):>9}  ")
        if wide:
            parts.append((f"{relative_time(summary.modified_at):<12}", "dim"))
        caps = row.capabilities
        if caps is None:
            parts.append(("…", "dim"))
        for capability, label in BADGES:
            if caps and capability in caps:
                parts.append((f" {label} ", "reverse"))
                parts.append(" ")
        if row.embedding_only:
            parts.append((" embedding ", "italic"))
        if row.loaded:
            parts.append(("● loaded", "bold green"))
        return Content.assemble(*parts)
