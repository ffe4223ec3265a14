"""What each turn looks like as lines: a prompt, or a reply with its thinking, its
Markdown body and a footer (model, version, status, figures).

An entry's first line is always a blank one that separates it from the turn above;
the log draws a gutter before every other line. Entries are rendered at the width of
the log less that gutter, and keep the last rendering until the width, the look or
the text changes."""

from __future__ import annotations

from collections.abc import Sequence

from ollama_tui.core.conversation import AssistantTurn, ReplyStatus, Turn, UserTurn
from ollama_tui.core.formatting import human_size, stats_line
from ollama_tui.core.markdown_bounds import BlockBounds
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.ui.chatlog.look import Look
from ollama_tui.ui.chips import packed
from ollama_tui.ui.render.document import MarkdownDocument
from ollama_tui.ui.render.line import ChatLine
from ollama_tui.ui.render.plain import plain_lines

GUTTER = 2
"""Cells before every line of a turn: a coloured bar and a space."""

STATUS_LABELS = {
    ReplyStatus.STOPPED: "stopped",
    ReplyStatus.INTERRUPTED: "interrupted",
    ReplyStatus.ERROR: "failed",
}
SEPARATOR = ChatLine.blank()


def mark_of(turn: Turn, summarized: bool) -> str:
    """Why a turn is not (all) in what the model reads, if it is not: its entry is
    drawn dimmed under this line."""
    if summarized:
        return "⊘ summarized: the summary below stands for it in requests"
    if turn.left_out:
        return "⊘ left out: kept here, not sent to the model"
    if turn.unseen:
        return "⊘ not seen by the model: Ollama dropped it from the last request"
    return ""


def mark_lines(mark: str, width: int, look: Look) -> list[ChatLine]:
    return plain_lines(mark, width, look.mark) if mark else []


class SummaryTail:
    """The summary of compacted turns, shown after the last turn it stands for: the
    model's Markdown, rendered (and made inert) as a reply is, between two marks."""

    def __init__(self) -> None:
        self.text = ""
        self._key: tuple[object, ...] = ()
        self._lines: list[ChatLine] = []

    def lines(self, width: int, look: Look) -> list[ChatLine]:
        if not self.text:
            return []
        if self._key != (self.text, width, look):
            self._key = (self.text, width, look)
            document = MarkdownDocument(sanitize(self.text))
            self._lines = [
                SEPARATOR,
                *mark_lines("▣ The summary sent instead of the messages above:", width, look),
                *document.lines(width, look.palette),
                *mark_lines("▣ End of the summary", width, look),
            ]
        return self._lines


