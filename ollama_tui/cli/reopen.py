"""Finding the conversation ``--continue`` or ``--resume ID`` (``ask --cid ID``) names."""

from __future__ import annotations

from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.codec import UnreadableConversation, is_valid_id
from ollama_tui.core.history.store import SHORT_ID, HistoryStore
from ollama_tui.core.sanitize import sanitize_line


def reopened(store: HistoryStore, continue_last: bool, resume: str | None) -> Conversation | None:
    """The conversation --continue or --resume asks for; SystemExit says why not."""
    if not continue_last and resume is None:
        return None
    if continue_last:
        latest = store.most_recent()
        if latest is None:
            raise SystemExit(f"ollama-tui: no conversations in {store.directory} yet.")
        resume = latest.id
    assert resume is not None
    if not is_valid_id(resume):
        raise SystemExit(f"ollama-tui: {resume[:70]!r} is not a conversation id.")
    resume = _full_id(store, resume)
    try:
        conversation, _ = store.load(resume)
    except FileNotFoundError:
        raise SystemExit(f"ollama-tui: no conversation {resume} in {store.directory}.") from None
    except (OSError, UnreadableConversation) as error:
        raise SystemExit(f"ollama-tui: cannot open conversation {resume}: {error}") from None
    return conversation


def _full_id(store: HistoryStore, prefix: str) -> str:
    """The id that ``prefix`` starts (as git takes a commit's first characters);
    SystemExit says why there is none, or names the ones it could mean."""
    if store.has_file(prefix):
        return prefix  # opening it says what is wrong with it, if anything
    listings = [item for item in store.listings() if not item.problem]
    matches = [item for item in listings if item.id.startswith(prefix)]
    if len(matches) == 1:
        return matches[0].id
    if not matches:
        raise SystemExit(f"ollama-tui: no conversation {prefix} in {store.directory}.")
    named = "; ".join(
        f"{item.id[:SHORT_ID]} {sanitize_line(item.title or 'Untitled', 40)}"
        for item in matches[:5]
    )
    raise SystemExit(f"ollama-tui: {prefix} could be any of {len(matches)}: {named}.")
