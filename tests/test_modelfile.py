"""Reading a Modelfile, and ``ollama-tui create`` sending it to the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ollama_tui.core.modelfile import ModelfileError, parse_modelfile
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.ui.screens.confirm import TextPrompt
from tests.chat_helpers import app_for, chat_of, notices, screen_text, send, wait_until
from tests.test_cli_models import run
from tests.test_palette import run_from_palette

PIRATE = '''# a pirate
FROM llama3.2:latest
parameter temperature 0.2
PARAMETER stop "<|end|>"
PARAMETER stop "User:"
SYSTEM """You are
a pirate."""
MESSAGE user Hi
MESSAGE assistant Arr
LICENSE MIT
'''


def test_a_modelfile_becomes_the_create_request() -> None:
    body = parse_modelfile(PIRATE).request("pirate")
    assert body == {
        "model": "pirate",
        "from": "llama3.2:latest",
        "parameters": {"temperature": 0.2, "stop": ["<|end|>", "User:"]},
        "system": "You are\na pirate.",
        "license": "MIT",
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Arr"}],
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("PARAMETER temperature 0.2", "no FROM"),
        ("FROM x\nPARAMETER temperature hot", "line 2: temperature must be a number"),
        ("FROM x\nPARAMETER warmth 3", "line 2: warmth is not a parameter"),
        ("FROM x\nMESSAGE robot hi", "line 2: MESSAGE takes"),
        ('FROM x\nSYSTEM """never closed', 'line 2: a """ value is never closed'),
        ("FROM x\nRUN rm -rf /", "line 2: RUN is not an instruction"),
    ],
)
def test_a_wrong_modelfile_says_where(text: str, problem: str) -> None:
    with pytest.raises(ModelfileError, match=problem):
        parse_modelfile(text)


def test_create_makes_a_model_from_an_installed_one(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    modelfile = tmp_path / "Modelfile"
    modelfile.write_text(PIRATE)
    made = run(emulator.url, "create", "pirate", "-f", str(modelfile))
    assert made.returncode == 0, made.stderr
    [request] = emulator.requests_to("/api/create")
    assert (
        request.json["from"] == "llama3.2:latest" and request.json["system"] == "You are\na pirate."
    )
    listed = json.loads(run(emulator.url, "models", "--json").stdout)
    assert "pirate:latest" in [model["name"] for model in listed]
    modelfile.write_text("FROM ./model.gguf\n")  # a local file (tests/test_create_files.py)
    local = run(emulator.url, "create", "mine", "-f", str(modelfile))
    assert local.returncode == 2 and "there is no file or folder" in local.stderr
    missing = run(emulator.url, "create", "x", "-f", str(tmp_path / "nope"))
    assert missing.returncode == 2


async def test_the_chat_is_saved_as_a_model_from_the_palette(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        chat.conversation.settings.system = "Be brief."
        await send(pilot, "hello")
        await run_from_palette(pilot, "Save chat as model")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"qwen3:8b", "enter")  # installed: it would be replaced
        await wait_until(pilot, lambda: "qwen3:8b exists already" in screen_text(app))
        assert isinstance(app.screen, TextPrompt) and not emulator.requests_to("/api/create")
        await pilot.press("ctrl+u", *"brief", "enter")
        await wait_until(pilot, lambda: bool(emulator.requests_to("/api/create")))
        [request] = emulator.requests_to("/api/create")
        assert request.json == {
            "model": "brief",
            "from": "llama3.2:latest",
            "system": "Be brief.",
            "messages": [
                {"role": "user", "content": "hello"},
                {"role": "assistant", "content": "You said: hello"},
            ],
            "stream": True,
        }
        await wait_until(pilot, lambda: any("brief" in n.message for n in notices(app)))
