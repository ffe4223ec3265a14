"""End-to-end fixtures: the installed ``ollama-tui`` in a private tmux server, talking to
the in-process emulator (``emulator``, from tests/conftest.py), with HOME and the XDG
folders under the test's tmp_path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ollama_tui.emulator import OllamaEmulator
from tests.e2e.session import AppRun, app_script
from tests.e2e.terminal import tmux_path


@pytest.fixture
def app_run(tmp_path: Path, emulator: OllamaEmulator) -> Iterator[AppRun]:
    if tmux_path() is None:
        pytest.skip("tmux is not installed")
    script = app_script()
    if script is None:
        pytest.fail(f"no ollama-tui console script beside {sys.executable} or on PATH")
    run = AppRun(tmp_path / "e2e", emulator, script)
    try:
        yield run
    finally:
        run.close()
