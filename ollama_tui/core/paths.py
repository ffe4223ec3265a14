"""Where ollama-tui keeps its files: XDG on Linux, the platform's equivalents elsewhere."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "ollama-tui"

_profile: Path | None = None


def use_profile(root: Path | None) -> None:
    """Keep every file under ``root`` (``config``, ``data`` and ``state`` folders)
    instead of the user's own, for this process: ``--demo`` runs in a throwaway
    profile. None goes back to the user's folders."""
    global _profile
    _profile = root


def config_dir() -> Path:
    if _profile is not None:
        return _profile / "config"
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def presets_dir() -> Path:
    return config_dir() / "presets"


def new_chat_file() -> Path:
    """Settings every new chat starts with (the preset format)."""
    return config_dir() / "new-chat.toml"


def data_dir() -> Path:
    if _profile is not None:
        return _profile / "data"
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def conversations_dir() -> Path:
    return data_dir() / "conversations"


def state_dir() -> Path:
    if _profile is not None:
        return _profile / "state"
    return platformdirs.user_state_path(APP_NAME, appauthor=False)


def clipboard_file() -> Path:
    """Where copied text is also kept when the terminal may not take it."""
    return state_dir() / "clipboard.txt"


def meter_scales() -> Path:
    """Each model's scale for the context meter, learnt from the server's counts."""
    return state_dir() / "meter-scales.json"


def generation_log() -> Path:
    """The generation log: one row of figures per generation (no text)."""
    return state_dir() / "generations.db"
