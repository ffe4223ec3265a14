"""The Markdown renderer's lines: every construct read back from the drawn text, its
styles and what it copies as; no line wider than asked; no text the model wrote hidden."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token
from rich.style import Style

from ollama_tui.ui.render.blocks import Context, Node, render_markdown, render_node
from ollama_tui.ui.render.line import ChatLine
from ollama_tui.ui.render.palette import DEFAULT, Palette
from ollama_tui.ui.render.plain import plain_lines
from tests.markdown_strategies import MARKDOWN, TEXT

LIGHT = Palette.from_variables({}, dark=False)


def render(source: str, width: int = 60) -> list[ChatLine]:
    return render_markdown(source, width, DEFAULT)


def drawn(line: ChatLine) -> str:
    return "".join(text for text, _, _ in line.parts)


def screen(lines: list[ChatLine]) -> list[str]:
    return [drawn(line).rstrip() for line in lines]


def copied(lines: list[ChatLine]) -> str:
    """What copying all the lines gives (the last line's join is not part of it)."""
    return "".join(line.text + line.join for line in lines[:-1]) + lines[-1].text


def style_of(lines: list[ChatLine], text: str) -> Style | None:
    for line in lines:
        for part, style, _ in line.parts:
            if text in part:
                return style
    raise AssertionError(f"{text!r} is not drawn")


def part_of(lines: list[ChatLine], text: str) -> tuple[str, Style | None, bool]:
    for line in lines:
        for part in line.parts:
            if text in part[0]:
                return part
    raise AssertionError(f"{text!r} is not drawn")


# Headings and paragraphs


def test_headings_show_no_hashes_and_h1_h2_look_different() -> None:
    lines = render("# One\n\n## Two\n\n### Three\n\n#### Four")
    assert screen(lines) == ["One", "", "Two", "", "Three", "", "Four"]
    styles = [style_of(lines, word) for word in ("One", "Two", "Three", "Four")]
    assert styles[0] == DEFAULT.heading1 and styles[1] == DEFAULT.heading2
    assert len(set(styles)) == 4
    assert all(style is not None and style.bold for style in styles)


def test_emphasis_strikethrough_and_code_are_styled_without_their_markers() -> None:
    lines = render("Some **bold**, *italic*, ~~gone~~ and `x = 1` here.")
    assert screen(lines) == ["Some bold, italic, gone and x = 1 here."]
    assert lines[0].text == "Some bold, italic, gone and x = 1 here."
    assert style_of(lines, "bold") == DEFAULT.bold
    assert style_of(lines, "italic") == DEFAULT.italic
    assert style_of(lines, "gone") == DEFAULT.strike
    assert style_of(lines, "x = 1") == DEFAULT.code_inline
    nested = render("***both*** and **`code`**")
    style = style_of(nested, "both")
    assert style is not None and style.bold and style.italic
    code = style_of(nested, "code")
    assert code is not None and code.bold and code.bgcolor == DEFAULT.code_inline.bgcolor


def test_a_wrapped_paragraph_copies_as_one_line() -> None:
    text = "The quick brown fox jumps over the lazy dog " * 4
    lines = render(text.strip(), 30)
    assert len(lines) > 3
    assert all(line.cell_length <= 30 for line in lines)
    assert [line.join for line in lines[:-1]] == [" "] * (len(lines) - 1)
    assert copied(lines) == text.strip()


def test_a_word_longer_than_the_width_is_cut_and_copies_whole() -> None:
    url = "https://example.com/" + "a" * 50
    lines = render(f"see {url} now", 20)
    assert copied(lines) == f"see {url} now"
    assert all(line.cell_length <= 20 for line in lines)
    assert "" in [line.join for line in lines]


def test_soft_breaks_are_spaces_and_hard_breaks_new_lines() -> None:
    lines = render("one\ntwo  \nthree\\\nfour")
    assert screen(lines) == ["one two", "three", "four"]
    assert copied(lines) == "one two\nthree\nfour"


def test_entities_are_decoded_as_a_browser_does() -> None:
    assert screen(render("&amp; &copy; &#65; &#x263A; &nbsp;x &bogus;")) == [
        "& © A ☺ \xa0x &bogus;"
    ]


# Links and images


def test_a_link_shows_its_text_styled_and_its_address_dimmed() -> None:
    lines = render("Read [the docs](https://docs.example.com/a) now.")
    assert screen(lines) == ["Read the docs (https://docs.example.com/a) now."]
    assert style_of(lines, "the docs") == DEFAULT.link
    assert style_of(lines, "https://docs") == DEFAULT.link_url


def test_a_link_whose_text_is_its_address_shows_it_once() -> None:
    for source in (
        "<https://a.example/x>",
        "https://a.example/x",
        "[https://a.example/x](https://a.example/x)",
    ):
        assert screen(render(source)) == ["https://a.example/x"], source
    assert screen(render("<me@example.com>")) == ["me@example.com"]


def test_a_link_title_and_a_reference_link_are_shown() -> None:
    assert screen(render('[t](/u "The title")')) == ['t (/u "The title")']
    lines = render("See [the spec][s].\n\n[s]: https://spec.example")
    assert screen(lines) == [
        "See the spec (https://spec.example).",
        "",
        "[s]: https://spec.example",
    ]


def test_nothing_is_opened_no_terminal_hyperlinks() -> None:
    lines = render("[a](https://x.example) <https://y.example> ![i](https://z.example/i.png)")
    assert all(style is None or not style.link for line in lines for _, style, _ in line.parts)


def test_an_image_shows_its_alt_text_and_address() -> None:
    lines = render('![a *cat*](cat.png "Cat") and ![](empty.png)')
    assert screen(lines) == ['[image: a cat] (cat.png "Cat") and [image: ] (empty.png)']
    assert style_of(lines, "[image: a cat]") == DEFAULT.image


# Lists


def test_ordered_lists_keep_their_start_number() -> None:
    assert screen(render("3. three\n4. four\n5. five")) == ["3. three", "4. four", "5. five"]
    assert screen(render("9) nine\n10) ten")) == [" 9) nine", "10) ten"]


def test_nested_bullets_differ_by_depth() -> None:
    lines = render("- one\n  - two\n    - three\n      - four\n        - five")
    assert screen(lines) == ["• one", "  ◦ two", "    ▪ three", "      ‣ four", "        • five"]
    assert style_of(lines, "•") == DEFAULT.bullet


def test_a_wrapped_item_is_indented_under_its_text_not_its_bullet() -> None:
    lines = render("- " + "word " * 12 + "\n\n  second paragraph\n- next", 24)
    shown = screen(lines)
    assert shown[0].startswith("• word")
    assert all(line.startswith("  word") for line in shown[1:3])
    assert "  second paragraph" in shown
    assert lines[1].parts[0] == ("  ", None, False)
    assert lines[0].text.startswith("• word")
    assert copied(lines[:3]).startswith("• word word")


def test_nested_ordered_and_bullet_lists() -> None:
    shown = screen(render("1. first\n   - inner\n   - more\n2. second\n   1. deep\n   2. deeper"))
    assert shown == [
        "1. first",
        "   • inner",
        "   • more",
        "2. second",
        "   1. deep",
        "   2. deeper",
    ]


def test_a_loose_list_has_blank_lines_between_items() -> None:
    assert screen(render("- a\n\n- b")) == ["• a", "", "• b"]
    assert screen(render("- a\n- b")) == ["• a", "• b"]


def test_task_list_items_show_marks() -> None:
    lines = render("- [ ] todo\n- [x] done\n- [X] also\n- [y] not a task\n1. [ ] numbered")
    assert screen(lines) == ["☐ todo", "☑ done", "☑ also", "• [y] not a task", "", "1. ☐ numbered"]
    assert style_of(lines, "☑") == DEFAULT.task_done
    assert style_of(lines, "☐") == DEFAULT.task_open


def test_an_empty_item_shows_its_bullet() -> None:
    assert screen(render("-\n- b")) == ["•", "• b"]


# Quotes


def test_a_quote_has_a_gutter_that_is_not_copied_and_nests() -> None:
    lines = render("> quoted **text**\n>\n> > inner")
    assert screen(lines) == ["▌ quoted text", "▌", "▌ ▌ inner"]
    assert part_of(lines, "▌") == ("▌ ", DEFAULT.quote_gutter, False)
    assert [line.text for line in lines] == ["quoted text", "", "inner"]


# Code


def code_block(lines: list[ChatLine]) -> list[ChatLine]:
    top = next(i for i, line in enumerate(lines) if drawn(line).startswith("╭"))
    bottom = next(i for i, line in enumerate(lines) if drawn(line).startswith("╰"))
    return lines[top : bottom + 1]


def joined_copy(lines: list[ChatLine]) -> str:
    return "".join(line.text + line.join for line in lines)


def test_a_fence_is_highlighted_labelled_boxed_and_copies_exactly() -> None:
    code = 'def greet(name):\n    return f"hi {name}"  # friendly\n\n\nprint(greet("you"))\n'
    lines = render(f"Text\n\n```python\n{code}```\n\nAfter", 50)
    block = code_block(lines)
    assert drawn(block[0]).startswith("╭─ python ─") and drawn(block[0]).endswith("╮")
    assert joined_copy(block) == code
    colours = {
        style.color for line in block[1:-1] for _, style, copied in line.parts if copied and style
    }
    assert len(colours) > 2
    assert all(line.cell_length == 50 for line in block)
    padding = [
        part for line in block[1:-1] for part in line.parts if not part[2] and not part[0].strip()
    ]
    assert padding and all(
        style is not None and style.bgcolor == DEFAULT.code.bgcolor for _, style, _ in padding
    )


def test_long_code_lines_wrap_and_still_copy_whole() -> None:
    code = "x = [" + ", ".join(str(n) for n in range(60)) + "]\nshort = 1\n"
    block = code_block(render(f"```py\n{code}```", 40))
    assert len(block) > 5
    assert all(line.cell_length <= 40 for line in block)
    assert joined_copy(block) == code
    assert "" in [line.join for line in block[1:-2]]
    assert drawn(block[2]).startswith("┊ ")


def test_unknown_language_and_indented_code_are_plain() -> None:
    for source, code in [
        ("```nosuchlang\nfoo bar\n```", "foo bar\n"),
        ("    indented\n      more", "indented\n  more\n"),
    ]:
        block = code_block(render(source))
        assert joined_copy(block) == code
        styles = {style for line in block[1:-1] for _, style, copied in line.parts if copied}
        assert styles == {DEFAULT.code}


def test_an_unclosed_fence_shows_all_its_code() -> None:
    block = code_block(render("```js\nlet a = 1;\nlet b"))
    assert joined_copy(block) == "let a = 1;\nlet b"


def test_light_palettes_use_a_light_code_theme() -> None:
    assert DEFAULT.code_theme != LIGHT.code_theme
    dark = code_block(render_markdown("```py\nimport os\n```", 40, DEFAULT))
    light = code_block(render_markdown("```py\nimport os\n```", 40, LIGHT))
    assert style_of(dark, "import") != style_of(light, "import")


def test_a_long_info_string_is_shown_inside_the_box() -> None:
    info = "python " + "option=value " * 8
    lines = render(f"```{info}\ncode\n```", 30)
    shown = "".join(screen(lines))
    assert all(word in shown for word in info.split())
    assert joined_copy(code_block(lines)) == "code\n"


# Tables


TABLE = "| Name | Qty | Note |\n|:-----|----:|:----:|\n| apple | 3 | fresh |\n| kiwi | 12 | ok |"


def test_a_table_aligns_its_columns() -> None:
    shown = screen(render(TABLE))
    assert shown == [
        "┌───────┬─────┬───────┐",
        "│ Name  │ Qty │ Note  │",
        "├───────┼─────┼───────┤",
        "│ apple │   3 │ fresh │",
        "│ kiwi  │  12 │  ok   │",
        "└───────┴─────┴───────┘",
    ]
    assert style_of(render(TABLE), "Name") == DEFAULT.table_header


def test_a_wide_table_wraps_its_cells_to_fit() -> None:
    source = "| a | b |\n|---|---|\n| " + "long text " * 8 + "| short |"
    lines = render(source, 40)
    assert all(line.cell_length <= 40 for line in lines)
    assert len(lines) > 5
    words = " ".join(screen(lines)).split()
    assert words.count("long") == 8 and "short" in words


def test_a_table_that_cannot_fit_shows_header_value_lines() -> None:
    source = (
        "| "
        + " | ".join(f"h{n}" for n in range(8))
        + " |\n|"
        + "---|" * 8
        + "\n| "
        + " | ".join(f"v{n}" for n in range(8))
        + " |"
    )
    lines = render(source, 20)
    assert all(line.cell_length <= 20 for line in lines)
    assert screen(lines) == [f"h{n}: v{n}" for n in range(8)]


def test_cells_past_the_header_are_still_shown() -> None:
    shown = " ".join(screen(render("| a | b |\n|---|---|\n| 1 | 2 | 3 | 4 |")))
    assert "3" in shown and "4" in shown


# Rules and HTML


def test_a_rule_spans_the_width_and_copies_as_an_empty_line() -> None:
    lines = render("above\n\n---\n\nbelow", 30)
    rule = lines[2]
    assert rule.cell_length == 30 and drawn(rule) == "─" * 30
    assert rule.text == ""


def test_html_is_shown_as_text_never_dropped() -> None:
    page = (
        "<!DOCTYPE html>\n<html>\n<head><title>Page</title>\n<style>p { color: red; }</style>\n"
        '</head>\n<body>\n<!-- a comment -->\n<p class="x">Hello <b>world</b></p>\n'
        "<script>alert('hi')</script>\n</body>\n</html>"
    )
    shown = "\n".join(screen(render(page, 80)))
    for piece in re.findall(r"<[^>]*>|[^<>\s]+", page):
        assert piece in shown, piece
    lines = render("text with <span>inline</span> and <!-- note --> tags")
    assert screen(lines) == ["text with <span>inline</span> and <!-- note --> tags"]
    assert style_of(lines, "<span>") == DEFAULT.html


def test_an_unknown_token_shows_its_source() -> None:
    unknown = Token("mystery_block", "", 0, content="", map=[1, 3])
    lines = render_node(Node(unknown), 40, Context(DEFAULT, ["x", "first line", "second line"]))
    assert screen(lines) == ["first line", "second line"]
    with_content = Token("math_block", "", 0, content="E = mc^2\n")
    assert screen(render_node(Node(with_content), 40, Context(DEFAULT, []))) == ["E = mc^2"]


def test_blocks_have_one_blank_line_between_them_and_none_around() -> None:
    shown = screen(render("\n\n# Title\n\n\n\ntext\n- item\n\n\n"))
    assert shown == ["Title", "", "text", "", "• item"]


def test_tabs_are_expanded() -> None:
    lines = render("a\tb\n\n```\n\tx\n```")
    assert "\t" not in "".join(drawn(line) for line in lines)
    assert screen(lines)[0] == "a   b"


# Widths


@settings(max_examples=300)
@given(MARKDOWN, st.integers(10, 200))
def test_no_line_is_wider_than_the_width(source: str, width: int) -> None:
    for line in render(source, width):
        assert line.cell_length <= width, (drawn(line), line.cell_length)


@given(MARKDOWN, st.integers(-5, 9))
def test_very_narrow_widths_do_not_crash(source: str, width: int) -> None:
    render(source, width)


def test_deep_nesting_still_fits_and_shows_its_text() -> None:
    source = "".join("  " * depth + "- level\n" for depth in range(15)) + "> " * 15 + "deep quote"
    for width in (10, 20, 40):
        lines = render(source, width)
        assert all(line.cell_length <= width for line in lines)
        assert " ".join(screen(lines)).count("level") == 15
        assert "quote" in " ".join(screen(lines))


# Plain text


@given(
    st.lists(st.one_of(TEXT, st.sampled_from(["", " ", "   ", "\n"])), max_size=10).map("".join),
    st.integers(10, 120),
)
def test_plain_text_copies_back_exactly_and_fits(text: str, width: int) -> None:
    lines = plain_lines(text, width)
    assert all(line.cell_length <= width for line in lines)
    assert copied(lines) == text.expandtabs(4)


def test_plain_text_keeps_newlines_wraps_words_and_cuts_long_ones() -> None:
    lines = plain_lines(
        "first line\nsecond line is longer than ten\nabcdefghijklmnop", 10, DEFAULT.thinking
    )
    assert screen(lines) == [
        "first line",
        "second",
        "line is",
        "longer",
        "than ten",
        "abcdefghij",
        "klmnop",
    ]
    assert [line.join for line in lines] == ["\n", " ", " ", " ", "\n", "", "\n"]
    assert style_of(lines, "first") == DEFAULT.thinking


def test_wide_characters_take_two_cells() -> None:
    lines = plain_lines("日本語のテキスト👍です", 10)
    assert [line.cell_length for line in lines] == [10, 10, 2]
    assert copied(lines) == "日本語のテキスト👍です"


# Palette


def test_a_palette_from_textual_theme_variables() -> None:
    from textual.theme import BUILTIN_THEMES

    from ollama_tui.ui.themes import semantic_defaults

    for name in ("textual-dark", "textual-light", "nord", "gruvbox"):
        theme = BUILTIN_THEMES[name]
        variables = theme.to_color_system().generate()
        palette = Palette.from_variables({**semantic_defaults(variables), **variables}, theme.dark)
        assert palette.dark == theme.dark
        assert palette.code.bgcolor is not None


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"primary": "auto 87%", "code-background": "not a colour", "foreground": ""},
        {"primary": "#12345", "accent": "rgb(1,2)", "text-muted": "auto", "surface": "#ffffff0a"},
        {"primary": 3, "background": None},
    ],
)
def test_a_palette_never_fails_on_missing_or_odd_values(variables: dict[str, str]) -> None:
    for dark in (True, False):
        palette = Palette.from_variables(variables, dark)
        assert palette.heading1.color is not None


