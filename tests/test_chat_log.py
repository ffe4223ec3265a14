"""The chat log as the reader uses it: mouse selection, message mode, find, folding
thinking, resizing and a very long conversation, against the emulator."""

from __future__ import annotations

from textual.geometry import Offset
from textual.pilot import Pilot

from ollama_tui.cli.main import make_app
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, ReplyStatus, UserTurn
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.emulator.demo import tokens
from ollama_tui.ui.render.document import MarkdownDocument
from ollama_tui.ui.screens.confirm import Confirm
from ollama_tui.ui.widgets.find_bar import FindBar
from tests.chat_helpers import (
    app_for,
    chat_of,
    drawn_log,
    last_reply_entry,
    reply_settled,
    screen_settled,
    send,
    wait_until,
)
from tests.chat_scenes import EVERY_CONSTRUCT

LOG_PADDING = 1
"""The chat log's left padding: its first column of text is this far into it."""
GUTTER = 2


def row_of(pilot: Pilot[None], text: str) -> int:
    """The row of the chat log's view whose text starts with ``text`` (after the gutter)."""
    rows = drawn_log(pilot).splitlines()
    return next(row for row, line in enumerate(rows) if line[GUTTER:].startswith(text))


def at(row: int, column: int) -> Offset:
    """Where character ``column`` of a turn's text on view row ``row`` is, in the log."""
    return Offset(LOG_PADDING + GUTTER + column, row)


def long_conversation(turns: int, words: int = 30) -> Conversation:
    conversation = Conversation(title="Long", model="llama3.2:latest")
    for number in range(turns // 2):
        conversation.turns.append(UserTurn(f"question {number}"))
        text = " ".join(f"answer{number}-{word}" for word in range(words))
        reply = Reply("llama3.2:latest", text, status=ReplyStatus.COMPLETE)
        conversation.turns.append(AssistantTurn([reply]))
    return conversation


async def test_a_drag_across_two_messages_copies_exactly_their_text(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "alpha beta gamma")
        await reply_settled(pilot)
        log = chat_of(pilot).chat_log
        prompt_row, reply_row = row_of(pilot, "alpha"), row_of(pilot, "You said")
        start, end = at(prompt_row, len("alpha ")), at(reply_row, len("You said"))
        await pilot.mouse_down(log, start)
        await pilot.hover(log, end)
        await pilot.mouse_up(log, end)
        await screen_settled(pilot)
        # The selected text is drawn on the selection's colour, still readable.
        strip = log.render_line(prompt_row)
        selected = next(segment for segment in strip if "beta" in segment.text)
        assert selected.style is not None and selected.style.bgcolor is not None
        assert selected.style.color != selected.style.bgcolor
        # The prompt keeps the keys, and the copy key copies the text from the first
        # point to the character under the second (as Textual's own widgets do): the
        # gutters and the blank line between the turns are not text of their own.
        assert chat_of(pilot).composer.has_focus
        await pilot.press("ctrl+l")
        assert app.clipboard == "beta gamma\n\nYou said:"


async def test_message_mode_copies_regenerates_and_browses_an_older_reply(
    emulator: OllamaEmulator,
) -> None:
    emulator.script(
        ChatReply(content=["first answer"]),
        ChatReply(content=["second answer"]),
        ChatReply(content=["first, again"]),
    )
    app = app_for(emulator)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "one")
        await send(pilot, "two")
        original = chat.conversation.id
        # Alt+Up puts the cursor on the last message; up moves it to older ones.
        await pilot.press("alt+up")
        assert chat.chat_log.has_focus and chat.chat_log.cursor.turn == 3
        await pilot.press("up", "up")
        assert chat.chat_log.cursor.turn == 1
        assert "┃ first answer" in drawn_log(pilot)
        await pilot.press("c")
        assert app.clipboard == "first answer"
        # Regenerating it continues, once agreed, in a new conversation up to that reply.
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 3)
        await reply_settled(pilot)
        assert chat.conversation.id != original
        assert emulator.chat_requests()[-1]["messages"] == [{"role": "user", "content": "one"}]
        turn = chat.conversation.turns[-1]
        assert isinstance(turn, AssistantTurn) and len(chat.conversation.turns) == 2
        assert [version.content for version in turn.versions] == ["first answer", "first, again"]
        assert chat.composer.has_focus and chat.chat_log.cursor.turn is None
        # Its versions are browsed in message mode too.
        await pilot.press("alt+up", "left")
        assert turn.selected == 0 and "▌ first answer" not in drawn_log(pilot)
        assert "┃ first answer" in drawn_log(pilot)
        await pilot.press("escape")
        assert chat.composer.has_focus and chat.chat_log.cursor.turn is None
    kept, _ = app.shared.store.load(original)
    assert len(kept.turns) == 4  # the original is as it was


