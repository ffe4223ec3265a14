"""The turns the log shows: one entry per turn of the conversation, and where each
one's lines start (no widget: the log asks it for lines and heights)."""

from __future__ import annotations

from collections.abc import Sequence

from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, UserTurn
from ollama_tui.ui.chatlog.entries import PromptEntry, ReplyEntry, mark_of
from ollama_tui.ui.chatlog.index import LineIndex
from ollama_tui.ui.chatlog.look import Look
from ollama_tui.ui.render.line import ChatLine

Entry = PromptEntry | ReplyEntry


def entry_for(turn: UserTurn | AssistantTurn) -> Entry:
    return PromptEntry(turn) if isinstance(turn, UserTurn) else ReplyEntry(turn)


class ShownTurns:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.index = LineIndex()

    def __len__(self) -> int:
        return len(self.entries)

    def show(self, conversation: Conversation, width: int) -> None:
        """Every turn of ``conversation``, laid out from estimates; each prompt shows
        the text the reply below it answers."""
        self.entries = [entry_for(turn) for turn in conversation.turns]
        for turn, entry in enumerate(self.entries):
            if isinstance(entry, ReplyEntry) and turn > 0:
                self.show_prompt_text(turn - 1, entry.reply)
        self.update_marks(conversation)
        self.estimate(width)

    def update_marks(self, conversation: Conversation) -> list[int]:
        """Mark the turns the model does not read (``mark_of``); the last summarized
        turn also shows the summary after it. The turns whose marks changed."""
        summary = conversation.summary
        covered = summary.turns if summary is not None else 0
        changed = []
        for number, entry in enumerate(self.entries):
            mark = mark_of(entry.turn, number < covered)
            tail = summary.text if summary is not None and number == covered - 1 else ""
            if (mark, tail) != (entry.mark, entry.summary.text):
                entry.mark, entry.summary.text = mark, tail
                entry.changed()
                changed.append(number)
        return changed

    def estimate(self, width: int) -> None:
        self.index.reset([entry.estimate(width) for entry in self.entries])

    def add(self, entry: Entry) -> int:
        self.entries.append(entry)
        self.index.append(0)
        return len(self.entries) - 1

    def lines(self, turn: int, width: int, look: Look) -> tuple[Sequence[ChatLine], int]:
        """``turn``'s lines, and by how much its height changed (now recorded)."""
        lines = self.entries[turn].lines(width, look)
        return lines, self.index.set(turn, len(lines))

    def last_reply(self) -> tuple[int, ReplyEntry] | None:
        if self.entries and isinstance(last := self.entries[-1], ReplyEntry):
            return len(self.entries) - 1, last
        return None

    def show_prompt_text(self, turn: int, reply: Reply) -> bool:
        """Show the text of prompt ``turn`` that ``reply`` answers; False if shown."""
        entry = self.entries[turn] if 0 <= turn < len(self.entries) else None
        if not isinstance(entry, PromptEntry):
            return False
        text = entry.turn.text_for(reply)
        changed, entry.shown = entry.shown != text, text
        return changed

    def number_of(self, turn: AssistantTurn) -> int | None:
        return next(
            (
                number
                for number, entry in enumerate(self.entries)
                if isinstance(entry, ReplyEntry) and entry.turn is turn
            ),
            None,
        )

    def sources(self) -> list[str]:
        return [entry.source() for entry in self.entries]