def estimate_height(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped at ``width``, roughly (before it is rendered)."""
    width = max(1, width)
    return sum(len(line) // width + 1 for line in text.split("\n"))


class PromptEntry:
    def __init__(self, turn: UserTurn) -> None:
        self.turn = turn
        self.shown = turn.content
        """The text of the prompt shown: the one the reply below it answers."""
        self.mark = ""
        """Why it is not in what the model reads (``mark_of``), if it is not."""
        self.summary = SummaryTail()
        """The summary, when this is the last turn it stands for."""
        self.summary_row = 0
        """The line where the summary starts (after all of the turn's own)."""
        self._key: tuple[object, ...] = ()
        self._lines: list[ChatLine] = []
        self.first_changed = 0

    @property
    def failed(self) -> bool:
        return False

    def changed(self) -> None:
        """Its key notices what a prompt shows; nothing to mark."""

    def source(self) -> str:
        return self.shown

    def estimate(self, width: int) -> int:
        chips = bool(self.turn.images or self.turn.files)
        return 1 + bool(self.mark) + estimate_height(self.shown, width - GUTTER) + chips

    def lines(self, width: int, look: Look) -> Sequence[ChatLine]:
        key = (
            width,
            look,
            self.shown,
            len(self.turn.images),
            len(self.turn.files),
            self.mark,
            self.summary.text,
        )
        if key != self._key:
            self._key = key
            self.first_changed = 0
            lines = [
                SEPARATOR,
                *mark_lines(self.mark, width - GUTTER, look),
                *plain_lines(sanitize(self.shown), width - GUTTER, look.prompt_text),
            ]
            chips = [f"[image: {sanitize_line(image.name, 40)}]" for image in self.turn.images]
            chips += [
                f"[{f.kind}: {sanitize_line(f.name, 40)} · {human_size(f.size)}]"
                for f in self.turn.files
            ]
            if chips:
                lines += plain_lines(packed(chips, width - GUTTER), width - GUTTER, look.chips)
            self.summary_row = len(lines)
            self._lines = [*lines, *self.summary.lines(width - GUTTER, look)]
        return self._lines


class ReplyEntry:
    """A reply as it streams or as it was saved. Its text is mirrored from the
    ``Reply`` (the one source of truth) by ``sync``, which appends only what is new."""

    def __init__(self, turn: AssistantTurn) -> None:
        self.turn = turn
        self.reply = turn.reply
        self.folded: bool | None = None
        """Whether the thinking is folded; None: folded once the answer starts."""
        self.mark = ""
        """Why it is not in what the model reads (``mark_of``), if it is not."""
        self.summary = SummaryTail()
        """The summary, when this is the last turn it stands for."""
        self.summary_row = 0
        """The line where the summary starts (after all of the turn's own)."""
        self.thinking_row = 1
        """The line of the thinking's header (a click there folds it)."""
        self._reset()

    def _reset(self) -> None:
        self._seen = (0, 0)
        self._bounds = BlockBounds()
        self._thinking_bounds = BlockBounds()
        self.document = MarkdownDocument()
        self.thinking = ""
        self._key: tuple[object, ...] = ()
        self._lines: list[ChatLine] = []
        self._thinking_key: tuple[object, ...] = ()
        self._thinking_lines: list[ChatLine] = []
        self._thinking_version = 0
        self._closed_thinking = PlainDocument()
        self.first_changed = 0
        self._changed = True
        self.sync()

    def changed(self) -> None:
        """Something shown changed (its status, figures or version): draw it again."""
        self._changed = True

    @property
    def failed(self) -> bool:
        return self.reply.status in (ReplyStatus.ERROR, ReplyStatus.INTERRUPTED)

    def source(self) -> str:
        return self.reply.content

    def show_selected(self) -> bool:
        """Show the turn's selected version; False if it was shown already."""
        if self.turn.reply is self.reply:
            return False
        self.reply = self.turn.reply
        self._reset()
        return True

    def sync(self) -> bool:
        """Take the reply's text that is not shown yet; False if there was none."""
        content, thinking = self.reply.content, self.reply.thinking
        seen_content, seen_thinking = self._seen
        if (len(content), len(thinking)) == self._seen:
            return False
        if len(thinking) > seen_thinking:
            self.thinking += self._thinking_bounds.feed(sanitize(thinking[seen_thinking:]))
        if len(content) > seen_content:
            self.document.append(self._bounds.feed(sanitize(content[seen_content:])))
        self._seen = (len(content), len(thinking))
        self._changed = True
        return True

    @property
    def thinking_folded(self) -> bool:
        if self.folded is not None:
            return self.folded
        return bool(self.reply.content) or self.reply.status is not ReplyStatus.STREAMING

    def toggle_thinking(self) -> bool:
        """Fold or unfold the thinking; False if the reply has none."""
        if not self.thinking:
            return False
        self.folded = not self.thinking_folded
        self._changed = True
        return True

    def estimate(self, width: int) -> int:
        thinking = 1 if self.reply.thinking else 0
        return 2 + bool(self.mark) + thinking + estimate_height(self.reply.content, width - GUTTER)

    def footer(self) -> str:
        reply, turn = self.reply, self.turn
        parts = [sanitize_line(reply.model, 60)] if reply.model else []
        if len(turn.versions) > 1:
            parts.append(f"{turn.versions.index(reply) + 1}/{len(turn.versions)}")
        if reply.status is ReplyStatus.STREAMING:
            parts.append("writing…")
        elif reply.status in STATUS_LABELS:
            label = STATUS_LABELS[reply.status]
            parts.append(f"{label}: {sanitize_line(reply.error, 160)}" if reply.error else label)
        stats = stats_line(reply.stats, reply.first_token_s)
        if stats:
            parts.append(stats)
        if reply.prompt_truncated and reply.truncation:
            parts.append(f"⚠ {sanitize_line(reply.truncation, 120)}")
        elif reply.prompt_truncated:
            parts.append(
                "⚠ the prompt filled the context window: older messages were probably dropped"
            )
        return " · ".join(parts)

    def _thinking(self, width: int, look: Look) -> list[ChatLine]:
        if not self.thinking:
            return []
        folded = self.thinking_folded
        writing = self.reply.status is ReplyStatus.STREAMING and not self.reply.content
        key = (width, look, len(self.thinking), folded, writing, bool(self.reply.content))
        if key != self._thinking_key:
            self._thinking_key = key
            self._thinking_version += 1
            title = "Thinking…" if writing and not folded else "Thoughts"
            mark = "▸ " if folded else "▾ "
            hint = (
                f"  {len(self.thinking):,} characters · a click (or Alt+↑, t) unfolds"
                if folded
                else ""
            )
            header = ChatLine.of(
                [
                    (mark, look.thinking_title, False),
                    (title, look.thinking_title, True),
                    (hint, look.thinking, False),
                ]
            )
            body = [] if folded else self._closed_thinking.lines(self.thinking, width, look)
            apart = [SEPARATOR] if body and self.reply.content else []
            self._thinking_lines = [header, *body, *apart]
        return self._thinking_lines

    def lines(self, width: int, look: Look) -> Sequence[ChatLine]:
        key = (width, look, self.mark, self.summary.text)
        if not self._changed and self._key == key:
            self.first_changed = len(self._lines)
            return self._lines
        inner = width - GUTTER
        version = self._thinking_version
        thinking = self._thinking(inner, look)
        body = self.document.lines(inner, look.palette)
        marks = mark_lines(self.mark, inner, look)
        head = [SEPARATOR, *marks, *thinking]
        self.thinking_row = 1 + len(marks)
        same_head = self._key == key and version == self._thinking_version
        self.first_changed = len(head) + self.document.first_changed if same_head else 0
        self._key, self._changed = key, False
        footer = self.footer()
        foot = plain_lines(footer, inner, look.footer) if footer else []
        self.summary_row = len(head) + len(body) + len(foot)
        self._lines = [*head, *body, *foot, *self.summary.lines(inner, look)]
        return self._lines


class PlainDocument:
    """Plain text that grows (a reply's thinking) as lines: the lines of its finished
    lines are kept, so only its last, unfinished line is wrapped again."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] = ()
        self._closed = 0
        """How much of the text is finished lines (up to and including a newline)."""
        self._closed_lines: list[ChatLine] = []

    def lines(self, text: str, width: int, look: Look) -> list[ChatLine]:
        if self._key != (width, look) or len(text) < self._closed:
            self._key, self._closed, self._closed_lines = (width, look), 0, []
        end = text.rfind("\n") + 1
        if end > self._closed:
            finished = text[self._closed : end - 1]
            self._closed_lines += plain_lines(finished, width, look.thinking)
            self._closed = end
        return [*self._closed_lines, *plain_lines(text[self._closed :], width, look.thinking)]
