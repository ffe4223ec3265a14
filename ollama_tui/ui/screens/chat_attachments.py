"""Files waiting to go with the next prompt (images for vision models, text and code,
a PDF's text), and the bar that lists them with what each costs of the window."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from ollama_tui.core.conversation import Attachment, FileAttachment, with_files
from ollama_tui.core.formatting import human_size
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.core.tokens import IMAGE_TOKENS
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.chips import ChipBar
from ollama_tui.ui.screens.dialogs import AttachPrompt, DetachPicker


class PendingAttachments:
    def __init__(
        self, screen: Screen[None], session: ChatSession, changed: Callable[[], object]
    ) -> None:
        self.screen = screen
        self.session = session
        self.changed = changed
        """Called when the files change (the meter counts them)."""
        self.images: list[Attachment] = []
        self.files: list[FileAttachment] = []

    def __bool__(self) -> bool:
        return bool(self.images or self.files)

    def ask(self) -> None:
        def chosen(result: Attachment | FileAttachment | bool | None) -> None:
            if result is not False:
                self.add(result if isinstance(result, Attachment | FileAttachment) else None)

        self.screen.app.push_screen(AttachPrompt(self.too_long), chosen)

    def add(self, attachment: Attachment | FileAttachment | None) -> None:
        """Add a file to the next prompt; None removes them all."""
        if attachment is None:
            self.images, self.files = [], []
        elif (same := self._same_as(attachment)) is not None:
            name = sanitize_line(attachment.name, 60)
            also = "" if same == attachment.name else f" (as {sanitize_line(same, 60)})"
            self.screen.notify(f"{name} is attached already{also}.", severity="warning")
            return
        elif isinstance(attachment, FileAttachment):
            self.files.append(attachment)
        else:
            self.images.append(attachment)
            capabilities = self.session.capabilities()
            if capabilities is not None and "vision" not in capabilities:
                self.screen.notify(
                    f"{sanitize_line(self.session.conversation.model, 60)} cannot see images: "
                    "choose a vision model (Ctrl+O) before sending.",
                    severity="warning",
                )
        self.show()

    def _same_as(self, attachment: Attachment | FileAttachment) -> str | None:
        """The name under which the same content is attached already (a link to a
        file, or a copy of it, would send it twice), if it is."""
        if isinstance(attachment, FileAttachment):
            same = (f.name for f in self.files if f.text == attachment.text)
        else:
            same = (i.name for i in self.images if i.data == attachment.data)
        return next(same, None)

    def tokens(self, attached: FileAttachment) -> int:
        """What ``attached`` adds to the request, by the meter's scale for the model."""
        counter = self.session.counter
        scale = counter.scale(self.session.conversation.model)
        return round(scale.per_token * counter.count_text(with_files("", [attached])))

    def too_long(self, attached: FileAttachment) -> str:
        """Why ``attached`` cannot go: it alone fills the window (with the numbers and
        what would help); "" when it fits."""
        window, note = self.session.context_window()
        tokens = self.tokens(attached)
        if window is None or tokens < window:
            return ""
        name = sanitize_line(attached.name, 60)
        info = self.session.catalog.info(self.session.conversation.model)
        most = info.context_length if info is not None else None
        if most is not None and tokens >= most:
            return (
                f"{name} is about {tokens:,} tokens: more than this model can read at once "
                f"({most:,} tokens). Attach a shorter file."
            )
        return (
            f"{name} is about {tokens:,} tokens, more than the {window:,}-token window{note}: "
            "raise num_ctx in the settings (F3), then attach it."
        )

    def take(self) -> tuple[list[Attachment], list[FileAttachment]]:
        """The files, for the prompt being sent; none wait after."""
        taken = self.images, self.files
        self.images, self.files = [], []
        self.show()
        return taken

    def keep(self, taken: tuple[list[Attachment], list[FileAttachment]]) -> None:
        self.images, self.files = taken
        self.show()

    def can_go(self) -> bool:
        """No images wait, or the model can see them; otherwise the user is told why not."""
        if not self.images or "vision" in (self.session.capabilities() or ()):
            return True
        self.screen.notify(
            f"{sanitize_line(self.session.conversation.model, 60)} cannot see images. Choose a "
            "vision model (Ctrl+O), or remove the image (Ctrl+P, “Remove an attachment”).",
            severity="error",
            timeout=8,
        )
        return False

    def show(self) -> None:
        self.draw()
        self.changed()

    def chips(self) -> list[str]:
        """A chip per attachment, images first, then files."""
        chips = [
            f"[image: {sanitize_line(a.name, 40)} · ~{IMAGE_TOKENS} tokens]" for a in self.images
        ]
        return chips + [
            f"[{f.kind}: {sanitize_line(f.name, 40)} · {human_size(f.size)} · "
            f"~{self.tokens(f):,} tokens]"
            for f in self.files
        ]

    def choose_removal(self) -> None:
        chips = self.chips()
        if not chips:
            self.screen.notify("Nothing is attached to the next prompt.")
            return

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if index < len(self.images):
                del self.images[index]
            elif index - len(self.images) < len(self.files):
                del self.files[index - len(self.images)]
            self.show()

        self.screen.app.push_screen(DetachPicker(chips), chosen)

    def draw(self) -> None:
        chips = self.chips()
        if chips:
            chips.append("(remove: Ctrl+P, “Remove an attachment”)")
        self.screen.query_one("#attachments", ChipBar).show_chips(chips)
