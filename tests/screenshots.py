"""Write the README's screenshots: ``python -m tests.screenshots``.

Each scene of ``tests/scenes.py`` runs against the emulator in a throwaway home folder
and is saved as ``screenshots/NAME.svg``, rendered the way the snapshot tests render it.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parent.parent


def render(app: App[Any], run_before: Any, size: tuple[int, int]) -> str:
    async def auto_pilot(pilot: Pilot[Any]) -> None:
        await run_before(pilot)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        app.exit(app.export_screenshot(simplify=True))

    svg = app.run(headless=True, auto_pilot=auto_pilot, size=size)
    assert isinstance(svg, str)
    # The snapshot plugin drops the content hash from class names; so do we.
    return re.sub(r"terminal-\d+-", "terminal-", svg)


def isolate(home: str) -> None:
    """A fresh home per scene, as each test gets: no config, history or themes."""
    os.environ["HOME"] = home
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        os.environ[name] = str(Path(home) / sub)
    os.environ.pop("OLLAMA_HOST", None)


def main() -> None:
    from textual.widgets import Input, TextArea

    from tests.scenes import SCENES, SCREENSHOTS, SIZE, fixed_emulator

    # As the tests do (conftest.py): a blinking cursor would make pictures differ.
    Input._toggle_cursor = lambda self: None  # type: ignore[method-assign]
    TextArea._toggle_cursor_blink_visible = lambda self: None  # type: ignore[method-assign]
    target = ROOT / "screenshots"
    target.mkdir(exist_ok=True)
    for name in SCREENSHOTS:
        with tempfile.TemporaryDirectory() as home, fixed_emulator() as emulator:
            isolate(home)
            app, run_before = SCENES[name](emulator)
            (target / f"{name}.svg").write_text(render(app, run_before, SIZE))
        print(f"wrote screenshots/{name}.svg")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
