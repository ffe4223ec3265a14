"""What the app runs against: the emulator in its own process (with its send log), a
home of its own for every launch, and the versions of the app being compared."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.feel_screen import Pane, Tmux, app_pid
from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, ReplyStatus, UserTurn
from ollama_tui.core.history.store import HistoryStore

ROOT = Path(__file__).resolve().parent.parent
MODEL = "llama3.2:latest"
BASE_ENV = {
    "TERM": "xterm-256color",
    "LANG": "C.UTF-8",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


@dataclass(frozen=True)
class App:
    """A version of the app: the checkout whose ``ollama_tui`` package is run."""

    name: str
    checkout: Path

    def check(self, scratch: Path) -> None:
        """The package imported with this checkout first on PYTHONPATH is the one in it
        (the venv's editable install points elsewhere)."""
        found = subprocess.run(
            [sys.executable, "-c", "import ollama_tui; print(ollama_tui.__file__)"],
            env={**BASE_ENV, "PYTHONPATH": str(self.checkout)},
            cwd=scratch,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(found).resolve().is_relative_to(self.checkout.resolve()):
            raise SystemExit(f"{self.name}: ollama_tui comes from {found}, not {self.checkout}")


class Emulator:
    """``python -m ollama_tui.emulator`` of this checkout on a free port, every reply
    ``tokens`` marked Markdown tokens at ``rate`` tokens/s (None: as fast as it can),
    logging when each chunk leaves; ``close()`` ends it."""

    def __init__(self, workdir: Path, tokens: int, rate: float | None) -> None:
        self.log_path = workdir / "send-log.jsonl"
        self.log_path.touch()
        port_file = workdir / "emulator-port"
        pace = ["--rate", str(rate)] if rate else ["--delay", "0"]
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ollama_tui.emulator",
                "--port",
                "0",
                "--port-file",
                str(port_file),
                "--tokens",
                str(max(tokens, 1)),
                "--markdown",
                *pace,
                "--send-log",
                str(self.log_path),
            ],
            cwd=ROOT,
            env={**BASE_ENV, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()
        self.url = f"http://127.0.0.1:{port_file.read_text().strip()}"

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def stream_after(self, offset: int, deadline: float = 30.0) -> Stream:
        """The first chat stream logged after byte ``offset`` of the log, once it ended."""
        until = time.monotonic() + deadline
        while True:
            with self.log_path.open(encoding="utf-8") as log:
                log.seek(offset)
                records = [json.loads(line) for line in log if line.endswith("\n")]
            starts = [r for r in records if r["event"] == "start" and r["path"] == "/api/chat"]
            if starts:
                request = starts[0]["request"]
                mine = [r for r in records if r["request"] == request]
                if mine[-1]["event"] == "end":
                    return Stream(mine)
            if time.monotonic() > until:
                raise TimeoutError("the emulator logged no finished chat stream")
            time.sleep(0.05)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(5)


class Stream:
    """One logged reply: when each chunk with text left the emulator."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        chunks = [r for r in records if r["event"] == "chunk" and not r.get("done")]
        self.sent = [float(r["t"]) for r in chunks]
        self.texts = [str(r.get("content", "")) for r in chunks]
        self.outcome = str(records[-1].get("outcome"))

    @property
    def tokens(self) -> int:
        return len(self.sent)

    @property
    def first(self) -> float:
        return self.sent[0]

    @property
    def last(self) -> float:
        return self.sent[-1]


def app_env(home: Path, app: App, url: str) -> dict[str, str]:
    return {
        **BASE_ENV,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "OLLAMA_HOST": url,
        "PYTHONPATH": str(app.checkout.resolve()),
    }


def new_home(root: Path, history: Path | None = None) -> Path:
    """A home with an (empty) config file, so no first-run welcome shows, and the
    conversations in ``history`` (a conversations folder made by ``save_history``)."""
    home = root / "home"
    if home.exists():
        shutil.rmtree(home)
    config = home / ".config" / "ollama-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.touch()
    if history is not None:
        target = home / ".local" / "share" / "ollama-tui" / "conversations"
        target.parent.mkdir(parents=True)
        shutil.copytree(history, target)
    return home


def launch(
    tmux: Tmux, root: Path, app: App, url: str, args: list[str], size: tuple[int, int]
) -> tuple[Pane, int]:
    """Start ``app`` with a fresh home (made by ``new_home`` in ``root``) in a new
    session; the pane and the app's process id. The script ``exec``s the app, so the
    pane's process is the app itself, not a shell."""
    home = root / "home"
    env = app_env(home, app, url)
    command = [sys.executable, "-m", "ollama_tui.cli.main", "--model", MODEL, *args]
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.items()))
    script = root / "run.sh"
    # cd to the home: ``python -m`` puts the current folder first on sys.path.
    script.write_text(
        f"cd {shlex.quote(str(home))}\nexec env -i {exports} {shlex.join(command)}\n",
        encoding="utf-8",
    )
    name = f"app{time.monotonic_ns() % 10**9}"
    pane = Pane(tmux, name, script, *size)
    return pane, app_pid(pane)


def tmux_env(root: Path) -> dict[str, str]:
    return {**BASE_ENV, "HOME": str(root), "TMUX_TMPDIR": str(root)}


def save_history(folder: Path, exchanges: int, reply: str, tag: str = "Question") -> str:
    """One conversation of ``exchanges`` prompts and replies in ``folder``; its id."""
    started = Conversation(title=f"{exchanges} exchanges", model=MODEL)
    for n in range(exchanges):
        started.turns.append(UserTurn(f"{tag} {n}: how do I count words in file {n}?"))
        started.turns.append(AssistantTurn([Reply(MODEL, reply, status=ReplyStatus.COMPLETE)]))
    HistoryStore(folder).save(started)
    return started.id


def interpreter_ok() -> None:
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed: it is the terminal the app runs in")
    if not os.path.exists("/proc/self/stat"):
        raise SystemExit("/proc is needed to read the app's CPU time and memory")
