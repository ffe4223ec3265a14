"""The chat log widget: every turn of the conversation in one virtual, scrollable view.

Only the lines in view are drawn (``render_line``), from each turn's cached lines. A
streaming reply is paced by one frame clock: at each tick the text that arrived is
moved into the reply, its entry re-renders the open Markdown block, and only the
lines that changed are refreshed. While the view is at the end it follows the reply;
scrolled up, it stays exactly where the reader put it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from ollama_tui.core.conversation import AssistantTurn, Conversation, Reply, UserTurn
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.chatlog.cursor import CHOICES, MESSAGE_ACTIONS, MessageCursor, applies
from ollama_tui.ui.chatlog.entries import PromptEntry, ReplyEntry
from ollama_tui.ui.chatlog.look import Look
from ollama_tui.ui.chatlog.messages import MessageChosen
from ollama_tui.ui.chatlog.search import LogSearch
from ollama_tui.ui.chatlog.streaming import ReplyStream
from ollama_tui.ui.chatlog.strips import Span, draw, selected_text
from ollama_tui.ui.chatlog.turns import ShownTurns
from ollama_tui.ui.render.line import ChatLine

SETTLE_ROUNDS = 4
"""Passes that render newly visible turns after a scroll moved the view (each pass may
reveal turns whose estimated height was too large)."""
DIMMED = Style(dim=True)
"""Turns the model does not read (left out, summarized, dropped by Ollama)."""
STRIP_CACHE = 2000
"""Drawn lines kept: a few screens' worth, at the largest terminals."""


