"""``ollama-tui models``, ``ps`` and ``health``, run as the installed console script."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ollama_tui.emulator import OllamaEmulator
from ollama_tui.emulator.demo import demo_pulls
from ollama_tui.emulator.models import PullLayer, PullScript, Running

SCRIPT = Path(sys.executable).parent / "ollama-tui"


def run(
    host: str, *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The installed console script with ``args``, against ``host``; no stdin unless
    ``stdin`` is given."""
    return subprocess.run(
        [str(SCRIPT), *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        env={**os.environ, "OLLAMA_HOST": host},
        timeout=timeout,
    )


def start(host: str, *args: str) -> subprocess.Popen[str]:
    """The installed console script with ``args`` against ``host``, left running (for
    a test that signals it), its output read as text."""
    return subprocess.Popen(
        [str(SCRIPT), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OLLAMA_HOST": host},
    )


def test_models_lists_what_is_installed(emulator: OllamaEmulator) -> None:
    shown = run(emulator.url, "models")
    header, *rows = shown.stdout.splitlines()
    assert shown.returncode == 0 and header.split() == [
        "NAME",
        "SIZE",
        "PARAMETERS",
        "QUANTIZATION",
        "MODIFIED",
    ]
    assert [row.split()[0] for row in rows] == [model.name for model in emulator.models]
    listed = json.loads(run(emulator.url, "models", "--json").stdout)
    assert [model["name"] for model in listed] == [model.name for model in emulator.models]
    assert listed[0]["size"] == emulator.models[0].size


def test_ps_lists_the_loaded_models(emulator: OllamaEmulator) -> None:
    emulator.running = [Running("llama3.2:latest", size_vram=emulator.models[0].size)]
    shown = run(emulator.url, "ps")
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[1].split()[0] == "llama3.2:latest"
    assert "100% GPU" in shown.stdout
    [loaded] = json.loads(run(emulator.url, "ps", "--json").stdout)
    assert loaded["name"] == "llama3.2:latest"


def test_health_says_whether_ollama_answers(emulator: OllamaEmulator) -> None:
    healthy = run(emulator.url, "health")
    count = len(emulator.models)
    assert healthy.returncode == 0
    assert healthy.stdout == f"Ollama 0.12.6 at {emulator.url}: {count} models installed.\n"
    url = emulator.url
    emulator.stop()
    down = run(url, "health", "--json")
    assert down.returncode == 3 and json.loads(down.stdout)["ok"] is False
    assert "Cannot connect" in down.stderr


def test_show_gives_a_model_s_details_or_one_part(emulator: OllamaEmulator) -> None:
    shown = run(emulator.url, "show", "qwen3:8b")
    assert shown.returncode == 0 and "capabilities" in shown.stdout and "thinking" in shown.stdout
    described = json.loads(run(emulator.url, "show", "qwen3:8b", "--json").stdout)
    assert described["name"] == "qwen3:8b" and "thinking" in described["capabilities"]
    template = run(emulator.url, "show", "qwen3:8b", "--template")
    assert template.stdout.rstrip() == described["template"].rstrip()
    missing = run(emulator.url, "show", "missing:1b")
    assert missing.returncode == 4
    assert missing.stderr == (
        "ollama-tui show: The model 'missing:1b' is not installed on this server.\n"
    )  # one sentence: no "pull it first" for a model one asked about


def test_rm_asks_unless_told_and_cp_and_stop_do_what_they_say(emulator: OllamaEmulator) -> None:
    unasked = run(emulator.url, "rm", "qwen3:8b")  # no terminal to ask on
    assert unasked.returncode == 1 and "add -y" in unasked.stderr
    assert emulator.requests_to("/api/delete") == []
    removed = run(emulator.url, "rm", "-y", "qwen3:8b")
    assert removed.returncode == 0
    [deleted] = emulator.requests_to("/api/delete")
    assert deleted.json == {"model": "qwen3:8b"}
    copied = run(emulator.url, "cp", "llama3.2:latest", "mine:latest")
    assert copied.returncode == 0
    [copy] = emulator.requests_to("/api/copy")
    assert copy.json == {"source": "llama3.2:latest", "destination": "mine:latest"}
    stopped = run(emulator.url, "stop", "llama3.2:latest")
    assert stopped.returncode == 0 and stopped.stdout == "Unloaded llama3.2:latest.\n"
    [unload] = emulator.requests_to("/api/chat")
    assert unload.json == {"model": "llama3.2:latest", "messages": [], "keep_alive": 0}


def test_pull_shows_progress_and_says_what_went_wrong(emulator: OllamaEmulator) -> None:
    layers = [PullLayer("sha256:" + "ab" * 32, 3_000_000), PullLayer("sha256:" + "cd" * 32, 500)]
    emulator.pulls["tiny:1b"] = PullScript(layers=layers, step=1_000_000, delay=0.001)
    pulled = run(emulator.url, "pull", "tiny:1b")
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stderr.splitlines()[-1].startswith("tiny:1b: success 100%")
    assert emulator.requests_to("/api/pull")[0].json["model"] == "tiny:1b"
    unknown = run(emulator.url, "pull", "nosuch:1b")
    assert unknown.returncode == 4 and "no model or tag called nosuch:1b" in unknown.stderr
    bad = run(emulator.url, "pull", "bad name!")
    assert bad.returncode == 2 and len(emulator.requests_to("/api/pull")) == 2


def test_ctrl_c_cancels_a_pull_cleanly(emulator: OllamaEmulator) -> None:
    slow = [PullLayer("sha256:" + "ef" * 32, 10_000_000_000)]
    emulator.pulls["big:70b"] = PullScript(layers=slow, step=1_000_000, delay=0.01)
    process = start(emulator.url, "pull", "big:70b")
    deadline = time.monotonic() + 30
    while not emulator.requests_to("/api/pull") and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 130 and "cancelled" in errors
    deadline = time.monotonic() + 10
    while "/api/pull" not in emulator.disconnects and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "/api/pull" in emulator.disconnects


def test_health_can_ask_a_model_for_one_token(emulator: OllamaEmulator) -> None:
    healthy = run(emulator.url, "health", "-m", "llama3.2:latest", "--json")
    found = json.loads(healthy.stdout)
    assert healthy.returncode == 0 and found["model"] == "llama3.2:latest"
    assert found["generated_ms"] > 0
    assert emulator.chat_requests()[0]["options"] == {"num_predict": 1}
    missing = run(emulator.url, "health", "-m", "missing:1b")
    assert missing.returncode == 4 and "not installed" in missing.stderr


def test_a_copy_without_a_tag_is_stored_tagged_and_can_be_shown_and_removed(
    emulator: OllamaEmulator,
) -> None:
    assert run(emulator.url, "cp", "llama3.2", "mycopy").returncode == 0
    copied, source = emulator.model("mycopy"), emulator.model("llama3.2")
    assert copied is not None and source is not None
    assert copied.modified_at > source.modified_at  # made now, not a month ago
    assert run(emulator.url, "show", "mycopy").returncode == 0
    assert run(emulator.url, "rm", "-y", "mycopy").returncode == 0
    assert "mycopy:latest" not in [model.name for model in emulator.models]


def test_pulling_an_installed_model_finds_it_up_to_date(emulator: OllamaEmulator) -> None:
    pulled = run(emulator.url, "pull", "llama3.2")
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stderr.splitlines()[-1].startswith("llama3.2: success 100%")


def test_the_demo_s_failing_pull_fails_after_the_good_one(emulator: OllamaEmulator) -> None:
    emulator.pulls.update(demo_pulls(delay=0.0))
    assert run(emulator.url, "pull", "mistral:7b").returncode == 0
    flaky = run(emulator.url, "pull", "flaky:1b")
    assert flaky.returncode == 1 and "flaky:1b" not in [m.name for m in emulator.models]
