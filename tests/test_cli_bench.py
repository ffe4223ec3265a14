"""``ollama-tui bench``, run as the installed console script against the emulator."""

from __future__ import annotations

import json
import subprocess

from ollama_tui.emulator import ChatReply, OllamaEmulator
from tests.test_cli_models import run


def bench(emulator: OllamaEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    return run(emulator.url, "bench", *args, timeout=120)


def replies(count: int, tokens: int = 8) -> list[ChatReply]:
    stats = {"eval_count": tokens, "eval_duration": 100_000_000, "prompt_eval_count": 40}
    return [ChatReply(content=["x"] * tokens, stats=stats) for _ in range(count)]


def test_a_warm_up_then_runs_with_speed_settings_fixed(emulator: OllamaEmulator) -> None:
    emulator.script(*replies(3))
    done = bench(emulator, "-m", "qwen3:8b", "--runs", "2", "--gen-tokens", "8", "--format", "json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    assert (result["model"], result["runs"]) == ("qwen3:8b", 2)
    assert result["generation_tps"] == [80.0, 80.0, 80.0]
    assert result["parameters"] == "8.0B" and result["server_version"] == "0.12.6"
    requests = emulator.chat_requests()
    assert len(requests) == 3  # the warm-up and two runs
    for request in requests:
        assert request["options"]["temperature"] == 0 and request["options"]["seed"] == 42
        assert request["options"]["num_predict"] == 8 and request["think"] is False
    prompts = [request["messages"][0]["content"] for request in requests]
    assert [prompt.split(".")[0] for prompt in prompts] == ["Run 0", "Run 1", "Run 2"]


def test_a_short_reply_is_run_again_and_cold_runs_unload_first(emulator: OllamaEmulator) -> None:
    emulator.script(*replies(1), *replies(1, tokens=2), *replies(1))
    done = bench(emulator, "-m", "llama3.2:latest", "--runs", "1", "--gen-tokens", "8", "--cold")
    assert done.returncode == 0, done.stderr
    assert len(emulator.chat_requests()) == 3  # warm-up, a short run, its rerun
    unloads = [r for r in emulator.requests_to("/api/chat") if r.json.get("keep_alive") == 0]
    assert len(unloads) == 2  # before each measured attempt
    assert done.stdout.startswith("MODEL") and "llama3.2:latest" in done.stdout


def test_a_missing_model_stops_the_bench_with_its_reason(emulator: OllamaEmulator) -> None:
    done = bench(emulator, "-m", "missing:1b", "--runs", "1")
    assert done.returncode == 4 and "not installed" in done.stderr
