"""Option parsing, settings files and presets: what may be sent, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ollama_tui.core.options import (
    OPTIONS_BY_KEY,
    InvalidValue,
    format_stop,
    parse_format,
    parse_keep_alive,
    parse_option,
    parse_stop,
    version_tuple,
)
from ollama_tui.core.presets import list_presets, load_new_chat_settings, load_preset, save_preset
from ollama_tui.core.settings import ChatSettings


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("temperature", "0.7", 0.7),
        ("temperature", "1", 1.0),
        ("temperature", "0", 0.0),
        ("top_k", "20", 20),
        ("seed", "-1", -1),
        ("num_ctx", " 8192 ", 8192),
        ("temperature", "", None),
        ("stop", "", None),
    ],
)
def test_valid_option_text_becomes_a_typed_value(key: str, text: str, expected: object) -> None:
    value = parse_option(OPTIONS_BY_KEY[key], text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("temperature", "hot", "temperature must be a number"),
        ("temperature", "2.5", "temperature must be at most 2"),
        ("temperature", "nan", "finite"),
        ("top_p", "-0.1", "top_p must be at least 0"),
        ("top_k", "4.5", "top_k must be a whole number"),
        ("num_ctx", "0", "num_ctx must be at least 1"),
        ("repeat_last_n", "-2", "at least -1"),
    ],
)
def test_invalid_option_text_is_refused_in_words(key: str, text: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_option(OPTIONS_BY_KEY[key], text)


def test_stop_is_a_list_with_escapes_and_round_trips() -> None:
    assert parse_stop("</s>\n\\n\\nUser:\n\n  \nback\\\\slash") == [
        "</s>",
        "\n\nUser:",
        "back\\slash",
    ]
    sequences = ["a\nb", "tab\there", "\\"]
    assert parse_stop(format_stop(sequences)) == sequences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5m", "5m"),
        ("1h30m", "1h30m"),
        ("-1m", "-1m"),
        ("300", 300),
        ("-1", -1),
        ("0", 0),
        ("2.5", 2.5),
        ("", None),
    ],
)
def test_keep_alive_accepts_durations_and_seconds(text: str, expected: object) -> None:
    assert parse_keep_alive(text) == expected


@pytest.mark.parametrize("text", ["5 minutes", "m5", "1d", "5mm", "--1"])
def test_keep_alive_refuses_what_go_cannot_parse(text: str) -> None:
    with pytest.raises(InvalidValue, match="not a duration"):
        parse_keep_alive(text)


def test_format_is_json_or_a_schema_object() -> None:
    assert parse_format("json") == "json"
    assert parse_format('{"type": "object"}') == {"type": "object"}
    assert parse_format("  ") is None
    with pytest.raises(InvalidValue, match=r"not valid JSON: .* line 1, column"):
        parse_format('{"type": }')
    with pytest.raises(InvalidValue, match="JSON schema object"):
        parse_format("[1, 2]")


def test_version_tuple() -> None:
    assert version_tuple("0.12.6") == (0, 12, 6)
    assert version_tuple("0.6.8-rc1") == (0, 6, 8)
    assert version_tuple("unknown") == ()


def test_settings_from_an_untrusted_file_keep_only_valid_values() -> None:
    settings, problems = ChatSettings.from_dict(
        {
            "system": "Be brief.",
            "options": {
                "temperature": 0.3,
                "top_k": 4.5,
                "num_ctx": 8192.0,
                "stop": ["\n"],
                "bogus": 1,
                "top_p": "high",
            },
            "keep_alive": "forever",
            "format": {"type": "object"},
            "think": "maybe",
            "truncate": False,
        }
    )
    assert settings.system == "Be brief."
    assert settings.options == {"temperature": 0.3, "num_ctx": 8192, "stop": ["\n"]}
    assert type(settings.options["num_ctx"]) is int
    assert settings.format == {"type": "object"}
    assert settings.keep_alive is None
    assert settings.truncate is False
    assert settings.think is None
    assert len(problems) == 5


def test_settings_round_trip_through_a_dict() -> None:
    settings = ChatSettings(
        system="s",
        options={"temperature": 0.5, "stop": ["a"]},
        keep_alive="10m",
        format={"type": "object", "required": None},
        think="high",
        truncate=False,
    )
    restored, problems = ChatSettings.from_dict(settings.to_dict())
    assert problems == []
    assert restored == settings


def test_presets_save_and_load(tmp_path: Path) -> None:
    settings = ChatSettings(system="Answer in French.", options={"temperature": 0.1, "seed": 7})
    path = save_preset(tmp_path, "French, exact", settings)
    assert path.name == "french-exact.toml"
    loaded = load_preset(path)
    assert loaded.name == "French, exact"
    assert loaded.settings == settings
    presets, errors = list_presets(tmp_path)
    names = [p.name for p in presets]
    assert "French, exact" in names
    assert {"Precise", "Creative", "Reproducible", "Code reviewer"} <= set(names)
    assert errors == []


def test_bundled_presets_are_valid() -> None:
    presets, errors = list_presets(Path("/nonexistent"))
    assert errors == []
    assert presets and all(p.bundled and not p.problems for p in presets)


def test_a_broken_preset_file_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("name = [unclosed", encoding="utf-8")
    (tmp_path / "odd.toml").write_bytes(b"\xff\xfe")
    presets, errors = list_presets(tmp_path)
    assert len(errors) == 2 and "bad.toml" in errors[0] + errors[1]
    assert presets  # the bundled ones still load


def test_new_chat_settings_missing_or_broken(tmp_path: Path) -> None:
    assert load_new_chat_settings(tmp_path / "none.toml") == (ChatSettings(), [])
    broken = tmp_path / "new-chat.toml"
    broken.write_text("[settings\n", encoding="utf-8")
    settings, problems = load_new_chat_settings(broken)
    assert settings == ChatSettings() and problems
