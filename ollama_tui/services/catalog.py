"""What the server has: installed models, their details (``/api/show``, cached) and
the context each loaded model was given (``/api/ps``)."""

from __future__ import annotations

from collections.abc import Callable

from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import ModelInfo, ModelSummary, RunningModel
from ollama_tui.core.pulls import tagged


class ModelCatalog:
    """One cache for every screen. ``on_info`` hears each model whose details were
    loaded. Models are known by their tagged names, as the server lists them, so
    ``llama3.2`` and ``llama3.2:latest`` are one model."""

    def __init__(
        self, client: OllamaClient, on_info: Callable[[ModelInfo], None] | None = None
    ) -> None:
        self.client = client
        self.on_info = on_info
        self._info: dict[str, ModelInfo] = {}
        self._running: dict[str, RunningModel] = {}

    def info(self, model: str) -> ModelInfo | None:
        """The details already loaded for ``model``, if any."""
        return self._info.get(tagged(model))

    def capabilities(self, model: str) -> frozenset[str] | None:
        """What ``model`` can do, or None while that is not known."""
        info = self._info.get(tagged(model))
        return info.capabilities if info is not None else None

    def running_context(self, model: str) -> int | None:
        """The context length Ollama gave ``model`` when it loaded it."""
        loaded = self._running.get(tagged(model))
        return loaded.context_length if loaded is not None else None

    def loaded(self, model: str) -> RunningModel | None:
        """``model`` as ``/api/ps`` last said it is loaded (its memory, its window)."""
        return self._running.get(tagged(model))

    async def show(self, model: str, *, with_modelfile: bool = False) -> ModelInfo:
        """The model's details, asked for only when not known (or, with
        ``with_modelfile``, when the known ones lack the Modelfile)."""
        info = self._info.get(tagged(model))
        if info is None or (with_modelfile and not info.modelfile):
            info = await self.client.show(model)
            self.remember(info)
        return info

    def remember(self, info: ModelInfo) -> None:
        self._info[tagged(info.name)] = info
        if self.on_info is not None:
            self.on_info(info)

    def forget(self, model: str) -> None:
        """The model changed on the server (pulled again, deleted)."""
        self._info.pop(tagged(model), None)

    async def list_models(self) -> list[ModelSummary]:
        return await self.client.list_models()

    async def running(self) -> list[RunningModel]:
        """The loaded models, kept for the meter (their windows) and the overflow
        dialog (their memory)."""
        running = await self.client.running()
        self._running = {tagged(m.name): m for m in running}
        return running
