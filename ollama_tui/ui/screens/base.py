"""Small helpers the app's screens share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.dom import DOMNode
from textual.widgets import DataTable

if TYPE_CHECKING:
    from ollama_tui.ui.app import OllamaTUI


def tui_of(node: DOMNode) -> OllamaTUI:
    """The running app, typed (imported late: the app module imports the screens)."""
    from ollama_tui.ui.app import OllamaTUI

    assert isinstance(node.app, OllamaTUI)
    return node.app


def selected_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if table.row_count == 0:
        return None
    row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    return row_key.value
