"""Where copied text goes, and what the app says about it: real commands (stand-ins
for xclip and tmux on PATH), real files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ollama_tui.core import clipboard, paths
from ollama_tui.emulator import ChatReply, OllamaEmulator
from tests.chat_helpers import app_for, notices, send, wait_until

TEXT = "print('hi')\n# ünïcödé"


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on PATH (alone) where stand-in tools record what they were given."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def stand_in(folder: Path, name: str, exit_code: int = 0) -> Path:
    """A command ``name`` that writes its arguments and standard input to files."""
    script = folder / name
    script.write_text(
        f'#!/bin/sh\necho "$@" > "{folder}/{name}.args"\n/bin/cat > "{folder}/{name}.in"\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_system_tool_is_used_when_there_is_one(tools: Path, tmp_path: Path) -> None:
    stand_in(tools, "xclip")
    copied = clipboard.copy(TEXT, {"DISPLAY": ":0"}, tmp_path / "saved.txt")
    assert copied.message == f"Copied {len(TEXT)} characters (xclip)."
    assert (tools / "xclip.in").read_text() == TEXT
    assert not (tmp_path / "saved.txt").exists()


def test_inside_tmux_its_buffer_is_used(tools: Path, tmp_path: Path) -> None:
    stand_in(tools, "xclip", exit_code=1)  # no X server after all
    stand_in(tools, "tmux")
    copied = clipboard.copy(TEXT, {"DISPLAY": ":0", "TMUX": "/tmp/x,1,0"}, tmp_path / "s.txt")
    assert "tmux's paste buffer" in copied.message
    assert (tools / "tmux.args").read_text().split() == ["load-buffer", "-w", "-"]
    assert (tools / "tmux.in").read_text() == TEXT


def test_gnu_screen_keeps_a_copy_in_a_file_and_says_so(tools: Path, tmp_path: Path) -> None:
    saved = tmp_path / "state" / "clipboard.txt"
    copied = clipboard.copy(TEXT, {"STY": "1234.pts-0"}, saved)
    assert "cannot take a clipboard request" in copied.message and str(saved) in copied.message
    assert saved.read_text() == TEXT


def test_a_plain_terminal_is_asked_and_a_copy_is_kept(tools: Path, tmp_path: Path) -> None:
    saved = tmp_path / "clipboard.txt"
    copied = clipboard.copy(TEXT, {}, saved)
    assert copied.message.startswith(f"Asked the terminal to copy {len(TEXT)} characters")
    assert str(saved) in copied.message and saved.read_text() == TEXT
    assert "Copied" not in copied.message  # nothing is claimed that cannot be known


async def test_the_app_says_where_a_copy_went(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["Try:\n\n```python\nprint('hi')\n```\n"]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "code")
        await pilot.press("ctrl+l", "1")
        await wait_until(
            pilot, lambda: any("Asked the terminal" in n.message for n in notices(app))
        )
        assert app.clipboard == "print('hi')"
        assert paths.clipboard_file().read_text() == "print('hi')"
        assert not any(n.message.startswith("Copied") for n in notices(app))
        assert os.environ.get("TMUX") is None


async def test_copies_land_in_the_order_they_were_made(
    emulator: OllamaEmulator, tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy tool that is slow with the whole reply, quick with its code block.
    script = tools / "xclip"
    script.write_text(
        "#!/bin/sh\ntext=$(/bin/cat)\n"
        'case "$text" in Slow*) /bin/sleep 1 ;; esac\n'
        f'printf %s "$text" > "{tools}/xclip.in"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("TMUX", raising=False)
    emulator.script(ChatReply(content=["Slow to copy:\n\n```\nquick\n```\n"]))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "code")
        await pilot.press("ctrl+l", "0", "ctrl+l", "1")
        await wait_until(
            pilot,
            lambda: sum(n.message.startswith("Copied") for n in notices(app)) == 2,
            timeout=20,
        )
    assert (tools / "xclip.in").read_text() == "quick"  # the last copy stays
