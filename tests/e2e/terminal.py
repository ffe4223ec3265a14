"""A small driver for a real terminal: one private tmux server per test.

The program runs in a tmux pane through a generated ``run.sh`` that exports the
test's environment, waits until the driver has recorded the pane's title, window
name and paste buffers, runs the command, and writes its exit status to a file. The
pane stays on screen after the command exits (``remain-on-exit``), so whatever was
printed after the program left the alternate screen (a traceback) can be read.

The server has ``set-clipboard on`` and ``allow-rename on``: a program that writes an
OSC 52 clipboard sequence creates a paste buffer, and one that sets the title or
renames the window changes ``#{pane_title}`` / ``#{window_name}``, so ``leaks()``
can see both. ``pipe-pane`` also keeps every byte the program wrote, and ``leaks()``
looks for those sequences there too.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

DEADLINE = 30.0
"""Seconds any single wait may take: generous, because the machine may be busy."""
POLL = 0.05
PANE_TITLE = "e2e-pane-title"
WINDOW_NAME = "e2e-window"
SERVER_OPTIONS = (
    ("set-clipboard", "on"),
    ("allow-rename", "on"),
    ("automatic-rename", "off"),
    ("remain-on-exit", "on"),
    ("status", "off"),
    ("history-limit", "5000"),
)
LEAKY_SEQUENCES = {
    b"\x1b]52;": "OSC 52 (clipboard)",
    b"\x1b]0;": "OSC 0 (title)",
    b"\x1b]1;": "OSC 1 (icon name)",
    b"\x1b]2;": "OSC 2 (title)",
    b"\x1bk": "ESC k (window name)",
}
"""Escape sequences that change something outside the program's own screen."""


class TerminalError(AssertionError):
    """A wait ran out or the program ended early; the message shows the screen."""


@dataclass(frozen=True)
class Marks:
    """What a program could change by leaking escape sequences."""

    pane_title: str
    window_name: str
    buffers: tuple[str, ...]


@dataclass(frozen=True)
class Exit:
    status: int | None
    """The exit status, or None if the status file was never written."""
    output: str
    """The pane's scrollback and screen after the program ended."""

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.output


def tmux_path() -> str | None:
    return shutil.which("tmux")


