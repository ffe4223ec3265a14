"""Finished Markdown painted once into stored lines: drawing widgets' regions the way
Textual's compositor does, so they can be removed and their lines kept."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from textual.dom import DOMNode
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget


class PaintedLines(Widget):
    """Finished Markdown, shown from lines painted once."""

    DEFAULT_CSS = """
    PaintedLines {
        height: auto;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[Strip] = []
        self.painted_width = 0

    def add(self, lines: list[Strip], width: int) -> None:
        self.lines.extend(lines)
        self.painted_width = width
        self.refresh(layout=True)

    def clear(self) -> None:
        self.lines.clear()
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines)

    def render_line(self, y: int) -> Strip:
        if y < len(self.lines):
            return self.lines[y]
        return Strip.blank(self.size.width)

    async def action_link(self, href: str) -> None:
        """Links in painted text are inert, as they are in the live reply."""


@contextlib.contextmanager
def one_update(widget: Widget) -> Iterator[None]:
    """Textual's ``batch_update``, then the screen woken: the batch's end wakes the
    app but not the screen, whose layout would wait for its next event (a cursor
    blink, up to 0.5 s later)."""
    with widget.app.batch_update():
        yield
    widget.screen.check_idle()


def is_placed(widget: Widget) -> bool:
    """Whether a layout has placed the widget, which may be empty (no height)."""
    return widget.region.width > 0


def is_laid_out(widget: Widget) -> bool:
    """Whether the widget's last layout still matches its content."""
    return is_placed(widget) and widget.region.size == widget.outer_size


def paint(root: Widget, blocks: Iterable[Widget], rows: int) -> list[Strip]:
    """The top ``rows`` lines of ``root`` as the screen shows them, from ``blocks``.

    Each widget renders its own region (background, border, padding, content), and
    children are drawn over their parent, clipped to it, as Textual's compositor does.
    """
    origin = root.region
    area = Region(origin.x, origin.y, origin.width, rows)
    canvas = root.render_lines(Region(0, 0, origin.width, rows))
    clips: dict[DOMNode, Region] = {root: origin.shrink(root.styles.gutter)}
    for block in blocks:
        for widget in block.walk_children(Widget, with_self=True):
            parent_clip = clips.get(widget.parent) if widget.parent is not None else None
            region = widget.region
            if parent_clip is None or not region:
                continue
            clips[widget] = region.shrink(widget.styles.gutter).intersection(parent_clip)
            shown = region.intersection(parent_clip).intersection(area)
            if not shown or not widget.visible:
                continue
            crop = Region(shown.x - region.x, shown.y - region.y, shown.width, shown.height)
            x = shown.x - origin.x
            for y, strip in enumerate(widget.render_lines(crop), shown.y - origin.y):
                base = canvas[y]
                canvas[y] = Strip.join([base.crop(0, x), strip, base.crop(x + shown.width)])
    return [strip.simplify() for strip in canvas]
