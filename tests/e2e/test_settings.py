"""A setting changed in the sidebar is part of the conversation: it is used by the next
request, and is still there when the conversation is reopened."""

from __future__ import annotations

import pytest

from tests.e2e.session import (
    MODEL,
    TEMPERATURE,
    AppRun,
    chat_ready,
    close_sidebar,
    field_text,
    focus_temperature,
    replying,
)
from tests.e2e.terminal import Terminal

pytestmark = pytest.mark.e2e


def set_temperature(terminal: Terminal, value: str) -> None:
    focus_temperature(terminal)
    terminal.type(value)
    terminal.wait_for(lambda s: field_text(s, TEMPERATURE) == value, f"temperature {value}")
    close_sidebar(terminal)


def send(terminal: Terminal, prompt: str) -> None:
    terminal.type(prompt)
    terminal.press("Enter")
    echo = f"You said: {prompt}"  # the emulator's default reply
    terminal.wait_for(lambda s: echo in s and not replying(s), f"reply to {prompt!r}")


def test_a_changed_setting_is_sent(app_run: AppRun) -> None:
    app_run.write_config()
    terminal = app_run.launch("--model", MODEL)
    terminal.wait_for(chat_ready, "chat screen")
    set_temperature(terminal, "0.3")
    send(terminal, "first")
    terminal.press("C-q")
    ended = terminal.wait_exit()
    assert ended.status == 0 and not ended.traceback, ended.output

    [request] = app_run.emulator.chat_requests()
    assert request.get("options") == {"temperature": 0.3}, app_run.server_report()
    [saved] = app_run.conversations()
    assert saved["settings"].get("options") == {"temperature": 0.3}, saved["settings"]


def test_a_setting_changed_after_the_last_reply_is_kept(app_run: AppRun) -> None:
    app_run.write_config()
    terminal = app_run.launch("--model", MODEL)
    terminal.wait_for(chat_ready, "chat screen")
    send(terminal, "first")
    set_temperature(terminal, "0.3")
    terminal.press("C-q")
    ended = terminal.wait_exit()
    assert ended.status == 0 and not ended.traceback, ended.output

    again = app_run.launch("--continue")
    again.wait_for(lambda s: chat_ready(s) and "You said: first" in s, "reopened chat")
    send(again, "second")
    again.press("C-q")
    assert again.wait_exit().status == 0

    requests = app_run.emulator.chat_requests()
    assert len(requests) == 2, app_run.server_report()
    saved = app_run.conversations()
    assert requests[1].get("options") == {"temperature": 0.3}, (
        f"the temperature set before quitting was lost; saved settings: "
        f"{[c['settings'] for c in saved]}\n{app_run.server_report()}"
    )
