"""The pull modal: ask for a name, then show the whole model's progress, layer by layer.

The pull itself belongs to the app (it keeps going when this modal closes); this
screen only shows one job and asks the app to start, cancel or retry it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, ProgressBar

from ollama_tui.formatting import duration, human_size
from ollama_tui.pulls import LayerProgress, PullJob, PullState, Stage, name_problem
from ollama_tui.sanitize import sanitize_line
from ollama_tui.screens.base import tui_of
from ollama_tui.screens.confirm import Confirm
from ollama_tui.widgets.plain import Plain

if TYPE_CHECKING:
    from ollama_tui.app import OllamaTUI

PULL_HINT = "Enter pulls · Esc closes. Names look like llama3.2, qwen3:8b or hf.co/user/model."


class LayerRow(Horizontal):
    """One layer: short digest, bytes, bar."""

    DEFAULT_CSS = """
    LayerRow { height: 1; }
    LayerRow > .layer-label { width: 46; color: $text-muted; }
    LayerRow > ProgressBar { width: 1fr; }
    """

    def __init__(self, digest: str) -> None:
        super().__init__()
        self.digest = digest
        self.label = Plain(classes="layer-label")
        self.bar = ProgressBar(show_eta=False)

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.bar

    def show(self, layer: LayerProgress) -> None:
        note = " (on disk)" if layer.cached else ""
        size = f"{human_size(layer.completed)} / {human_size(layer.total)}"
        self.label.update(f"{layer.short_digest}  {size}{note}")
        self.bar.update(total=layer.total, progress=layer.completed)


class PullScreen(ModalScreen[str | None]):
    """Dismisses with the pulled model's name when the user wants to chat with it."""

    BINDINGS = [
        Binding("escape", "cancel_or_close", "Cancel/close", id="pull.cancel"),
        Binding("ctrl+b", "background", "Run in background", id="pull.background"),
        Binding("ctrl+r", "retry", "Retry", id="pull.retry"),
        Binding("ctrl+o", "chat", "Chat with it", id="pull.chat"),
    ]

    def __init__(self, job: PullJob | None = None, name: str = "") -> None:
        super().__init__()
        self.job = job
        self.initial_name = name
        self._shown_state: PullState | None = None

    @property
    def tui(self) -> OllamaTUI:
        return tui_of(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="pull-dialog"):
            yield Plain("Pull a model", classes="dialog-title", id="pull-title")
            with Vertical(id="pull-ask"):
                yield Input(self.initial_name, placeholder="model name", id="pull-name")
                yield Plain(PULL_HINT, id="pull-name-note")
            with Vertical(id="pull-progress"):
                yield Plain(id="pull-status")
                yield ProgressBar(id="pull-overall", show_eta=False)
                yield Plain(id="pull-figures")
                yield VerticalScroll(id="pull-layers")
                yield Plain(id="pull-problem")
                with Horizontal(id="pull-buttons"):
                    yield Button("Retry", id="pull-retry", variant="primary", action="screen.retry")
                    yield Button(
                        "Chat with it", id="pull-chat", variant="success", action="screen.chat"
                    )
                    yield Button(
                        "Run in background", id="pull-background", action="screen.background"
                    )
                    yield Button(
                        "Cancel pull",
                        id="pull-cancel",
                        variant="error",
                        action="screen.cancel_or_close",
                    )
            yield Plain(classes="dialog-hint", id="pull-keys")

    def on_mount(self) -> None:
        self.show_job()
        if self.job is None:
            self.query_one("#pull-name", Input).focus()

    # -- starting -----------------------------------------------------------------

    @on(Input.Changed, "#pull-name")
    def name_changed(self, event: Input.Changed) -> None:
        problem = name_problem(event.value.strip()) if event.value.strip() else ""
        note = self.query_one("#pull-name-note", Plain)
        note.update(problem or PULL_HINT)
        note.set_class(bool(problem), "-error")

    @on(Input.Submitted, "#pull-name")
    def name_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        problem = name_problem(name)
        if problem:
            note = self.query_one("#pull-name-note", Plain)
            note.update(problem)
            note.add_class("-error")
            return
        self.job = self.tui.start_pull(name)
        self.show_job()

    # -- showing --------------------------------------------------------------------

    def show_job(self) -> None:
        job = self.job
        self.query_one("#pull-ask").display = job is None
        self.query_one("#pull-progress").display = job is not None
        if job is None:
            self.query_one("#pull-keys", Plain).update("")
            return
        tracker = job.tracker
        name = sanitize_line(job.model, 80)
        self.query_one("#pull-title", Plain).update(f"Pulling {name}")
        self.query_one("#pull-status", Plain).update(self._status_line(job))
        overall = self.query_one("#pull-overall", ProgressBar)
        if tracker.total:
            overall.update(total=tracker.total, progress=tracker.completed)
        if tracker.stage is Stage.SUCCEEDED:
            overall.update(total=1, progress=1)
        self.query_one("#pull-figures", Plain).update(self._figures(job))
        self._show_layers(job)
        self.query_one("#pull-problem", Plain).update(job.problem)
        self.query_one("#pull-problem").display = bool(job.problem)
        running = not job.finished
        self.query_one("#pull-retry").display = job.state in {
            PullState.FAILED,
            PullState.CANCELLED,
        }
        self.query_one("#pull-chat").display = job.state is PullState.SUCCEEDED
        self.query_one("#pull-cancel").display = running
        self.query_one("#pull-background").display = running
        keys = (
            "Esc cancels · Ctrl+B runs it in the background"
            if running
            else "Ctrl+O chats with it · Esc closes"
            if job.state is PullState.SUCCEEDED
            else "Ctrl+R retries (resuming) · Esc closes"
        )
        self.query_one("#pull-keys", Plain).update(keys)
        if self._shown_state is not job.state:
            self._shown_state = job.state
            self.refresh_bindings()
        if not running and not isinstance(self.focused, Button):
            visible = [button for button in self.query("#pull-buttons Button") if button.display]
            if visible:
                visible[0].focus()

    def _status_line(self, job: PullJob) -> str:
        if job.state is PullState.QUEUED:
            return "Queued: it starts when the pull before it ends."
        if job.state is PullState.CANCELLED:
            return "Cancelled. Downloaded parts stay on disk, so pulling again resumes."
        if job.state is PullState.FAILED:
            return "The pull failed."
        if job.state is PullState.SUCCEEDED:
            return f"Done: {sanitize_line(job.model, 80)} is ready."
        return sanitize_line(job.tracker.status, 100)

    @staticmethod
    def _figures(job: PullJob) -> str:
        tracker = job.tracker
        parts = []
        if tracker.total:
            parts.append(
                f"{human_size(tracker.completed)} / {human_size(tracker.total)} "
                f"({tracker.fraction:.0%})"
            )
        if tracker.rate is not None and not job.finished:
            parts.append(f"{human_size(int(tracker.rate))}/s")
        eta = tracker.eta
        if eta is not None and not job.finished:
            parts.append(f"{duration(eta)} left")
        if job.state is not PullState.QUEUED:
            parts.append(f"elapsed {duration(tracker.elapsed)}")
        return " · ".join(parts)

    def _show_layers(self, job: PullJob) -> None:
        box = self.query_one("#pull-layers", VerticalScroll)
        rows = {row.digest: row for row in box.query(LayerRow)}
        for digest, layer in job.tracker.layers.items():
            row = rows.get(digest)
            if row is None:
                row = LayerRow(digest)
                box.mount(row)
            row.show(layer)

    # -- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        job = self.job
        if action == "background":
            return job is not None and not job.finished
        if action == "retry":
            return job is not None and job.state in {PullState.FAILED, PullState.CANCELLED}
        if action == "chat":
            return job is not None and job.state is PullState.SUCCEEDED
        return True

    def action_cancel_or_close(self) -> None:
        job = self.job
        if job is None or job.finished:
            self.dismiss(None)
            return
        if not job.tracker.worth_confirming_cancel():
            self.tui.cancel_pull(job)
            return
        done = human_size(job.tracker.downloaded)

        def answered(yes: bool | None) -> None:
            if yes and self.job is job:
                self.tui.cancel_pull(job)

        self.app.push_screen(
            Confirm(
                f"Cancel the pull of {sanitize_line(job.model, 60)}? {done} are downloaded; "
                "they stay on disk, so pulling again later resumes.",
                yes="Cancel pull",
                no="Keep pulling",
            ),
            answered,
        )

    def action_background(self) -> None:
        if self.job is not None and not self.job.finished:
            self.notify("The pull goes on; its progress is in the status line.")
        self.dismiss(None)

    def action_retry(self) -> None:
        if self.job is not None and self.job.finished:
            self.job = self.tui.start_pull(self.job.model)
            for row in self.query(LayerRow):
                row.remove()
            self.show_job()

    def action_chat(self) -> None:
        if self.job is not None and self.job.state is PullState.SUCCEEDED:
            self.dismiss(self.job.model)
