"""Bounded blocks: breaks are added to endless lines and blocks, and nothing else changes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ollama_tui.core.markdown_bounds import MAX_BLOCK_LINES, MAX_LINE, BlockBounds
from ollama_tui.core.markdown_parser import document_parser


def bounded(text: str, pieces: int = 7) -> str:
    bounds = BlockBounds()
    step = max(1, len(text) // pieces)
    return "".join(bounds.feed(text[i : i + step]) for i in range(0, len(text), step))


def test_ordinary_markdown_is_left_as_it_is() -> None:
    text = (
        "# Title\n\nSome *text*.\n\n```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert bounded(text) == text


def test_an_endless_line_is_broken_between_words_and_keeps_every_character() -> None:
    words = " ".join(f"word{i}" for i in range(3000))
    shown = bounded(words, pieces=500)
    assert shown.replace("\n", "").replace(" ", "") == words.replace(" ", "")
    assert max(len(line) for line in shown.split("\n")) <= MAX_LINE
    assert "\n\n" in shown  # separate paragraphs, so each is parsed on its own


def test_a_line_with_no_spaces_is_cut_at_the_bound() -> None:
    line = "x" * (5 * MAX_LINE + 7)
    shown = bounded(line, pieces=3)
    assert shown.replace("\n", "") == line
    assert max(len(part) for part in shown.split("\n")) <= MAX_LINE


def test_a_huge_code_block_is_split_into_fences_of_the_same_language() -> None:
    code = "\n".join(f"line_{i} = {i}" for i in range(3 * MAX_BLOCK_LINES))
    shown = bounded(f"Here:\n\n```python\n{code}\n```\n\nDone.\n", pieces=50)
    tokens = document_parser().parse(shown)
    fences = [token for token in tokens if token.type == "fence"]
    assert len(fences) >= 3
    assert all(fence.info == "python" for fence in fences)
    assert "".join(fence.content for fence in fences).split() == code.split()
    assert any(token.content == "Done." for token in tokens if token.type == "inline")


def test_a_long_paragraph_is_split() -> None:
    lines = "\n".join(f"line {i}" for i in range(3 * MAX_BLOCK_LINES))
    tokens = document_parser().parse(bounded(lines, pieces=40))
    paragraphs = [token for token in tokens if token.type == "paragraph_open"]
    assert len(paragraphs) >= 3


def test_a_long_table_is_split_into_tables_with_the_same_header() -> None:
    rows = [f"| {i} | x{i} |" for i in range(3 * MAX_BLOCK_LINES)]
    text = "| n | name |\n|---|:-:|\n" + "\n".join(rows) + "\n\nDone.\n"
    tokens = document_parser().parse(bounded(text, pieces=60))
    tables = [token for token in tokens if token.type == "table_open"]
    assert len(tables) >= 3
    cells = [t.content for t in tokens if t.type == "inline"]
    assert cells.count("n") == len(tables)  # each part has the header row
    body = [cell for cell in cells if cell not in ("n", "name", "Done.")]
    assert body == [part for i in range(len(rows)) for part in (str(i), f"x{i}")]
    assert cells[-1] == "Done."


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab -#>*\n"), max_size=3000), st.integers(1, 50))
def test_outside_code_only_line_breaks_are_added(text: str, pieces: int) -> None:
    """However the text is cut into pieces, what is drawn differs from it only by
    added line breaks (code fences, split differently, are tested above)."""
    shown = bounded(text, pieces)
    assert shown.replace("\n", "") == text.replace("\n", "")
    assert shown.count("\n") >= text.count("\n")
