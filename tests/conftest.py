"""Shared fixtures: the loopback emulator, a client for it, and isolated user dirs.

Hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE`` (``ci`` or ``dev``); without it,
``ci`` where the ``CI`` variable is set to anything but ``""``, ``0`` or ``false``
(``.ci/run`` runs with ``CI=true``), else ``dev``:

- ``ci``: the same examples on every run (``derandomize``), so a red CI run is not
  luck and a green one is not either; no example database, since CI starts from a
  fresh clone; 100 examples where a test does not say how many.
- ``dev``: fresh random examples on each run, and failures kept in ``.hypothesis/``
  to be tried first next time (each test's examples are only ever written by the one
  worker that runs it, so parallel workers do not share entries).

Neither has a deadline, nor fails a test whose data is slow to generate: the suite runs
in parallel, often beside other work, so how long an example takes says nothing about
whether it is right. Tests that need other settings say so with ``@settings``, which
only overrides what it names.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.ui.compat import steady_cursors

# Registered and loaded here, when pytest imports this file and before any test module:
# ``@settings`` on a test takes what it does not name from the profile loaded then.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def hypothesis_profile(environ: Mapping[str, str] = os.environ) -> str:
    """The profile ``HYPOTHESIS_PROFILE`` names, else ``ci`` on CI, else ``dev``."""
    chosen = environ.get("HYPOTHESIS_PROFILE", "").strip()
    if chosen:
        return chosen
    on_ci = environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return "ci" if on_ci else "dev"


settings.load_profile(hypothesis_profile())


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
