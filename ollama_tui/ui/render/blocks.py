"""Markdown blocks as lines: headings, paragraphs, lists, quotes, code, tables, rules,
HTML. Containers render their children narrower and add a gutter or an indent that is
drawn but never copied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token
from rich.style import Style

from ollama_tui.core.markdown_parser import document_parser
from ollama_tui.ui.render.code import code_lines
from ollama_tui.ui.render.inline import inline_lines, task_mark
from ollama_tui.ui.render.line import ChatLine, Part
from ollama_tui.ui.render.palette import Palette
from ollama_tui.ui.render.plain import TAB_SIZE, plain_lines, wrap_spans
from ollama_tui.ui.render.tables import table_lines

MIN_WIDTH = 10
"""Narrower widths are rendered as this: below it a code box or a table has no room."""
MIN_CONTENT = 8
"""A container indents its children only if this much room is left for them."""
BULLETS = ("•", "◦", "▪", "‣")
QUOTE_GUTTER = "▌ "


@dataclass(slots=True)
class Node:
    """A block token with the tokens inside it (its closing token dropped)."""

    token: Token
    children: list[Node] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    """Every token from this one to its closing one, for renderers that read them flat."""


def nest(tokens: Sequence[Token]) -> list[Node]:
    """The flat token stream as a tree of blocks."""
    roots: list[Node] = []
    siblings = [roots]
    open_nodes: list[Node] = []
    for token in tokens:
        for node in open_nodes:
            node.tokens.append(token)
        if token.nesting == 1:
            node = Node(token, tokens=[token])
            siblings[-1].append(node)
            siblings.append(node.children)
            open_nodes.append(node)
        elif token.nesting == -1:
            if open_nodes:
                siblings.pop()
                open_nodes.pop()
        else:
            siblings[-1].append(Node(token, tokens=[token]))
    return roots


@dataclass(frozen=True, slots=True)
class Context:
    palette: Palette
    source: Sequence[str]
    """The parsed text's lines, for tokens shown as their source."""
    bullet_depth: int = 0


def blank_separated(blocks: Sequence[list[ChatLine]]) -> list[ChatLine]:
    """Blocks with one blank line between them (empty blocks take no room)."""
    lines: list[ChatLine] = []
    for block in blocks:
        if not block:
            continue
        if lines:
            lines.append(ChatLine.blank())
        lines.extend(block)
    return lines


def indented(
    lines: Sequence[ChatLine], first: Sequence[Part], rest: Sequence[Part]
) -> list[ChatLine]:
    """``lines`` behind a prefix: ``first`` on the first line, ``rest`` on the others
    (a blank line gets ``rest`` only if it draws something: a quote's gutter)."""
    result: list[ChatLine] = []
    blank_prefix = tuple(part for part in rest if part[0].strip())
    for index, line in enumerate(lines):
        prefix = first if index == 0 else rest
        if not line.parts and index:
            prefix = blank_prefix
        result.append(ChatLine((*prefix, *line.parts), line.join))
    return result


def render_nodes(
    nodes: Sequence[Node], width: int, context: Context, tight: bool = False
) -> list[ChatLine]:
    blocks = [render_node(node, width, context) for node in nodes]
    if not tight:
        return blank_separated(blocks)
    return [line for block in blocks for line in block]


def render_node(node: Node, width: int, context: Context) -> list[ChatLine]:
    token = node.token
    kind = token.type
    palette = context.palette
    if kind == "paragraph_open":
        return _inline_block(node, width, context, None)
    if kind == "heading_open":
        level = token.tag
        style = {"h1": palette.heading1, "h2": palette.heading2, "h3": palette.heading3}
        return _inline_block(node, width, context, style.get(level, palette.heading))
    if kind in ("bullet_list_open", "ordered_list_open"):
        return _list(node, width, context)
    if kind == "blockquote_open":
        return _quote(node, width, context)
    if kind in ("fence", "code_block"):
        return code_lines(token.content, token.info, width, palette)
    if kind == "hr":
        # Drawn as a line across; a copy across it gets an empty line.
        return [ChatLine((("─" * width, palette.rule, False),))]
    if kind == "html_block":
        return plain_lines(token.content.removesuffix("\n"), width, palette.html)
    if kind == "table_open":
        return table_lines(node.tokens, width, palette, context.source)
    if kind == "definition":
        meta = token.meta
        title = f' "{meta["title"]}"' if meta.get("title") else ""
        text = f"[{meta.get('label', '')}]: {meta.get('url', '')}{title}"
        return plain_lines(text, width, palette.html)
    if kind == "inline":
        return _spans_lines(token, width, context, None)
    if token.nesting == 1:
        # An unknown container: its children still show.
        return render_nodes(node.children, width, context)
    return _literal(token, width, context)


