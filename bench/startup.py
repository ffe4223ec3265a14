"""Start-up: from launching ``ollama-tui`` in a real terminal (tmux) to the chat
screen accepting a key. A marker key is sent as soon as the footer is drawn, and the
clock stops when it appears in the composer."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.streaming import emulator_process

SESSION = "ollama-tui-bench"
MARKER = "Q"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def isolated_home(home: Path) -> str:
    """Environment settings that keep the app's files under ``home``, with a config
    file in place, so nothing touches the real home and no first-run welcome shows."""
    config = home / "config" / "ollama-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.touch()
    return (
        f"XDG_CONFIG_HOME={home / 'config'} XDG_DATA_HOME={home / 'data'} "
        f"XDG_STATE_HOME={home / 'state'}"
    )


def measure_once(url: str, env: str, extra: str = "", rss: list[int] | None = None) -> float:
    """Seconds from launch to a key accepted; with ``rss``, the app's resident memory
    (kB) at that moment is appended to it."""
    tmux("kill-session", "-t", SESSION)
    command = f"{env} {sys.executable} -m ollama_tui --host {url} --model llama3.2:latest {extra}"
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command)
    sent = False
    try:
        while time.perf_counter() - started < 20:
            screen = tmux("capture-pane", "-p", "-t", SESSION)
            if not sent and "Quit" in screen:
                tmux("send-keys", "-t", SESSION, MARKER)
                sent = True
            elif sent and f"▊{MARKER}" in screen.replace(" ", ""):
                elapsed = time.perf_counter() - started
                if rss is not None:
                    rss.append(resident_kb(tmux("list-panes", "-t", SESSION, "-F", "#{pane_pid}")))
                return elapsed
            time.sleep(0.005)
        raise RuntimeError("the app did not accept a key within 20 s")
    finally:
        tmux("kill-session", "-t", SESSION)


def resident_kb(shell_pid: str) -> int:
    """VmRSS of the pane's python process (the shell's child, or the pane itself)."""
    pids = [shell_pid.strip()]
    children = Path(f"/proc/{pids[0]}/task/{pids[0]}/children")
    if children.exists():
        pids += children.read_text().split()
    best = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    best = max(best, int(line.split()[1]))
    return best


def main() -> None:
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed for the start-up benchmark")
    with tempfile.TemporaryDirectory() as home, emulator_process(10, 0.0) as url:
        env = isolated_home(Path(home))
        runs = [measure_once(url, env) for _ in range(5)]
    runs.sort()
    print(
        f"start-up to first key (5 runs): median {runs[2]:.3f} s, best {runs[0]:.3f} s, "
        f"worst {runs[-1]:.3f} s; target <= 1 s"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
