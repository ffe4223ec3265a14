"""The first run: no config file, so a welcome shows; someone types at it at once."""

from __future__ import annotations

import pytest

from ollama_tui.emulator import ChatReply
from tests.e2e.session import MODEL, AppRun, composer_text, replying

pytestmark = pytest.mark.e2e

WELCOME = "Welcome to ollama-tui"
TYPED = "hello world"
REPLY = "Greetings from the emulator."
SIZES = [pytest.param(120, 40, id="120x40"), pytest.param(80, 24, id="80x24")]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_first_run_typing(app_run: AppRun, width: int, height: int) -> None:
    """Keys typed in one burst at the welcome all reach the prompt, in order."""
    app_run.emulator.script(ChatReply(content=REPLY.split(" "), delay=0.02))
    terminal = app_run.launch("--model", MODEL, width=width, height=height)
    terminal.wait_for(WELCOME, "first-run welcome")
    terminal.type(TYPED)
    terminal.press("Enter")
    terminal.wait_for(lambda s: WELCOME not in s, "welcome closed")
    terminal.until(lambda: bool(app_run.emulator.chat_requests()), "chat request")
    terminal.wait_for(lambda s: REPLY.replace(" ", "") in s.replace(" ", ""), "reply")
    sent = app_run.emulator.chat_requests()[-1]["messages"][-1]
    assert (sent["role"], sent["content"]) == ("user", TYPED), app_run.server_report()
    terminal.wait_for(lambda s: not replying(s), "reply finished")

    terminal.press("C-q")
    ended = terminal.wait_exit()
    assert ended.status == 0 and not ended.traceback, ended.output
    assert terminal.leaks() == []
    assert app_run.config_file.is_file()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_first_run_typing_without_model(app_run: AppRun, width: int, height: int) -> None:
    """With no model chosen the app asks for one (the picker) once the welcome has
    gone; that must not take the keys typed at the welcome: they are the prompt."""
    terminal = app_run.launch(width=width, height=height)
    # The server has answered (the status line behind the welcome says so), so the app
    # is going to ask for a model as soon as the welcome closes.
    terminal.wait_for(lambda s: WELCOME in s and "● Ollama" in s, "welcome, server reached")
    terminal.type(TYPED)
    terminal.wait_for(lambda s: WELCOME not in s, "welcome closed")
    terminal.wait_for(lambda s: composer_text(s) == TYPED, f"composer holding {TYPED!r}")

    terminal.press("C-q")
    ended = terminal.wait_exit()
    assert ended.status == 0 and not ended.traceback, ended.output
    assert terminal.leaks() == []
    assert app_run.config_file.is_file()
    assert app_run.emulator.chat_requests() == []
