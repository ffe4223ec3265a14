"""``ollama-tui models``, ``ps`` and ``health``, run as the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.emulator import OllamaEmulator
from tests.emulator.models import Running

SCRIPT = Path(sys.executable).parent / "ollama-tui"


def run(host: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "OLLAMA_HOST": host},
        timeout=60,
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