class ChatLog(ScrollView, can_focus=True):
    BINDINGS = bindings("messages")
    FOCUS_ON_CLICK = False
    """A click or a drag selects text; the prompt keeps the keys."""

    def __init__(self, session: ChatSession, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.session = session
        self.turns = ShownTurns()
        self.cursor = MessageCursor(self)
        self.search = LogSearch(self)
        self._look: Look | None = None
        self._width = 0
        self.reply = ReplyStream(self)
        """The reply being written."""
        self._settling = False
        self.following = True
        """The view is at the end, and stays there as the log grows or the view
        shrinks; scrolling up ends it, scrolling back to the end starts it again."""
        self._base: Style | None = None
        self._strips: LRUCache[tuple[int, int, int, object], tuple[ChatLine, Strip]] = LRUCache(
            STRIP_CACHE
        )
        """Drawn lines by (line, log line, width, gutter): most lines in view are the
        same from one frame to the next, only scrolled."""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _: self.theme_changed())

    @property
    def conversation(self) -> Conversation:
        return self.session.conversation

    @property
    def look(self) -> Look:
        if self._look is None:
            theme = self.app.current_theme
            self._look = Look.from_variables(self.app.theme_variables, theme.dark)
        return self._look

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None

    @property
    def base_style(self) -> Style:
        """The log's own colours, under every line (kept: Textual computes them anew
        at each call)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def _set_height(self, height: int) -> None:
        """Make the log ``height`` lines tall. While it overflows the view before and
        after, only the scroll bar changes: the screen is not laid out again (a
        streaming reply adds a line many times a second)."""
        size = Size(self.line_width, height)
        if size == self.virtual_size:
            return
        view = self.scrollable_content_region.height
        if self.show_vertical_scrollbar and min(height, self.virtual_size.height) > view:
            self.set_reactive(ScrollView.virtual_size, size)
            bar = self.vertical_scrollbar
            bar.window_virtual_size, bar.window_size = height, view
            bar.position = self.scroll_y
        else:
            self.virtual_size = size

    def theme_changed(self) -> None:
        self._look = None
        self.refresh()

    @property
    def line_width(self) -> int:
        """The width turns are drawn at (Textual works the region out anew at each
        call, and ``render_line`` needs it for every line)."""
        return max(12, self._width or self.scrollable_content_region.width)

    # -- lines and layout ----------------------------------------------------------------

    def lines_of(self, turn: int) -> Sequence[ChatLine]:
        """``turn``'s lines at the current width; its exact height is recorded."""
        lines, change = self.turns.lines(turn, self.line_width, self.look)
        if change:
            self.call_later(self._layout_changed)
        return lines

    def _layout_changed(self) -> None:
        self._set_height(self.turns.index.total)
        self.refresh()

    def line_at(self, y: int) -> ChatLine | None:
        turn, row = self.turns.index.locate(y)
        if turn < 0:
            return None
        lines = self.lines_of(turn)
        return lines[row] if row < len(lines) else None

    def at_end(self) -> bool:
        return self.following or self.scroll_y >= self.max_scroll_y

    def relayout(self) -> None:
        """Lay out every turn from estimates (after a new conversation or width), keeping
        the reader's place: the end if they were at it, else the turn at the top."""
        index = self.turns.index
        at_end = self.at_end() or not index.heights
        turn, row = index.locate(round(self.scroll_y))
        share = row / max(1, index.heights[turn]) if turn >= 0 else 0.0
        self._width = self.scrollable_content_region.width
        width = self.line_width
        self.turns.estimate(width)
        if 0 <= turn < len(self.turns):
            height = len(self.lines_of(turn))
            y = index.start(turn) + round(share * height)
        else:
            y = 0
        self._set_height(index.total)
        if at_end:
            self.scroll_end(animate=False, immediate=True, force=True)
        else:
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
        self.settle()
        self.refresh()

    def settle(self, going_up: bool = False) -> None:
        """Render the turns in view, so their heights are exact, keeping in place what
        the reader has seen: the turn at the top of the view when they go down, the one
        at the bottom when they go up (or the start, or the end, where the view is)."""
        if self._settling:
            return
        self._settling = True
        try:
            for _ in range(SETTLE_ROUNDS):
                if not self._settle_once(going_up):
                    break
        finally:
            self._settling = False

    def _settle_once(self, going_up: bool) -> bool:
        index = self.turns.index
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        visible = index.turns_between(top, top + height)
        unmeasured = [turn for turn in visible if not index.exact[turn]]
        if not unmeasured:
            return False
        at_end = self.at_end() and top > 0
        anchor = visible[-1] if going_up else visible[0]
        anchor_before = index.start(anchor)
        for turn in unmeasured:
            self.turns.lines(turn, self.line_width, self.look)
        self._set_height(index.total)
        if at_end:
            self.scroll_end(animate=False, immediate=True, force=True)
        elif top > 0:
            shift = index.start(anchor) - anchor_before
            self.scroll_to(y=top + shift, animate=False, immediate=True, force=True)
        self.refresh()
        return True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.following = new_value >= self.max_scroll_y
        self.settle(going_up=new_value < old_value)

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        # Textual moves the bar only when scroll_y changes, so a bar that appears after
        # the view has followed a reply to its end would show the top.
        if shown:
            self.vertical_scrollbar.position = self.scroll_y

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._width:
            self.relayout()
            return
        following = self.following
        self.settle()
        if following:
            self.scroll_end(animate=False, immediate=True, force=True)

    def redraw_turn(self, turn: int) -> None:
        """Show what changed in ``turn``: only its changed lines when its height is
        the same, else everything below them (and follow, at the end)."""
        at_end, index = self.at_end(), self.turns.index
        self.turns.entries[turn].changed()
        lines, change = self.turns.lines(turn, self.line_width, self.look)
        start = index.start(turn)
        first = start + min(self.turns.entries[turn].first_changed, len(lines))
        if not change:
            if first < start + len(lines):
                self.refresh_lines(first, start + len(lines) - first)
            return
        self._set_height(index.total)
        top = round(self.scroll_y)
        if at_end:
            self.scroll_end(animate=False, immediate=True, force=True)
        elif first < top:
            # It changed above the view (thinking folding as the answer starts): what
            # the reader looks at stays where it is.
            self.scroll_to(y=top + change, animate=False, immediate=True, force=True)
        self.refresh_lines(first, max(1, index.total - first))

    # -- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line_y = round(self.scroll_y) + y
        width, base = self.line_width, self.base_style
        turn, row = self.turns.index.locate(line_y)
        if turn < 0:
            return Strip.blank(width, base)
        lines = self.lines_of(turn)
        if row >= len(lines):
            return Strip.blank(width, base)
        line = lines[row]
        gutter = None if row == 0 else self._gutter(turn)
        entry = self.turns.entries[turn]
        if entry.mark and row < entry.summary_row:
            base = base + DIMMED  # the summary after it is what the model reads: not dim
        spans = self._spans(line_y, line)
        if spans:
            return draw(line, line_y, width, base, gutter, spans)
        key = (id(line), line_y, width, (base, gutter))
        cached = self._strips.get(key)
        if cached is None or cached[0] is not line:
            cached = (line, draw(line, line_y, width, base, gutter, spans))
            self._strips[key] = cached
        return cached[1]

    def _gutter(self, turn: int) -> tuple[str, Style]:
        look, entry = self.look, self.turns.entries[turn]
        if turn == self.cursor.turn:
            return "┃ ", look.cursor_gutter
        if isinstance(entry, PromptEntry):
            return "▌ ", look.prompt_gutter
        return "▌ ", look.failed_gutter if entry.failed else look.reply_gutter

    def _spans(self, y: int, line: ChatLine) -> list[Span]:
        spans = self.search.spans(y, line)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            # Its background only: Textual's default foreground is "transparent", which
            # as a Rich style would paint the text in the background's colour.
            selected = self.screen.get_component_rich_style("screen--selection")
            style = Style(bgcolor=selected.bgcolor)
            spans.append((start, len(line.text) if end == -1 else end, style))
        return spans

    # -- selection ------------------------------------------------------------------------

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selected_text(selection, self.turns.index.total, self.line_at), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click on a reply's thinking line folds or unfolds it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        turn, row = self.turns.index.locate(round(self.scroll_y) + offset.y)
        entry = self.turns.entries[turn] if turn >= 0 else None
        if not isinstance(entry, ReplyEntry) or row != entry.thinking_row:
            return
        if entry.toggle_thinking():
            self.redraw_turn(turn)

    # -- the conversation -----------------------------------------------------------------

    def show_conversation(self) -> None:
        self.cursor.drop()
        self.turns = ShownTurns()
        self.turns.show(self.conversation, self.line_width)
        self.relayout()

    def refresh_marks(self) -> None:
        """Show which turns the model does not read, as the conversation now says."""
        for turn in self.turns.update_marks(self.conversation):
            self.redraw_turn(turn)

    def add_prompt(self, turn: UserTurn) -> None:
        self.redraw_turn(self.turns.add(PromptEntry(turn)))
        self.scroll_end(animate=False, immediate=True, force=True)

    def last_reply(self) -> tuple[int, ReplyEntry] | None:
        return self.turns.last_reply()

    def show_prompt_for(self, reply: Reply) -> None:
        """The prompt above the last reply as it was when ``reply`` was written."""
        found = self.last_reply()
        if found is not None and self.turns.show_prompt_text(found[0] - 1, reply):
            self.redraw_turn(found[0] - 1)

    def show_version(self, turn: AssistantTurn) -> None:
        number = self.turns.number_of(turn)
        entry = self.turns.entries[number] if number is not None else None
        if number is None or not isinstance(entry, ReplyEntry) or not entry.show_selected():
            return
        self.redraw_turn(number)
        if self.turns.show_prompt_text(number - 1, turn.reply):
            self.redraw_turn(number - 1)

    # -- the reply being written --------------------------------------------------------------

    def begin_reply(self, reply: Reply, new_turn: bool) -> None:
        turn = self.conversation.last_assistant_turn
        assert turn is not None
        if new_turn or self.last_reply() is None:
            self.redraw_turn(self.turns.add(ReplyEntry(turn)))
        else:
            self.show_version(turn)

    def stream(self, reply: Reply) -> None:
        """Follow ``reply`` from the end (until the reader scrolls up) as it arrives."""
        self.show_prompt_for(reply)
        self.scroll_end(animate=False, immediate=True, force=True)
        self.reply.start(reply)

    def stop_reply(self) -> bool:
        return self.reply.stop()

    def finish_reply(self) -> None:
        self.reply.finish()

    def cancel_stream(self) -> None:
        self.workers.cancel_group(self, "reply")

    def follow_end(self) -> None:
        """Stay at the end, if the view is there."""
        if self.at_end():
            self.scroll_end(animate=False, immediate=True, force=True)

    def scroll_chat(self, where: str) -> None:
        if where == "top":
            self.scroll_home(animate=False, immediate=True, force=True)
        elif where == "end":
            self.scroll_end(animate=False, immediate=True, force=True)
        else:
            page = self.scrollable_content_region.height
            step = -page if where == "page-up" else page
            self.scroll_to(y=self.scroll_y + step, animate=False, immediate=True, force=True)

    # -- message mode ---------------------------------------------------------------------

    def on_focus(self) -> None:
        if self.cursor.turn is None:
            self.cursor.put(-1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Message mode's keys work only with the cursor on a message, and the footer
        shows only those that apply to that message."""
        if action not in MESSAGE_ACTIONS:
            return True
        turn = self.cursor.turn
        if turn is None:
            return False
        what = str(parameters[0]) if action == "choose" and parameters else ""
        return applies(self.turns.entries[turn], action, what)

    def action_move(self, step: int) -> None:
        self.cursor.put(step)

    def action_leave(self) -> None:
        self.cursor.leave()

    def action_choose(self, what: str) -> None:
        """Ask the chat screen to ``what`` (one of ``CHOICES``) the message."""
        if self.cursor.turn is not None and what in CHOICES:
            self.post_message(MessageChosen(what, self.cursor.turn))

    def action_toggle_thinking(self) -> None:
        turn = self.cursor.turn
        entry = self.turns.entries[turn] if turn is not None else None
        if turn is not None and isinstance(entry, ReplyEntry) and entry.toggle_thinking():
            self.redraw_turn(turn)
