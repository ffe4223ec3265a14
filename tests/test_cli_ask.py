"""``ollama-tui ask``, run as the installed console script against the emulator."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ollama_tui.core import paths
from ollama_tui.core.conversation import UserTurn
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.services.generation_log import GenerationLog
from tests.test_cli_models import start

SCRIPT = Path(sys.executable).parent / "ollama-tui"


def ask(
    emulator: OllamaEmulator | str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    host = emulator if isinstance(emulator, str) else emulator.url
    return subprocess.run(
        [str(SCRIPT), "ask", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env={**os.environ, "OLLAMA_HOST": host},
        timeout=60,
    )


def test_a_prompt_from_the_arguments_streams_its_reply(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["Two ", "words."]))
    done = ask(emulator, "-m", "llama3.2:latest", "say", "two", "words")
    assert (done.returncode, done.stdout, done.stderr) == (0, "Two words.\n", "")
    [request] = emulator.chat_requests()
    assert request["messages"] == [{"role": "user", "content": "say two words"}]
    assert request["model"] == "llama3.2:latest"


def test_piped_text_comes_before_the_arguments(emulator: OllamaEmulator) -> None:
    ask(emulator, "-m", "llama3.2:latest", "review this", stdin="diff --git a b\n")
    ask(emulator, "-m", "llama3.2:latest", "-", stdin="only the heredoc\n")
    first, second = (request["messages"] for request in emulator.chat_requests())
    assert first == [{"role": "user", "content": "diff --git a b\n\nreview this"}]
    assert second == [{"role": "user", "content": "only the heredoc\n"}]


def test_json_gives_the_reply_and_the_server_s_figures(emulator: OllamaEmulator) -> None:
    stats = {
        "eval_count": 40,
        "eval_duration": 800_000_000,
        "prompt_eval_count": 20,
        "prompt_eval_duration": 100_000_000,
        "load_duration": 2_000_000,
        "total_duration": 950_000_000,
    }
    emulator.script(ChatReply(content=["Hi"], stats=stats))
    done = ask(emulator, "-m", "llama3.2:latest", "-s", "Be brief.", "--json", "hi")
    result = json.loads(done.stdout)
    assert done.returncode == 0
    assert set(result) == {
        "success",
        "model",
        "host",
        "response",
        "thinking",
        "done",
        "done_reason",
        "timing",
        "conversation_id",
        "log_id",
    }
    assert (result["success"], result["response"], result["done"]) == (True, "Hi", True)
    timing = result["timing"]
    assert timing["eval_count"] == 40 and timing["tokens_per_second"] == 50.0
    assert timing["prompt_tokens_per_second"] == 200.0 and timing["load_duration_ms"] == 2.0
    assert timing["total_duration_ms"] == 950.0 and timing["ttft_ms"] is not None
    assert emulator.chat_requests()[0]["messages"][0] == {"role": "system", "content": "Be brief."}


def test_ndjson_streams_events_in_order(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(thinking=["hmm"], content=["a", "b"]))
    done = ask(emulator, "-m", "qwen3:8b", "--think", "true", "--ndjson", "why?")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [event["event"] for event in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert "thinking" in kinds and kinds.index("thinking") < kinds.index("delta")
    assert "".join(event["text"] for event in events if event["event"] == "delta") == "ab"
    assert emulator.chat_requests()[0]["think"] is True


def test_verbose_prints_the_figures_on_stderr(emulator: OllamaEmulator) -> None:
    done = ask(emulator, "-m", "llama3.2:latest", "-v", "hi")
    assert done.returncode == 0 and "eval rate:" in done.stderr
    assert "time to first token:" in done.stderr


def test_exit_codes_say_what_went_wrong(emulator: OllamaEmulator) -> None:
    no_model = ask(emulator, "hi")
    assert no_model.returncode == 2 and "no model" in no_model.stderr
    bad_option = ask(emulator, "-m", "llama3.2:latest", "-o", "temperature=9", "hi")
    assert bad_option.returncode == 2 and "temperature must be at most 2" in bad_option.stderr
    missing = ask(emulator, "-m", "missing:1b", "hi")
    assert missing.returncode == 4 and "ollama pull missing:1b" in missing.stderr
    failed = ask(emulator, "-m", "missing:1b", "--json", "hi")
    assert json.loads(failed.stdout)["error"]["kind"] == "model_not_found"
    url = emulator.url
    emulator.stop()  # nothing listens there now
    unreachable = ask(url, "-m", "llama3.2:latest", "hi")
    assert unreachable.returncode == 3 and "Cannot connect" in unreachable.stderr


def test_ctrl_c_closes_the_stream_and_keeps_what_arrived(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["kept ", "text ", "never"], hold_after=2))
    process = start(emulator.url, "ask", "-m", "llama3.2:latest", "go")
    assert emulator.holding.wait(30)
    assert process.stdout is not None
    shown = process.stdout.read(len("kept text "))  # printed as it arrived
    process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=30)
    assert process.returncode == 130
    assert shown + rest == "kept text "
    assert "stopped" in errors
    assert emulator.disconnects == ["/api/chat"]
    [logged] = GenerationLog(paths.generation_log()).recent()
    assert (logged["status"], logged["source"]) == ("stopped", "ask")


def test_an_exchange_saved_and_continued_shows_in_the_history(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["First."]), ChatReply(content=["Second."]))
    first = ask(emulator, "-m", "llama3.2:latest", "--save", "--json", "one")
    saved = json.loads(first.stdout)["conversation_id"]
    second = ask(emulator, "-c", "--json", "two")  # the model comes from the conversation
    assert json.loads(second.stdout)["conversation_id"] == saved
    assert emulator.chat_requests()[-1]["messages"] == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "First."},
        {"role": "user", "content": "two"},
    ]
    conversation, _ = HistoryStore(paths.conversations_dir()).load(saved)
    assert [turn.content for turn in conversation.turns if isinstance(turn, UserTurn)] == [
        "one",
        "two",
    ]
    assert ask(emulator, "--cid", saved[:8], "-m", "llama3.2:latest", "three").returncode == 0
    unsaved = ask(emulator, "-m", "llama3.2:latest", "--json", "not kept")
    assert json.loads(unsaved.stdout)["conversation_id"] is None
    assert len(HistoryStore(paths.conversations_dir()).listings()) == 1
    wrong = ask(emulator, "--cid", "0123abcd", "hi")
    assert wrong.returncode == 2 and "no conversation" in wrong.stderr


def test_format_keep_alive_and_context_go_with_the_request(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "properties": {"n": {"type": "integer"}}}')
    assert ask(emulator, "-m", "llama3.2:latest", "--format", "json", "hi").returncode == 0
    done = ask(
        emulator,
        "-m",
        "llama3.2:latest",
        "--format",
        str(schema),
        "--keep-alive",
        "10m",
        "--num-ctx",
        "8192",
        "hi",
    )
    assert done.returncode == 0
    first, second = emulator.chat_requests()
    assert first["format"] == "json"
    assert second["format"] == json.loads(schema.read_text())
    assert (second["keep_alive"], second["options"]) == ("10m", {"num_ctx": 8192})
    broken = ask(emulator, "-m", "llama3.2:latest", "--format", str(tmp_path / "no.json"), "hi")
    assert broken.returncode == 2 and "--format" in broken.stderr
    late = ask(emulator, "-m", "llama3.2:latest", "--keep-alive", "soon", "hi")
    assert late.returncode == 2 and "is not a duration" in late.stderr


def test_images_go_to_vision_models_only(emulator: OllamaEmulator, tmp_path: Path) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    seen = ask(emulator, "-m", "llava:7b", "-a", str(picture), "what is this?")
    assert seen.returncode == 0
    [request] = emulator.chat_requests()
    assert request["messages"][0]["images"] == [
        base64.b64encode(picture.read_bytes()).decode("ascii")
    ]
    blind = ask(emulator, "-m", "llama3.2:latest", "-a", str(picture), "what is this?")
    assert blind.returncode == 2 and "cannot see images" in blind.stderr
    noise = tmp_path / "noise.dat"
    noise.write_bytes(b"\x00\xff" * 64)
    wrong = ask(emulator, "-m", "llava:7b", "-a", str(noise), "what is this?")
    assert wrong.returncode == 2 and "noise.dat is a binary file" in wrong.stderr
    assert "PNG, JPEG, GIF, WebP or BMP image" in wrong.stderr
    assert len(emulator.chat_requests()) == 1


def test_raw_sends_the_prompt_as_it_is_to_generate(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["    return a + b\n"]))
    done = ask(emulator, "-m", "llama3.2:latest", "--raw", "-", stdin="def add(a, b):\n")
    assert (done.returncode, done.stdout) == (0, "    return a + b\n")
    [request] = emulator.requests_to("/api/generate")
    assert request.json["raw"] is True and request.json["prompt"] == "def add(a, b):\n"
    assert emulator.chat_requests() == []


def test_credentials_in_the_host_never_reach_output_or_the_log(emulator: OllamaEmulator) -> None:
    secret_host = emulator.url.replace("http://", "http://someone:hunter2@")
    done = ask(secret_host, "-m", "llama3.2:latest", "--json", "-v", "hi")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["host"] == emulator.url
    [row] = GenerationLog(paths.generation_log()).recent()
    assert row["host"] == emulator.url
    failed = ask(secret_host.replace(str(emulator.port), "1"), "-m", "x", "hi")
    for text in (done.stdout, done.stderr, failed.stderr):
        assert "hunter2" not in text and "someone" not in text


def test_thinking_goes_to_stderr_and_the_answer_starts_apart(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(thinking=["hmm, ", "sky"], content=["Blue."]))
    done = ask(emulator, "-m", "qwen3:8b", "--think", "true", "why?")
    assert (done.stdout, done.stderr) == ("Blue.\n", "hmm, sky\n\n")
    emulator.script(ChatReply(thinking=["hidden"], content=["Shown."]))
    quiet = ask(emulator, "-m", "qwen3:8b", "--think", "true", "--hide-thinking", "why?")
    assert (quiet.stdout, quiet.stderr) == ("Shown.\n", "")


@pytest.mark.parametrize("output", ["--ndjson", "--plain"])
def test_a_reader_that_stops_reading_ends_it_quietly(emulator: OllamaEmulator, output: str) -> None:
    """``ask ... | head -1``: no traceback, the exit code a shell gives SIGPIPE."""
    emulator.script(ChatReply(content=[f"line {n}\n" for n in range(2000)], delay=0.001))
    flags = [output] if output != "--plain" else []
    process = subprocess.Popen(
        [str(SCRIPT), "ask", "-m", "llama3.2:latest", *flags, "hi"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OLLAMA_HOST": emulator.url},
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert errors == ""
