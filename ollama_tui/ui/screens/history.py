"""The history browser: every saved conversation, full-text search, and file actions.

Listing and searching read files, so they run in workers off the UI thread; a
search starts a moment after the last keystroke.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input

from ollama_tui.core.files import write_atomic
from ollama_tui.core.formatting import relative_time
from ollama_tui.core.history.codec import UnreadableConversation
from ollama_tui.core.history.export import import_file, to_json, to_markdown
from ollama_tui.core.history.listing import Listing
from ollama_tui.core.history.search import SearchHit
from ollama_tui.core.history.store import SHORT_ID, HistoryError
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.context import Shared, ShownChat
from ollama_tui.ui.messages import ShowConversation
from ollama_tui.ui.screens.base import selected_key
from ollama_tui.ui.screens.confirm import Confirm, TextPrompt
from ollama_tui.ui.widgets.plain import Plain, cell
from ollama_tui.ui.widgets.row_table import RowTable

SEARCH_DELAY = 0.2
TITLE_WIDTH = 26
COLUMNS = (("Id", SHORT_ID), ("Title", TITLE_WIDTH), ("Model", 16), ("Updated", 14), ("Msgs", 4))


@dataclass
class Listed(Message):
    listings: list[Listing]
    hits: list[SearchHit] | None
    """Search results, or None when no search is active."""


class HistoryScreen(Screen[None]):
    ACTION_SCOPE = "history"
    BINDINGS = bindings("history")

    def __init__(self, shared: Shared, chat: ShownChat) -> None:
        super().__init__()
        self.shared = shared
        self.chat = chat
        self.listings: list[Listing] = []

    def compose(self) -> ComposeResult:
        yield Plain("Conversations", classes="models-title")
        yield Input(placeholder="Search titles and messages (/)…", id="history-search")
        yield RowTable(id="history-table")
        yield Plain(id="history-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-table", DataTable).focus()
        self.refresh_list()

    # -- loading ----------------------------------------------------------------------

    @work(group="history-list", exclusive=True, exit_on_error=False)
    async def refresh_list(self, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        query = self.query_one("#history-search", Input).value.strip()
        store = self.shared.store
        listings = await asyncio.to_thread(store.listings)
        hits = await asyncio.to_thread(store.search, query) if query else None
        self.post_message(Listed(listings, hits))

    def on_listed(self, event: Listed) -> None:
        self.listings = event.listings
        table = self.query_one("#history-table", DataTable)
        selected = selected_key(table)
        searching = event.hits is not None
        table.clear(columns=True)
        # Fixed widths: a long title or an unreadable file's reason is cut with "…"
        # rather than pushing the other columns off screen.
        if searching:
            match_width = max(20, table.size.width - TITLE_WIDTH - 6)
            table.add_column("Title", width=TITLE_WIDTH)
            table.add_column("Match", width=match_width)
            for hit in event.hits or []:
                cells = (self._title(hit.listing), self._snippet(hit, match_width))
                table.add_row(*cells, key=hit.listing.path.name)
        else:
            for label, width in COLUMNS:
                table.add_column(label, width=width)
            for listing in event.listings:
                table.add_row(*self._cells(listing), key=listing.path.name)
        # Rows are keyed by file name: two files can claim one id.
        keys = {listing.path.name for listing in self._shown(event)}
        if selected is not None and selected in keys:
            table.move_cursor(row=table.get_row_index(selected))
        unreadable = sum(1 for listing in event.listings if listing.problem)
        message = f"{len(event.listings)} conversations in {self.shared.store.directory}"
        if event.hits is not None:
            message = f"{len(event.hits)} of {len(event.listings)} conversations match"
        if unreadable:
            message += f" · {unreadable} unreadable (left untouched; Enter says why)"
        trash = self.shared.store.trash_count()
        if trash:
            message += f" · {trash} in the trash (t empties it)"
        self.query_one("#history-message", Plain).update(message)

    @staticmethod
    def _shown(event: Listed) -> list[Listing]:
        return [hit.listing for hit in event.hits] if event.hits is not None else event.listings

    @staticmethod
    def _title(listing: Listing) -> Text:
        if listing.problem:
            return cell(f"⚠ {listing.path.name}: unreadable, {listing.problem}")
        return cell(listing.title or "Untitled")

    @classmethod
    def _cells(cls, listing: Listing) -> tuple[Text, ...]:
        short_id = cell(listing.id[:SHORT_ID])
        if listing.problem:
            return (short_id, cls._title(listing), cell(""), cell(""), cell(""))
        return (
            short_id,
            cls._title(listing),
            cell(listing.model),
            cell(relative_time(listing.updated)),
            cell(str(listing.messages)),
        )

    @staticmethod
    def _snippet(hit: SearchHit, width: int) -> Text:
        """The match in its context, centred so that it is never cut, and marked."""
        text, start, end = hit.snippet(width)
        shown = cell(text, width)
        shown.stylize("bold reverse", start, end)
        return shown

    def selected_listing(self) -> Listing | None:
        chosen = selected_key(self.query_one("#history-table", DataTable))
        return next((item for item in self.listings if item.path.name == chosen), None)

    def _selected(self) -> Listing | None:
        listing = self.selected_listing()
        if listing is not None and listing.problem:
            self.notify(
                f"{listing.path} cannot be opened: {listing.problem}. ollama-tui leaves it "
                "as it is.",
                severity="warning",
            )
            return None
        return listing

    # -- searching --------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    @on(Input.Changed, "#history-search")
    def search_changed(self) -> None:
        self.refresh_list(SEARCH_DELAY)

    @on(Input.Submitted, "#history-search")
    def search_done(self) -> None:
        self.query_one("#history-table", DataTable).focus()

    def action_focus_list(self) -> None:
        """Down from the search box goes into the list (as the model picker's does)."""
        self.query_one("#history-table", DataTable).focus()

    # -- actions ------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#history-table")
    def open_selected(self) -> None:
        listing = self._selected()
        if listing is not None:
            self.load(listing.id)

    @work(group="history-open", exclusive=True, exit_on_error=False)
    async def load(self, conversation_id: str) -> None:
        """Reopen a saved conversation with its model and settings, at its end."""
        try:
            conversation, notes = await asyncio.to_thread(self.shared.store.load, conversation_id)
        except (OSError, UnreadableConversation) as error:
            self.notify(str(error), title="Cannot open the conversation", severity="error")
            return
        if conversation.id != self.chat.session.conversation.id:  # else the chat's is newer
            for note in notes:
                self.notify(note, title="A setting was dropped", severity="warning")
        self.post_message(ShowConversation(conversation))

    def action_rename(self) -> None:
        listing = self._selected()
        if listing is None:
            return

        def renamed(title: str | None) -> None:
            if title:
                self.rename(listing.id, sanitize_line(title, 200))

        prompt = TextPrompt(
            "Rename the conversation",
            "Enter renames · Esc cancels",
            value=sanitize_line(listing.title),
        )
        self.app.push_screen(prompt, renamed)

    @work(group="history-action", exit_on_error=False)
    async def rename(self, conversation_id: str, title: str) -> None:
        session = self.chat.session
        if session.conversation.id == conversation_id and session.read_only:
            self.notify(
                "It is open in another ollama-tui: rename it there.",
                title="Not renamed",
                severity="warning",
            )
            return
        if session.conversation.id == conversation_id:
            session.conversation.title = title
            session.save()
        else:
            store = self.shared.store
            try:
                conversation, _ = await asyncio.to_thread(store.load, conversation_id)
                conversation.title = title
                await asyncio.to_thread(store.save, conversation)
            except (OSError, UnreadableConversation, HistoryError) as error:
                self.notify(str(error), title="Not renamed", severity="error")
                return
        self.refresh_list(0.1)

    def action_delete(self) -> None:
        listing = self._selected()
        if listing is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            session = self.chat.session
            if session.conversation.id == listing.id and not session.read_only:
                delete_shown = partial(self._delete_shown, listing.id)
                self.chat.after_stopping("delete this chat", delete_shown)
            else:
                self.delete(listing.id)

        title = sanitize_line(listing.title or "Untitled", 60)
        self.app.push_screen(
            Confirm(f"Move {title!r} to the trash?", yes="Delete", no="Keep"), answered
        )

    async def _delete_shown(self, conversation_id: str) -> None:
        await self.chat.new_chat()
        self.delete(conversation_id)

    @work(group="history-action", exit_on_error=False)
    async def delete(self, conversation_id: str) -> None:
        try:
            moved = await self.shared.saver.delete(conversation_id)
        except HistoryError as error:
            self.notify(str(error), title="Not deleted", severity="error")
            return
        self.notify(f"Moved to {moved.parent} (t empties the trash).")
        self.refresh_list()

    def action_empty_trash(self) -> None:
        count = self.shared.store.trash_count()
        if not count:
            self.notify("The trash is empty.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                try:
                    removed = self.shared.store.empty_trash()
                except HistoryError as error:
                    self.notify(str(error), severity="error")
                    return
                self.notify(f"Removed {removed} conversations for good.")
                self.refresh_list()

        self.app.push_screen(
            Confirm(f"Remove the {count} conversations in the trash for good?", yes="Remove"),
            answered,
        )

    def action_export(self, kind: str) -> None:
        listing = self._selected()
        if listing is None:
            return
        suggested = Path.cwd() / f"{_slug(listing.title)}-{listing.id[:SHORT_ID]}.{kind}"

        def chosen(target: str | None) -> None:
            if target:
                self.export(listing.id, Path(target).expanduser(), kind)

        self.app.push_screen(
            TextPrompt(
                f"Export as {'Markdown' if kind == 'md' else 'JSON'} to",
                "Enter writes the file (an existing one is replaced) · Esc cancels",
                value=str(suggested),
            ),
            chosen,
        )

    @work(group="history-action", exit_on_error=False)
    async def export(self, conversation_id: str, target: Path, kind: str) -> None:
        try:
            conversation, _ = await asyncio.to_thread(self.shared.store.load, conversation_id)
            data = (
                to_markdown(conversation).encode("utf-8") if kind == "md" else to_json(conversation)
            )
            await asyncio.to_thread(write_atomic, target, data)
        except (OSError, UnreadableConversation) as error:
            self.notify(str(error), title="Not exported", severity="error")
            return
        self.notify(f"Wrote {target}", title="Exported")

    def action_import_file(self) -> None:
        def chosen(source: str | None) -> None:
            if source:
                self.import_from(Path(source).expanduser())

        self.app.push_screen(
            TextPrompt(
                "Import a conversation file (.toml or .json)",
                "Enter imports a copy into your history · Esc cancels",
                placeholder="path/to/conversation.json",
            ),
            chosen,
        )

    @work(group="history-action", exit_on_error=False)
    async def import_from(self, source: Path) -> None:
        try:
            conversation, notes = await asyncio.to_thread(import_file, self.shared.store, source)
        except FileNotFoundError:
            self.notify(f"No file at {source}.", title="Not imported", severity="error")
            return
        except (OSError, UnreadableConversation, HistoryError) as error:
            self.notify(f"{source}: {error}", title="Not imported", severity="error")
            return
        note = f" Note: {'; '.join(notes)}." if notes else ""
        title = sanitize_line(conversation.title or "Untitled", 60)
        self.notify(f"Imported {title!r}.{note}", title="Imported")
        self.refresh_list()


def _slug(title: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in title.lower()).split()
    return "-".join(words)[:40] or "conversation"