def _literal(token: Token, width: int, context: Context) -> list[ChatLine]:
    """An unknown token as the text it was written as."""
    text = token.content
    if not text and token.map is not None:
        start, end = token.map
        text = "\n".join(context.source[start:end])
    return plain_lines(text.removesuffix("\n"), width) if text else []


def _spans_lines(
    inline: Token, width: int, context: Context, style: Style | None
) -> list[ChatLine]:
    lines: list[ChatLine] = []
    for spans in inline_lines(inline.children or (), context.palette, style):
        lines.extend(wrap_spans(spans or [("", style)], width))
    return lines


def _inline_block(node: Node, width: int, context: Context, style: Style | None) -> list[ChatLine]:
    lines: list[ChatLine] = []
    for child in node.children:
        if child.token.type == "inline":
            lines.extend(_spans_lines(child.token, width, context, style))
        else:
            lines.extend(render_node(child, width, context))
    return lines


def _quote(node: Node, width: int, context: Context) -> list[ChatLine]:
    palette = context.palette
    if width - len(QUOTE_GUTTER) < MIN_CONTENT:
        return render_nodes(node.children, width, context)
    inner = render_nodes(node.children, width - len(QUOTE_GUTTER), context)
    gutter: Part = (QUOTE_GUTTER, palette.quote_gutter, False)
    return indented(inner or [ChatLine.blank()], (gutter,), (gutter,))


def _is_loose(items: Sequence[Node]) -> bool:
    return any(
        child.token.type == "paragraph_open" and not child.token.hidden
        for item in items
        for child in item.children
    )


def _list(node: Node, width: int, context: Context) -> list[ChatLine]:
    palette = context.palette
    ordered = node.token.type == "ordered_list_open"
    items = [child for child in node.children if child.token.type == "list_item_open"]
    loose = _is_loose(items)
    start = int(node.token.attrGet("start") or 1) if ordered else 1
    depth = context.bullet_depth
    markers: list[tuple[str, Style, list[Node]]] = []
    for number, item in enumerate(items):
        children = item.children
        marker = (
            f"{start + number}{item.token.markup}" if ordered else BULLETS[depth % len(BULLETS)]
        )
        style = palette.bullet
        task = _task(children)
        if task is not None:
            mark, children = task
            style = palette.task_done if mark != "☐" else palette.task_open
            marker = f"{marker} {mark}" if ordered else mark
        markers.append((marker, style, children))
    marker_width = max((len(marker) for marker, _, _ in markers), default=1) + 1
    inner_context = Context(palette, context.source, depth + (0 if ordered else 1))
    fits = width - marker_width >= MIN_CONTENT
    blocks: list[list[ChatLine]] = []
    for marker, style, children in markers:
        inner_width = width - marker_width if fits else width
        lines = render_nodes(children, inner_width, inner_context, tight=not loose)
        pad = marker_width - 1 - len(marker)
        head: tuple[Part, ...] = (
            (" " * pad, None, False),
            (marker, style, True),
            (" ", None, True),
        )
        if not fits:
            blocks.append([*wrap_spans([(marker, style)], width), *lines])
        elif not lines:
            blocks.append([ChatLine.of(head[:2])])
        else:
            blocks.append(indented(lines, head, ((" " * marker_width, None, False),)))
    if loose:
        return blank_separated(blocks)
    return [line for block in blocks for line in block]


def _task(children: list[Node]) -> tuple[str, list[Node]] | None:
    """A task item's mark, and its children with the "[ ] " taken off its text."""
    if not children or children[0].token.type != "paragraph_open":
        return None
    paragraph = children[0]
    if not paragraph.children or paragraph.children[0].token.type != "inline":
        return None
    inline = paragraph.children[0].token
    found = task_mark(inline.children or ())
    if found is None:
        return None
    mark, tokens = found
    stripped = Node(paragraph.token, [Node(inline.copy(children=tokens))], paragraph.tokens)
    return mark, [stripped, *children[1:]]


def parse(text: str, env: dict[str, object] | None = None) -> list[Token]:
    """Tokens of ``text`` (tabs expanded first, as the renderer draws them)."""
    return document_parser().parse(text.expandtabs(TAB_SIZE), {} if env is None else env)


def render_block(node: Node, width: int, palette: Palette, source: Sequence[str]) -> list[ChatLine]:
    """One top-level block's lines."""
    return render_node(node, max(width, MIN_WIDTH), Context(palette, source))


def render_markdown(text: str, width: int, palette: Palette) -> list[ChatLine]:
    """All of ``text`` at once: what a ``MarkdownDocument`` must build piece by piece."""
    expanded = text.expandtabs(TAB_SIZE)
    source = expanded.split("\n")
    roots = nest(document_parser().parse(expanded, {}))
    return blank_separated([render_block(node, width, palette, source) for node in roots])
