"""The app's pull queue: pulls run one at a time in the background, whatever screen is
showing, and report to the pull dialog, the status line and the model lists.

Workers only post ``PullUpdate`` messages; ``on_pull_update`` owns each job's state.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import App
from textual.message import Message
from textual.worker import Worker

from ollama_tui.core.formatting import human_size
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.errors import OllamaError
from ollama_tui.core.ollama.types import ModelInfo, PullProgress
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.pulls import (
    PullJob,
    PullState,
    PullTracker,
    explain_pull_error,
    no_such_model,
)
from ollama_tui.ui.screens.chat import ChatScreen

PULL_REDRAW_SECONDS = 0.2
"""Ollama reports every layer every 60 ms; redrawing that often costs more than it shows."""


@dataclass
class PullUpdate(Message):
    """A pull worker's news; the app's handler owns the job's state."""

    job: PullJob
    progress: PullProgress | None = None
    state: PullState | None = None
    error: OllamaError | None = None


class PullingApp(App[None]):
    client: OllamaClient
    model_info: dict[str, ModelInfo]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pulls: list[PullJob] = []
        self._pull_workers: dict[int, Worker[None]] = {}
        self._pull_turn = asyncio.Lock()
        """Pulls run one after another, in the order they were asked for."""
        self._pull_shown_at = 0.0

    @property
    def shutting_down(self) -> bool:
        """Workers' messages can still arrive while the app exits and removes its screens."""
        return not self.is_running or not self.screen_stack

    @property
    def chat(self) -> ChatScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, ChatScreen)
        return screen

    def start_pull(self, model: str) -> PullJob:
        """Queue a pull; it runs in the background after the ones before it."""
        job = PullJob(model, PullTracker(model))
        self.pulls.append(job)
        self._pull_workers[id(job)] = self.run_pull(job)
        self.chat.refresh_status()
        return job

    @work(group="pulls", exit_on_error=False)
    async def run_pull(self, job: PullJob) -> None:
        async with self._pull_turn:
            if job.state is not PullState.QUEUED:
                return
            self.post_message(PullUpdate(job, state=PullState.RUNNING))
            try:
                async for progress in self.client.pull(job.model):
                    self.post_message(PullUpdate(job, progress=progress))
            except OllamaError as error:
                self.post_message(PullUpdate(job, state=PullState.FAILED, error=error))
            else:
                self.post_message(PullUpdate(job, state=PullState.SUCCEEDED))

    def cancel_pull(self, job: PullJob) -> None:
        """Close the pull's stream: Ollama stops and keeps the parts on disk."""
        worker = self._pull_workers.pop(id(job), None)
        if worker is not None:
            worker.cancel()
        job.state = PullState.CANCELLED
        job.tracker.stop()
        self._pull_changed(job)

    def on_pull_update(self, event: PullUpdate) -> None:
        job = event.job
        if job.state is PullState.CANCELLED:
            return
        if event.progress is not None:
            job.tracker.update(event.progress)
            now = time.monotonic()
            if now - self._pull_shown_at < PULL_REDRAW_SECONDS:
                return
            self._pull_shown_at = now
        if event.state is not None:
            job.state = event.state
            if job.state is PullState.RUNNING:
                job.tracker = PullTracker(job.model)
        if event.error is not None:
            job.problem = explain_pull_error(event.error, job.model)
            job.exists = not no_such_model(event.error)
        if job.finished:
            job.tracker.stop()
            self._pull_workers.pop(id(job), None)
            self._announce_pull_end(job)
        self._pull_changed(job)

    def _announce_pull_end(self, job: PullJob) -> None:
        from ollama_tui.ui.screens.pull import PullScreen

        name = sanitize_line(job.model, 60)
        watching = isinstance(self.screen, PullScreen) and self.screen.job is job
        if job.state is PullState.SUCCEEDED:
            self.model_info.pop(job.model, None)
            if not watching:
                self.notify(f"{name} is ready. Ctrl+O chooses it.", title="Pull finished")
        elif job.state is PullState.FAILED and not watching:
            self.notify(job.problem, title=f"Pull of {name} failed", severity="error")

    def _pull_changed(self, job: PullJob) -> None:
        if self.shutting_down:
            return
        from ollama_tui.ui.screens.model_picker import ModelPicker
        from ollama_tui.ui.screens.models import ModelsScreen
        from ollama_tui.ui.screens.pull import PullScreen

        for screen in self.screen_stack:
            if isinstance(screen, PullScreen):
                screen.show_job()  # the queue line lists the other jobs too
            if job.state is PullState.SUCCEEDED:
                if isinstance(screen, ModelsScreen):
                    screen.reload()
                if isinstance(screen, ModelPicker):
                    screen.action_refresh()
        self.chat.refresh_status()

    def pull_summary(self) -> str:
        """Compact progress for the status line, or "" when nothing is pulling."""
        waiting = [job for job in self.pulls if not job.finished]
        if not waiting:
            return ""
        current = next((job for job in waiting if job.state is PullState.RUNNING), waiting[0])
        tracker = current.tracker
        text = f"⇣ {sanitize_line(current.model, 30)} {tracker.fraction:.0%}"
        if tracker.rate:
            text += f" {human_size(int(tracker.rate))}/s"
        if len(waiting) > 1:
            text += f" +{len(waiting) - 1} queued"
        return text
