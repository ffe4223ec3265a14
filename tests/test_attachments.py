"""Files attached to a prompt (Ctrl+G, or ``ask -a``): text and code go in a fenced
block under their name, a PDF's text with the ``pdf`` extra; binary files and files
that alone fill the window are refused with the reason. Each is counted in the meter
before sending, shown as a chip, and kept with the conversation."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DirectoryTree, Static

from ollama_tui.core import paths
from ollama_tui.core.attachments import NotAttachable, load_file
from ollama_tui.core.conversation import FileAttachment, UserTurn
from ollama_tui.core.history.export import to_markdown
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.ui.screens.dialogs import AttachPrompt, DetachPicker
from tests.chat_helpers import (
    app_for,
    chat_of,
    log_lines,
    meter_settled,
    notices,
    reply_settled,
    wait_until,
)
from tests.test_cli_ask import ask
from tests.test_palette import run_from_palette

CODE = 'def count(path):\n    """Words in a file."""\n    return len(open(path).read().split())\n'


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (written by hand: no PDF writer is needed)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


async def attach(pilot: Pilot[None], path: Path) -> None:
    """Ctrl+G, the path typed (relative to the current folder, which the tests set to
    the file's: a key press is a screen update), Enter."""
    await pilot.press("ctrl+g")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, AttachPrompt))
    await pilot.press(*str(path.relative_to(Path.cwd())), "enter")


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def attach_error(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#attach-error", Static).render())


async def test_a_code_file_is_counted_shown_sent_in_a_fence_and_kept(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    source = tmp_path / "count.py"
    source.write_text(CODE)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await meter_settled(pilot)
        before = chat.settings.estimate
        assert before is not None
        await attach(pilot, source)
        await wait_until(pilot, lambda: bool(chat.attachments.files))
        bar = str(chat.query_one("#attachments", Static).render())
        tokens = chat.attachments.tokens(chat.attachments.files[0])
        assert f"[text: count.py · {len(CODE)} B · ~{tokens} tokens]" in bar
        # The meter counts it before anything is sent.
        await wait_until(
            pilot,
            lambda: (
                chat.settings.estimate is not None
                and chat.settings.estimate.total >= before.total + tokens
            ),
        )
        chat.composer.text = "What does it do?"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 1)
        await reply_settled(pilot)
        sent = emulator.chat_requests()[0]["messages"][-1]["content"]
        assert sent == f"File count.py:\n```python\n{CODE}\n```\n\nWhat does it do?"
        assert any("[text: count.py" in line for line in log_lines(chat.chat_log))
        assert not chat.attachments.files  # gone with the prompt
        await chat.session.saver.close()
        saved, _ = HistoryStore(paths.conversations_dir()).load(chat.conversation.id)
        prompt = saved.turns[0]
        assert isinstance(prompt, UserTurn)
        assert prompt.files == [FileAttachment("count.py", CODE, len(CODE))]
        assert prompt.content == "What does it do?"
        assert "File count.py:\n```python\n" in to_markdown(saved)  # and in an export


async def test_a_file_picked_in_the_tree_is_attached(
    emulator: OllamaEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.md").write_text("# Notes\nApples in autumn.\n")
    monkeypatch.chdir(project)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachPrompt))
        tree = app.screen.query_one(DirectoryTree)
        await wait_until(pilot, lambda: tree.cursor_node is not None and tree.last_line >= 1)
        await pilot.press("tab", "down", "enter")
        await wait_until(pilot, lambda: bool(chat.attachments.files))
        assert chat.attachments.files[0].name == "notes.md"


async def test_a_pdf_s_text_is_attached_with_the_extra(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    pdf = tmp_path / "orchards.pdf"
    pdf.write_bytes(minimal_pdf("Orchards of Normandy"))
    attached = load_file(str(pdf))
    assert isinstance(attached, FileAttachment) and attached.kind == "pdf"
    assert attached.text == "Orchards of Normandy"
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await attach(pilot, pdf)
        await wait_until(pilot, lambda: bool(chat.attachments.files))
        assert "[pdf: orchards.pdf" in str(chat.query_one("#attachments", Static).render())
        chat.composer.text = "Summarize it"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 1)
        sent = emulator.chat_requests()[0]["messages"][-1]["content"]
        assert sent.startswith("File orchards.pdf (text taken from a PDF):\n```\nOrchards")


