"""The chat log's parts without the widget: the line index, growing plain text, find."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ollama_tui.core.conversation import AssistantTurn, Reply, ReplyStatus
from ollama_tui.ui.chatlog.entries import PlainDocument, ReplyEntry, SummaryTail
from ollama_tui.ui.chatlog.find import Finder, Match
from ollama_tui.ui.chatlog.index import LineIndex
from ollama_tui.ui.chatlog.look import Look
from ollama_tui.ui.render.line import ChatLine
from ollama_tui.ui.render.plain import plain_lines

LOOK = Look.from_variables({}, dark=True)


def test_the_index_finds_each_line_s_turn_and_takes_exact_heights() -> None:
    index = LineIndex()
    index.reset([3, 1, 4])
    assert index.total == 8
    assert [index.locate(y) for y in (0, 2, 3, 4, 7, 8)] == [
        (0, 0),
        (0, 2),
        (1, 0),
        (2, 0),
        (2, 3),
        (-1, 0),
    ]
    assert list(index.turns_between(2, 5)) == [0, 1, 2]
    assert index.set(1, 5) == 4 and index.exact == [False, True, False]
    assert index.start(2) == 8 and index.total == 12


@given(
    st.lists(st.text(alphabet="ab \n", max_size=30), min_size=1, max_size=12),
    st.integers(min_value=10, max_value=30),
)
def test_growing_plain_text_gives_the_lines_of_the_whole(pieces: list[str], width: int) -> None:
    document, text, grown = PlainDocument(), "", []
    for piece in pieces:
        text += piece
        grown = document.lines(text, width, LOOK)
    assert grown == plain_lines(text, width, LOOK.thinking)


def test_find_goes_round_the_matches_from_where_the_reader_is() -> None:
    turns = [["an apple"], ["no"], ["apple and apple"]]

    def lines_of(turn: int) -> list[ChatLine]:
        return [ChatLine.plain(text) for text in turns[turn]]

    finder = Finder(["an apple", "no", "apple and apple"], lines_of)
    assert finder.search("APPLE") == 3
    start = Match(1, 0, -1)  # the reader is at the second turn
    found = [finder.step(1, start) for _ in range(4)]
    assert [(m.turn, m.column) for m in found if m] == [(2, 0), (2, 10), (0, 3), (2, 0)]
    assert finder.ordinal() == 2
    previous = finder.step(-1, start)
    assert previous is not None and (previous.turn, previous.column) == (0, 3)
    assert finder.search("pear") == 0 and finder.step(1, start) is None


def test_a_summary_is_rendered_and_made_inert() -> None:
    """The summary a model wrote is shown after the summarized turns, its Markdown
    rendered as a reply's is; an escape sequence in it must not reach the terminal."""
    tail = SummaryTail()
    tail.text = "**Apples** in red \x1b[31mtext\x1b]52;c;aGk=\x07 here\n\n- one\n- two"
    lines = [line.text for line in tail.lines(80, LOOK)]
    drawn = "\n".join(lines)
    assert "\x1b" not in drawn and "\x07" not in drawn
    assert lines[1].startswith("▣ The summary sent instead") and lines[-1] == "▣ End of the summary"
    assert "Apples in red" in drawn and "**" not in drawn  # rendered, not raw
    assert "• one" in drawn


def test_a_marked_reply_s_thinking_header_is_where_a_click_folds_it() -> None:
    turn = AssistantTurn([Reply("m", "The answer.", "Some thinking.", ReplyStatus.COMPLETE)])
    entry = ReplyEntry(turn)
    entry.mark = "⊘ not seen by the model: Ollama dropped it from the last request"
    lines = entry.lines(120, LOOK)
    assert entry.thinking_row == 2  # after the blank line and the mark
    assert lines[entry.thinking_row].text == "Thoughts"  # its copied text: the title
