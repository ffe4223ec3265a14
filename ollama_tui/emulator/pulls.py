"""Pulls: a scripted manifest and layers, streamed as Ollama reports progress, resuming
from the bytes a layer already has."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from ollama_tui.emulator.management import install
from ollama_tui.emulator.models import FakeModel, PullScript, tagged
from ollama_tui.emulator.state import Emulated
from ollama_tui.emulator.streams import Action, stream
from ollama_tui.emulator.wire import Writer, line, name_of


async def pull(
    emulator: Emulated, writer: Writer, reader: asyncio.StreamReader, body: dict[str, Any]
) -> bool:
    name = name_of(body)
    script = emulator.pulls.get(name)
    installed = emulator.model(name)
    if script is None and installed is not None:
        return await stream(
            emulator, writer, reader, "/api/pull", up_to_date(installed), PullScript()
        )
    if script is None:
        lines: list[bytes | Action] = [
            line({"status": "pulling manifest"}),
            line({"error": "pull model manifest: file does not exist"}),
        ]
        return await stream(emulator, writer, reader, "/api/pull", lines, PullScript())
    return await stream(
        emulator, writer, reader, "/api/pull", pull_lines(emulator, name, script), script
    )


def pull_lines(emulator: Emulated, name: str, script: PullScript) -> Iterable[bytes | Action]:
    yield line({"status": "pulling manifest"})
    streamed = 0
    for layer in script.layers:
        status = f"pulling {layer.digest[7:19]}"
        if layer.cached or emulator.pulled_bytes.get(layer.digest, 0) >= layer.size:
            yield line(
                {
                    "status": status,
                    "digest": layer.digest,
                    "total": layer.size,
                    "completed": layer.size,
                }
            )
            continue
        yield line({"status": status, "digest": layer.digest, "total": layer.size})
        done = emulator.pulled_bytes.get(layer.digest, 0)
        while done < layer.size:
            step = min(script.step, layer.size - done)
            if script.error_after_bytes is not None and streamed + step > script.error_after_bytes:
                script.error_after_bytes = None
                yield line({"error": script.error})
                return
            done += step
            streamed += step
            emulator.pulled_bytes[layer.digest] = done
            yield Action.DELAY
            yield line(
                {
                    "status": status,
                    "digest": layer.digest,
                    "total": layer.size,
                    "completed": done,
                }
            )
            if script.hold_at_bytes is not None and streamed >= script.hold_at_bytes:
                script.hold_at_bytes = None
                yield Action.HOLD
    for status in ("verifying sha256 digest", "writing manifest", "success"):
        yield line({"status": status})
    if emulator.model(name) is None:
        size = script.size or sum(layer.size for layer in script.layers)
        install(emulator, FakeModel(tagged(name), size=size))


def up_to_date(model: FakeModel) -> list[bytes | Action]:
    """Pulling a model that is installed: its one layer is there already."""
    layer = {"digest": f"sha256:{model.digest}", "total": model.size, "completed": model.size}
    statuses = ("verifying sha256 digest", "writing manifest", "success")
    return [
        line({"status": "pulling manifest"}),
        line({"status": f"pulling {model.digest[:12]}", **layer}),
        *(line({"status": status}) for status in statuses),
    ]
