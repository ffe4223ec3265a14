"""The styles the renderer draws with, taken from the app's theme variables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rich.color import Color, ColorParseError
from rich.color_triplet import ColorTriplet
from rich.style import Style

DARK_THEME = "github-dark"
LIGHT_THEME = "default"
"""Pygments themes for code: their token colours are read on the palette's background."""

_HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_AUTO = re.compile(r"auto(?:\s+(\d{1,3}(?:\.\d+)?)%)?")

_DARK_DEFAULTS = {
    "foreground": "#e0e0e0",
    "primary": "#0178d4",
    "secondary": "#004578",
    "accent": "#fea62b",
    "text-muted": "#9a9a9a",
    "surface": "#1e1e1e",
    "panel": "#242f38",
    "error": "#b93c5b",
    "warning": "#fea62b",
    "success": "#4ebf71",
}
_LIGHT_DEFAULTS = {
    "foreground": "#1f1f1f",
    "primary": "#004578",
    "secondary": "#0178d4",
    "accent": "#b05a00",
    "text-muted": "#6a6a6a",
    "surface": "#d8d8d8",
    "panel": "#c8ccd0",
    "error": "#a5213f",
    "warning": "#8a5a00",
    "success": "#2a7a43",
}


def _triplet(value: str) -> ColorTriplet | None:
    """A colour as Textual writes it ("#rrggbb", "#rrggbbaa", "rgb(...)", a name), or
    None. Alpha is dropped here: ``_resolve`` blends it over the background."""
    try:
        return Color.parse(value).get_truecolor()
    except ColorParseError:
        return None


def _blend(top: ColorTriplet, bottom: ColorTriplet, alpha: float) -> ColorTriplet:
    return ColorTriplet(*(round(b + (t - b) * alpha) for t, b in zip(top, bottom, strict=True)))


class _Resolver:
    """Reads colours from the variables, falling back to defaults for the theme's
    darkness when a key is missing or unreadable."""

    def __init__(self, variables: Mapping[str, str], dark: bool) -> None:
        self.variables = variables
        self.dark = dark
        self.defaults = _DARK_DEFAULTS if dark else _LIGHT_DEFAULTS
        fallback = ColorTriplet(18, 18, 18) if dark else ColorTriplet(224, 224, 224)
        self.background = self._parse(variables.get("background"), None) or fallback

    def _parse(self, value: object, background: ColorTriplet | None) -> ColorTriplet | None:
        if not isinstance(value, str):
            return None
        value = value.strip()
        auto = _AUTO.fullmatch(value)
        if auto is not None:
            # Textual's "auto N%": a readable text colour over the background.
            contrast = ColorTriplet(255, 255, 255) if self.dark else ColorTriplet(0, 0, 0)
            alpha = min(float(auto.group(1) or 100), 100.0) / 100
            return _blend(contrast, background, alpha) if background else contrast
        hex_colour = _HEX.fullmatch(value)
        if hex_colour is not None:
            digits = hex_colour.group(1)
            if len(digits) in (3, 4):
                digits = "".join(digit * 2 for digit in digits)
            rgb = ColorTriplet(*(int(digits[i : i + 2], 16) for i in (0, 2, 4)))
            if len(digits) == 8 and background is not None:
                return _blend(rgb, background, int(digits[6:8], 16) / 255)
            return rgb
        return _triplet(value)

    def colour(self, *keys: str) -> Color:
        """The first of ``keys`` the variables give a readable colour for."""
        for key in keys:
            found = self._parse(self.variables.get(key), self.background)
            if found is not None:
                return Color.from_triplet(found)
        for key in keys:
            if key in self.defaults:
                default = self._parse(self.defaults[key], self.background)
                if default is not None:
                    return Color.from_triplet(default)
        return Color.from_triplet(self._parse(self.defaults["foreground"], None) or self.background)


@dataclass(frozen=True, eq=False)
class Palette:
    """Rich styles for everything the renderer draws, and the Pygments theme for code.

    Plain prose has no style of its own (None), so it takes the widget's colour.
    Palettes compare by identity: there is one per theme, and rendered lines are cached
    by palette, so comparing every style at each lookup would cost for nothing."""

    dark: bool
    code_theme: str
    heading1: Style
    heading2: Style
    heading3: Style
    heading: Style
    bold: Style
    italic: Style
    strike: Style
    code_inline: Style
    link: Style
    link_url: Style
    image: Style
    html: Style
    quote_gutter: Style
    quote: Style
    bullet: Style
    task_open: Style
    task_done: Style
    rule: Style
    code: Style
    code_border: Style
    code_label: Style
    table_border: Style
    table_header: Style
    thinking: Style
    stats: Style
    error: Style

    @classmethod
    def from_variables(cls, variables: Mapping[str, str], dark: bool) -> Palette:
        """A palette from Textual's ``App.theme_variables`` (and the app's own keys).
        Missing or unreadable values fall back to defaults; this never raises."""
        read = _Resolver(variables, dark)
        primary = read.colour("text-primary", "primary")
        accent = read.colour("text-accent", "accent")
        muted = read.colour("text-muted", "foreground-muted")
        code_background = read.colour("code-background", "surface")
        panel = read.colour("panel", "surface")
        return cls(
            dark=dark,
            code_theme=DARK_THEME if dark else LIGHT_THEME,
            heading1=Style(color=primary, bold=True, underline=True),
            heading2=Style(color=primary, bold=True),
            heading3=Style(color=accent, bold=True),
            heading=Style(bold=True),
            bold=Style(bold=True),
            italic=Style(italic=True),
            strike=Style(strike=True),
            code_inline=Style(color=accent, bgcolor=code_background),
            link=Style(color=primary, underline=True),
            link_url=Style(color=muted),
            image=Style(color=accent, italic=True),
            html=Style(color=muted),
            quote_gutter=Style(color=read.colour("primary")),
            quote=Style(italic=True),
            bullet=Style(color=accent, bold=True),
            task_open=Style(color=muted, bold=True),
            task_done=Style(color=read.colour("text-success", "success"), bold=True),
            rule=Style(color=muted),
            code=Style(color=read.colour("foreground"), bgcolor=code_background),
            code_border=Style(color=panel if panel != code_background else muted),
            code_label=Style(color=accent, bold=True),
            table_border=Style(color=muted),
            table_header=Style(bold=True),
            thinking=Style(color=read.colour("thinking-text", "text-muted"), italic=True),
            stats=Style(color=read.colour("stats-text", "text-muted")),
            error=Style(color=read.colour("text-error", "error")),
        )


DEFAULT = Palette.from_variables({}, dark=True)
"""A dark palette for tests and benchmarks."""
