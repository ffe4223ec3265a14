"""The columns of the progress bar on a terminal (``progress.Progress``)."""

from __future__ import annotations

from typing import Literal

from rich.console import RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text


class IfCounted(ProgressColumn):
    """``column`` for a task with a count; nothing for one without (a server's status,
    added with ``counted=False``)."""

    def __init__(self, column: ProgressColumn) -> None:
        super().__init__()
        self.column = column

    def render(self, task: Task) -> RenderableType:
        return self.column.render(task) if task.fields.get("counted", True) else Text()


def columns(unit: Literal["steps", "bytes"]) -> list[ProgressColumn]:
    counts: list[ProgressColumn] = (
        [BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn()]
        if unit == "bytes"
        else [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    )
    return [TextColumn("{task.description}"), *(IfCounted(column) for column in counts)]
