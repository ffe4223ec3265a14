"""``--demo``: the chat and the commands against the built-in emulator, with no Ollama
server anywhere, in a throwaway profile that leaves the user's folders untouched."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ollama_tui.cli.demo import demo_server
from ollama_tui.cli.main import make_app
from ollama_tui.core import paths
from ollama_tui.core.config import resolve_config
from ollama_tui.ui.screens.model_picker import ModelPicker
from tests.chat_helpers import chat_of, reply_settled, screen_text, status_text, wait_until
from tests.test_cli_models import run

NOWHERE = "http://127.0.0.1:9"
"""OLLAMA_HOST for these tests: nothing listens there, so only the demo can answer."""


def user_files() -> list[Path]:
    """Everything under the (test's own) user folders that ollama-tui would write."""
    roots = [paths.config_dir(), paths.data_dir(), paths.state_dir()]
    return [path for root in roots if root.exists() for path in root.rglob("*")]


def test_ask_answers_from_the_demo_and_keeps_nothing() -> None:
    done = run(NOWHERE, "ask", "--demo", "-v", "how do I count words?")
    assert done.returncode == 0, done.stderr
    assert "from collections import Counter" in done.stdout
    assert "load duration:       1200.0 ms" in done.stderr  # the demo model loads first
    assert user_files() == []


def test_the_demo_vision_model_says_what_it_was_sent(tmp_path: Path) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    done = run(NOWHERE, "ask", "--demo", "-m", "llava:7b", "-a", str(picture), "what is it?")
    assert done.returncode == 0, done.stderr
    assert "I was sent **1** picture, 40 bytes of image data." in done.stdout


def test_commands_list_the_demo_models() -> None:
    done = run(NOWHERE, "models", "--demo")
    names = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert names == ["llama3.2:latest", "qwen3:8b", "llava:7b", "nomic-embed-text:latest"]


def test_the_demo_refuses_a_host_or_a_config() -> None:
    done = run(NOWHERE, "--demo", "--host", "http://gpu-box:11434")
    assert done.returncode == 2
    assert "--demo uses its own server and profile" in done.stderr


async def test_the_chat_runs_on_the_demo_server_and_says_so() -> None:
    user_home = paths.state_dir()
    with demo_server() as url:
        profile = paths.state_dir()
        assert profile != user_home
        config = resolve_config(host=url, config_path=paths.config_file(), environ=os.environ)
        config.demo = True
        app = make_app(config)
        async with app.run_test(size=(100, 32)) as pilot:
            chat = chat_of(pilot)
            await wait_until(pilot, lambda: "Demo: a built-in server" in screen_text(app))
            await wait_until(pilot, lambda: "demo: no Ollama server" in status_text(chat))
            assert "127.0.0.1" not in status_text(chat)
            await pilot.press("enter")  # puts the welcome away; the picker opens
            await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
            await wait_until(pilot, lambda: "llava:7b" in screen_text(app))
            await pilot.press("enter")
            await wait_until(pilot, lambda: chat.conversation.model == "llama3.2:latest")
            await pilot.press(*"hello", "enter")
            await reply_settled(pilot)
            assert "top_words" in screen_text(app)
        assert profile.exists()  # the demo saved the chat into its own profile
    assert not profile.exists()
    assert paths.state_dir() == user_home
    assert user_files() == []


def test_the_demo_answers_in_json_when_asked_and_says_its_logs_start_empty() -> None:
    done = run(NOWHERE, "ask", "--demo", "--format", "json", "give me json")
    assert done.returncode == 0 and "answer" in json.loads(done.stdout)
    logs = run(NOWHERE, "logs", "--demo")
    assert logs.returncode == 0 and "each --demo run starts from an empty profile" in logs.stderr


def test_only_models_that_complete_can_generate() -> None:
    embedding = run(NOWHERE, "health", "--demo", "-m", "nomic-embed-text")
    assert embedding.returncode == 1
    assert 'health: "nomic-embed-text" does not support chat' in embedding.stderr
    thinking = run(NOWHERE, "ask", "--demo", "--think", "true", "hi")
    assert thinking.returncode == 0
    assert "llama3.2:latest cannot think; --think is not sent." in thinking.stderr
