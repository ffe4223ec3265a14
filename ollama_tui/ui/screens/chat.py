"""The chat screen: the log of the conversation, the composer and the status line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Footer, Select, TextArea

from ollama_tui.core.conversation import Conversation
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import ModelInfo
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.health import ConnectionState
from ollama_tui.services.saver import ContinuedAsCopy, HeldElsewhere, SaveNews
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.chatlog.messages import MessageChosen, MessageModeLeft, ReplyFinished
from ollama_tui.ui.chatlog.view import ChatLog
from ollama_tui.ui.chips import ChipBar
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.chat_attachments import PendingAttachments
from ollama_tui.ui.screens.chat_editing import LastPromptEditing
from ollama_tui.ui.screens.chat_messages import MessageActions
from ollama_tui.ui.screens.chat_model import ModelChoice, ModelChosen, ModelMissing
from ollama_tui.ui.screens.chat_overflow import OverflowGuard
from ollama_tui.ui.screens.chat_ownership import Ownership
from ollama_tui.ui.screens.chat_save_model import SaveAsModel
from ollama_tui.ui.screens.chat_sending import Sending
from ollama_tui.ui.screens.chat_settings import ChatSettingsPanel, Counted
from ollama_tui.ui.screens.chat_status import ChatStatus
from ollama_tui.ui.screens.chat_switching import ConversationSwitch
from ollama_tui.ui.screens.chat_welcome import Welcome
from ollama_tui.ui.screens.dialogs import CopyPicker
from ollama_tui.ui.screens.request_view import NextRequest
from ollama_tui.ui.widgets.composer import Composer
from ollama_tui.ui.widgets.context_meter import ContextMeter
from ollama_tui.ui.widgets.find_bar import FindBar
from ollama_tui.ui.widgets.plain import Plain
from ollama_tui.ui.widgets.sidebar import SettingsSidebar
from ollama_tui.ui.widgets.status_line import StatusLine


class ChatScreen(Screen[None]):
    ACTION_SCOPE = "chat"
    BINDINGS = bindings("chat")
    AUTO_FOCUS = "#composer"
    """Focused as soon as the screen is up, before ``on_mount`` has run: keys typed
    while the app starts land in the prompt, not on the chat log."""

    def __init__(self, shared: Shared, conversation: Conversation, first_run: bool = False):
        super().__init__()
        self.shared = shared
        self.session = ChatSession(
            conversation,
            client=shared.client,
            counter=shared.counter,
            catalog=shared.catalog,
            saver=shared.saver,
            log=shared.log,
        )
        self.settings = ChatSettingsPanel(self, shared, self.session, self.refresh_status)
        self.editing = LastPromptEditing(self, self.settings, self.busy)
        self.overflow = OverflowGuard(
            self, shared, self.session, self.settings, self.settings_changed
        )
        self.ownership = Ownership(self, self.session)
        self.model = ModelChoice(self, shared, self.session)
        self.attachments = PendingAttachments(self, self.session, self.settings.recount)
        self.settings.pending = lambda: (self.attachments.files, self.attachments.images)
        self.request = NextRequest(self, shared, self.session, self.settings)
        self._num_ctx_asked: object = None
        """The num_ctx set when /api/ps was last asked (a change asks again)."""
        self._server_answered = False
        self.welcome = Welcome(self, first_run, shared.config.demo)
        self.status = ChatStatus(self, shared, self.session)
        self.messages = MessageActions(self)
        self.save_as = SaveAsModel(self, shared, self.session)
        self.sending = Sending(self)
        self.switch = ConversationSwitch(self)

    @property
    def conversation(self) -> Conversation:
        return self.session.conversation

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="status-row"):
            yield StatusLine(id="status-bar")
            yield ContextMeter(id="context-meter")
        yield self.welcome.widget
        log = ChatLog(self.session, id="chat-log")
        yield log
        yield ChipBar(id="attachments")
        yield Plain(
            "✎ Editing your last prompt · Enter resends it (the old reply is kept as a "
            "version) · Esc leaves it",
            id="editing",
        )
        yield FindBar(log, id="find-bar")
        yield Composer(id="composer")
        yield Footer()

    @property
    def chat_log(self) -> ChatLog:
        return self.query_one(ChatLog)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    async def on_mount(self) -> None:
        self.composer.focus()
        self.query_one("#attachments").display = False
        self.query_one("#editing").display = False
        self.query_one(FindBar).display = False
        signals = self.shared.signals
        signals.connection.subscribe(self, self.connection_changed)
        signals.pulls.subscribe(self, lambda _: self.refresh_status())
        signals.model_info.subscribe(self, self.model_info_loaded)
        signals.running.subscribe(self, lambda _: self.settings.refresh_meter())
        signals.saving.subscribe(self, self.saving_news)
        self.session.switch_to(self.conversation)
        self.ownership.say_if_read_only()
        model = self.conversation.model or self.shared.config.model
        if model:
            self.set_model(model)
        self.refresh_status()  # news before this was missed
        self.show_turns()

    def on_unmount(self) -> None:
        session = self.session
        if session.streaming is not None:  # the app exits mid-reply: keep all that arrived
            session.take_rest(session.streaming)
        if not session.read_only:
            self.shared.saver.keep_for_exit(self.conversation)

    def on_key(self, event: events.Key) -> None:
        """Text typed while the app was starting reaches the screen before the prompt
        has the focus (the prompt takes its own keys, so these never passed through
        it): it goes into the prompt, in order. So does text typed on the chat log."""
        prompt = self.composer
        if not (event.is_printable and event.character):
            return
        if self.focused is self.chat_log and self.chat_log.cursor.turn is not None:
            # In message mode the log's own keys act on the message under the cursor;
            # any other letter means the user is typing: back to the prompt with it.
            active = self.active_bindings.get(event.key)
            if active is not None and active.enabled:
                return
            self.chat_log.cursor.drop()
        if self.focused in (None, prompt, self.chat_log):
            event.stop()
            prompt.focus()
            prompt.insert(event.character)

    def action_scroll_chat(self, where: str) -> None:
        self.chat_log.scroll_chat(where)

    def action_message_cursor(self, step: int) -> None:
        self.chat_log.cursor.put(step)

    async def on_message_chosen(self, event: MessageChosen) -> None:
        await self.messages.chosen(event)

    def on_message_mode_left(self, event: MessageModeLeft) -> None:
        self.composer.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is not self.chat_log:
            self.chat_log.cursor.drop()

    def action_find(self) -> None:
        self.query_one(FindBar).open()

    def on_find_bar_closed(self) -> None:
        self.composer.focus()

    def show_turns(self) -> None:
        """Show the conversation from its start, scrolled to its end."""
        self.show_welcome(not self.conversation.turns)
        self.chat_log.show_conversation()

    def show_welcome(self, shown: bool) -> None:
        """The welcome takes the chat log's place while the chat is empty."""
        self.welcome.widget.display = shown
        self.chat_log.display = not shown

    # -- the status line --------------------------------------------------------------------

    def refresh_status(self) -> None:
        self.status.refresh()

    def on_resize(self) -> None:
        self.query_one(ContextMeter).redraw()

    def connection_changed(self, state: ConnectionState) -> None:
        """Once the server answers again, learn about the model if that failed."""
        model = self.conversation.model
        came_back = state.connected and not self._server_answered
        self._server_answered = bool(state.connected)
        if state.connected:
            self.session.server_version = state.version  # its default window
        if came_back and model and self.shared.catalog.info(model) is None:
            self.model.load_info(model)
        self.refresh_status()

    def saving_news(self, news: SaveNews) -> None:
        if isinstance(news, HeldElsewhere) and news.conversation_id == self.conversation.id:
            self.ownership.held_elsewhere()
        elif isinstance(news, ContinuedAsCopy):
            self.ownership.continued_as_copy(news)
        self.refresh_status()

    # -- model ------------------------------------------------------------------------------

    def action_pick_model(self) -> None:
        self.model.pick()

    def on_model_chosen(self, event: ModelChosen) -> None:
        if event.model:
            self.set_model(event.model)
            self.model.remember(event.model)
        self.composer.focus()

    def set_model(self, name: str) -> None:
        """Switch model; the conversation is kept. The window it has now is asked for
        (at start, on a new chat, on a switch)."""
        self.conversation.model = name
        self.refresh_status()
        self.model.load_info(name)
        self.settings.recount()
        self.refresh_running()

    def on_model_missing(self, event: ModelMissing) -> None:
        self.model.say_missing(event.model)

    def model_info_loaded(self, info: ModelInfo) -> None:
        if info.name == self.conversation.model:
            self.refresh_status()
            self.settings.load_sidebar()
            self.settings.recount()

    # -- sending ----------------------------------------------------------------------------

    @on(Composer.Submitted)
    async def send_prompt(self, event: Composer.Submitted) -> None:
        await self.sending.submit(event.text)
        self._server_answered = False

    def busy(self) -> bool:
        """A reply is under way (or about to be): say so, and refuse."""
        return self.sending.busy()

    async def on_reply_finished(self, event: ReplyFinished) -> None:
        self.sending.finished(event)

    @work(group="running", exclusive=True, exit_on_error=False)
    async def refresh_running(self) -> None:
        self._num_ctx_asked = self.conversation.settings.options.get("num_ctx")
        try:
            await self.shared.catalog.running()
        except errors.OllamaError:
            return
        self.shared.signals.running.publish(None)

    async def action_stop(self) -> None:
        if self.overflow.stop_probing():
            return
        if self.chat_log.stop_reply():
            self.sending.ended()
            return
        if self._sidebar_closable():
            await self.settings.toggle()  # closed: the prompt has the keys again
            return
        self.composer.call_later(self.editing.leave)  # after keys typed before Esc
        self.welcome.close_first_run(typed=False)

    # -- conversation controls ------------------------------------------------------------

    async def action_regenerate(self) -> None:
        if self.busy():
            return
        if self.conversation.last_assistant_turn is None:
            self.notify("There is no reply to regenerate yet.", severity="warning")
            return
        if await self.switch.take_over() and await self.settings.valid():
            await self.sending.begin_reply()

    def action_edit_last(self) -> None:
        # A priority key is handled before the keys typed just ahead of it, which are
        # still queued at the composer: the draft must include them.
        self.composer.call_later(self.editing.start)

    async def action_browse_versions(self, step: int) -> None:
        turn = self.conversation.last_assistant_turn
        if turn is not None and self.session.streaming is None and turn.browse(step):
            self.chat_log.show_version(turn)

    def action_new_chat(self) -> None:
        self.switch.after_stopping("start a new chat", self.switch.new_chat)

    async def new_chat(self) -> None:
        await self.switch.new_chat()

    def after_stopping(self, doing: str, then: Callable[[], Awaitable[None]]) -> None:
        self.switch.after_stopping(doing, then)

    async def show_conversation(self, conversation: Conversation) -> None:
        await self.switch.show(conversation)

    async def action_save_as_model(self) -> None:
        await self.save_as.ask()

    def action_continue_in_copy(self) -> None:
        self.ownership.continue_in_copy()
        self.refresh_status()

    def action_copy(self) -> None:
        selected = self.get_selected_text()
        if selected:
            self.app.copy_to_clipboard(selected)
            return
        turn = self.conversation.last_assistant_turn
        if turn is None or not turn.reply.content:
            self.notify("There is no reply to copy yet.", severity="warning")
            return

        def chosen(text: str | None) -> None:
            if text:
                self.app.copy_to_clipboard(text)

        self.app.push_screen(CopyPicker(turn.reply.content), chosen)

    def action_show_request(self) -> None:
        self.request.show()

    async def action_set_context_window(self) -> None:
        await self.settings.open_at("num_ctx")

    def action_leave_out(self) -> None:
        if not self.busy():
            self.overflow.choose_left_out()

    def action_edit_summary(self) -> None:
        if not self.busy():
            self.overflow.edit_summary()

    def action_attach_file(self) -> None:
        self.attachments.ask()

    def action_detach_file(self) -> None:
        self.attachments.choose_removal()

    # -- settings ---------------------------------------------------------------------------

    @on(SettingsSidebar.Changed)
    def settings_changed(self) -> None:
        self.settings.changed()
        if self.conversation.settings.options.get("num_ctx") != self._num_ctx_asked:
            self.refresh_running()

    @on(TextArea.Changed, "#composer")
    def draft_changed(self) -> None:
        if self.composer.text:
            self.welcome.close_first_run(typed=True)
        self.settings.recount()

    def on_counted(self, event: Counted) -> None:
        self.settings.counted(event.estimate)

    async def action_toggle_settings(self) -> None:
        await self.settings.toggle()

    @on(Button.Pressed, "#reset-all")
    async def action_reset_settings(self) -> None:
        await self.settings.reset()

    @on(Button.Pressed, "#save-preset")
    async def action_save_preset(self) -> None:
        await self.settings.save_preset()

    @on(Button.Pressed, "#apply-preset")
    def action_choose_preset(self) -> None:
        self.settings.choose_preset()

    @on(Button.Pressed, "#make-default")
    async def action_make_default(self) -> None:
        await self.settings.make_default()

    def action_toggle_think(self) -> None:
        if self.settings.toggle_think():
            self.settings_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            # In the find bar, Esc closes the bar (the reply can be stopped after).
            if self.query_one(FindBar).input.has_focus:
                return False
            return (
                self.session.streaming is not None
                or self.welcome.first_run
                or self.editing.active
                or self.overflow.probing is not None
                or self._sidebar_closable()
            )
        if action == "scroll_chat":
            return not self._in_sidebar()  # its editors' page keys move their cursor
        return True

    def _in_sidebar(self) -> bool:
        focused = self.focused
        return focused is not None and any(
            isinstance(node, SettingsSidebar) for node in focused.ancestors
        )

    def _sidebar_closable(self) -> bool:
        """Esc in the sidebar closes it, unless it closes a list open there."""
        focused = self.focused
        if focused is None or not self._in_sidebar():
            return False
        return not any(isinstance(n, Select) and n.expanded for n in focused.ancestors_with_self)
