"""Images waiting to go with the next prompt, and the bar that lists them."""

from __future__ import annotations

from textual.screen import Screen

from ollama_tui.core.conversation import Attachment
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.ui.screens.dialogs import ImagePrompt
from ollama_tui.ui.widgets.plain import Plain


class PendingImages:
    def __init__(self, screen: Screen[None], session: ChatSession) -> None:
        self.screen = screen
        self.session = session
        self.images: list[Attachment] = []

    def ask(self) -> None:
        def chosen(result: Attachment | bool | None) -> None:
            if result is not False:
                self.add(result if isinstance(result, Attachment) else None)

        self.screen.app.push_screen(ImagePrompt(), chosen)

    def add(self, attachment: Attachment | None) -> None:
        """Add an image to the next prompt; None removes them all."""
        if attachment is None:
            self.images = []
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

    def take(self) -> list[Attachment]:
        """The images, for the prompt being sent; none wait after."""
        images, self.images = self.images, []
        self.show()
        return images

    def keep(self, images: list[Attachment]) -> None:
        self.images = images
        self.show()

    def can_go(self) -> bool:
        """None wait, or the model can see them; otherwise the user is told why not."""
        if not self.images or "vision" in (self.session.capabilities() or ()):
            return True
        self.screen.notify(
            f"{sanitize_line(self.session.conversation.model, 60)} cannot see images. Choose a "
            "vision model (Ctrl+O), or remove the images (Ctrl+G, then an empty path).",
            severity="error",
            timeout=8,
        )
        return False

    def show(self) -> None:
        bar = self.screen.query_one("#attachments", Plain)
        names = [f"[image: {sanitize_line(a.name, 40)}]" for a in self.images]
        bar.update("  ".join(names) + ("   (Ctrl+G, empty path: remove)" if names else ""))
        bar.display = bool(names)
