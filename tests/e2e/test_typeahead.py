"""Keys typed ahead, before the app has caught up, are handled in the order typed.

A person who knows the app types without waiting for each step to show, and a busy
machine makes anyone do so: a key that moves the focus (Tab, or Enter that closes a
dialog or sends a prompt) followed at once by text must not send the text to the old
place, nor lose it.
"""

from __future__ import annotations

import pytest

from ollama_tui.emulator import ChatReply
from tests.e2e.session import (
    MODEL,
    TEMPERATURE,
    TOP_K,
    AppRun,
    chat_ready,
    close_sidebar,
    composer_text,
    field_text,
    focus_temperature,
    replying,
)

pytestmark = pytest.mark.e2e


def test_text_typed_right_after_tab_goes_to_the_next_field(app_run: AppRun) -> None:
    app_run.write_config()
    terminal = app_run.launch("--model", MODEL)
    terminal.wait_for(chat_ready, "chat screen")
    focus_temperature(terminal)
    terminal.press("Tab")  # on to top_k, and type at once
    terminal.type("7")
    screen = terminal.wait_for(
        lambda s: "7" in (field_text(s, TOP_K), field_text(s, TEMPERATURE)), "the 7 typed"
    )
    # The sidebar may have scrolled the temperature's label out of view to show top_k;
    # what is sent, below, says the temperature was left alone either way.
    assert field_text(screen, TOP_K) == "7", f"the 7 typed after Tab is not in top_k:\n{screen}"
    assert field_text(screen, TEMPERATURE) in (None, "0.7 (model)"), screen
    # And what is sent agrees.
    close_sidebar(terminal)
    terminal.type("hi")
    terminal.press("Enter")
    terminal.until(lambda: bool(app_run.emulator.chat_requests()), "the prompt sent")
    [sent] = app_run.emulator.chat_requests()
    assert sent.get("options") == {"top_k": 7}, app_run.server_report()


def test_a_prompt_typed_right_after_choosing_a_model_reaches_the_composer(
    app_run: AppRun,
) -> None:
    app_run.write_config()
    terminal = app_run.launch()
    terminal.wait_for(lambda s: "Choose a model" in s and MODEL in s, "model picker")
    terminal.type("llama3")
    terminal.press("Enter")
    terminal.type("Hello there")

    screen = terminal.wait_for(
        lambda s: chat_ready(s) or "llama3H" in s, "model chosen, or the prompt in the filter"
    )
    assert chat_ready(screen), f"{MODEL} was not chosen: the prompt went into the filter\n{screen}"
    terminal.wait_for(lambda s: composer_text(s) == "Hello there", "prompt in the composer")


def test_a_model_filtered_and_chosen_in_one_burst_is_the_one_typed(app_run: AppRun) -> None:
    """Ctrl+O, a name and Enter typed at once: Enter is handled before the name's
    letters reach the filter, and must still choose by all of them."""
    app_run.write_config()
    terminal = app_run.launch("--model", MODEL)
    terminal.wait_for(chat_ready, "chat screen")
    terminal.press("C-o", *"llava", "Enter", *"Hi")
    screen = terminal.wait_for(
        lambda s: "Choose a model" not in s and "model llava:7b" in s, "llava chosen"
    )
    terminal.wait_for(lambda s: composer_text(s) == "Hi", f"the prompt typed after\n{screen}")


def test_text_typed_right_after_sending_stays_in_the_composer(app_run: AppRun) -> None:
    app_run.write_config()
    app_run.emulator.script(ChatReply(content=["Fine, ", "thanks."], delay=0.05))
    terminal = app_run.launch("--model", MODEL)
    terminal.wait_for(chat_ready, "chat screen")
    terminal.type("How are you?")
    terminal.press("Enter")
    terminal.type("draft for later")
    screen = terminal.wait_for(
        lambda s: "Fine, thanks." in s and not replying(s), "whole reply, finished"
    )
    assert composer_text(screen) == "draft for later", screen
    [sent] = app_run.emulator.chat_requests()
    assert sent["messages"][-1]["content"] == "How are you?"


def test_keys_typed_right_before_a_dialog_opens_stay_in_the_prompt(app_run: AppRun) -> None:
    """Ctrl+G opens the attach dialog before the keys typed ahead of it reach the
    prompt: they must still edit the prompt, not the dialog's path field."""
    app_run.write_config()
    terminal = app_run.launch("--model", MODEL)
    terminal.wait_for(chat_ready, "chat screen")
    word = "orchard"
    terminal.press(*word, "Space", *word, *["BSpace"] * (len(word) + 1), "C-g")
    terminal.wait_for(lambda s: "Attach a file" in s, "the attach dialog")
    terminal.press("Escape")
    terminal.wait_for(
        lambda s: "Attach a file" not in s and composer_text(s) == word, "the prompt as typed"
    )


def test_alt_enter_starts_a_new_line_inside_tmux(app_run: AppRun) -> None:
    """tmux sends Alt+Enter as Esc then Enter: a new line, not a send."""
    app_run.write_config()
    terminal = app_run.launch("--model", MODEL)
    terminal.wait_for(chat_ready, "chat screen")
    terminal.type("line one")
    terminal.press("M-Enter")
    terminal.type("line two")
    screen = terminal.wait_for(lambda s: "line two" in s, "the second line")
    assert "line one" in screen
    assert app_run.emulator.chat_requests() == [], "Alt+Enter sent the prompt"
    terminal.press("Enter")
    terminal.until(lambda: bool(app_run.emulator.chat_requests()), "the prompt sent with Enter")
    [sent] = app_run.emulator.chat_requests()
    assert sent["messages"][-1]["content"] == "line one\nline two"


def test_keys_typed_while_the_app_starts_reach_the_prompt(app_run: AppRun) -> None:
    app_run.write_config()
    terminal = app_run.launch("--model", MODEL)
    terminal.type("typed at once")  # no waiting for the screen
    terminal.wait_for(lambda s: composer_text(s) == "typed at once", "the early keys")