def test_theme_colours_reach_the_styles() -> None:
    palette = Palette.from_variables({"primary": "#ff0000", "code-background": "#00ff00"}, True)
    assert palette.heading2.color is not None and palette.heading2.color.triplet == (255, 0, 0)
    assert palette.code.bgcolor is not None and palette.code.bgcolor.triplet == (0, 255, 0)


LONG_PYTHON = "".join(
    f'def function_{n}(x):\n    """Doubles.\n\nStill the docstring {n}.\n"""\n'
    f"    return x * {n}\n\n"
    for n in range(120)
)


def test_long_code_is_highlighted_in_pieces_cut_only_between_statements() -> None:
    from ollama_tui.ui.render.code import highlighted, pieces

    cut = pieces(LONG_PYTHON, "python", DEFAULT)
    assert len(cut) > 3
    assert "".join(cut) == LONG_PYTHON
    for piece in cut[1:]:
        assert piece.startswith("def function_")
    whole = highlighted(LONG_PYTHON, "python", DEFAULT)
    assert [
        span for piece in cut for line in highlighted(piece, "python", DEFAULT) for span in line
    ] == [span for line in whole for span in line]


def test_a_long_streamed_code_block_renders_as_the_whole_does() -> None:
    from ollama_tui.ui.render.document import MarkdownDocument

    source = f"Intro\n\n```python\n{LONG_PYTHON}```\n\nAfter"
    document = MarkdownDocument()
    for start in range(0, len(source), 7):
        document.append(source[start : start + 7])
        if start % 28 == 0:
            document.lines(60, DEFAULT)
    assert list(document.lines(60, DEFAULT)) == render(source, 60)
    assert joined_copy(code_block(render(source, 60))) == LONG_PYTHON