async def test_message_mode_edits_and_resends_an_older_prompt(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "helo")
        await send(pilot, "more")
        await pilot.press("alt+up", "up", "up", "up")
        assert chat.chat_log.cursor.turn == 0
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_until(pilot, lambda: chat.composer.text == "helo")
        assert chat.conversation.turns == [] and chat.composer.has_focus
        await pilot.press("ctrl+u", *"hello", "enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 3)
        await reply_settled(pilot)
        assert emulator.chat_requests()[-1]["messages"] == [{"role": "user", "content": "hello"}]
        assert "▌ You said: hello" in drawn_log(pilot)


async def test_find_marks_every_match_and_steps_through_them(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        for word in ("apple", "pear", "apple pie"):
            await send(pilot, word)
        bar = chat.query_one(FindBar)
        count = bar.query_one("#find-count")
        # Typing marks every match and shows the first from where the reader is.
        await pilot.press("ctrl+f", *"APPLE")
        await wait_until(pilot, lambda: str(count.render()) == "1 of 4")
        assert bar.input.has_focus
        await pilot.press("enter")
        assert str(count.render()) == "2 of 4"
        await pilot.press("enter", "enter")
        assert str(count.render()) == "4 of 4"
        await pilot.press("enter")
        assert str(count.render()) == "1 of 4"  # round past the end
        await pilot.press("shift+enter", "up")
        assert str(count.render()) == "3 of 4"
        log = chat.chat_log
        y, column = log.search.current or (0, 0)
        assert log.line_at(y) is not None
        assert log.line_at(y).text[column : column + 5].casefold() == "apple"  # type: ignore[union-attr]
        await pilot.press("ctrl+u", *"plum")
        await wait_until(pilot, lambda: str(count.render()) == "no match")
        await pilot.press("escape")
        assert not bar.display and chat.composer.has_focus and log.search.finder is None
        # Opened again, the last search is marked again.
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: str(count.render()) == "no match")
        assert log.search.finder is not None and log.search.finder.word == "plum"


async def test_thinking_folds_and_unfolds_with_a_click_and_with_t(
    emulator: OllamaEmulator,
) -> None:
    emulator.script(ChatReply(thinking=["Weighing ", "the options."], content=["Yes."]))
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.catalog.info("qwen3:8b") is not None)
        await send(pilot, "should I?")
        await reply_settled(pilot)
        assert "Weighing" not in drawn_log(pilot)
        header = row_of(pilot, "▸ Thoughts")
        await pilot.click(chat.chat_log, at(header, 0))
        await screen_settled(pilot)
        assert "▌ Weighing the options." in drawn_log(pilot)
        assert row_of(pilot, "▾ Thoughts") == header
        assert chat.composer.has_focus
        await pilot.press("alt+up", "t")
        await screen_settled(pilot)
        assert "Weighing" not in drawn_log(pilot)


