"""Model management as the emulator answers it: what is loaded, delete, copy and
embeddings (creating a model is in ``creation``)."""

from __future__ import annotations

from typing import Any

from ollama_tui.emulator.models import FakeModel, Running, digest_of, tagged
from ollama_tui.emulator.state import Emulated
from ollama_tui.emulator.wire import Writer, name_of, now, send, send_error, send_json


def ps(emulator: Emulated) -> list[dict[str, Any]]:
    entries = []
    for running in emulator.running:
        model = emulator.model(running.name)
        entries.append(
            {
                "name": running.name,
                "model": running.name,
                "size": model.size if model else 0,
                "digest": digest_of(running.name),
                "details": model.details() if model else {},
                "expires_at": running.expires_at,
                "size_vram": running.size_vram,
                "context_length": running.context_length,
                **running.extra,
            }
        )
    return entries


def mark_running(
    emulator: Emulated, name: str, keep_alive: Any, num_ctx: int | None = None
) -> None:
    """``name`` first in ``/api/ps``, with the context length it was loaded with (the
    one it had, unless the request set another); unloaded when ``keep_alive`` is 0."""
    loaded = next((r for r in emulator.running if r.name == name), None)
    emulator.running = [r for r in emulator.running if r.name != name]
    if keep_alive != 0:
        context = num_ctx or (loaded.context_length if loaded else Running(name).context_length)
        emulator.running.insert(0, Running(name, context_length=context))


async def delete(emulator: Emulated, writer: Writer, body: dict[str, Any]) -> bool:
    found = emulator.model(name_of(body))
    if found is None:
        return await send_error(writer, 404, f"model '{name_of(body)}' not found")
    emulator.models.remove(found)
    return await send(writer, 200, b"")


async def copy(emulator: Emulated, writer: Writer, body: dict[str, Any]) -> bool:
    source = emulator.model(str(body.get("source", "")))
    if source is None:
        return await send_error(writer, 404, f'model "{body.get("source")}" not found')
    destination = str(body.get("destination", ""))
    if not destination:
        return await send_error(writer, 400, "destination is required")
    install(emulator, FakeModel(**{**source.__dict__, "name": tagged(destination)}))
    return await send(writer, 200, b"")


async def embed(emulator: Emulated, writer: Writer, body: dict[str, Any]) -> bool:
    found = emulator.model(name_of(body))
    if found is None:
        return await send_error(writer, 404, f"model '{name_of(body)}' not found")
    inputs = body.get("input")
    texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
    vectors = [[round(len(str(t)) / 100, 3), 0.5, -0.25] for t in texts]
    payload = {"model": found.name, "embeddings": vectors, "prompt_eval_count": len(texts)}
    return await send_json(writer, 200, payload)


def install(emulator: Emulated, model: FakeModel) -> None:
    """Add ``model``, made now, replacing one of the same name (as a copy, a create or
    a pull does)."""
    model.modified_at = now()
    emulator.models = [m for m in emulator.models if m.name.lower() != model.name.lower()]
    emulator.models.append(model)
