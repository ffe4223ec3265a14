"""A terminal to run the app in and read: a private tmux server driven through one
control-mode client, and readers for the parts of the app's screen.

Every look at the screen is a ``capture-pane`` sent down the control client's pipe:
no tmux process is started per look, so polling every 10 ms costs the machine (two
cores, shared with the app under test) little. ``refresh-client -f no-output`` keeps
tmux from copying everything the app writes to that client.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from ollama_tui.emulator.demo import marker_numbers

CONFIG = """\
set -g status off
set -g history-limit 100
set -g remain-on-exit off
set -g escape-time 0
"""
"""No status line (the pane gets every row), and Escape reaches the app at once. The
app's sessions have no client attached (the control client sits in another), so
their windows keep the size they are created with; ``Pane`` checks it."""

COMPOSER_EDGE = "▊"
BORDER_FILL = ("▔", "▁")
REPLYING = "replying… Esc stops"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


class TmuxError(RuntimeError):
    pass


class Tmux:
    """A private tmux server with a control-mode client; ``close()`` ends both."""

    def __init__(self, workdir: Path, env: Mapping[str, str]) -> None:
        self.socket = f"ollama-tui-feel-{os.getpid()}"
        config = workdir / "tmux.conf"
        config.write_text(CONFIG, encoding="utf-8")
        self.base = ["tmux", "-L", self.socket, "-f", str(config)]
        self.env = dict(env)
        # A session that does nothing, for the control client to sit in.
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "idle", "-x", "20", "-y", "5", "cat"],
            env=dict(env),
            check=True,
        )
        self.client = subprocess.Popen(
            [*self.base, "-C", "attach-session", "-t", "idle"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(env),
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        try:
            self._attached()
        except BaseException:
            self.close()
            raise

    def _attached(self) -> None:
        # Commands sent before the client is in its session find "no current client".
        assert self.client.stdout is not None
        for line in self.client.stdout:
            if line.startswith("%session-changed"):
                break
        else:
            raise TmuxError("the tmux control client did not attach")
        self.command("refresh-client -f no-output")

    def command(self, line: str) -> list[str]:
        """Run one tmux command; its output lines."""
        assert self.client.stdin is not None and self.client.stdout is not None
        self.client.stdin.write(line + "\n")
        self.client.stdin.flush()
        output: list[str] = []
        inside = False
        while True:
            text = self.client.stdout.readline()
            if not text:
                raise TmuxError(f"the tmux control client ended during {line!r}")
            text = text.rstrip("\n")
            if not inside:
                # Flags 1: the block answers this client (attaching opens with another).
                inside = text.startswith("%begin ") and text.endswith(" 1")
                continue
            if text.startswith(("%end ", "%error ")):
                if text.startswith("%error "):
                    raise TmuxError(f"{line!r} failed: {' '.join(output)}")
                return output
            output.append(text)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], env=self.env, capture_output=True, check=False)
        if self.client.stdin is not None:
            self.client.stdin.close()
        self.client.wait(5)


class Pane:
    """One program running in its own session of ``tmux``'s server."""

    def __init__(self, tmux: Tmux, name: str, script: Path, width: int, height: int) -> None:
        self.tmux = tmux
        self.target = f"{name}:0.0"
        self.name = name
        self.launched_at = time.monotonic()
        tmux.command(
            f"new-session -d -s {name} -x {width} -y {height} "
            + quote(f"exec sh {shlex.quote(str(script))}")
        )
        shape = tmux.command(
            f"display-message -p -t {self.target} '#{{pane_width}}x#{{pane_height}}'"
        )
        if shape != [f"{width}x{height}"]:
            raise TmuxError(f"the pane is {shape}, not {width}x{height}")

    def screen(self) -> list[str]:
        return self.tmux.command(f"capture-pane -p -t {self.target}")

    def type(self, text: str) -> None:
        self.tmux.command(f"send-keys -t {self.target} -l {quote(text)}")

    def press(self, key: str) -> None:
        self.tmux.command(f"send-keys -t {self.target} {key}")

    def pid(self) -> int:
        return int(self.tmux.command(f"display-message -p -t {self.target} '#{{pane_pid}}'")[0])

    def alive(self) -> bool:
        return self.name in self.tmux.command("list-sessions -F '#{session_name}'")

    def close(self) -> None:
        if self.alive():
            self.tmux.command(f"kill-session -t {self.name}")


def quote(text: str) -> str:
    """A tmux command-language string (single quotes work as in sh)."""
    return "'" + text.replace("'", "'\\''") + "'"


# -- the app's process ---------------------------------------------------------------------


def app_pid(pane: Pane, deadline: float = 10.0) -> int:
    """The app's own process: the pane runs a script that ``exec``s it, so the pane's
    process becomes the app once its command line says so."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        pid = pane.pid()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"ollama_tui.cli.main" in cmdline:
            return pid
        time.sleep(0.002)
    raise TmuxError("the pane's process never became the app")


def cpu_seconds(pid: int) -> float:
    """User plus system time of the process (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- reading the screen --------------------------------------------------------------------


def composer_top(screen: list[str]) -> int:
    """The row of the composer's top border (the chat ends above it)."""
    for row in range(len(screen) - 1, -1, -1):
        line = screen[row]
        if line.startswith(COMPOSER_EDGE + BORDER_FILL[0]):
            return row
    return len(screen)


def chat_area(screen: list[str]) -> str:
    """The chat log's rows: below the status line, above the composer, without the
    last column, where the scroll bar's thumb moves as blocks painted above fill in
    (a change there alone is not new text)."""
    width = max((len(line) for line in screen), default=0)
    # capture-pane leaves out trailing blanks: pad before cutting the last column.
    rows = screen[1 : composer_top(screen)]
    return "\n".join(line.ljust(width)[: width - 1].rstrip() for line in rows)


def composer_text(screen: list[str]) -> str:
    """What the composer shows, its lines joined (no newlines: a wrapped line is one)."""
    rows = [
        line[1:].partition("▎")[0].rstrip()
        for line in screen
        if line.startswith(COMPOSER_EDGE) and not any(fill in line for fill in BORDER_FILL)
    ]
    return "".join(row.strip() for row in rows)


def chat_ready(screen: list[str], model: str) -> bool:
    text = "\n".join(screen)
    return "● Ollama" in text and f"model {model}" in text and "^q Quit" in text


def footer_drawn(screen: list[str]) -> bool:
    return any("^q Quit" in line for line in screen[-2:])


def replying(screen: list[str]) -> bool:
    return bool(screen) and REPLYING in screen[0]


def top_marker(area: str) -> int:
    """The highest marker word's number in the chat area (0: none)."""
    return max(marker_numbers(area), default=0)


def shows(area: str, text: str) -> bool:
    """``text`` is in the chat area, whatever the wrapping of its words."""
    flat = re.sub(r"\s+", " ", area.replace("█", " "))
    return " ".join(text.split()) in flat
