"""Conversations out as Markdown or JSON, and in from a TOML or JSON file."""

from __future__ import annotations

import uuid
from pathlib import Path

from ollama_tui.core.conversation import AssistantTurn, Conversation, ReplyStatus, with_files
from ollama_tui.core.history.codec import encode, to_data
from ollama_tui.core.history.store import SHORT_ID, HistoryStore
from ollama_tui.core.sanitize import sanitize


def to_markdown(conversation: Conversation) -> str:
    """A readable transcript with a small metadata header."""
    title = conversation.title or "Untitled conversation"
    lines = [
        f"# {title}",
        "",
        f"- model: {conversation.model or 'none'}",
        f"- created: {conversation.created_at.isoformat(timespec='seconds')}",
        f"- updated: {conversation.updated_at.isoformat(timespec='seconds')}",
        f"- id: {conversation.id} (`ollama-tui --resume {conversation.id[:SHORT_ID]}`)",
    ]
    options = conversation.settings.options
    if options:
        lines.append("- options: " + ", ".join(f"{k}={v}" for k, v in options.items()))
    if conversation.settings.system:
        lines += ["", "## System", "", conversation.settings.system]
    for turn in conversation.turns:
        if isinstance(turn, AssistantTurn):
            reply = turn.reply
            note = "" if reply.status is ReplyStatus.COMPLETE else f" ({reply.status})"
            lines += ["", f"## Assistant ({reply.model}){note}", ""]
            if reply.thinking:
                quoted = "\n".join(f"> {line}" for line in reply.thinking.splitlines())
                lines += ["<details><summary>Thinking</summary>", "", quoted, "", "</details>", ""]
            lines.append(reply.content)
        else:
            lines += ["", "## You", "", with_files(turn.content, turn.files)]
            lines += [f"[image: {image.name}]" for image in turn.images]
    # Read with cat or a pager: nothing in it may act on the terminal.
    return sanitize("\n".join(lines) + "\n")


def to_json(conversation: Conversation) -> bytes:
    return encode(to_data(conversation), "json")


def import_file(store: HistoryStore, path: Path) -> tuple[Conversation, list[str]]:
    """Read and check a conversation file, then save it into ``store``; an id that is
    taken gets a new one, so an import never replaces a conversation."""
    conversation, notes = HistoryStore.load_file(path)
    if store.has_file(conversation.id):
        conversation.id = uuid.uuid4().hex
        notes = [*notes, "it was given a new id, because one with its id exists"]
    store.save(conversation)
    return conversation, notes
