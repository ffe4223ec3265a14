"""Small modal dialogs: copy a reply or a code block, attach a file."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from rich.text import Text, TextType
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, OptionList
from textual.widgets.option_list import Option

from ollama_tui.core.attachments import load_file
from ollama_tui.core.code_blocks import code_blocks
from ollama_tui.core.conversation import Attachment, FileAttachment
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.ui.bindings import bindings
from ollama_tui.ui.widgets.plain import Plain, plain_line


class CopyPicker(ModalScreen[str | None]):
    """Choose what to copy: the whole reply, or one code block (keys 0-9)."""

    ACTION_SCOPE = "copy"
    BINDINGS = bindings("copy")

    def __init__(self, markdown: str, whole: str = "The whole reply") -> None:
        super().__init__()
        self.markdown = markdown
        self.whole = whole
        self.choices = [markdown] + [block.code for block in code_blocks(markdown)]

    def compose(self) -> ComposeResult:
        blocks = code_blocks(self.markdown)
        with Vertical(classes="dialog"):
            yield Plain("Copy to the clipboard", classes="dialog-title")
            options = [Option(f"0  {self.whole}", id="0")]
            for number, block in enumerate(blocks, start=1):
                language = sanitize_line(block.language or "text", 12)
                label = f"Code block {number} ({language}): {block.summary}"
                options.append(
                    Option(Content(f"{number}  ") + plain_line(label, 70), id=str(number))
                )
            yield OptionList(*options)
            yield Plain("Enter or a number copies · Esc closes", classes="dialog-hint")

    def action_choose(self, number: int) -> None:
        if number < len(self.choices):
            self.dismiss(self.choices[number])

    @on(OptionList.OptionSelected)
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(int(event.option.id or 0))


class FileTree(DirectoryTree):
    """A folder tree whose file names are shown as they are, inert: Textual's tree
    reads a name as markup, so ``[b]`` or an escape sequence in one would act."""

    def process_label(self, label: TextType) -> Text:
        name = label.plain if isinstance(label, Text) else str(label)
        return Text(sanitize_line(name, 200))


class AttachPrompt(ModalScreen[Attachment | FileAttachment | None | bool]):
    """Choose a file to attach: type its path, or pick it in the tree of the current
    folder. Dismisses with the file, None to remove all, False to cancel."""

    ACTION_SCOPE = "dialog"
    BINDINGS = bindings("dialog")
    AUTO_FOCUS = "#attach-path"

    def __init__(self, too_long: Callable[[FileAttachment], str]) -> None:
        super().__init__()
        self.too_long = too_long
        """Why a text file cannot go (it alone fills the window), or ""."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog attach-dialog"):
            yield Plain("Attach a file", classes="dialog-title")
            yield Input(placeholder="Path to a text, code, PDF or image file", id="attach-path")
            yield Plain(
                "Enter attaches the path, or the file chosen in the tree (Tab, ↑↓, Enter) · "
                "an empty path removes the attachments · Esc cancels",
                classes="dialog-hint",
                id="attach-error",
            )
            yield FileTree(Path.cwd(), id="attach-tree")

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    async def submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.dismiss(None)
            return
        await self.attach(event.value)

    @on(DirectoryTree.FileSelected)
    async def picked(self, event: DirectoryTree.FileSelected) -> None:
        await self.attach(str(event.path))

    async def attach(self, path: str) -> None:
        """Read, check and count the file off the event loop (a PDF of megabytes takes
        a while), then attach it or say why not."""
        try:
            attachment = await asyncio.to_thread(load_file, path)
        except (ValueError, OSError) as error:
            self.refuse(str(error))
            return
        problem = ""
        if isinstance(attachment, FileAttachment):
            problem = await asyncio.to_thread(self.too_long, attachment)
        if problem:
            self.refuse(problem)
            return
        self.dismiss(attachment)

    def refuse(self, why: str) -> None:
        """Say why in the dialog, which stays open with the path as it was typed."""
        message = self.query_one("#attach-error", Plain)
        message.update(sanitize_line(why, 300))
        message.add_class("-error")


class DetachPicker(ModalScreen[int | None]):
    """Choose one of the next prompt's attachments to remove: dismissed with its place
    among ``chips``, or None."""

    ACTION_SCOPE = "dialog"
    BINDINGS = bindings("dialog")

    def __init__(self, chips: list[str]) -> None:
        super().__init__()
        self.chips = chips

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain("Remove an attachment", classes="dialog-title")
            yield OptionList(*(Option(plain_line(chip)) for chip in self.chips))
            yield Plain("Enter removes it · Esc closes", classes="dialog-hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)
