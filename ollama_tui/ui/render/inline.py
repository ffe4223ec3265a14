"""A paragraph's inline tokens as styled text: emphasis, code, links, images, HTML.

Nothing is opened or hidden: a link shows its text and, when different, its address;
an image shows its alt text and address; HTML shows as the text it is."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from markdown_it.token import Token
from rich.style import Style

from ollama_tui.ui.render.palette import Palette
from ollama_tui.ui.render.plain import Span

TASK_OPEN = "☐"
TASK_DONE = "☑"
_TASK_PREFIXES = {"[ ] ": TASK_OPEN, "[x] ": TASK_DONE, "[X] ": TASK_DONE}


def plain_text(tokens: Sequence[Token]) -> str:
    """The text inline tokens read as, without styles (an image's alt text)."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(plain_text(token.children or ()))
        else:
            parts.append(token.content)
    return "".join(parts).replace("\n", " ")


def task_mark(tokens: Sequence[Token]) -> tuple[str, list[Token]] | None:
    """For a list item's first line "[ ] text" or "[x] text": its mark, and the
    tokens without the "[ ] ". markdown-it has no task list rule here."""
    if not tokens or tokens[0].type != "text":
        return None
    first = tokens[0]
    mark = _TASK_PREFIXES.get(first.content[:4])
    if mark is None:
        return None
    rest = first.content[4:]
    remaining = list(tokens[1:])
    return mark, ([first.copy(content=rest)] if rest else []) + remaining


def _address(href: str, title: str) -> str:
    return f'{href} "{title}"' if title else href


def _same_place(text: str, href: str) -> bool:
    """Whether a link's text already says where it goes."""
    if not href:
        return not text
    candidates = {href, unquote(href)}
    return any(
        text == candidate or f"mailto:{text}" == candidate or f"http://{text}" == candidate
        for candidate in candidates
    )


class _Inline:
    """Walks inline tokens, keeping the styles of the open emphasis and links."""

    def __init__(self, palette: Palette, base: Style | None) -> None:
        self.palette = palette
        self.lines: list[list[Span]] = [[]]
        self.styles: list[Style | None] = [base]
        self.links: list[tuple[Token, list[str]]] = []

    @property
    def style(self) -> Style | None:
        return self.styles[-1]

    def add(self, text: str, style: Style | None) -> None:
        if not text:
            return
        text = text.replace("\n", " ")
        self.lines[-1].append((text, style))
        for _, words in self.links:
            words.append(text)

    def push(self, style: Style) -> None:
        current = self.style
        self.styles.append(style if current is None else current + style)

    def pop(self) -> None:
        if len(self.styles) > 1:
            self.styles.pop()

    def on(self, token: Token) -> None:
        palette = self.palette
        kind = token.type
        if kind in ("text", "text_special"):
            self.add(token.content, self.style)
        elif kind == "softbreak":
            self.add(" ", self.style)
        elif kind == "hardbreak":
            self.lines.append([])
        elif kind == "code_inline":
            self.add(token.content, self._with(palette.code_inline))
        elif kind in ("strong_open", "em_open", "s_open"):
            styles = {"strong_open": palette.bold, "em_open": palette.italic}
            self.push(styles.get(kind, palette.strike))
        elif kind in ("strong_close", "em_close", "s_close"):
            self.pop()
        elif kind == "link_open":
            self.push(palette.link)
            self.links.append((token, []))
        elif kind == "link_close":
            self.pop()
            self._close_link()
        elif kind == "image":
            alt = plain_text(token.children or ())
            src = str(token.attrGet("src") or "")
            title = str(token.attrGet("title") or "")
            self.add(f"[image: {alt}]", self._with(palette.image))
            if src or title:
                self.add(f" ({_address(src, title)})", self._with(palette.link_url))
        elif kind == "html_inline":
            self.add(token.content, self._with(palette.html))
        else:
            # A token this renderer does not know still shows the text it stands for.
            self.add(token.content or token.markup, self.style)

    def _with(self, style: Style) -> Style:
        current = self.style
        return style if current is None else current + style

    def _close_link(self) -> None:
        if not self.links:
            return
        token, words = self.links.pop()
        href = str(token.attrGet("href") or "")
        title = str(token.attrGet("title") or "")
        if token.markup in ("autolink", "linkify") and not title:
            return
        if _same_place("".join(words), href) and not title:
            return
        self.add(f" ({_address(href, title)})", self._with(self.palette.link_url))


def inline_lines(
    tokens: Sequence[Token], palette: Palette, base: Style | None = None
) -> list[list[Span]]:
    """Inline tokens as lines of styled spans: a hard break starts a new line, a soft
    break is a space (as a browser shows it)."""
    walker = _Inline(palette, base)
    for token in tokens:
        walker.on(token)
    return walker.lines
