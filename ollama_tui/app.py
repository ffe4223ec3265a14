"""The Textual application: themes, global bindings and wiring; no business logic."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from ollama_tui.config import Config
from ollama_tui.ollama.client import OllamaClient
from ollama_tui.ollama.errors import OllamaError


class OllamaTUI(App[None]):
    TITLE = "ollama-tui"
    CSS_PATH = "app.tcss"

    def __init__(self, config: Config, client: OllamaClient) -> None:
        super().__init__()
        self.config = config
        self.client = client

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Connecting to {self.config.host}…", id="status")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = self.config.host
        self.run_worker(self._check_server(), exclusive=True, group="health")

    async def _check_server(self) -> None:
        status = self.query_one("#status", Static)
        try:
            version = await self.client.version()
        except OllamaError as error:
            status.update(error.explain())
        else:
            status.update(f"Connected to Ollama {version} at {self.config.host}")

    async def on_unmount(self) -> None:
        await self.client.aclose()
