"""A container that draws one of its own lines and repeats it."""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class AlikeLines(Widget):
    """A container whose own lines (background and side borders) are all alike.

    Textual draws every line of a widget in view again whenever the widget changes
    size, and the chat's containers grow with every update of a streaming reply:
    ~0.05 ms a line, a screenful of lines per container per update. This draws one
    line and repeats it. It comes after Textual's class in a subclass's bases:
    Textual takes CSS from the first base that is a widget only.
    """

    def render_lines(self, crop: Region) -> list[Strip]:
        if crop.height <= 1 or not self._lines_alike():
            return super().render_lines(crop)
        return super().render_lines(crop._replace(height=1)) * crop.height

    def _lines_alike(self) -> bool:
        styles = self.styles
        edges = (styles.border_top[0], styles.border_bottom[0])
        return (
            self.is_container
            and not styles.has_rule("keyline")
            and not (styles.padding.top or styles.padding.bottom)
            and all(edge in ("", "none") for edge in edges)
        )
