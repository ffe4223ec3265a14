"""One layout per change, where Textual does two.

When a layout gives a widget a new size, Textual stores the widget's new virtual
(content) size through a reactive that asks for another layout. That layout
measures the same content again and changes nothing, but it redraws the screen: a
streaming reply grows every widget around it at each update, so every update cost
two layouts (about 8 ms of CPU more per update at 120x40, and 10-15 % of a 200
tokens/s stream's CPU). Textual itself stores the size without a layout when it
lays out after a scroll; ``lay_out_once`` makes every layout do the same.

A widget whose scroll bars appear or go still gets its layout (scroll bars ask for
their own), and every widget still receives its ``Resize`` event.
"""

from __future__ import annotations

from ollama_tui.ui.compat import set_size_updates_lay_out


def lay_out_once() -> None:
    set_size_updates_lay_out(False)
