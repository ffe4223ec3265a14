"""The pull queue: pulls run one at a time, in the order asked for, in the background;
every change of a job is reported to ``on_change``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from ollama_tui.core.formatting import human_size
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.errors import OllamaError
from ollama_tui.core.pulls import (
    PullJob,
    PullState,
    PullTracker,
    explain_pull_error,
    no_such_model,
)
from ollama_tui.core.sanitize import sanitize_line


@dataclass(frozen=True)
class PullChange:
    """A job as it was when reported: its state may have moved on by the time the
    report is read."""

    job: PullJob
    state: PullState


PROGRESS_REPORT_SECONDS = 0.2
"""Ollama reports every layer every 60 ms; redrawing that often costs more than it shows."""


class PullQueue:
    def __init__(
        self,
        client: OllamaClient,
        on_change: Callable[[PullChange], None],
        *,
        on_pulled: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.on_change = on_change
        self.on_pulled = on_pulled
        """Hears each model pulled (its cached details are out of date)."""
        self.jobs: list[PullJob] = []
        self._clock = clock
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._turn = asyncio.Lock()
        self._reported_at = 0.0

    def start(self, model: str) -> PullJob:
        """Queue a pull; it runs after the ones before it."""
        job = PullJob(model, PullTracker(model))
        self.jobs.append(job)
        self._tasks[id(job)] = asyncio.create_task(self._run(job), name=f"pull {model}")
        self._report(job)
        return job

    def cancel(self, job: PullJob) -> None:
        """Close the pull's stream: Ollama stops and keeps the parts on disk."""
        task = self._tasks.pop(id(job), None)
        if task is not None:
            task.cancel()
        job.state = PullState.CANCELLED
        job.tracker.stop()
        self._report(job)

    async def aclose(self) -> None:
        """Stop every pull (the app is quitting) and wait until their streams close."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def current(self) -> PullJob | None:
        """The job running, or else the next one waiting."""
        waiting = [job for job in self.jobs if not job.finished]
        running = (job for job in waiting if job.state is PullState.RUNNING)
        return next(running, waiting[0] if waiting else None)

    def summary(self) -> str:
        """Compact progress for a status line, or "" when nothing is pulling."""
        current = self.current
        if current is None:
            return ""
        tracker = current.tracker
        text = f"⇣ {sanitize_line(current.model, 30)} {tracker.fraction:.0%}"
        if tracker.rate:
            text += f" {human_size(int(tracker.rate))}/s"
        waiting = sum(not job.finished for job in self.jobs)
        if waiting > 1:
            text += f" +{waiting - 1} queued"
        return text

    def _report(self, job: PullJob) -> None:
        self.on_change(PullChange(job, job.state))

    async def _run(self, job: PullJob) -> None:
        async with self._turn:
            if job.state is not PullState.QUEUED:
                return
            job.state = PullState.RUNNING
            job.tracker = PullTracker(job.model)
            self._report(job)
            try:
                async for progress in self.client.pull(job.model):
                    job.tracker.update(progress)
                    if self._clock() - self._reported_at >= PROGRESS_REPORT_SECONDS:
                        self._reported_at = self._clock()
                        self._report(job)
            except OllamaError as error:
                job.problem = explain_pull_error(error, job.model)
                job.exists = not no_such_model(error)
                job.state = PullState.FAILED
            except Exception as error:  # the job must end, whatever went wrong
                job.problem = f"The pull failed unexpectedly ({type(error).__name__})."
                job.state = PullState.FAILED
            else:
                job.state = PullState.SUCCEEDED
                if self.on_pulled is not None:
                    self.on_pulled(job.model)
            job.tracker.stop()
            self._tasks.pop(id(job), None)
            self._report(job)