async def test_without_the_extra_a_pdf_is_refused_naming_it(
    emulator: OllamaEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = tmp_path / "orchards.pdf"
    pdf.write_bytes(minimal_pdf("Orchards"))
    monkeypatch.setitem(sys.modules, "pypdf", None)  # as if it were not installed
    with pytest.raises(NotAttachable, match=r"pip install 'ollama-tui\[pdf\]'"):
        load_file(str(pdf))
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await attach(pilot, pdf)
        await wait_until(pilot, lambda: "pdf extra" in attach_error(pilot))
        await pilot.press("escape")
        assert not chat_of(pilot).attachments


async def test_a_binary_file_is_refused_with_the_reason(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    binary = tmp_path / "model.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await attach(pilot, binary)
        await wait_until(pilot, lambda: "binary file" in attach_error(pilot))
        await pilot.press("escape")
        assert not chat_of(pilot).attachments


async def test_a_file_that_alone_fills_the_window_is_refused_with_the_numbers(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("The apples of Normandy are many and sweet. " * 200)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        chat.conversation.settings.options["num_ctx"] = 1024
        await attach(pilot, big)
        # Said in the dialog, which stays open with the path, as for any refusal.
        await wait_until(pilot, lambda: "more than the 1,024-token window" in attach_error(pilot))
        assert "big.txt is about" in attach_error(pilot) and "raise num_ctx" in attach_error(pilot)
        await pilot.press("escape")
        assert not chat.attachments


def test_ask_attaches_text_files_too(emulator: OllamaEmulator, tmp_path: Path) -> None:
    source = tmp_path / "count.py"
    source.write_text(CODE)
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02")
    done = ask(emulator, "-m", "llama3.2:latest", "-a", str(source), "Explain")
    assert done.returncode == 0, done.stderr
    sent = emulator.chat_requests()[-1]["messages"][-1]["content"]
    assert sent == f"File count.py:\n```python\n{CODE}\n```\n\nExplain"
    refused = ask(emulator, "-m", "llama3.2:latest", "-a", str(binary), "Explain")
    assert refused.returncode == 2 and "blob.bin is a binary file" in refused.stderr
    assert json.dumps(emulator.chat_requests()[-1]).count("blob.bin") == 0


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(NotAttachable, match=r"empty\.txt is empty"):
        load_file(str(tmp_path / "empty.txt"))


def test_ask_warns_when_the_server_truncated(emulator: OllamaEmulator, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("The apples of Normandy are many and sweet. " * 40)
    done = ask(emulator, "-m", "llama3.2:latest", "--num-ctx", "256", "-a", str(notes), "What?")
    assert done.returncode == 0, done.stderr
    assert "warning: Ollama cut the start of your prompt" in done.stderr
    assert "a larger --num-ctx would help" in done.stderr


def test_a_hostile_pdf_is_refused_not_a_crash(tmp_path: Path) -> None:
    """An encrypted PDF (here with a filter pypdf does not know) makes pypdf raise
    errors of its own kinds: the file is refused with the reason."""
    sound = minimal_pdf("Secret")
    locked = sound.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt << /Filter /Foo >> >>")
    (tmp_path / "locked.pdf").write_bytes(locked)
    with pytest.raises(NotAttachable, match=r"locked\.pdf is a PDF that cannot be read"):
        load_file(str(tmp_path / "locked.pdf"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    with pytest.raises(NotAttachable, match=r"broken\.pdf"):
        load_file(str(tmp_path / "broken.pdf"))


async def test_file_names_in_the_tree_are_shown_as_they_are(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    """The tree would read a name as markup (``[b]`` styled it, ``[@click=…]`` made it
    an action) and pass an escape sequence on."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "[b]bold [@click=app.quit]x \x1b[31mred.txt").write_text("hi\n")
    os.chdir(project)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachPrompt))
        tree = app.screen.query_one(DirectoryTree)
        await wait_until(pilot, lambda: tree.last_line >= 1)
        nodes = [tree.get_node_at_line(n) for n in range(tree.last_line + 1)]
        labels = [str(node.label) for node in nodes if node is not None]
        assert any(label.startswith("[b]bold [@click=app.quit]x") for label in labels), labels
        assert not any("\x1b" in label for label in labels)


async def test_editing_a_prompt_with_a_file_counts_and_resends_its_file(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    """F2 resends the last prompt with its own files: the meter and the overflow check
    count those, not the files waiting for the next prompt."""
    (tmp_path / "count.py").write_text(CODE)
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await attach(pilot, tmp_path / "count.py")
        await wait_until(pilot, lambda: bool(chat.attachments.files))
        chat.composer.text = "What does it do?"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 1)
        await reply_settled(pilot)
        await pilot.press("f2")
        await wait_until(pilot, lambda: chat.settings.editing_last_prompt)
        with_file = chat.settings.estimate_next("And how fast is it?")
        chat.settings.editing_last_prompt = False
        without = chat.settings.estimate_next("And how fast is it?")
        chat.settings.editing_last_prompt = True
        assert with_file.next_prompt > without.next_prompt  # the edited prompt's file
        await pilot.press("ctrl+u", *"And how fast is it?", "enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 2)
        sent = emulator.chat_requests()[-1]["messages"][-1]["content"]
        assert sent.startswith("File count.py:") and sent.endswith("And how fast is it?")


LONG_NAMES = ["first_long_file_name.py", "second_long_file_name.py", "third_long_name.py"]


async def attach_files(pilot: Pilot[None], folder: Path, names: list[str]) -> None:
    """Files called ``names``, each of its own text, attached one after the other."""
    chat = chat_of(pilot)
    for count, name in enumerate(names, 1):
        (folder / name).write_text(f"{CODE}# {name}\n")
        await attach(pilot, folder / name)
        await wait_until(pilot, lambda: len(chat.attachments.files) == count)  # noqa: B023


async def test_chips_wrap_whole_at_80_columns_and_a_file_is_attached_once(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        await attach_files(pilot, tmp_path, LONG_NAMES)
        names = LONG_NAMES
        lines = str(chat.query_one("#attachments", Static).render()).splitlines()
        assert len(lines) > 1
        # Every chip is whole on one line.
        for name in names:
            [line] = [line for line in lines if name in line]
            assert f"[text: {name} · " in line and line.count("[") == line.count("]")
        await attach(pilot, tmp_path / names[0])
        await wait_until(
            pilot, lambda: any("attached already" in n.message for n in notices(pilot.app))
        )
        assert [f.name for f in chat.attachments.files] == names
        # A link to one of them is the same text: it would go twice.
        (tmp_path / "link.py").symlink_to(tmp_path / names[0])
        await attach(pilot, tmp_path / "link.py")
        await wait_until(
            pilot, lambda: any(f"(as {names[0]})" in n.message for n in notices(pilot.app))
        )
        assert [f.name for f in chat.attachments.files] == names
        # And in the chat, once sent.
        chat.composer.text = "Read them"
        await pilot.press("enter")
        await reply_settled(pilot)
        shown = [line for line in log_lines(chat.chat_log) if "[text:" in line or "]" in line]
        for name in names:
            [line] = [line for line in shown if name in line]
            assert f"[text: {name} · " in line and line.count("[") == line.count("]")


async def test_one_attachment_is_removed_from_the_palette(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await attach_files(pilot, tmp_path, ["keep.py", "drop.py"])
        await run_from_palette(pilot, "Remove an attachment")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, DetachPicker))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: len(chat.attachments.files) == 1)
        assert chat.attachments.files[0].name == "keep.py"
        bar = str(chat.query_one("#attachments", Static).render())
        assert "keep.py" in bar and "drop.py" not in bar
        chat.composer.text = "Only one?"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 1)
        sent = emulator.chat_requests()[0]["messages"][-1]["content"]
        assert "File keep.py:" in sent and "drop.py" not in sent


async def test_chips_are_packed_again_when_the_sidebar_takes_width(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        chat = chat_of(pilot)
        await attach_files(pilot, tmp_path, LONG_NAMES)
        names = LONG_NAMES
        bar = chat.query_one("#attachments", Static)

        def lines() -> list[str]:
            return str(bar.render()).splitlines()

        assert sum(name in lines()[0] for name in names) >= 2
        await pilot.press("f3")
        await wait_until(pilot, lambda: bar.content_region.width < 100)
        await wait_until(pilot, lambda: len(lines()) > 2)
        for name in names:
            [line] = [line for line in lines() if name in line]
            assert f"[text: {name} · " in line and line.count("[") == line.count("]")
            assert len(line) <= bar.content_region.width
