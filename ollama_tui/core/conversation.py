"""A conversation: user prompts and assistant replies, with every reply version kept.

This is the in-memory model the chat screen edits and the history store saves. It
holds the original text; making it safe to show is the UI's job (``sanitize``).
"""

from __future__ import annotations

import base64
import copy
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from ollama_tui.core.ollama.types import Message, Stats
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.settings import ChatSettings


def now() -> datetime:
    return datetime.now(UTC)


class ReplyStatus(StrEnum):
    STREAMING = "streaming"
    COMPLETE = "complete"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"
    ERROR = "error"


@dataclass
class Attachment:
    """An image sent with a prompt; ``data`` is raw base64, as Ollama wants it."""

    name: str
    data: str

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Attachment:
        return cls(name, base64.b64encode(data).decode("ascii"))


@dataclass
class FileAttachment:
    """A text file (code, notes, a PDF's text) sent with a prompt: its text goes into
    the message, in a fenced block under its name."""

    name: str
    text: str
    size: int
    """The file's size in bytes, as it was read."""
    kind: str = "text"
    """"text", or "pdf" for text taken out of a PDF."""


@dataclass
class Reply:
    """One version of an assistant reply."""

    model: str
    content: str = ""
    thinking: str = ""
    status: ReplyStatus = ReplyStatus.STREAMING
    error: str = ""
    stats: Stats | None = None
    first_token_s: float | None = None
    """Seconds from sending to the first token, measured by the client."""
    prompt_truncated: bool = False
    """The prompt filled the context window, so Ollama probably dropped the oldest part."""
    truncation: str = ""
    """What Ollama left out of the request, as far as we can tell ("" if unknown)."""
    created_at: datetime = field(default_factory=now)
    prompt_version: int | None = None
    """Which text of the prompt above it this answers (an index into
    ``UserTurn.texts``); None in files from before prompts could be edited."""


@dataclass
class UserTurn:
    content: str
    images: list[Attachment] = field(default_factory=list)
    model: str = ""
    files: list[FileAttachment] = field(default_factory=list)
    created_at: datetime = field(default_factory=now)
    earlier_versions: list[str] = field(default_factory=list)
    """Texts this prompt had before it was edited and resent."""
    left_out: bool = False
    """Kept in the history and on screen, but not sent (the user left it out)."""
    unseen: bool = False
    """Ollama dropped it from the last request, as far as we can tell."""

    @property
    def texts(self) -> list[str]:
        """Every text this prompt has had, the current one last."""
        return [*self.earlier_versions, self.content]

    def text_for(self, reply: Reply) -> str:
        """The text of this prompt that ``reply`` answers."""
        index = reply.prompt_version
        texts = self.texts
        return texts[index] if index is not None and 0 <= index < len(texts) else self.content


@dataclass
class AssistantTurn:
    versions: list[Reply]
    selected: int = 0
    left_out: bool = False
    unseen: bool = False

    @property
    def reply(self) -> Reply:
        return self.versions[self.selected]

    def add_version(self, reply: Reply) -> None:
        self.versions.append(reply)
        self.selected = len(self.versions) - 1

    def browse(self, step: int) -> bool:
        """Select the previous (-1) or next (+1) version; False at either end."""
        target = self.selected + step
        if not 0 <= target < len(self.versions):
            return False
        self.selected = target
        return True


Turn = UserTurn | AssistantTurn


def with_files(text: str, files: list[FileAttachment]) -> str:
    """A prompt as the model reads it: each attached file in a fenced block under its
    name (a fence longer than any backtick run in the file), then the prompt."""
    blocks = []
    for attached in files:
        longest = max((len(run) for run in re.findall(r"`+", attached.text)), default=0)
        fence = "`" * max(3, longest + 1)
        language = LANGUAGES.get(attached.name.rsplit(".", 1)[-1].lower(), "")
        source = " (text taken from a PDF)" if attached.kind == "pdf" else ""
        blocks.append(f"File {attached.name}{source}:\n{fence}{language}\n{attached.text}\n{fence}")
    return "\n\n".join([*blocks, text]) if blocks else text


LANGUAGES = {
    "py": "python",
    "js": "javascript",
    "ts": "typescript",
    "rs": "rust",
    "go": "go",
    "c": "c",
    "h": "c",
    "cpp": "cpp",
    "java": "java",
    "rb": "ruby",
    "sh": "bash",
    "md": "markdown",
    "json": "json",
    "toml": "toml",
    "yaml": "yaml",
    "yml": "yaml",
    "html": "html",
    "css": "css",
    "sql": "sql",
}
"""Fence languages by file extension, for the model's sake (and highlighting)."""

