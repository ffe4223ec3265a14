"""The chat log's colours, taken from the theme's variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.color import Color, ColorParseError
from rich.style import Style

from ollama_tui.ui.render.palette import Palette


def _colour(variables: Mapping[str, str], *names: str) -> Color | None:
    for name in names:
        value = variables.get(name, "")
        try:
            return Color.parse(value.split()[0]) if value else None
        except ColorParseError:
            continue
    return None


@dataclass(frozen=True, eq=False)
class Look:
    """One per theme; compared by identity, as lines are cached by look."""

    palette: Palette
    prompt_gutter: Style
    reply_gutter: Style
    failed_gutter: Style
    cursor_gutter: Style
    prompt_text: Style
    thinking: Style
    thinking_title: Style
    footer: Style
    chips: Style
    mark: Style
    match: Style
    current_match: Style

    @classmethod
    def from_variables(cls, variables: Mapping[str, str], dark: bool) -> Look:
        def fg(*names: str, italic: bool | None = None) -> Style:
            return Style(color=_colour(variables, *names), italic=italic)

        accent = _colour(variables, "accent", "primary")
        warning = _colour(variables, "warning", "accent")
        return cls(
            palette=Palette.from_variables(variables, dark),
            prompt_gutter=fg("primary"),
            reply_gutter=fg("assistant-message", "secondary"),
            failed_gutter=fg("error"),
            cursor_gutter=Style(color=accent, bold=True),
            prompt_text=Style(bgcolor=_colour(variables, "user-message", "surface")),
            thinking=fg("thinking-text", "text-muted", italic=True),
            thinking_title=fg("thinking-text", "text-muted"),
            footer=fg("stats-text", "text-muted", italic=True),
            chips=Style(italic=True),
            mark=Style(color=warning, italic=True),
            match=Style(bgcolor=warning, color=Color.parse("black")),
            current_match=Style(
                bgcolor=_colour(variables, "success", "primary"),
                color=Color.parse("black"),
                bold=True,
                underline=True,
            ),
        )
