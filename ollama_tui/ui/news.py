"""Toasts for the services' news that concern the whole app."""

from __future__ import annotations

from textual.app import App
from textual.widget import Widget

from ollama_tui.core.pulls import PullState
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.pull_queue import PullChange
from ollama_tui.services.saver import SavedAsCopy, SaveFailed, SaveNews, SaveWorksAgain
from ollama_tui.ui.commands import scope_of


def announce_pull(app: App[None], change: PullChange) -> None:
    """A pull's end, unless its dialog is showing it (which says so itself)."""
    job = change.job
    if change.state not in (PullState.SUCCEEDED, PullState.FAILED):
        return
    if scope_of(app.screen) == "pull" and getattr(app.screen, "job", None) is job:
        return
    name = sanitize_line(job.model, 60)
    if change.state is PullState.SUCCEEDED:
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
        say_saved_as_copy(app, news.why, news.title)


def say_saved_as_copy(node: App[None] | Widget, why: str, title: str) -> None:
    """What could not go to its file went to a copy, called ``title``."""
    node.notify(
        f"{why} What this ollama-tui had is saved as “{sanitize_line(title, 80)}”.",
        title="Saved as a copy",
        severity="warning",
    )
