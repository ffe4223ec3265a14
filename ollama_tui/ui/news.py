"""Toasts for the services' news that concern the whole app."""

from __future__ import annotations

from textual.app import App

from ollama_tui.core.pulls import PullJob, PullState
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.saver import SavedAsCopy, SaveFailed, SaveNews, SaveWorksAgain


def announce_pull(app: App[None], job: PullJob) -> None:
    """A pull's end, unless its dialog is showing it (which says so itself)."""
    if not job.finished or job.state is PullState.CANCELLED:
        return
    watching = getattr(app.screen, "job", None) is job
    name = sanitize_line(job.model, 60)
    if watching:
        return
    if job.state is PullState.SUCCEEDED:
        app.notify(f"{name} is ready. Ctrl+O chooses it.", title="Pull finished")
    else:
        app.notify(job.problem, title=f"Pull of {name} failed", severity="error")


def announce_saving(app: App[None], news: SaveNews) -> None:
    """What the chat on screen does not say itself (it hears the rest)."""
    if isinstance(news, SaveFailed):
        app.notify(
            f"{news.reason} The conversation is kept in memory and saving is retried at "
            "the next change.",
            title="Not saved",
            severity="error",
            timeout=15,
        )
    elif isinstance(news, SaveWorksAgain):
        app.notify("Saving works again.", title="Saved")
    elif isinstance(news, SavedAsCopy):
        app.notify(
            f"{news.why} What this ollama-tui had is saved as “{news.title}”.",
            title="Saved as a copy",
            severity="warning",
        )
