"""Snapshots of the key screens (see ``tests/scenes.py``), so layout regressions fail CI;
and a check that the README's screenshots are the same pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy.assertion import SnapshotAssertion

from tests.scenes import SCENES, SCREENSHOTS, picture

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
SCREENSHOT_DIR = Path(__file__).parent.parent / "screenshots"


@pytest.mark.parametrize("name", list(SCENES))
def test_scene(snapshot: SnapshotAssertion, name: str) -> None:
    assert snapshot.use_extension(SVGImageExtension) == picture(name)


def test_every_snapshot_belongs_to_a_scene() -> None:
    """Syrupy fails a run on a snapshot no test uses only when one process ran every
    test; parallel workers each see part of the suite, so the check is made here."""
    stored = {path.name for path in SNAPSHOTS.iterdir()}
    assert stored == {f"test_scene[{name}].svg" for name in SCENES}


@pytest.mark.parametrize("name", SCREENSHOTS)
def test_screenshots_are_current(name: str) -> None:
    """`python -m tests.screenshots` renders these exactly as the snapshots do."""
    snapshot = SNAPSHOTS / f"test_scene[{name}].svg"
    screenshot = SCREENSHOT_DIR / f"{name}.svg"
    assert screenshot.exists(), f"run python -m tests.screenshots to create {screenshot}"
    assert screenshot.read_text() == snapshot.read_text(), (
        f"{screenshot} is out of date: run python -m tests.screenshots"
    )
