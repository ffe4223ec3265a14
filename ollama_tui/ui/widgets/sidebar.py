"""The settings sidebar: system prompt, every option, request fields and presets.

It edits the conversation's ``ChatSettings`` in place, and only with values that
passed validation; text that does not validate is kept in ``ChatSettings.invalid``
with the reason, shown again whenever the sidebar shows the settings, and the chat
sends nothing until it is fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Select, TextArea

from ollama_tui.core.ollama.types import ModelInfo
from ollama_tui.core.options import (
    LEGACY_UNTIL,
    OPTIONS,
    TRUNCATE_SINCE,
    Group,
    InvalidValue,
    Kind,
    OptionSpec,
    format_value,
    parse_format,
    parse_keep_alive,
    parse_option,
    version_tuple,
)
from ollama_tui.core.sanitize import sanitize, sanitize_line
from ollama_tui.core.settings import THINK_LEVELS, ChatSettings
from ollama_tui.core.templates import template_default_system
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.widgets.plain import Plain, plain_line

Parser = Callable[[str], Any]


class Field(Vertical):
    """One setting: a label (marked when set), an editor, and the error, if any."""

    DEFAULT_CSS = """
    Field { height: auto; margin: 0 0 1 0; }
    Field > .field-label { color: $text-muted; }
    Field.-modified > .field-label { color: $accent; text-style: bold; }
    Field > .field-error { color: $error-text; display: none; }
    Field.-invalid > .field-error { display: block; }
    Field.-invalid > Input, Field.-invalid > TextArea { background: $error-muted; }
    Field > Input, Field > TextArea { background: $boost; }
    Field > TextArea { height: auto; min-height: 1; max-height: 10; }
    """

    @dataclass
    class Changed(Message):
        field: Field

    def __init__(self, key: str, label: str, parse: Parser, *, multiline: bool = False) -> None:
        super().__init__(id=f"field-{key}")
        self.key = key
        self.label = label
        self.parse = parse
        self.multiline = multiline
        self.value: Any = None
        self.error = ""

    def on_descendant_focus(self) -> None:
        # Focus brings the editor into view, and may leave the label above it out of
        # view (the sidebar's first layout can still be under way): the whole field is
        # shown, once the layout is done.
        self.call_after_refresh(self.scroll_visible, animate=False)

    def compose(self) -> ComposeResult:
        yield Plain(self.label, classes="field-label")
        if self.multiline:
            yield TextArea(
                soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True
            )
        else:
            yield Input(compact=True)
        yield Plain(classes="field-error")

    @property
    def editor(self) -> Input | TextArea:
        if self.multiline:
            return self.query_one(TextArea)
        return self.query_one(Input)

    @property
    def text(self) -> str:
        editor = self.editor
        return editor.text if isinstance(editor, TextArea) else editor.value

    def set_text(self, text: str) -> None:
        # Editors draw what they are given, escape sequences included, and the text
        # may come from a file: shown inert (the setting keeps its own text unless
        # the user edits the field).
        text = sanitize(text)
        editor = self.editor
        with self.prevent(Input.Changed, TextArea.Changed):
            if isinstance(editor, TextArea):
                editor.load_text(text)
            else:
                editor.value = text
        self.validate()

    def set_placeholder(self, text: str) -> None:
        editor = self.editor
        if isinstance(editor, TextArea):
            editor.placeholder = plain_line(text)  # a string would be parsed as markup
        else:
            editor.placeholder = sanitize_line(text)

    def validate(self) -> None:
        try:
            self.value = self.parse(self.text)
        except InvalidValue as error:
            self.error = str(error)
        else:
            self.error = ""
        self.query_one(".field-error", Plain).update(self.error)
        self.set_class(bool(self.error), "-invalid")
        self.set_class(bool(self.text.strip()), "-modified")

    @on(Input.Changed)
    @on(TextArea.Changed)
    def edited(self, event: Message) -> None:
        event.stop()
        self.validate()
        self.post_message(self.Changed(self))
        if not self.multiline:
            # Its label and the error under it stay in view with what is typed (a tall
            # system prompt keeps the caret in view instead).
            self.call_after_refresh(self.scroll_visible, animate=False)


def _option_parser(spec: OptionSpec) -> Parser:
    return lambda text: parse_option(spec, text)


def _system(text: str) -> str:
    return text


def _option_label(spec: OptionSpec) -> str:
    note = f" · {spec.help}" if spec.help else ""
    if spec.kind is Kind.STOP:
        return f"stop (list){note}"
    return f"{spec.key} ({spec.range_text}){note}"


class SettingsSidebar(VerticalScroll):
    """Docked at the right; F3 shows and hides it."""

    BINDINGS = bindings("sidebar")

    @dataclass
    class Changed(Message):
        """A setting changed (the chat recounts the context meter)."""

    def __init__(self, settings: ChatSettings) -> None:
        super().__init__(id="sidebar")
        self.settings = settings
        self.can_focus = False
        self._info: ModelInfo | None = None
        self._version = ""

    def compose(self) -> ComposeResult:
        with Grid(classes="sidebar-buttons"):
            yield Button("Apply preset…", id="apply-preset", compact=True)
            yield Button("Save as preset…", id="save-preset", compact=True)
            yield Button("Reset all", id="reset-all", compact=True)
            yield Button("Use for new chats", id="make-default", compact=True)
        yield Plain("System prompt", classes="sidebar-section")
        yield Field("system", "sent first in every request", _system, multiline=True)
        yield Plain("Sampling · per request", classes="sidebar-section")
        for spec in OPTIONS:
            if spec.group is Group.SAMPLING:
                yield Field(
                    spec.key,
                    _option_label(spec),
                    _option_parser(spec),
                    multiline=spec.kind is Kind.STOP,
                )
        yield Plain("Load-time", classes="sidebar-section")
        yield Plain("Changing these reloads the model.", classes="sidebar-note")
        for spec in OPTIONS:
            if spec.group is Group.LOAD:
                yield Field(spec.key, _option_label(spec), _option_parser(spec))
        yield Plain("Request", classes="sidebar-section")
        yield Field(
            "keep_alive", "keep_alive (5m, 1h, seconds, -1 keep, 0 unload)", parse_keep_alive
        )
        yield Field(
            "format", 'format (blank, "json" or a JSON schema)', parse_format, multiline=True
        )
        yield Plain("think", classes="field-label", id="think-label")
        yield Select[str](
            [("on (default)", "default")], id="think", allow_blank=False, compact=True
        )
        yield Plain("truncate (what to do with an overlong prompt)", classes="field-label")
        yield Select[str](
            [
                ("server default: drop the oldest messages", "default"),
                ("refuse it with an error (truncate: false)", "false"),
            ],
            id="truncate",
            allow_blank=False,
            compact=True,
        )
        yield Plain(classes="sidebar-note", id="truncate-note")
        yield Plain("Legacy", classes="sidebar-section", id="legacy-title")
        yield Plain(classes="sidebar-note", id="legacy-note")
        for spec in OPTIONS:
            if spec.group is Group.LEGACY:
                yield Field(spec.key, _option_label(spec), _option_parser(spec))

    # -- filling in -----------------------------------------------------------

    def load(self, settings: ChatSettings, info: ModelInfo | None, server_version: str) -> None:
        """Show ``settings``; placeholders show what applies when a field is blank."""
        self.settings = settings
        self._info, self._version = info, server_version
        parameters = dict(info.parameters) if info is not None else {}
        for field in self.query(Field):
            typed = settings.invalid.get(field.key)
            field.set_text(typed[0] if typed else self._stored_text(field.key))
            field.set_placeholder(self._placeholder(field.key, parameters, info))
        self._load_think(info)
        truncate = self.query_one("#truncate", Select)
        with self.prevent(Select.Changed):
            truncate.value = "false" if settings.truncate is False else "default"
        version = version_tuple(server_version)
        old_server = bool(version) and version < TRUNCATE_SINCE
        self.query_one("#truncate-note", Plain).update(
            f"This server ({sanitize_line(server_version, 20)}) predates 0.12.6 and ignores it."
            if old_server
            else ""
        )
        legacy = bool(version) and version < LEGACY_UNTIL
        for field in self.query(Field):
            spec = next((s for s in OPTIONS if s.key == field.key), None)
            if spec is not None and spec.group is Group.LEGACY:
                field.display = legacy
        self.query_one("#legacy-note", Plain).update(
            "This server still honours mirostat."
            if legacy
            else "mirostat, mirostat_eta and mirostat_tau are ignored by Ollama 0.7.0 and "
            "later, so they are not offered."
        )

    def _stored_text(self, key: str) -> str:
        settings = self.settings
        if key == "system":
            return settings.system
        if key in {"keep_alive", "format"}:
            return format_value(getattr(settings, key))
        return format_value(settings.options.get(key))

    @staticmethod
    def _placeholder(key: str, parameters: dict[str, Any], info: ModelInfo | None) -> str:
        if key == "system":
            system = info.system if info is not None else ""
            if system:
                return f"model default: {sanitize_line(system, 200)}"
            inserted = template_default_system(info.template) if info is not None else ""
            if inserted:
                return f"the template's default: {sanitize_line(inserted, 200)}"
            return "none (the model has no default)"
        if key == "keep_alive":
            return "server default (5m)"
        if key == "format":
            return "free text"
        if key in parameters:
            return f"{format_value(parameters[key])} (model)".replace("\n", " ")
        spec = next(s for s in OPTIONS if s.key == key)
        if key == "num_ctx" and info is not None and info.context_length:
            return f"{spec.server_default} (server; model max {info.context_length})"
        return f"{spec.server_default} (server)"

    def _load_think(self, info: ModelInfo | None) -> None:
        think = self.query_one("#think", Select)
        can_think = info is not None and "thinking" in info.capabilities
        levels = info is not None and info.name.lower().startswith("gpt-oss")
        choices = [("on (default)", "default"), ("off", "false")]
        if levels:
            choices = [("model default", "default")] + [(level, level) for level in THINK_LEVELS]
        with self.prevent(Select.Changed):
            think.set_options(choices)
            current = self.settings.think
            value = "false" if current is False else current if isinstance(current, str) else None
            think.value = value if value in {v for _, v in choices} else "default"
        think.disabled = not can_think
        self.query_one("#think-label", Plain).update(
            "think" if can_think else "think (this model cannot think)"
        )

    # -- editing --------------------------------------------------------------

    @on(Field.Changed)
    def field_changed(self, event: Field.Changed) -> None:
        field = event.field
        if field.error:
            self.settings.invalid[field.key] = (field.text, field.error)
        else:
            self.settings.invalid.pop(field.key, None)
            self._store(field.key, field.value)
        self.post_message(self.Changed())

    def _store(self, key: str, value: Any) -> None:
        settings = self.settings
        if key == "system":
            settings.system = value or ""
        elif key in {"keep_alive", "format"}:
            setattr(settings, key, value)
        elif value is None:
            settings.options.pop(key, None)
        else:
            settings.options[key] = value

    @on(Select.Changed, "#think")
    def think_changed(self, event: Select.Changed) -> None:
        value = event.value
        self.settings.think = (
            None if value == "default" else False if value == "false" else str(value)
        )
        self.post_message(self.Changed())

    @on(Select.Changed, "#truncate")
    def truncate_changed(self, event: Select.Changed) -> None:
        self.settings.truncate = False if event.value == "false" else None
        self.post_message(self.Changed())

    def focus_field(self, key: str) -> None:
        field = self.query_one(f"#field-{key}", Field)
        field.editor.focus()
        self.scroll_to_widget(field, animate=False)

    def action_reset_field(self) -> None:
        focused = self.app.focused
        ancestors = focused.ancestors if focused is not None else []
        field = next((node for node in ancestors if isinstance(node, Field)), None)
        if field is None:
            self.notify("Focus a setting first.", severity="warning")
            return
        self._reset(field)

    def reset_all(self) -> None:
        for field in self.query(Field):
            self._reset(field)
        self.settings.think = None
        self.settings.truncate = None
        self.load(self.settings, self._info, self._version)

    def _reset(self, field: Field) -> None:
        field.set_text("")
        self.settings.invalid.pop(field.key, None)
        self._store(field.key, None)
        self.post_message(self.Changed())
