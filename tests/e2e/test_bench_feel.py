"""The terminal benchmark (``python -m bench.feel``) runs end to end at its tiny sizes
and reports figures of the right kind. How fast anything is, is its business, not
this test's: nothing here compares a time with a limit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.terminal import tmux_path

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_the_tiny_benchmark_runs_and_reports(tmp_path: Path) -> None:
    if tmux_path() is None:
        pytest.skip("tmux is not installed")
    results_file = tmp_path / "feel.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TMUX", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.feel",
            "--tiny",
            "--scenario",
            "rate200",
            "--scenario",
            "typing",
            "--json",
            str(results_file),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,  # a hung run fails instead of stalling the suite
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "## rate200" in done.stdout and "## typing" in done.stdout, done.stdout

    report = json.loads(results_file.read_text(encoding="utf-8"))
    assert report["failures"] == {"rate200": [], "typing": []}, done.stderr
    [streamed] = report["results"]["rate200"]["new"]
    assert streamed["end seen"] == 1
    assert streamed["tokens"] > 0
    assert streamed["updates/s while tokens arrive"] > 0
    assert streamed["CPU s per 1k tokens"] > 0
    assert streamed["last token sent to end on screen ms"] >= 0
    assert streamed["lag median ms"] >= 0
    [typed] = report["results"]["typing"]["new"]
    assert typed["end seen"] == 1
    assert typed["keys typed"] > 0
    assert typed["key echo median ms"] >= 0
