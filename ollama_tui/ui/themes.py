"""Theme files: TOML with Textual's base colours plus the app's semantic variables.

Bundled themes ship in the package; users add their own in the config folder's
``themes/``. A theme file is untrusted: one that fails to load is skipped with a
message naming the file and the problem.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

from ollama_tui.core import paths
from ollama_tui.core.config import DEFAULT_THEME, Config, remember
from ollama_tui.core.files import read_text
from ollama_tui.core.sanitize import sanitize_line

COLOR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
APP_VARIABLES = (
    "user-message",
    "assistant-message",
    "thinking-text",
    "code-background",
    "stats-text",
    "meter-ok",
    "meter-warn",
    "meter-over",
    "error-text",
)
"""What the app's CSS uses beyond Textual's own variables; see ``semantic_defaults``."""
MAX_THEME_BYTES = 64_000
THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")
"""Theme names are shown in Textual's own theme list, which parses markup."""
TEXT_STYLES = {"none", "bold", "italic", "underline", "reverse", "strike", "dim", "blink"}


def bundled_dir() -> Path:
    """Inside the wheel the themes are package data; in a checkout, the top-level folder."""
    packaged = Path(__file__).parent / "bundled_themes"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "themes"


def load_theme(path: Path) -> Theme:
    """Read one theme file; ``ValueError`` says what is wrong with it."""
    try:
        data = tomllib.loads(read_text(path, MAX_THEME_BYTES))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"invalid TOML: {error}") from None
    name = data.get("name")
    if not isinstance(name, str) or not THEME_NAME.fullmatch(name.strip()):
        raise ValueError("it needs a name of at most 40 letters, digits, spaces, '.', '_' or '-'")
    colors = data.get("colors", {})
    variables = data.get("variables", {})
    if not isinstance(colors, dict) or not isinstance(variables, dict):
        raise ValueError("[colors] and [variables] must be tables")
    unknown = sorted(set(colors) - set(COLOR_KEYS))
    if unknown:
        raise ValueError(f"unknown colour {unknown[0]!r} (known: {', '.join(COLOR_KEYS)})")
    if "primary" not in colors:
        raise ValueError("[colors] needs at least primary")
    for key, value in [*colors.items(), *variables.items()]:
        if not isinstance(value, str):
            raise ValueError(f'{key} must be a colour as text, such as "#3d9bf0"')
        if key.endswith("text-style"):
            if not set(value.split()) <= TEXT_STYLES:
                raise ValueError(f"{key} = {value[:30]!r} is not a text style")
            continue
        # Every other variable lands in CSS as a colour: anything else could break it.
        try:
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"{key} = {value[:30]!r} is not a colour") from None
    dark, ansi = data.get("dark", True), data.get("ansi", False)
    if not isinstance(dark, bool) or not isinstance(ansi, bool):
        raise ValueError("dark and ansi must be true or false")
    return Theme(name=name.strip(), dark=dark, ansi=ansi, variables=dict(variables), **colors)


def load_themes(user_dir: Path) -> tuple[list[Theme], list[str]]:
    """Bundled themes, then the user's (a user theme may replace a bundled one of the
    same name); and a warning for each file that was skipped."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in (bundled_dir(), user_dir):
        try:
            files = sorted(folder.glob("*.toml"))
        except OSError:
            continue
        for path in files:
            try:
                theme = load_theme(path)
            except (OSError, ValueError) as error:
                problems.append(f"Theme {path} was skipped: {error}")
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems


def semantic_defaults(variables: dict[str, str]) -> dict[str, str]:
    """The app's variables for a theme that does not set them (Textual's own themes),
    taken from the colours it does have."""
    return {
        "user-message": variables["primary-muted"],
        "assistant-message": variables["secondary"],
        "thinking-text": variables["text-muted"],
        "code-background": variables["surface"],
        "stats-text": variables["text-muted"],
        "meter-ok": variables["panel"],
        "meter-warn": variables["warning-muted"],
        "meter-over": variables["error"],
        "error-text": variables["text-error"],
    }


class ThemeChoice:
    """The app's themes: the bundled and the user's, the one the config names, and
    the one chosen later, remembered in the config."""

    SAVE_DELAY = 1.0
    """The palette previews themes as the user browses, so saving waits."""

    def __init__(self, app: App[None], config: Config) -> None:
        self.app = app
        self.config = config
        self.problems = self._apply()
        self._saved = app.theme

    def _apply(self) -> list[str]:
        themes, problems = load_themes(paths.user_themes_dir())
        for theme in themes:
            self.app.register_theme(theme)
        wanted = self.config.theme
        if wanted in self.app.available_themes:
            self.app.theme = wanted
        else:
            problems.append(f"There is no theme called {sanitize_line(wanted, 40)!r}.")
            self.app.theme = DEFAULT_THEME
        return problems

    def changed(self) -> None:
        if self.app.is_running:
            self.app.set_timer(self.SAVE_DELAY, self._save)

    def _save(self) -> None:
        if self.app.theme != self._saved:
            self._saved = self.app.theme
            problem = remember(self.config, theme=self.app.theme)
            if problem:
                self.app.notify(problem, title="Settings not saved", severity="warning")