async def test_a_reopened_two_thousand_message_chat_scrolls_end_to_end(
    emulator: OllamaEmulator,
) -> None:
    conversation = long_conversation(2000)
    app = make_app(Config(host=emulator.url), conversation=conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        await screen_settled(pilot)
        assert len(log.turns.entries) == 2000
        assert log.scroll_y == log.max_scroll_y > 0
        assert "answer999-29" in drawn_log(pilot)
        await pilot.press("ctrl+home")
        await screen_settled(pilot)
        assert log.scroll_y == 0
        assert drawn_log(pilot).splitlines()[1] == "▌ question 0"
        # Each page follows the one before exactly, however tall the turns turn out.
        page = log.scrollable_content_region.height
        await pilot.press("pagedown", "pagedown")
        await screen_settled(pilot)
        assert log.scroll_y == 2 * page
        first_row = drawn_log(pilot).splitlines()[0]
        assert first_row.endswith(log.line_at(2 * page).text)  # type: ignore[union-attr]
        await pilot.press("ctrl+end")
        await screen_settled(pilot)
        assert log.scroll_y == log.max_scroll_y
        assert drawn_log(pilot).rstrip().splitlines()[-1].startswith("▌ llama3.2:latest")


async def test_resizing_rewraps_from_the_source_and_keeps_the_reader_s_place(
    emulator: OllamaEmulator,
) -> None:
    conversation = long_conversation(200, words=60)
    app = make_app(Config(host=emulator.url), conversation=conversation)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        await pilot.press("ctrl+home", *["pagedown"] * 12)
        await screen_settled(pilot)
        turn_before, _ = log.turns.index.locate(round(log.scroll_y))
        await pilot.resize_terminal(60, 30)
        await screen_settled(pilot)
        turn_after, _ = log.turns.index.locate(round(log.scroll_y))
        assert abs(turn_after - turn_before) <= 1
        rows = drawn_log(pilot).splitlines()
        assert all(len(row) <= 60 - 2 - 1 for row in rows)  # padding and scroll bar
        words = [word for row in rows for word in row.split() if word.startswith("answer")]
        assert words, rows


async def test_letters_typed_in_message_mode_go_to_the_prompt(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "one")
        await pilot.press("alt+up")
        assert chat.chat_log.cursor.turn == 1
        # Not keys of message mode (e edits prompts only): the user is typing.
        await pilot.press(*"we")
        assert chat.composer.has_focus and chat.composer.text == "we"
        assert chat.chat_log.cursor.turn is None
        assert len(emulator.chat_requests()) == 1


async def test_the_log_stays_at_its_end_when_the_view_shrinks(emulator: OllamaEmulator) -> None:
    words = [f"word{number} " for number in range(600)]
    emulator.script(ChatReply(content=words, delay=0.002, hold_after=300))
    app = app_for(emulator)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = chat_of(pilot)
        log = chat.chat_log
        await wait_until(pilot, lambda: chat.composer.has_focus)
        await pilot.press(*"go", "enter")
        await wait_until(pilot, emulator.holding.is_set)
        await wait_until(pilot, lambda: log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y)
        # A smaller window, a taller prompt and the find bar all take room from it.
        await pilot.resize_terminal(100, 22)
        await pilot.press("ctrl+j", "ctrl+j", "ctrl+f")
        await screen_settled(pilot)
        assert log.scroll_y == log.max_scroll_y
        await pilot.press("escape")  # closes the find bar, the reply goes on
        assert chat.session.streaming is not None
        emulator.release()
        await reply_settled(pilot)
        assert log.scroll_y == log.max_scroll_y
        assert "word599" in drawn_log(pilot)


async def test_a_streamed_markdown_reply_shows_every_construct(emulator: OllamaEmulator) -> None:
    pieces = tokens(EVERY_CONSTRUCT)
    emulator.script(ChatReply(content=pieces, delay=0.002))
    app = app_for(emulator)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "show me")
        await reply_settled(pilot)
        log = chat_of(pilot).chat_log
        entry = last_reply_entry(pilot)
        lines = entry.lines(log.line_width, log.look)
        text = "\n".join(line.text for line in lines)
        drawn = ["".join(part[0] for part in line.parts) for line in lines]
        for shown in (
            "Choosing a model",  # the heading, without its '#'
            "Some bold, italic, struck, inline code and a link (https://ollama.com).",
            "1. Pull it",
            "with ollama pull",
            "☑ installed",
            "☐ tried",
            "Small models answer fast;",
            "large ones know more.",
            "def size(name: str) -> int:",
            "    return len(name)  # a comment",
            "<details><summary>HTML stays visible</summary>as text</details>",
            "That is all.",
        ):
            assert shown in text, shown
        assert any("python" in line and line.startswith("╭") for line in drawn)
        assert any("llama3.2" in line and "2.0 GB" in line for line in drawn)
        assert any(set(line) == {"─"} for line in drawn)  # the rule
        # Streamed in pieces, it is drawn exactly as the whole text would be.
        whole = MarkdownDocument(entry.document.source).lines(log.line_width - 2, log.look.palette)
        assert [
            line.parts for line in entry.document.lines(log.line_width - 2, log.look.palette)
        ] == [line.parts for line in whole]


async def test_the_scroll_bar_shows_where_the_view_is(emulator: OllamaEmulator) -> None:
    """The first reply that overflows the log brings the scroll bar in after the view has
    already followed it to the end: the bar must show the end too, not the top."""
    emulator.script(ChatReply(content=tokens(EVERY_CONSTRUCT * 3)))
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "show me")
        await reply_settled(pilot)
        log = chat_of(pilot).chat_log
        bar = log.vertical_scrollbar
        assert log.show_vertical_scrollbar and log.max_scroll_y > 0
        assert log.scroll_y == log.max_scroll_y
        assert bar.position == log.scroll_y
        await pilot.press("pageup")
        await screen_settled(pilot)
        assert 0 < log.scroll_y < log.max_scroll_y
        assert bar.position == log.scroll_y
