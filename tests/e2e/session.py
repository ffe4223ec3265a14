"""One end-to-end test's world, and readers for what the app draws.

``AppRun`` gives a test its own home and XDG folders, the emulator's address in
OLLAMA_HOST, and terminals running the installed ``ollama-tui`` console script.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

from ollama_tui.emulator import OllamaEmulator
from tests.e2e.terminal import Terminal

MODEL = "llama3.2:latest"
COMPOSER_EDGE = "▊"
"""The composer's left border (``border: tall``), in the first column."""
BORDER_FILL = ("▔", "▁")
SIDEBAR = "Sampling · per request"
"""A heading that is on screen while the settings sidebar is open."""
TEMPERATURE = "temperature (number, 0 to 2) · randomness"
"""Sidebar field labels, whole (they wrap in the sidebar)."""
TOP_K = "top_k (whole number, at least 0) · sample from the k likeliest"


def app_script() -> Path | None:
    """The console script installed beside the running interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / "ollama-tui"
    if beside.is_file():
        return beside
    found = shutil.which("ollama-tui")
    return Path(found) if found else None


class AppRun:
    """A test's home, the emulator, and the terminals it opened (``close()`` ends them)."""

    def __init__(self, root: Path, emulator: OllamaEmulator, script: Path) -> None:
        self.root = root
        self.emulator = emulator
        self.script = script
        self.home = root / "home"
        self.home.mkdir(parents=True)
        self.env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "OLLAMA_HOST": emulator.url,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        }
        self.terminals: list[Terminal] = []

    @property
    def config_file(self) -> Path:
        return Path(self.env["XDG_CONFIG_HOME"]) / "ollama-tui" / "config.toml"

    @property
    def conversations_dir(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "ollama-tui" / "conversations"

    def write_config(self, text: str = "") -> None:
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(text, encoding="utf-8")

    def launch(self, *args: str, width: int = 120, height: int = 40) -> Terminal:
        """Start the installed app with ``args`` in a new terminal."""
        return self.open([str(self.script), *args], width=width, height=height)

    def open(self, argv: list[str], *, width: int = 120, height: int = 40) -> Terminal:
        """Run any command in a new terminal with this test's environment."""
        workdir = self.root / f"terminal-{len(self.terminals)}"
        workdir.mkdir()
        terminal = Terminal(
            workdir, self.env, width=width, height=height, describe=self.server_report
        )
        self.terminals.append(terminal)
        terminal.start(argv)
        return terminal

    def close(self) -> None:
        for terminal in self.terminals:
            terminal.close()

    # -- what happened ------------------------------------------------------------------

    def conversations(self) -> list[dict[str, Any]]:
        """Every saved conversation, parsed."""
        files = sorted(self.conversations_dir.glob("*.toml"))
        return [tomllib.loads(f.read_text(encoding="utf-8")) for f in files]

    def server_report(self) -> str:
        lines = ["The emulator received:"]
        lines += [f"  {r.method} {r.path}" for r in self.emulator.requests]
        for body in self.emulator.chat_requests():
            lines.append(f"  chat: model={body.get('model')!r} options={body.get('options')!r}")
            lines.append(f"        messages={json.dumps(body.get('messages'))[:400]}")
        return "\n".join(lines)


# -- reading the screen ------------------------------------------------------------------


def composer_text(screen: str) -> str:
    """What the composer shows: its lines are the ones framed by its left border in the
    first column (dialogs and the sidebar are drawn further right)."""
    rows = [
        line[1:].partition("▎")[0].rstrip()
        for line in screen.splitlines()
        if line.startswith(COMPOSER_EDGE) and not any(fill in line for fill in BORDER_FILL)
    ]
    return "\n".join(rows).strip()


def replying(screen: str) -> bool:
    """The status bar says a reply is streaming."""
    return "replying… Esc stops" in screen


SCROLLBAR = "▀▄█▁▂▃▅▆▇▐▌▕▏▔"
"""Glyphs the sidebar's scroll bar draws at the right end of its lines."""


def _sidebar_lines(screen: str) -> list[str]:
    return [line.rstrip().rstrip(SCROLLBAR).rstrip() for line in screen.splitlines()]


def _field_place(screen: str, label: str) -> tuple[int, int] | None:
    """Row and column of the sidebar field under ``label`` (its whole text, which may
    wrap over several lines), or None if it is not shown."""
    lines = _sidebar_lines(screen)
    wanted = " ".join(label.split())
    first = f"{COMPOSER_EDGE} {label.split()[0]} "
    for row, line in enumerate(lines):
        if first not in line:
            continue
        column = line.index(first) + 2
        seen = line[column:].strip()
        while len(seen) < len(wanted) and row + 1 < len(lines):
            row += 1
            seen = f"{seen} {lines[row][column:].strip()}"
        if seen == wanted and row + 1 < len(lines):
            return row + 1, column
    return None


def field_row(screen: str, label: str) -> int | None:
    """The screen row of the sidebar field under ``label``, or None if it is not shown."""
    place = _field_place(screen, label)
    return place[0] if place else None


def field_text(screen: str, label: str) -> str | None:
    """What the sidebar field under ``label`` shows (its placeholder when blank: what
    applies instead), or None if it is not shown."""
    place = _field_place(screen, label)
    if place is None:
        return None
    row, column = place
    return _sidebar_lines(screen)[row][column:].strip()


def chat_ready(screen: str, model: str = MODEL) -> bool:
    """The chat screen is up, connected, with ``model`` chosen and no dialog open."""
    return "● Ollama" in screen and f"model {model}" in screen and "^q Quit" in screen


# -- steps shared by the tests -----------------------------------------------------------


def focus_temperature(terminal: Terminal) -> None:
    """Open the settings sidebar (F3) and move to the temperature field (Tab: the system
    prompt has the focus when it opens). Keys typed at once after Tab can land in the
    previous field (test_typeahead.py), so this waits, as a person would, until the
    caret is in the temperature field."""
    terminal.press("F3")
    row = field_row(terminal.wait_for(SIDEBAR, "settings sidebar"), TEMPERATURE)
    terminal.press("Tab")
    terminal.until(lambda: terminal.cursor()[1] == row, "caret in the temperature field")


def close_sidebar(terminal: Terminal) -> None:
    terminal.press("F3")
    terminal.wait_for(lambda s: SIDEBAR not in s, "sidebar closed")
