"""Snapshots of the key screens (see ``tests/scenes.py``), so layout regressions fail CI;
and a check that the README's screenshots are the same pictures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.scenes import SCENES, SCREENSHOTS, SIZE, fixed_emulator

Snap = Callable[..., bool]
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
SCREENSHOT_DIR = Path(__file__).parent.parent / "screenshots"


@pytest.mark.parametrize("name", list(SCENES))
def test_scene(snap_compare: Snap, name: str) -> None:
    with fixed_emulator() as emulator:
        app, run_before = SCENES[name](emulator)
        assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


@pytest.mark.parametrize("name", SCREENSHOTS)
def test_screenshots_are_current(name: str) -> None:
    """`python -m tests.screenshots` renders these exactly as the snapshots do."""
    snapshot = SNAPSHOTS / f"test_scene[{name}].svg"
    screenshot = SCREENSHOT_DIR / f"{name}.svg"
    assert screenshot.exists(), f"run python -m tests.screenshots to create {screenshot}"
    assert screenshot.read_text() == snapshot.read_text(), (
        f"{screenshot} is out of date: run python -m tests.screenshots"
    )


def test_the_screenshot_script_renders_what_is_committed() -> None:
    from tests.screenshots import render

    with fixed_emulator() as emulator:
        app, run_before = SCENES["pull"](emulator)
        svg = render(app, run_before, SIZE)
    assert svg == (SCREENSHOT_DIR / "pull.svg").read_text()
