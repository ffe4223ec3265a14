"""How prompts and replies look in the chat log."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Collapsible

from ollama_tui.core.conversation import Reply, ReplyStatus, UserTurn
from ollama_tui.core.formatting import stats_line
from ollama_tui.core.markdown_bounds import BlockBounds
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.ui.widgets.alike_lines import AlikeLines
from ollama_tui.ui.widgets.plain import Plain
from ollama_tui.ui.widgets.reply_markdown import ReplyMarkdown

STATUS_LABELS = {
    ReplyStatus.STOPPED: "stopped",
    ReplyStatus.INTERRUPTED: "interrupted",
    ReplyStatus.ERROR: "failed",
}


class PromptView(Plain):
    """A user's prompt, shown as plain text (never parsed as markup)."""

    def __init__(self, turn: UserTurn) -> None:
        super().__init__(classes="prompt")
        self.turn = turn

    def on_mount(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        self.show_text(self.turn.content)

    def show_text(self, prompt: str) -> None:
        """Show ``prompt``: one of the texts the turn has had."""
        text = Content(sanitize(prompt))
        if self.turn.images:
            chips = "  ".join(f"[image: {sanitize_line(i.name, 40)}]" for i in self.turn.images)
            text = text + Content("\n") + Content.styled(chips, "italic")
        self.update(text)


THINKING_PART_CHARS = 4000
"""Thinking is drawn in parts of this many characters, so that as it streams only the
last part is drawn again: as one ever-growing text, a long stream would cost its size
squared."""


class ThinkingText(Vertical):
    """A reply's thinking, as plain text in parts."""

    DEFAULT_CSS = """
    ThinkingText { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__(classes="thinking-text")
        self._parts: list[str] = []
        """What each part shows (already made inert)."""

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def has_text(self) -> bool:
        return any(self._parts)

    async def set_text(self, text: str) -> None:
        self._parts = []
        await self.remove_children()
        await self.append(text)

    async def append(self, text: str) -> None:
        """Add ``text`` (already made inert)."""
        widgets = list(self.query(Plain))
        while text:
            if not self._parts or len(self._parts[-1]) >= THINKING_PART_CHARS:
                self._parts.append("")
                widgets.append(Plain())
                await self.mount(widgets[-1])
            room = THINKING_PART_CHARS - len(self._parts[-1])
            self._parts[-1], text = self._parts[-1] + text[:room], text[room:]
            widgets[-1].update(Content(self._parts[-1]))


class ReplyView(Vertical, AlikeLines):
    """An assistant reply: thinking (collapsible), Markdown body, stats line."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(classes="reply")
        self.reply = reply
        self.version_label = ""
        self._bounds = BlockBounds()
        """Keeps every block of the drawn text small, so a huge reply costs its size."""

    def compose(self) -> ComposeResult:
        with Collapsible(title="Thinking…", collapsed=True, classes="thinking"):
            yield ThinkingText()
        yield ReplyMarkdown(classes="reply-body")
        yield Plain(classes="reply-stats")

    async def on_mount(self) -> None:
        await self.show(self.reply, self.version_label)

    @property
    def body(self) -> ReplyMarkdown:
        return self.query_one(ReplyMarkdown)

    @property
    def thinking_section(self) -> Collapsible:
        return self.query_one(".thinking", Collapsible)

    async def show(self, reply: Reply, version_label: str = "") -> None:
        """Render a finished (or restored) reply in full."""
        self.reply = reply
        self.version_label = version_label
        await self.query_one(ThinkingText).set_text(sanitize(reply.thinking))
        self._refresh_thinking()
        self.thinking_section.collapsed = bool(reply.content) or reply.status is not (
            ReplyStatus.STREAMING
        )
        self._bounds = BlockBounds()
        await self.body.update(self._bounds.feed(sanitize(reply.content)))
        self.refresh_stats()

    def start_stream(self) -> None:
        self.body.start_stream()

    async def append(self, content: str, thinking: str) -> None:
        if thinking:
            await self.query_one(ThinkingText).append(sanitize(thinking))
            self._refresh_thinking()
            if not self.reply.content:
                self.thinking_section.collapsed = False
        if content:
            if self.thinking_section.display and not self.thinking_section.collapsed:
                self.thinking_section.collapsed = True
            await self.body.write(self._bounds.feed(sanitize(content)))

    async def finish(self) -> None:
        await self.body.stop()
        if self.reply.content or self.reply.status is not ReplyStatus.STREAMING:
            self.thinking_section.collapsed = True
        self._refresh_thinking()
        self.refresh_stats()

    def _refresh_thinking(self) -> None:
        self.thinking_section.display = self.query_one(ThinkingText).has_text
        if self.reply.status is not ReplyStatus.STREAMING or self.reply.content:
            self.thinking_section.title = "Thoughts"

    def refresh_stats(self) -> None:
        reply = self.reply
        parts = [self.version_label] if self.version_label else []
        if reply.status in STATUS_LABELS:
            label = STATUS_LABELS[reply.status]
            parts.append(f"{label}: {sanitize_line(reply.error, 160)}" if reply.error else label)
        line = stats_line(reply.stats, reply.first_token_s)
        if line:
            parts.append(line)
        if reply.prompt_truncated:
            parts.append(
                "⚠ the prompt filled the context window: older messages were probably dropped"
            )
        stats = self.query_one(".reply-stats", Plain)
        stats.update(" · ".join(parts))
        stats.display = bool(parts)
        self.set_class(reply.status in STATUS_LABELS, "-failed")
