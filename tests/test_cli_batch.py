"""``ollama-tui batch``, run as the installed console script against the emulator."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

from ollama_tui.cli.progress import Progress
from ollama_tui.emulator import ChatReply, OllamaEmulator
from tests.test_cli_models import run


def batch(emulator: OllamaEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    return run(emulator.url, "batch", *args)


def test_prompts_run_a_few_at_a_time_and_come_back_in_order(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    emulator.script(
        ChatReply(content=["slow ", "one"], delay=0.05),
        ChatReply(content=["quick"]),
        ChatReply(content=["third"]),
    )
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(
        '{"id": "a", "prompt": "first"}\n'
        "second plain line\n"
        '{"id": "c", "prompt": "third", "system": "Be brief.", "options": {"temperature": 0.1}}\n'
    )
    done = batch(emulator, "-m", "llama3.2:latest", "-j", "2", str(prompts))
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [result["id"] for result in results] == ["a", "2", "c"]
    assert all(result["success"] for result in results)
    assert "batch: 3/3" in done.stderr and done.stderr.endswith("3 succeeded, 0 failed.\n")
    third = next(r for r in emulator.chat_requests() if r["messages"][-1]["content"] == "third")
    assert third["messages"][0] == {"role": "system", "content": "Be brief."}
    assert third["options"] == {"temperature": 0.1}


def test_failures_are_recorded_and_a_stopped_batch_resumes(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("one\ntwo\n")
    output = tmp_path / "results.jsonl"
    output.write_text(json.dumps({"id": "1", "success": True}) + "\n")  # done before
    done = batch(emulator, "-m", "missing:1b", "-o", str(output), str(prompts))
    assert done.returncode == 1
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["1", "2"]
    assert lines[1]["success"] is False and "not installed" in lines[1]["error"]["message"]
    assert len(emulator.chat_requests()) == 1  # "one" was skipped
    no_model = batch(emulator, str(prompts))
    assert no_model.returncode == 2 and "names no model" in no_model.stderr


def test_on_a_terminal_progress_is_a_bar() -> None:
    screen = io.StringIO()
    progress = Progress(screen, 4, "batch", live=True)
    for _ in range(4):
        progress.step()
    progress.close()
    assert "4/4" in screen.getvalue() and "━" in screen.getvalue()
    plain = io.StringIO()
    logged = Progress(plain, 2, "embed", live=False)
    logged.step("(1 failed)")
    assert plain.getvalue() == "embed (1 failed): 1/2\n"


def test_twenty_prompts_three_at_a_time_one_failing_then_resumed(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    broken = {"p07"}

    def reply(body: dict[str, Any]) -> ChatReply:
        prompt = body["messages"][-1]["content"]
        if prompt in broken:
            return ChatReply(status=500, body=b'{"error": "the runner crashed"}')
        return ChatReply(content=[f"answer to {prompt}"], delay=0.01)

    emulator.default_reply = reply
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"p{number:02d}\n" for number in range(1, 21)))
    output = tmp_path / "results.jsonl"
    first = batch(emulator, "-m", "llama3.2", "-j", "3", "-o", str(output), str(prompts))
    assert first.returncode == 1  # one line failed
    results = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["id"] for r in results] == [str(number) for number in range(1, 21)]
    failed = [r for r in results if not r["success"]]
    assert [r["id"] for r in failed] == ["7"]
    assert "the runner crashed" in failed[0]["error"]["message"]
    assert results[0]["response"] == "answer to p01" and results[19]["response"] == "answer to p20"
    assert first.stderr.endswith("19 succeeded, 1 failed.\n")

    broken.clear()
    again = batch(emulator, "-m", "llama3.2", "-j", "3", "-o", str(output), str(prompts))
    assert again.returncode == 0, again.stderr
    assert "19 done before, skipped." in again.stderr
    assert len(emulator.chat_requests()) == 21  # only the failed line ran again
    *_, last = (json.loads(line) for line in output.read_text().splitlines())
    assert (last["id"], last["success"], last["response"]) == ("7", True, "answer to p07")
