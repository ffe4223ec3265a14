"""Shared fixtures: the loopback emulator, a client for it, and isolated user dirs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.ui.compat import steady_cursors
from tests.emulator import OllamaEmulator


@pytest.fixture
def emulator() -> Iterator[OllamaEmulator]:
    with OllamaEmulator() as server:
        yield server


@pytest.fixture
async def client(emulator: OllamaEmulator) -> AsyncIterator[OllamaClient]:
    ollama = OllamaClient(emulator.url)
    yield ollama
    await ollama.aclose()


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME and the XDG dirs at a temporary folder, and clear Ollama's env."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    # Ollama's settings, and what decides where copied text goes (a test run inside
    # tmux or an X session must not copy to them).
    for name in (
        "OLLAMA_HOST",
        "OLLAMA_API_KEY",
        "TMUX",
        "STY",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "TERM_PROGRAM",
        "WSL_DISTRO_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


# Text cursors stay visible, so snapshots do not depend on blink timing.
steady_cursors()
