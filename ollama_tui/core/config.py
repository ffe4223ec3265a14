"""Settings, resolved as: CLI flags > environment > config file > defaults.

The config file (``config.toml``) is the user's: a key that is unknown or of the wrong
type is reported, naming the key and the file, and the default is used for it alone.
The app writes back only what the user changed in the UI (theme, last model), keeping
the rest of the file, comments included.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ollama_tui.core import paths
from ollama_tui.core.files import MAX_CONFIG_BYTES, read_text, write_atomic
from ollama_tui.core.history.codec import FORMATS
from ollama_tui.core.ollama.host import credentials, parse_host
from ollama_tui.core.settings import ChatSettings

DEFAULT_THEME = "ollama-dark"

TEMPLATE = """\
# ollama-tui configuration. Every key is optional; `ollama-tui paths` shows where
# files live. Command-line flags and OLLAMA_HOST / OLLAMA_API_KEY override this file.

# host = "http://127.0.0.1:11434"
# model = "llama3.2"            # the model new chats use
theme = "ollama-dark"           # Ctrl+P, then "Theme", previews them all
last_model = ""                 # the app writes the model you last chose here
# history_format = "toml"       # or "json"
# history_dir = "~/notes/chats"
# system = "You are a concise assistant."

# [options]                     # defaults for new chats, any Ollama option
# temperature = 0.7

# [keys]                        # remap a key by its binding id (F1 lists them)
# "chat.new" = "ctrl+k"
"""


@dataclass
class Config:
    host: str = field(default_factory=lambda: parse_host(None))
    """Base URL of the Ollama server."""
    model: str = ""
    """Model to chat with; empty means "ask" (the picker opens)."""
    api_key: str | None = field(default=None, repr=False)
    """From OLLAMA_API_KEY only: never written to disk or shown."""
    basic_auth: tuple[str, str] | None = field(default=None, repr=False)
    """``user:password@`` from the host, sent as Basic auth: never written or shown."""
    history_format: str = "toml"
    """How new conversations are saved: "toml" or "json" (both always load)."""
    history_dir: Path = field(default_factory=paths.conversations_dir)
    theme: str = DEFAULT_THEME
    new_chat: ChatSettings | None = None
    """The file's system prompt and options for new chats, if it sets any."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Key remaps: binding id -> keys."""
    path: Path | None = None
    """The config file this came from (None: built in code, nothing is written back)."""
    problems: list[str] = field(default_factory=list)
    """What was wrong with the file, one sentence each."""
    first_run: bool = False
    """No config file existed: the app shows its welcome once, then writes one."""
    demo: bool = False
    """Talking to the built-in emulator (``--demo``), not to an Ollama server."""


def resolve_config(
    *,
    host: str | None = None,
    model: str | None = None,
    config_path: Path | None = None,
    environ: Mapping[str, str],
) -> Config:
    config = Config()
    if config_path is not None:
        config.path = config_path
        config.first_run = not config_path.exists()
        if not config.first_run:
            _apply_file(config, config_path)
    env_host = environ.get("OLLAMA_HOST")
    if host or env_host:
        _set_host(config, host or env_host or "")
    if model:
        config.model = model
    key = environ.get("OLLAMA_API_KEY", "").strip()
    if key and not (key.isascii() and key.isprintable()):
        config.problems.append(
            "OLLAMA_API_KEY holds characters an HTTP header cannot carry (a stray space "
            "or quote from a copy, perhaps), so it is not sent."
        )
        key = ""
    config.api_key = key or None
    return config


def _set_host(config: Config, given: str) -> None:
    """The host without its ``user:password@``, which is kept apart for Basic auth."""
    config.host, config.basic_auth = parse_host(given), credentials(given)


def _apply_file(config: Config, path: Path) -> None:
    name = str(path)
    try:
        data = tomllib.loads(read_text(path, MAX_CONFIG_BYTES))
    except OSError as error:
        config.problems.append(f"{name} could not be read ({error}); using defaults.")
        return
    except tomllib.TOMLDecodeError as error:
        config.problems.append(f"{name} is not valid TOML ({error}); using defaults.")
        return

    def wrong(key: str, expected: str) -> None:
        config.problems.append(f"{name}: {key} must be {expected}; using the default.")

    for key, value in data.items():
        if key == "host":
            if isinstance(value, str) and value.strip():
                _set_host(config, value)
            else:
                wrong(key, "a host such as http://127.0.0.1:11434")
        elif key in ("model", "last_model"):
            if not isinstance(value, str):
                wrong(key, "text")
        elif key == "theme":
            if isinstance(value, str) and value:
                config.theme = value
            else:
                wrong(key, "a theme name")
        elif key == "history_format":
            if value in FORMATS:
                config.history_format = value
            else:
                wrong(key, '"toml" or "json"')
        elif key == "history_dir":
            if isinstance(value, str) and value:
                config.history_dir = Path(value).expanduser()
            else:
                wrong(key, "a folder path")
        elif key == "keys":
            _apply_keys(config, value, wrong)
        elif key not in ("system", "options"):
            config.problems.append(f"{name}: unknown key {str(key)[:40]!r} is ignored.")
    if "system" in data or "options" in data:
        settings, notes = ChatSettings.from_dict(
            {k: data[k] for k in ("system", "options") if k in data}
        )
        config.new_chat = settings
        config.problems += [f"{name}: {note}; it is ignored." for note in notes]
    # The configured model wins over the last one used, which the app writes back.
    for key in ("last_model", "model"):
        if isinstance(data.get(key), str) and data[key]:
            config.model = data[key]


def _apply_keys(config: Config, value: Any, wrong: Callable[[str, str], None]) -> None:
    if not isinstance(value, dict):
        wrong("keys", 'a table of binding id = "key"')
        return
    for binding_id, keys in value.items():
        if isinstance(keys, str) and keys.strip():
            config.keymap[str(binding_id)] = keys.strip()
        else:
            wrong(f"keys.{binding_id}", 'a key such as "ctrl+k"')


def remember(config: Config, **values: str) -> str | None:
    """Write ``values`` into the config file, keeping everything else in it; returns
    an error message, or None. tomlkit (imported only here) keeps comments."""
    if config.path is None:
        return None
    import tomlkit

    # A config file linked from elsewhere (dotfiles) is updated where it lives.
    path = config.path.resolve() if config.path.is_symlink() else config.path
    try:
        exists = path.exists()
        text = read_text(path, MAX_CONFIG_BYTES) if exists else TEMPLATE
        document = tomlkit.parse(text)
    except (OSError, tomlkit.exceptions.ParseError) as error:
        return f"{path} was not updated, because it could not be read: {error}"
    for key, value in values.items():
        document[key] = value
    try:
        write_atomic(path, tomlkit.dumps(document).encode("utf-8"))
    except OSError as error:
        return f"{path} could not be written: {error.strerror or error}"
    return None


def write_template(path: Path) -> str | None:
    """Create a commented config file on first run; an error message, or None."""
    if path.exists():
        return None
    try:
        write_atomic(path, TEMPLATE.encode("utf-8"))
    except OSError as error:
        return f"{path} could not be created: {error.strerror or error}"
    return None
