"""A whole session with the installed app in a real terminal: choose a model, chat,
stop a reply, change a setting, quit; then check what was sent and saved."""

from __future__ import annotations

import tomllib

import pytest

from ollama_tui.emulator import ChatReply
from tests.e2e.session import (
    MODEL,
    TEMPERATURE,
    AppRun,
    close_sidebar,
    field_text,
    focus_temperature,
    replying,
)

pytestmark = pytest.mark.e2e

FIRST_PROMPT = "Tell me about the fox"
STORY = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog."]
SECOND_PROMPT = "Now count some kiwis"
KIWIS = [f"kiwi{n:02d} " for n in range(1, 13)]
SHOWN = 6
"""The second reply holds after this many chunks, and is stopped there."""


def test_chat_session(app_run: AppRun) -> None:
    app_run.write_config()  # an existing config file: no first-run welcome
    emulator = app_run.emulator
    emulator.script(
        ChatReply(content=STORY, delay=0.05),
        ChatReply(content=KIWIS, delay=0.02, hold_after=SHOWN),
    )
    terminal = app_run.launch()

    # No --model: the picker opens once the server answers.
    terminal.wait_for(
        lambda s: "Choose a model" in s and MODEL in s, "model picker listing the models"
    )
    terminal.type("llama3")
    terminal.press("Enter")
    terminal.wait_for(
        lambda s: "Choose a model" not in s and f"model {MODEL}" in s,
        f"closed picker and {MODEL} in the status bar",
    )

    terminal.type(FIRST_PROMPT)
    terminal.press("Enter")
    terminal.wait_for(
        lambda s: "".join(STORY) in s and not replying(s), "whole first reply, finished"
    )

    terminal.type(SECOND_PROMPT)
    terminal.press("Enter")
    terminal.wait_for(KIWIS[SHOWN - 1].strip(), f"chunk {SHOWN} of the second reply")
    terminal.until(emulator.holding.is_set, "held reply at the emulator")
    terminal.press("Escape")
    terminal.wait_for(lambda s: not replying(s) and " · stopped" in s, "reply marked stopped")
    terminal.until(lambda: "/api/chat" in emulator.disconnects, "hang-up of the stopped stream")

    focus_temperature(terminal)
    terminal.type("0.3")
    terminal.wait_for(lambda s: field_text(s, TEMPERATURE) == "0.3", "temperature 0.3")
    close_sidebar(terminal)

    terminal.press("C-q")
    ended = terminal.wait_exit()
    assert ended.status == 0 and not ended.traceback, ended.output
    assert terminal.leaks() == []

    requests = app_run.emulator.chat_requests()
    assert [r["model"] for r in requests] == [MODEL, MODEL], app_run.server_report()
    assert [m["content"] for m in requests[0]["messages"]] == [FIRST_PROMPT]
    assert [(m["role"], m["content"]) for m in requests[1]["messages"]] == [
        ("user", FIRST_PROMPT),
        ("assistant", "".join(STORY)),
        ("user", SECOND_PROMPT),
    ]

    [saved] = app_run.conversations()
    messages = [(m["role"], m["content"], m.get("status")) for m in saved["messages"]]
    assert messages[:3] == [
        ("user", FIRST_PROMPT, None),
        ("assistant", "".join(STORY), "complete"),
        ("user", SECOND_PROMPT, None),
    ]
    assert len(messages) == 4
    role, content, status = messages[3]
    assert (role, status) == ("assistant", "stopped")
    assert content.strip() == "".join(KIWIS[:SHOWN]).strip()

    config = tomllib.loads(app_run.config_file.read_text(encoding="utf-8"))
    assert config.get("last_model") == MODEL