class Terminal:
    """A tmux pane of ``width`` x ``height`` on a private server; call ``close()``."""

    def __init__(
        self,
        workdir: Path,
        env: Mapping[str, str],
        *,
        width: int = 120,
        height: int = 40,
        describe: Callable[[], str] | None = None,
    ) -> None:
        tmux = tmux_path()
        if tmux is None:
            raise RuntimeError("tmux is not installed")
        self.tmux_binary = tmux
        self.workdir = workdir
        self.env = dict(env)
        self.width = width
        self.height = height
        self.describe = describe
        """Extra facts for failure messages (e.g. what the server received)."""
        self.socket = f"ollama-tui-e2e-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.target = "e2e:0.0"
        self.status_file = workdir / "exit-status"
        self.go_file = workdir / "go"
        self.raw_output = workdir / "pane-output.raw"
        self.before: Marks | None = None
        self.last_screen = ""
        self._started = False

    # -- tmux ---------------------------------------------------------------------------

    def tmux(self, *args: str, check: bool = True) -> str:
        command = [self.tmux_binary, "-L", self.socket, "-f", "/dev/null", *args]
        done = subprocess.run(
            command, capture_output=True, text=True, env=self.env, check=False, timeout=DEADLINE
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, argv: Sequence[str]) -> None:
        """Run ``argv`` in a new session; returns once it has been let go."""
        script = self.workdir / "run.sh"
        script.write_text(self._script(argv), encoding="utf-8")
        self.tmux(
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-n",
            WINDOW_NAME,
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            f"sh {shlex.quote(str(script))}",
        )
        self._started = True
        for name, value in SERVER_OPTIONS:
            self.tmux("set-option", "-g", name, value)
        self.tmux("select-pane", "-t", self.target, "-T", PANE_TITLE)
        self.tmux(
            "pipe-pane", "-t", self.target, "-o", f"cat >> {shlex.quote(str(self.raw_output))}"
        )
        size = self.tmux("display-message", "-p", "-t", self.target, "#{pane_width}x#{pane_height}")
        if size.strip() != f"{self.width}x{self.height}":
            raise RuntimeError(f"the pane is {size.strip()}, not {self.width}x{self.height}")
        self.before = self.marks()
        self.go_file.touch()

    def _script(self, argv: Sequence[str]) -> str:
        exports = "".join(
            f"export {name}={shlex.quote(value)}\n" for name, value in sorted(self.env.items())
        )
        return (
            "#!/bin/sh\n"
            f"{exports}"
            "unset OLLAMA_API_KEY TMUX TMUX_PANE\n"
            f"cd {shlex.quote(str(self.workdir))}\n"
            f"while [ ! -e {shlex.quote(str(self.go_file))} ]; do sleep 0.02; done\n"
            f"{shlex.join(argv)}\n"
            f"echo $? > {shlex.quote(str(self.status_file))}\n"
        )

    def close(self) -> None:
        if self._started:
            self.tmux("kill-server", check=False)
            self._started = False

    # -- input --------------------------------------------------------------------------

    def type(self, text: str) -> None:
        """Send ``text`` as one burst of keystrokes, as a fast typist (or a paste
        without bracketing) would."""
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def press(self, *keys: str) -> None:
        """Press named keys (``Enter``, ``Escape``, ``F3``, ``Tab``, ``C-q``...)."""
        self.tmux("send-keys", "-t", self.target, *keys)

    # -- output -------------------------------------------------------------------------

    def screen(self) -> str:
        self.last_screen = self.tmux("capture-pane", "-p", "-t", self.target)
        return self.last_screen

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's cursor is (column, row). Textual hides it but keeps it
        at the focused text field's caret, so it tells which field has focus."""
        where = self.tmux("display-message", "-p", "-t", self.target, "#{cursor_x} #{cursor_y}")
        x, y = where.split()
        return int(x), int(y)

    @property
    def exited(self) -> bool:
        return self.status_file.exists()

    def wait_for(
        self, condition: Callable[[str], bool] | str, what: str, timeout: float = DEADLINE
    ) -> str:
        """Poll the screen until ``condition`` (or the text) holds; returns the screen.
        Fails at once, with what the program printed, if it ends while waiting."""
        test = (lambda screen: condition in screen) if isinstance(condition, str) else condition
        deadline = time.monotonic() + timeout
        while True:
            ended = self.exited
            screen = self.screen()
            if test(screen):
                return screen
            if ended:
                self.fail(f"the program ended while waiting for {what}", self.exit_info())
            if time.monotonic() > deadline:
                self.fail(f"no {what} within {timeout:.0f} s")
            time.sleep(POLL)

    def until(
        self,
        check: Callable[[], bool],
        what: str,
        timeout: float = DEADLINE,
        *,
        after_exit: bool = False,
    ) -> None:
        """Poll something other than the screen (a file, the server) until it holds.
        Fails at once if the program ends first, unless ``after_exit``."""
        deadline = time.monotonic() + timeout
        while True:
            ended = self.exited and not after_exit
            if check():
                return
            self.screen()
            if ended:
                self.fail(f"the program ended while waiting for {what}", self.exit_info())
            if time.monotonic() > deadline:
                self.fail(f"no {what} within {timeout:.0f} s")
            time.sleep(POLL)

    def wait_exit(self, timeout: float = DEADLINE) -> Exit:
        """Wait until the pane's process has ended; its status and last output."""
        deadline = time.monotonic() + timeout
        while self.tmux("display-message", "-p", "-t", self.target, "#{pane_dead}").strip() != "1":
            if time.monotonic() > deadline:
                self.fail(f"the program did not exit within {timeout:.0f} s")
            time.sleep(POLL)
        return self.exit_info()

    def exit_info(self) -> Exit:
        text = self.status_file.read_text().strip() if self.exited else ""
        output = self.tmux("capture-pane", "-p", "-t", self.target, "-S", "-", "-E", "-")
        return Exit(int(text) if text.isdigit() else None, output)

    def marks(self) -> Marks:
        title, name = (
            self.tmux("display-message", "-p", "-t", self.target, "#{pane_title}\t#{window_name}")
            .rstrip("\n")
            .split("\t")
        )
        buffers = self.tmux("list-buffers", "-F", "#{buffer_name}: #{buffer_sample}")
        return Marks(title, name, tuple(buffers.splitlines()))

    def leaks(self) -> list[str]:
        """How the title, window name and paste buffers changed since the start."""
        assert self.before is not None, "start() records the marks"
        now = self.marks()
        found = []
        if now.pane_title != self.before.pane_title:
            found.append(f"pane title {self.before.pane_title!r} became {now.pane_title!r}")
        if now.window_name != self.before.window_name:
            found.append(f"window name {self.before.window_name!r} became {now.window_name!r}")
        new = [b for b in now.buffers if b not in self.before.buffers]
        if new:
            found.append(f"paste buffers appeared (OSC 52 clipboard writes?): {new}")
        written = self.raw_output.read_bytes() if self.raw_output.exists() else b""
        found += [
            f"the program wrote {name}: {written[written.index(start) :][:60]!r}"
            for start, name in LEAKY_SEQUENCES.items()
            if start in written
        ]
        return found

    def fail(self, problem: str, ended: Exit | None = None) -> NoReturn:
        parts = [problem, "", "Last screen:", self.last_screen.rstrip()]
        if ended is not None:
            parts += ["", f"Exit status: {ended.status}", "Pane output:", ended.output.rstrip()]
        if self.describe is not None:
            parts += ["", self.describe()]
        parts += ["", f"(to reproduce by hand: sh {self.workdir / 'run.sh'})"]
        raise TerminalError("\n".join(parts))
