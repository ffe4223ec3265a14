"""Small helpers the app's screens share."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable


def selected_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if table.row_count == 0:
        return None
    row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    return row_key.value
