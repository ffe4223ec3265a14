"""A table of rows (models, conversations) that Home and End move through."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from ollama_tui.ui.bindings import bindings


class RowTable(DataTable[Any]):
    BINDINGS = bindings("table")

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
