"""The incremental document: appending in any pieces gives the lines rendering the whole
source at once gives, and work is only done for the open block."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ollama_tui.ui.render import blocks
from ollama_tui.ui.render.blocks import Node, render_markdown
from ollama_tui.ui.render.document import MarkdownDocument
from ollama_tui.ui.render.line import ChatLine
from ollama_tui.ui.render.palette import DEFAULT, Palette
from tests.markdown_strategies import MARKDOWN, split_points

LIGHT = Palette.from_variables({}, dark=False)


def streamed(pieces: Sequence[str], width: int, look_after: Sequence[bool]) -> MarkdownDocument:
    document = MarkdownDocument()
    for piece, look in zip(pieces, look_after, strict=False):
        document.append(piece)
        if look:
            document.lines(width, DEFAULT)
    return document


@settings(max_examples=400)
@given(st.data(), MARKDOWN, st.integers(10, 120))
def test_appending_in_any_pieces_renders_as_the_whole_source_does(
    data: st.DataObject, source: str, width: int
) -> None:
    pieces = data.draw(split_points(source))
    looks = data.draw(st.lists(st.booleans(), min_size=len(pieces), max_size=len(pieces)))
    document = streamed(pieces, width, looks)
    assert document.source == source
    assert list(document.lines(width, DEFAULT)) == render_markdown(source, width, DEFAULT)


@settings(max_examples=200)
@given(st.data(), MARKDOWN)
def test_first_changed_marks_where_the_lines_start_to_differ(
    data: st.DataObject, source: str
) -> None:
    document = MarkdownDocument()
    before: Sequence[ChatLine] = []
    for piece in data.draw(split_points(source)):
        document.append(piece)
        after = document.lines(70, DEFAULT)
        changed = document.first_changed
        assert list(after[:changed]) == list(before[:changed])
        before = after


@pytest.mark.parametrize(
    ("start", "then"),
    [
        ("Foo\n#", "hashtag\n"),  # "#" alone is a heading; "#hashtag" continues Foo
        ("Foo\na | b\n|-|-", "x\n"),  # a table only while its delimiter row is one
        ("Foo\n```", " a`b\n"),  # a fence opener only without a backtick after
        ("[a]: /u 'x\n===\n[b]\n", "y'\n\ntext\n"),  # a title across lines
        ("[a]\n\nfoo\n\n", "[a]: /there\n"),  # a definition after its use
        ("[a]\n\nfoo\n\n[a]: /th", "ere\n\nmore\n"),  # ... while it is being written
        ("- a\n\n", "  b\n\nc\n"),  # a list item going on after a blank line
        ("Foo\n", "---\n\nbar\n"),  # a setext underline
        ("> a\n", "b\n\nc\n"),  # a lazy continuation
        ("```\ncode\n", "\nmore\n```\nafter\n"),  # a fence closed late
    ],
)
def test_blocks_that_a_later_line_changes_are_not_closed_too_early(start: str, then: str) -> None:
    document = MarkdownDocument(start)
    document.lines(60, DEFAULT)
    for character in then:
        document.append(character)
        document.lines(60, DEFAULT)
    assert list(document.lines(60, DEFAULT)) == render_markdown(start + then, 60, DEFAULT)


def test_unchanged_lines_are_the_same_object_and_nothing_changed() -> None:
    document = MarkdownDocument("# Title\n\nSome text\n")
    first = document.lines(60, DEFAULT)
    assert document.lines(60, DEFAULT) is first
    assert document.first_changed == len(first)
    document.append("")
    assert document.lines(60, DEFAULT) is first


def test_a_new_width_or_palette_renders_everything_again() -> None:
    document = MarkdownDocument("para one\n\npara two is here\n\nthree")
    narrow = document.lines(12, DEFAULT)
    document.lines(60, DEFAULT)
    assert document.first_changed == 0
    assert list(document.lines(12, DEFAULT)) == list(narrow)
    assert document.first_changed == 0
    document.lines(12, LIGHT)
    assert document.first_changed == 0


def test_replace_with_more_text_appends_and_with_other_text_starts_over() -> None:
    document = MarkdownDocument("one\n\ntwo")
    document.lines(40, DEFAULT)
    document.replace("one\n\ntwo three")
    assert document.source == "one\n\ntwo three"
    assert list(document.lines(40, DEFAULT)) == render_markdown("one\n\ntwo three", 40, DEFAULT)
    assert document.first_changed > 0
    document.replace("other")
    assert [line.text for line in document.lines(40, DEFAULT)] == ["other"]
    assert document.first_changed == 0


def test_only_the_open_block_is_rendered_again(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[str] = []
    real = blocks.render_block

    def counting(node: Node, width: int, palette: Palette, source: Sequence[str]) -> list[ChatLine]:
        rendered.append(node.token.type)
        return real(node, width, palette, source)

    monkeypatch.setattr("ollama_tui.ui.render.document.render_block", counting)
    document = MarkdownDocument()
    per_call: list[int] = []
    for number in range(60):
        for word in f"Paragraph {number} has a few words in it.\n\n".split(" "):
            rendered.clear()
            document.append(word + " ")
            document.lines(80, DEFAULT)
            per_call.append(len(rendered))
    # The open paragraph, and at most the one it just closed.
    assert max(per_call) <= 2
    lines = document.lines(80, DEFAULT)
    assert len(lines) == 60 * 2 - 1


def test_first_changed_is_near_the_end_while_a_paragraph_streams() -> None:
    document = MarkdownDocument("".join(f"Block {n}.\n\n" for n in range(40)))
    lines = document.lines(60, DEFAULT)
    document.append("more text")
    assert document.lines(60, DEFAULT)[-1].text.endswith("more text")
    assert document.first_changed >= len(lines) - 1


def test_an_empty_document_has_no_lines() -> None:
    assert list(MarkdownDocument().lines(40, DEFAULT)) == []
    assert list(MarkdownDocument("\n\n\n").lines(40, DEFAULT)) == []
