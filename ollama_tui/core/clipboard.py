"""Copying to the clipboard, and saying honestly where the text went.

A terminal app can ask the terminal to set the clipboard (OSC 52, which the app
always sends), but nothing tells it whether that worked: tmux passes the request on
only when configured to, GNU screen drops it, macOS Terminal ignores it. So a system
clipboard tool is used when there is one, tmux's own buffer inside tmux, and
otherwise the text is also written to a file whose path the user is told.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ollama_tui.core.files import write_atomic

TOOL_SECONDS = 3.0
"""A clipboard tool that takes longer than this is given up on."""


@dataclass(frozen=True)
class Copied:
    message: str
    """What happened, in words, for a toast."""
    ok: bool = True


def _tools(environ: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """System clipboard commands that can work here, best first."""
    tools: list[tuple[str, list[str]]] = []
    if sys.platform == "darwin":
        tools.append(("pbcopy", ["pbcopy"]))
    if environ.get("WAYLAND_DISPLAY"):
        tools.append(("wl-copy", ["wl-copy"]))
    if environ.get("DISPLAY"):
        tools.append(("xclip", ["xclip", "-selection", "clipboard"]))
        tools.append(("xsel", ["xsel", "--clipboard", "--input"]))
    if sys.platform == "win32" or environ.get("WSL_DISTRO_NAME"):
        tools.append(("clip.exe", ["clip.exe"]))
    return tools


def copy(
    text: str,
    environ: Mapping[str, str],
    fallback_file: Path,
    run: Callable[[list[str], str], bool] | None = None,
) -> Copied:
    """Put ``text`` where it can be pasted; say where. ``run`` runs a command with the
    text on its standard input and says whether it worked (tests replace it)."""
    run = run or _run
    count = f"{len(text):,} characters"
    for name, command in _tools(environ):
        if shutil.which(command[0]) and run(command, text):
            return Copied(f"Copied {count} ({name}).")
    in_tmux = environ.get("TMUX") and shutil.which("tmux")
    if in_tmux and run(["tmux", "load-buffer", "-w", "-"], text):
        return Copied(
            f"Copied {count} into tmux's paste buffer (prefix then ] pastes it); tmux "
            "also hands it to your terminal's clipboard if the terminal allows that."
        )
    saved = _save(text, fallback_file)
    if environ.get("STY") or environ.get("TERM_PROGRAM") == "Apple_Terminal":
        return Copied(
            f"This terminal cannot take a clipboard request. The {count} are saved in {saved}."
            if saved
            else "This terminal cannot take a clipboard request.",
            ok=bool(saved),
        )
    where = f"; they are also saved in {saved}" if saved else ""
    return Copied(
        f"Asked the terminal to copy {count} (most terminals do; some need it allowed){where}."
    )


def _run(command: list[str], text: str) -> bool:
    try:
        done = subprocess.run(
            command,
            input=text.encode("utf-8", errors="replace"),
            # Not captured: xclip and wl-copy leave a child holding their output
            # open, and waiting for it would always time out.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TOOL_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _save(text: str, path: Path) -> str:
    try:
        write_atomic(path, text.encode("utf-8", errors="replace"))
    except OSError:
        return ""
    return str(path)
