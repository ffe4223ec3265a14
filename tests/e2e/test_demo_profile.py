"""``--demo`` keeps its files in a temporary profile: closing the terminal it runs in
(SIGHUP) or killing it (SIGTERM) removes the profile as quitting does."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.session import AppRun
from tests.e2e.terminal import DEADLINE, Terminal

pytestmark = pytest.mark.e2e


def start_demo(app_run: AppRun) -> tuple[Terminal, Path]:
    """The demo running in a terminal, and its profile (in the test's own TMPDIR)."""
    temporary = app_run.root / "tmp"
    temporary.mkdir()
    app_run.env["TMPDIR"] = str(temporary)
    terminal = app_run.launch("--demo", "--model", "llama3.2")
    terminal.wait_for("demo: no Ollama server", "the demo's status line")
    [profile] = list(temporary.glob("ollama-tui-demo-*"))
    return terminal, profile


def test_closing_the_terminal_removes_the_demo_s_profile_and_ends_it(app_run: AppRun) -> None:
    terminal, profile = start_demo(app_run)
    app = app_pid(terminal)
    terminal.close()  # the terminal goes: the app gets SIGHUP
    deadline = time.monotonic() + DEADLINE
    while profile.exists() or _running(app):
        assert time.monotonic() < deadline, (
            f"{profile} is still there" if profile.exists() else f"the app ({app}) still runs"
        )
        time.sleep(0.05)


def test_a_killed_demo_removes_its_profile(app_run: AppRun) -> None:
    terminal, profile = start_demo(app_run)
    os.kill(app_pid(terminal), signal.SIGTERM)
    terminal.until(lambda: not profile.exists(), "the profile removed", after_exit=True)


def app_pid(terminal: Terminal) -> int:
    shell = int(terminal.tmux("display-message", "-p", "-t", terminal.target, "#{pane_pid}"))
    [app] = [pid for pid in _pids() if _parent(pid) == shell]
    return app


def _running(pid: int) -> bool:
    """Not ended (a zombie has ended: only its parent has still to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])
