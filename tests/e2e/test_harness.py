"""The harness's own checks can be trusted: a leaked escape, a crash and a non-zero
exit are seen, and a quiet program leaves no marks."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from tests.e2e.session import AppRun

pytestmark = pytest.mark.e2e

ESC = "\x1b"


def test_a_quiet_program_leaves_no_marks(app_run: AppRun) -> None:
    terminal = app_run.open(["sh", "-c", "printf 'all quiet\\n'"])
    ended = terminal.wait_exit()
    assert ended.status == 0
    assert "all quiet" in ended.output
    assert not ended.traceback
    assert terminal.leaks() == []


@pytest.mark.parametrize(
    ("sequence", "mark"),
    [
        pytest.param(
            f"{ESC}]52;c;{base64.b64encode(b'secret').decode()}\a", "paste buffers", id="osc52"
        ),
        pytest.param(f"{ESC}]2;leaked title{ESC}\\", "pane title", id="title"),
        pytest.param(f"{ESC}kleaked-name{ESC}\\", "window name", id="rename"),
    ],
)
def test_a_leaked_escape_is_seen(app_run: AppRun, sequence: str, mark: str) -> None:
    terminal = app_run.open(["printf", "%s", sequence])
    assert terminal.wait_exit().status == 0
    # Seen by tmux; the raw output may be seen too, once pipe-pane has written it.
    terminal.until(lambda: len(terminal.leaks()) == 2, "leak in the raw output", after_exit=True)
    tmux_marks = [leak for leak in terminal.leaks() if not leak.startswith("the program wrote")]
    assert len(tmux_marks) == 1 and tmux_marks[0].startswith(mark), terminal.leaks()


def test_a_crash_and_its_status_are_seen(app_run: AppRun) -> None:
    terminal = app_run.open([sys.executable, "-c", "raise RuntimeError('boom')"])
    ended = terminal.wait_exit()
    assert ended.status == 1
    assert ended.traceback
    assert "RuntimeError: boom" in ended.output


def test_closing_ends_the_private_server(app_run: AppRun) -> None:
    terminal = app_run.open(["sleep", "600"])
    terminal.close()
    command = [terminal.tmux_binary, "-L", terminal.socket, "list-sessions"]
    listed = subprocess.run(command, capture_output=True, env=terminal.env, check=False)
    assert listed.returncode != 0
