"""``ollama-tui bench``, run as the installed console script against the emulator."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from ollama_tui.core import paths
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.services.generation_log import GenerationLog
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
    short, rerun = (r["messages"][0]["content"] for r in emulator.chat_requests()[1:])
    assert short.split(".")[0] == "Run 1" and rerun.startswith("Run 1.1.")  # not cached
    unloads = [r for r in emulator.requests_to("/api/chat") if r.json.get("keep_alive") == 0]
    assert len(unloads) == 2  # before each measured attempt
    assert done.stdout.startswith("MODEL") and "llama3.2:latest" in done.stdout


def test_a_missing_model_stops_the_bench_with_its_reason(emulator: OllamaEmulator) -> None:
    done = bench(emulator, "-m", "missing:1b", "--runs", "1")
    assert done.returncode == 4 and "not installed" in done.stderr


def test_two_models_compared_on_the_emulator_s_own_timings(emulator: OllamaEmulator) -> None:
    """No scripted figures: the emulator times each request as a server would (a load,
    a prefill at the model's rate except for what the prompt cache holds, generation at
    its rate), so the method itself is tested: the prompt's length is set from the
    server's count, and no run reuses another's prompt, so the prefill is real."""
    long_replies = [ChatReply(content=[" tok"] * 16) for _ in range(8)]
    emulator.script(*long_replies)
    args = ("-m", "llama3.2", "-m", "qwen3:8b", "--runs", "3", "--gen-tokens", "16")
    table_run = bench(emulator, *args, "--prompt-tokens", "300")
    assert table_run.returncode == 0, table_run.stderr
    figures, facts = table_run.stdout.split("\n\n")
    header, *rows = figures.splitlines()
    assert header.split() == [
        "MODEL", "RUNS", "LOAD_MS", "TTFT_MS", "PREFILL_TPS", "GENERATION_TPS", "TOTAL_MS"
    ]  # fmt: skip
    assert [row.split()[:2] for row in rows] == [["llama3.2", "3"], ["qwen3:8b", "3"]]
    qwen_facts = facts.splitlines()[2].split()
    assert qwen_facts[:3] == ["qwen3:8b", "qwen3", "8.0B"]
    assert "5.2 GB" in facts and "2,048" in facts  # size and context from ps

    requests = emulator.chat_requests()
    assert len(requests) == 8  # a warm-up and three runs, for each model
    for model in ("llama3.2", "qwen3:8b"):  # each model has a prompt cache of its own
        prompts = [r["messages"][0]["content"] for r in requests if r["model"] == model]
        assert len(set(prompts)) == 4
    # After the warm-up, the prompt was resized so that the server counts about 300.
    counted = [row["prompt_eval_count"] for row in logged_runs()]
    assert all(abs(count - 300) <= 6 for count in counted[1:4] + counted[5:8])

    emulator.script(*long_replies)
    csv_run = bench(emulator, *args, "--prompt-tokens", "300", "--format", "csv")
    header_line, llama, qwen = csv_run.stdout.splitlines()
    columns = header_line.split(",")
    llama_cells = dict(zip(columns, llama.split(","), strict=True))
    qwen_cells = dict(zip(columns, qwen.split(","), strict=True))
    # The model's own rates come back: nothing was cached but the template's opening
    # (a few tokens of ~300, which make the rate look a little faster).
    assert 1400 <= float(llama_cells["prefill_tps_median"]) < 1400 * 1.03
    assert 520 <= float(qwen_cells["prefill_tps_median"]) < 520 * 1.03
    assert float(llama_cells["generation_tps_median"]) == 50.0
    assert float(qwen_cells["generation_tps_median"]) == 28.0
    assert float(qwen_cells["load_ms_max"]) == 4.0  # warm: loaded by its warm-up
    assert len(logged_runs()) == 16  # every run of both benches, warm-ups included


def test_cold_runs_measure_the_load(emulator: OllamaEmulator) -> None:
    emulator.script(*[ChatReply(content=[" tok"] * 8) for _ in range(3)])
    done = bench(
        emulator, "-m", "llava:7b", "--runs", "2", "--gen-tokens", "8", "--cold", "--format", "json"
    )
    [result] = json.loads(bench_json(done))
    assert result["load_ms"] == [2400.0, 2400.0, 2400.0]


def bench_json(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def logged_runs() -> list[dict[str, Any]]:
    rows = GenerationLog(paths.generation_log()).recent(limit=100)
    assert all(row["source"] == "bench" for row in rows)
    return list(reversed(rows))
