"""The pull modal: ask for a name, show the whole model's progress layer by layer, and
the queue.

The pulls belong to the pull queue (they keep going when this modal closes); this
screen shows one job, lists the others, and has the queue start, cancel or retry them.
Another name can be typed while a pull runs: it is queued behind it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, ProgressBar

from ollama_tui.core.formatting import duration, human_size
from ollama_tui.core.pulls import LayerProgress, PullJob, PullState, Stage, name_problem
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.confirm import Confirm
from ollama_tui.ui.widgets.plain import Plain

PULL_HINT = "Enter pulls · Esc closes. Names look like llama3.2, qwen3:8b or hf.co/user/model."
QUEUE_HINT = "Type another name and press Enter to queue it."


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
        size = f"{human_size(layer.completed)} / {human_size(layer.total)}"
        self.label.update(f"{layer.short_digest}  {size}")
        self.bar.update(total=layer.total, progress=layer.completed)


class PullScreen(ModalScreen[str | None]):
    """Dismisses with the pulled model's name when the user wants to chat with it."""

    ACTION_SCOPE = "pull"
    BINDINGS = bindings("pull")

    def __init__(self, shared: Shared, job: PullJob | None = None, name: str = "") -> None:
        super().__init__()
        self.shared = shared
        self.job = job
        self.initial_name = name
        self._shown_state: PullState | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="pull-dialog"):
            yield Plain("Pull a model", classes="dialog-title", id="pull-title")
            with Vertical(id="pull-ask"):
                yield Input(
                    sanitize_line(self.initial_name), placeholder="model name", id="pull-name"
                )
                yield Plain(PULL_HINT, id="pull-name-note")
            yield Plain(id="pull-queue")
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
                        "Cancel pull", id="pull-cancel", variant="error", action="screen.cancel"
                    )
                    yield Button("Close", id="pull-close", action="screen.close")
            yield Plain(classes="dialog-hint", id="pull-keys")

    def on_mount(self) -> None:
        self.shared.signals.pulls.subscribe(self, lambda _: self.show_job())
        self.show_job()
        self.query_one("#pull-name", Input).focus()

    # -- starting -----------------------------------------------------------------

    @on(Input.Changed, "#pull-name")
    def name_changed(self, event: Input.Changed) -> None:
        problem = name_problem(event.value.strip()) if event.value.strip() else ""
        note = self.query_one("#pull-name-note", Plain)
        note.update(problem or PULL_HINT)
        note.set_class(bool(problem), "-error")
        # With a pull shown, the hint below says how to queue; a problem still shows.
        note.display = bool(problem) or self.job is None

    @on(Input.Submitted, "#pull-name")
    def name_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        problem = name_problem(name)
        if problem:
            note = self.query_one("#pull-name-note", Plain)
            note.update(problem)
            note.add_class("-error")
            return
        job = self.shared.pulls.start(name)
        if self.job is None or self.job.finished:
            self.job = job  # else the queue line shows it, waiting its turn
        event.input.value = ""
        self.show_job()

    # -- showing --------------------------------------------------------------------

    def show_job(self) -> None:
        job = self.job
        self.query_one("#pull-progress").display = job is not None
        self._show_queue()
        if job is None:
            self.query_one("#pull-keys", Plain).update("")
            return
        running = not job.finished
        self.query_one("#pull-name-note").display = self.query_one("#pull-name-note").has_class(
            "-error"
        )
        placeholder = "another model to queue" if running else "another model to pull"
        self.query_one("#pull-name", Input).placeholder = placeholder
        tracker = job.tracker
        name = sanitize_line(job.model, 80)
        title = {
            PullState.QUEUED: "Queued",
            PullState.RUNNING: "Pulling",
            PullState.SUCCEEDED: "Pulled",
            PullState.FAILED: "Could not pull",
            PullState.CANCELLED: "Cancelled the pull of",
        }[job.state]
        self.query_one("#pull-title", Plain).update(f"{title} {name}")
        self.query_one("#pull-status", Plain).update(self._status_line(job))
        overall = self.query_one("#pull-overall", ProgressBar)
        if tracker.stage is Stage.SUCCEEDED:
            overall.update(total=1, progress=1)
        elif tracker.total:
            overall.update(total=tracker.total, progress=tracker.completed)
        elif not running:
            overall.update(total=1, progress=0)  # not the "working" animation any more
        self.query_one("#pull-figures", Plain).update(self._figures(job))
        self._show_layers(job)
        self.query_one("#pull-problem", Plain).update(job.problem)
        self.query_one("#pull-problem").display = bool(job.problem)
        self.query_one("#pull-retry").display = job.retryable
        self.query_one("#pull-chat").display = job.state is PullState.SUCCEEDED
        self.query_one("#pull-cancel").display = running
        if running:
            keys = "Esc closes (the pull goes on in the background) · Ctrl+X cancels it"
        elif job.state is PullState.SUCCEEDED:
            keys = "Ctrl+O chats with it · Esc closes"
        elif job.retryable:
            keys = "Ctrl+R retries (resuming) · Esc closes"
        else:
            keys = "Check the name, then type it again above · Esc closes"
        if running:
            keys += f" · {QUEUE_HINT}"
        self.query_one("#pull-keys", Plain).update(keys)
        if self._shown_state is not job.state:
            self._shown_state = job.state
            self.refresh_bindings()

    def _show_queue(self) -> None:
        """The other pulls of this session: running, queued, and how the others ended."""
        others = [job for job in self.shared.pulls.jobs if job is not self.job]
        waiting = [job for job in others if not job.finished]
        line = ""
        if waiting:
            line = "Also in the queue: " + ", ".join(
                f"{sanitize_line(job.model, 30)} ({job.state.value})" for job in waiting
            )
        queue = self.query_one("#pull-queue", Plain)
        queue.update(line)
        queue.display = bool(line)

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
        if action == "cancel":
            return job is not None and not job.finished
        if action == "retry":
            return job is not None and job.retryable
        if action == "chat":
            return job is not None and job.state is PullState.SUCCEEDED
        return True

    def action_close(self) -> None:
        if self.job is not None and not self.job.finished:
            self.notify("The pull goes on; its progress is in the status line.")
        self.dismiss(None)

    def action_cancel(self) -> None:
        job = self.job
        if job is None or job.finished:
            return
        if not job.tracker.worth_confirming_cancel():
            self.shared.pulls.cancel(job)
            return
        done = human_size(job.tracker.downloaded)

        def answered(yes: bool | None) -> None:
            if yes and self.job is job:
                self.shared.pulls.cancel(job)

        self.app.push_screen(
            Confirm(
                f"Cancel the pull of {sanitize_line(job.model, 60)}? {done} are downloaded; "
                "they stay on disk, so pulling again later resumes.",
                yes="Cancel pull",
                no="Keep pulling",
            ),
            answered,
        )

    def action_retry(self) -> None:
        if self.job is not None and self.job.retryable:
            self.job = self.shared.pulls.start(self.job.model)
            for row in self.query(LayerRow):
                row.remove()
            self.show_job()

    def action_chat(self) -> None:
        if self.job is not None and self.job.state is PullState.SUCCEEDED:
            self.dismiss(self.job.model)
