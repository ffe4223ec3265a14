from __future__ import annotations

import subprocess
import sys

import pytest

from ollama_tui import __version__
from ollama_tui.cli.main import build_parser
from ollama_tui.core.config import resolve_config


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ollama_tui", *args], capture_output=True, text=True, timeout=60
    )


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ollama-tui {__version__}"


def test_help_mentions_options() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("--host", "--model", "OLLAMA_HOST", "OLLAMA_API_KEY"):
        assert word in result.stdout


def test_unknown_option_is_an_error() -> None:
    result = run_cli("--no-such-flag")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_host_and_model_are_accepted() -> None:
    args = build_parser().parse_args(["--host", "gpu-box", "--model", "qwen3:8b"])
    assert (args.host, args.model) == ("gpu-box", "qwen3:8b")


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        (None, {}, "http://127.0.0.1:11434"),
        (None, {"OLLAMA_HOST": "0.0.0.0:8000"}, "http://127.0.0.1:8000"),
        ("gpu-box", {"OLLAMA_HOST": "other"}, "http://gpu-box:11434"),
    ],
)
def test_host_precedence(flag: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_config(host=flag, environ=env).host == expected


def test_api_key_comes_from_env_and_is_not_in_repr() -> None:
    config = resolve_config(environ={"OLLAMA_API_KEY": "sk-123"})
    assert config.api_key == "sk-123"
    assert "sk-123" not in repr(config)


def test_an_api_key_a_header_cannot_carry_is_reported_not_used() -> None:
    config = resolve_config(environ={"OLLAMA_API_KEY": "sk-1\xa023"})
    assert config.api_key is None
    assert any("OLLAMA_API_KEY" in problem for problem in config.problems)
    assert "sk-1" not in " ".join(config.problems)
    assert resolve_config(environ={"OLLAMA_API_KEY": " sk-456 "}).api_key == "sk-456"


COMMANDS = (
    "paths", "ask", "models", "ps", "health", "logs", "stats", "show", "rm", "cp", "stop",
    "create", "embed", "pull", "batch", "bench",
)  # fmt: skip


def test_every_command_s_help_says_what_it_does_in_plain_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = build_parser()
    for name in COMMANDS:
        with pytest.raises(SystemExit):
            parser.parse_args([name, "--help"])
        shown = capsys.readouterr().out
        description = shown.split("\n\n")[1]
        assert description[:1].isupper() or description.startswith("ollama-tui"), name
        assert "``" not in shown, name
