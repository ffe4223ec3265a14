"""Configuration file, themes, key remaps, paths and the first-run welcome."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Static

from ollama_tui.cli.main import main, make_app
from ollama_tui.core import paths
from ollama_tui.core.config import Config, remember, resolve_config
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.ui.screens.help import HelpScreen
from ollama_tui.ui.screens.model_picker import ModelPicker
from ollama_tui.ui.themes import APP_VARIABLES, bundled_dir, load_themes
from tests.chat_helpers import chat_of, notices, wait_until

SHIPPED = {"ollama-dark", "ollama-light", "high-contrast", "terminal", "ember"}


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_precedence_flags_then_environment_then_file_then_defaults() -> None:
    path = write_config('host = "file-host:1"\nmodel = "from-file"\ntheme = "ember"\n')
    env = {"OLLAMA_HOST": "env-host:2"}
    assert resolve_config(config_path=path, environ={}).host == "http://file-host:1"
    assert resolve_config(config_path=path, environ=env).host == "http://env-host:2"
    flags = resolve_config(host="flag-host:3", model="flag", config_path=path, environ=env)
    assert (flags.host, flags.model, flags.theme) == ("http://flag-host:3", "flag", "ember")
    defaults = resolve_config(config_path=Path("/nonexistent/config.toml"), environ={})
    assert (defaults.host, defaults.model, defaults.theme) == (
        "http://127.0.0.1:11434",
        "",
        "ollama-dark",
    )
    assert defaults.first_run


def test_bad_keys_are_reported_by_name_and_fall_back() -> None:
    path = write_config(
        'hots = "typo"\ntheme = 3\nhistory_format = "yaml"\nmodel = "qwen3:8b"\n'
        '[options]\ntemperature = "hot"\n[keys]\n"chat.new" = 5\n'
    )
    config = resolve_config(config_path=path, environ={})
    text = "\n".join(config.problems)
    assert f"{path}: unknown key 'hots'" in text
    assert f"{path}: theme must be a theme name" in text
    assert f"{path}: history_format must be" in text
    assert "temperature" in text and "keys.chat.new" in text
    assert (config.theme, config.history_format, config.model) == (
        "ollama-dark",
        "toml",
        "qwen3:8b",
    )


def test_invalid_toml_means_defaults_and_a_message() -> None:
    path = write_config("host = [unclosed\n")
    config = resolve_config(config_path=path, environ={})
    assert config.host == "http://127.0.0.1:11434"
    assert f"{path} is not valid TOML" in config.problems[0]


def test_history_format_and_new_chat_defaults_from_the_file() -> None:
    path = write_config(
        'history_format = "json"\nhistory_dir = "~/chats"\nsystem = "Be brief."\n'
        "[options]\ntemperature = 0.2\n"
    )
    config = resolve_config(config_path=path, environ={})
    assert config.history_format == "json"
    assert config.history_dir == Path.home() / "chats"
    assert config.new_chat is not None
    assert config.new_chat.system == "Be brief." and config.new_chat.options == {"temperature": 0.2}


def test_writing_back_keeps_the_rest_of_the_file() -> None:
    path = write_config(
        '# my settings\nhost = "gpu-box"  # the big one\n\n[keys]\n"chat.new" = "f6"\n'
    )
    config = resolve_config(config_path=path, environ={})
    assert remember(config, theme="ember", last_model="qwen3:8b") is None
    text = path.read_text()
    assert "# my settings" in text and "# the big one" in text
    again = resolve_config(config_path=path, environ={})
    assert (again.theme, again.model, again.keymap) == ("ember", "qwen3:8b", {"chat.new": "f6"})


def test_paths_under_a_fake_home(
    capsys: pytest.CaptureFixture[str], isolated_user_dirs: Path
) -> None:
    assert main(["paths"]) == 0
    lines = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines())
    home = isolated_user_dirs
    assert lines == {
        "config": f"{home}/.config/ollama-tui/config.toml",
        "themes": f"{home}/.config/ollama-tui/themes",
        "presets": f"{home}/.config/ollama-tui/presets",
        "history": f"{home}/.local/share/ollama-tui/conversations",
        "trash": f"{home}/.local/share/ollama-tui/conversations/trash",
        "state": f"{home}/.local/state/ollama-tui",
    }


def test_every_shipped_theme_loads_with_every_app_variable() -> None:
    themes, problems = load_themes(Path("/nonexistent"))
    assert problems == []
    assert {theme.name for theme in themes} == SHIPPED
    assert {p.stem for p in bundled_dir().glob("*.toml")} == SHIPPED
    for theme in themes:
        assert set(APP_VARIABLES) <= set(theme.variables), theme.name


async def test_every_theme_registers_and_renders(emulator: OllamaEmulator) -> None:
    app = make_app(Config(host=emulator.url, model="llama3.2:latest"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert set(app.available_themes) >= SHIPPED
        assert app.theme == "ollama-dark"
        for name in [*sorted(SHIPPED), "nord"]:  # a Textual theme gets the app's defaults
            app.theme = name
            await pilot.pause()
            assert app.theme_variables["meter-warn"]


def test_a_broken_theme_is_skipped_with_a_warning() -> None:
    user = paths.user_themes_dir()
    user.mkdir(parents=True)
    (user / "broken.toml").write_text('name = "broken"\n[colors]\nprimary = "not-a-colour"\n')
    (user / "nameless.toml").write_text("[colors]\nprimary = '#ffffff'\n")
    (user / "mine.toml").write_text('name = "mine"\n[colors]\nprimary = "#ff00ff"\n')
    themes, problems = load_themes(user)
    assert "mine" in {theme.name for theme in themes}
    assert any(f"{user / 'broken.toml'} was skipped" in p and "not a colour" in p for p in problems)
    assert any("nameless.toml" in p and "needs a name" in p for p in problems)


async def test_the_theme_choice_is_saved(emulator: OllamaEmulator) -> None:
    path = write_config("# keep me\n")
    config = resolve_config(config_path=path, environ={})
    config.host, config.model = emulator.url, "llama3.2:latest"
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "ollama-light"
        await wait_until(pilot, lambda: 'theme = "ollama-light"' in path.read_text(), timeout=3)
    assert "# keep me" in path.read_text()


async def test_a_key_remap_takes_effect_and_shows_in_help(emulator: OllamaEmulator) -> None:
    path = write_config('[keys]\n"chat.new" = "f6"\n"no.such" = "f7"\n')
    config = resolve_config(config_path=path, environ={})
    config.host, config.model = emulator.url, "llama3.2:latest"
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        first = chat.conversation
        chat.conversation.add_prompt("hello")
        app.set_focus(None)  # in the composer, F6 selects a line
        await pilot.press("f6")
        await wait_until(pilot, lambda: chat.conversation is not first)
        assert any("keys.no.such is not a binding id" in n.message for n in notices(app))
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "F6" in text and "New: Start a new chat.  [chat.new]" in text


async def test_remaps_work_while_typing_and_conflicts_are_reported(
    emulator: OllamaEmulator,
) -> None:
    path = write_config(
        '[keys]\n"chat.new" = "ctrl+k"\n"chat.regenerate" = "ctrl+o"\n"chat.think" = "ctrl+p"\n'
    )
    config = resolve_config(config_path=path, environ={})
    config.host, config.model = emulator.url, "llama3.2:latest"
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: chat.composer.has_focus)
        first = chat.conversation
        await pilot.press(*"half a thought", "ctrl+k")  # the composer's own Ctrl+K loses
        await wait_until(pilot, lambda: chat.conversation is not first)
        messages = [n.message for n in notices(app)]
        assert any(
            "keys.chat.regenerate = 'ctrl+o' is already the key of chat.pick-model" in m
            for m in messages
        )
        assert any(
            "keys.chat.think = 'ctrl+p' is kept for the command palette" in m for m in messages
        )
        await pilot.press("ctrl+o")  # still the model picker
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press("escape", "f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "Ctrl+K" in text and "[chat.new]" in text
        assert re.search(r"Ctrl\+R\s+Regenerate", text)  # the refused remap is not active


async def test_the_welcome_is_shown_once_then_the_picker(emulator: OllamaEmulator) -> None:
    path = paths.config_file()
    config = resolve_config(config_path=path, environ={})
    config.host = emulator.url
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.chat.welcome.first_run)
        assert "Welcome to ollama-tui" in str(app.chat.query_one("#welcome", Static).render())
        # The app heard the server and, with no model, decided to ask once the
        # welcome goes: the picker is not up meanwhile.
        await wait_until(pilot, lambda: app.first_model.after_welcome)
        assert not isinstance(app.screen, ModelPicker)  # the picker waits for it
        await pilot.press("enter")
        await wait_until(pilot, path.exists)
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        assert "Welcome to ollama-tui" not in str(app.chat.query_one("#welcome", Static).render())
    second = resolve_config(config_path=path, environ={})
    assert not second.first_run and second.problems == []


async def test_a_burst_typed_at_the_welcome_is_the_prompt(emulator: OllamaEmulator) -> None:
    config = resolve_config(config_path=paths.config_file(), environ={})
    config.host, config.model = emulator.url, "llama3.2:latest"
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.chat.welcome.first_run)
        await pilot.press(*"hello world", "enter")
        await wait_until(pilot, lambda: len(emulator.requests_to("/api/chat")) == 1)
        sent = emulator.requests_to("/api/chat")[0].json["messages"]
        assert sent[-1] == {"role": "user", "content": "hello world"}
        assert not app.chat.welcome.first_run
        await wait_until(pilot, paths.config_file().exists)


async def test_typing_at_the_welcome_keeps_the_picker_away(emulator: OllamaEmulator) -> None:
    path = paths.config_file()
    config = resolve_config(config_path=path, environ={})
    config.host = emulator.url
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.chat.welcome.first_run)
        await wait_until(pilot, lambda: app.first_model.after_welcome)  # the server answered
        await pilot.press(*"hello world")
        # Typing closed the welcome; the app has handled that once it has written the
        # config file, which it does just before it would open the picker.
        await wait_until(pilot, path.exists)
        await wait_until(pilot, lambda: app.chat.composer.text == "hello world")
        assert not isinstance(app.screen, ModelPicker)
        await pilot.press("enter")  # no model yet: now the picker asks for one
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        assert app.chat.composer.text == "hello world"


def test_a_theme_variable_that_is_not_a_colour_is_refused() -> None:
    user = paths.user_themes_dir()
    user.mkdir(parents=True)
    (user / "sneaky.toml").write_text(
        'name = "sneaky"\n[colors]\nprimary = "#ffffff"\n[variables]\nborder = "1px; }"\n'
    )
    themes, problems = load_themes(user)
    assert "sneaky" not in {theme.name for theme in themes}
    assert any("border" in p and "not a colour" in p for p in problems)


async def test_the_palette_offers_themes_and_every_screen(emulator: OllamaEmulator) -> None:
    app = make_app(Config(host=emulator.url, model="llama3.2:latest"))
    async with app.run_test(size=(100, 30)):
        titles = {command.title for command in app.get_system_commands(app.screen)}
    expected = {"Theme", "Keys", "Settings", "Pull a model", "Models", "History", "New chat"}
    assert expected <= titles


def test_written_back_keys_stay_top_level_when_the_template_is_edited() -> None:
    path = paths.config_file()
    config = resolve_config(config_path=path, environ={})
    from ollama_tui.core.config import write_template

    assert write_template(path) is None
    assert remember(config, theme="ember", last_model="qwen3:8b") is None
    # The user uncomments the options table later: the app's keys must not fall into it.
    path.write_text(path.read_text().replace("# [options]", "[options]"))
    again = resolve_config(config_path=path, environ={})
    assert (again.theme, again.model) == ("ember", "qwen3:8b")
    assert again.problems == []