SUMMARY_INTRO = "A summary of the earlier part of this conversation:"


@dataclass
class Summary:
    """A note that stands for the first ``turns`` turns in every request (they stay in
    the history and on screen)."""

    text: str
    turns: int
    model: str = ""
    created_at: datetime = field(default_factory=now)


@dataclass
class Conversation:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    title: str = ""
    model: str = ""
    settings: ChatSettings = field(default_factory=ChatSettings)
    turns: list[Turn] = field(default_factory=list)
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    summary: Summary | None = None

    def touch(self) -> None:
        self.updated_at = now()

    def add_prompt(
        self,
        text: str,
        images: list[Attachment] | None = None,
        files: list[FileAttachment] | None = None,
    ) -> UserTurn:
        turn = UserTurn(text, list(images or []), self.model, list(files or []))
        self.turns.append(turn)
        if not self.title:
            self.title = sanitize_line(text, 80)
        self.touch()
        return turn

    def start_reply(self) -> Reply:
        """Begin a new reply: a new version of the last reply if it answers the
        last prompt, otherwise a new assistant turn."""
        prompt = self.last_user_turn
        reply = Reply(self.model)
        if prompt is not None:
            reply.prompt_version = len(prompt.earlier_versions)
        last = self.turns[-1] if self.turns else None
        if isinstance(last, AssistantTurn):
            last.add_version(reply)
        else:
            self.turns.append(AssistantTurn([reply]))
        self.touch()
        return reply

    @property
    def last_user_turn(self) -> UserTurn | None:
        return next((t for t in reversed(self.turns) if isinstance(t, UserTurn)), None)

    @property
    def last_assistant_turn(self) -> AssistantTurn | None:
        last = self.turns[-1] if self.turns else None
        return last if isinstance(last, AssistantTurn) else None

    def edit_last_prompt(self, text: str) -> UserTurn:
        """Replace the last prompt's text, keeping the old text."""
        turn = self.last_user_turn
        if turn is None:
            raise ValueError("there is no prompt to edit")
        if turn.content != text:
            turn.earlier_versions.append(turn.content)
            turn.content = text
        turn.left_out = False  # sent again: the user wants it read
        self.touch()
        return turn

    def branch(self, turns: int) -> Conversation:
        """A new conversation holding a copy of the first ``turns`` turns, with the
        same model and settings; this one is left as it is."""
        return Conversation(
            title=f"{self.title} (continued)" if self.title else "",
            model=self.model,
            settings=self.settings.copy(),
            turns=copy.deepcopy(self.turns[:turns]),
            summary=copy.copy(self.summary)
            if self.summary is not None and self.summary.turns <= turns
            else None,
        )

    def request_messages(self) -> list[Message]:
        """What ``/api/chat`` gets: the system prompt first (if any, with the summary
        of compacted turns), then the history.

        The reply being generated is left out, and so are replies with no text (an
        error before the first token), turns the summary stands for and turns the user
        left out.
        """
        return [message for _, message in self.request()]

    def request(self) -> list[tuple[int | None, Message]]:
        """``request_messages`` with the turn each message comes from (None: the
        system prompt)."""
        system = self.settings.system
        summary = self.summary
        if summary is not None:
            note = f"{SUMMARY_INTRO}\n{summary.text}"
            system = f"{system}\n\n{note}" if system else note
        sent: list[tuple[int | None, Message]] = []
        if system:
            sent.append((None, Message("system", system)))
        first = summary.turns if summary is not None else 0
        for index, turn in enumerate(self.turns[first:], first):
            if turn.left_out:
                continue
            if isinstance(turn, UserTurn):
                images = tuple(image.data for image in turn.images)
                content = with_files(turn.content, turn.files)
                sent.append((index, Message("user", content, images=images)))
            elif turn.reply.status is not ReplyStatus.STREAMING and turn.reply.content:
                sent.append((index, Message("assistant", turn.reply.content)))
        return sent

    def mark_unseen(self, turns: Iterable[int]) -> None:
        """The turns Ollama dropped from the last request (none: it saw them all)."""
        unseen = set(turns)
        for index, turn in enumerate(self.turns):
            turn.unseen = index in unseen
