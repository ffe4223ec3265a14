"""Named settings (system prompt and options), one TOML file each in the config dir.

A few presets ship with the app; a user's preset of the same name wins.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from ollama_tui.core.files import MAX_CONFIG_BYTES, read_text, write_atomic
from ollama_tui.core.settings import ChatSettings

BUNDLED = Path(__file__).parent / "bundled_presets"


@dataclass
class Preset:
    name: str
    settings: ChatSettings
    path: Path
    problems: list[str]
    """Values in the file that did not validate and were left out."""

    @property
    def bundled(self) -> bool:
        return self.path.parent == BUNDLED


class PresetError(Exception):
    pass


def file_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise PresetError("A preset needs a name with a letter or digit in it.")
    return f"{slug[:60]}.toml"


def load_preset(path: Path) -> Preset:
    try:
        data = tomllib.loads(read_text(path, MAX_CONFIG_BYTES))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PresetError(f"{path.name} could not be read: {error}") from None
    name = data.get("name")
    settings, problems = ChatSettings.from_dict(data.get("settings"))
    return Preset(name if isinstance(name, str) and name else path.stem, settings, path, problems)


def list_presets(user_dir: Path) -> tuple[list[Preset], list[str]]:
    """Bundled and user presets by name, and a message per file that could not be read."""
    found: dict[str, Preset] = {}
    errors = []
    for folder in (BUNDLED, user_dir):
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                preset = load_preset(path)
            except PresetError as error:
                errors.append(str(error))
            else:
                found[preset.name.lower()] = preset
    return sorted(found.values(), key=lambda p: p.name.lower()), errors


def save_preset(user_dir: Path, name: str, settings: ChatSettings) -> Path:
    path = user_dir / file_name(name)
    _write(path, name.strip(), settings)
    return path


def load_new_chat_settings(path: Path) -> tuple[ChatSettings, list[str]]:
    """The settings new chats start with; defaults when the file is missing."""
    if not path.exists():
        return ChatSettings(), []
    try:
        preset = load_preset(path)
    except PresetError as error:
        return ChatSettings(), [str(error)]
    return preset.settings, preset.problems


def save_new_chat_settings(path: Path, settings: ChatSettings) -> None:
    _write(path, "New chat", settings)


def _write(path: Path, name: str, settings: ChatSettings) -> None:
    document = {"name": name, "settings": settings.to_dict()}
    write_atomic(path, tomli_w.dumps(document).encode("utf-8"))
