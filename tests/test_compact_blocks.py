"""Tables and simple lists drawn as text by one widget each."""

from __future__ import annotations

import contextlib

from pygments.lexers.python import PythonLexer
from textual.app import App, ComposeResult

from ollama_tui.ui.compat import drawn_lines
from ollama_tui.ui.widgets.compact_blocks import fit_columns, numbers
from ollama_tui.ui.widgets.reply_markdown import ReplyMarkdown
from tests.chat_helpers import app_for, screen_settled, wait_until
from tests.emulator import OllamaEmulator

DOCUMENT = """\
| name | what it does |
|---|---|
| `ls` | lists the files in a folder, one per line |
| cd | changes folder |

- a first item long enough to wrap onto a second line
- second

3. three
4. four

- outer
  - nested

```
print("a line of code too long for the window, so it wraps")
```

The end.
"""


class OneReply(App[None]):
    def compose(self) -> ComposeResult:
        yield ReplyMarkdown()


def test_columns_shrink_widest_first() -> None:
    assert fit_columns([4, 30, 6], 100) == [4, 30, 6]
    assert fit_columns([4, 30, 6], 20) == [4, 10, 6]
    assert fit_columns([4, 4], 2) == [3, 3]


def test_ordered_markers_continue_from_the_first_number() -> None:
    class Item:
        def __init__(self, bullet: str) -> None:
            self.bullet = bullet

    items = [Item("9"), Item("10")]
    assert numbers(items) == ["  9. ", " 10. "]  # type: ignore[arg-type]


async def test_tables_and_lists_drawn_as_text() -> None:
    app = OneReply()
    async with app.run_test(size=(44, 40)) as pilot:
        body = app.query_one(ReplyMarkdown)
        await body.update(DOCUMENT)
        # Drawn as it stays: every finished block painted, and the screen showing it.
        await wait_until(pilot, lambda: body.live_blocks == 1)
        await screen_settled(pilot)
        lines = [strip.text.rstrip() for strip in drawn_lines(app.screen)]
        assert body.source == DOCUMENT
    shown = "\n".join(lines).strip("\n")
    assert shown.startswith(
        "┌──────┬───────────────────────────────────┐\n"
        "│ name │ what it does                      │\n"
        "├──────┼───────────────────────────────────┤\n"
        "│ ls   │ lists the files in a folder, one… │\n"
        "│ cd   │ changes folder                    │\n"
        "└──────┴───────────────────────────────────┘\n"
        "\n"
        "• a first item long enough to wrap onto a\n"
        "  second line\n"
        "• second\n"
        "\n"
        " 3. three\n"
        " 4. four\n"
        "\n"
    ), shown
    # A list holding another list keeps Textual's widgets.
    assert "• outer" in shown and "▪ nested" in shown
    # Code wraps instead of scrolling sideways: all of it stays in view.
    assert '  print("a line of code too long for the\n  window, so it wraps")' in shown
    assert shown.endswith("The end.")


async def test_start_up_readies_the_python_highlighter(emulator: OllamaEmulator) -> None:
    # Pygments compiles a lexer's rules on its first use (~25 ms for Python); the
    # app does it after start-up, not in the middle of the first reply with code.
    with contextlib.suppress(AttributeError):
        del PythonLexer._tokens
    async with app_for(emulator).run_test() as pilot:
        await wait_until(pilot, lambda: "_tokens" in PythonLexer.__dict__)
