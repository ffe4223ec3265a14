"""The chat's welcome: a line on how to start, or, the first time, a page that the
first key typed (or Enter, or Esc) puts away."""

from __future__ import annotations

from textual.screen import Screen

from ollama_tui.ui.messages import FirstRunClosed
from ollama_tui.ui.widgets.plain import Plain

WELCOME = (
    "Type a message and press Enter to send (Ctrl+J for a new line).\n"
    "Ctrl+O picks a model · Esc stops a reply · F1 lists every key · Ctrl+P finds any action."
)
FIRST_RUN = """\
Welcome to ollama-tui

{about}

  Ctrl+O   choose a model (F4 pulls a new one)
  Enter    send your message; Ctrl+J starts a new line
  Esc      stop a reply that is being written
  F3       system prompt, temperature and every other option
  F9       your saved conversations
  F1       every key · Ctrl+P finds any action by name

{saving}
Start typing, or press Enter.{once}"""
ABOUT = "It talks to the Ollama server on your machine, or wherever OLLAMA_HOST points."
SAVING = "Conversations are saved as you go; `ollama-tui paths` shows where."
ABOUT_DEMO = "Demo: a built-in server stands in for Ollama; its models are made up."
SAVING_DEMO = "Nothing is kept after you quit. F4 can pull mistral:7b (or flaky:1b)."


def first_run_page(demo: bool) -> str:
    if demo:  # each demo starts afresh, so it shows the page every time
        return FIRST_RUN.format(about=ABOUT_DEMO, saving=SAVING_DEMO, once="")
    return FIRST_RUN.format(about=ABOUT, saving=SAVING, once=" This is shown only once.")


class Welcome:
    def __init__(self, screen: Screen[None], first_run: bool, demo: bool = False) -> None:
        self.screen = screen
        self.first_run = first_run
        """The first-run page is showing. It is part of the chat screen, so the
        composer keeps the focus and every key typed at it lands there, in order."""
        self.widget = Plain(first_run_page(demo) if first_run else WELCOME, id="welcome")
        self.widget.set_class(first_run, "-first-run")

    def close_first_run(self, typed: bool) -> None:
        """``typed``: the user started a prompt (the model picker must not take
        their keys)."""
        if not self.first_run:
            return
        self.first_run = False
        self.widget.update(WELCOME)
        self.widget.remove_class("-first-run")
        self.screen.post_message(FirstRunClosed(typed))
