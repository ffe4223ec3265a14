"""Making models as Ollama does: blobs uploaded by digest (``HEAD`` and ``POST
/api/blobs/:digest``), then ``/api/create`` from an installed model or from those
blobs, with adapters and quantization, its progress streamed as NDJSON."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ollama_tui.emulator.management import install
from ollama_tui.emulator.models import FakeModel, PullScript, Recorded, tagged
from ollama_tui.emulator.state import Emulated
from ollama_tui.emulator.streams import Action, stream
from ollama_tui.emulator.wire import Writer, line, name_of, send, send_error, send_json

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")

QUANTIZE_TARGETS = {
    **{name: name for name in ("F32", "F16", "BF16", "Q4_K_S", "Q4_K_M", "Q8_0")},
    "Q4_K": "Q4_K_M",
}
"""What a GGUF model may be quantized to, as asked (upper-cased) and as named."""
UNQUANTIZED = {"F32", "F16", "BF16"}
QUANTIZE_STEPS = 4
"""Progress lines while quantizing one file."""


def blob_path(path: str) -> str | None:
    """The digest in ``/api/blobs/<digest>``, or None for another path."""
    prefix = "/api/blobs/"
    return path[len(prefix) :] if path.startswith(prefix) else None


async def blob(emulator: Emulated, writer: Writer, request: Recorded, digest: str) -> bool:
    """``HEAD``: 200 if the blob is here, 404 (no body) if not. ``POST``: store the body
    as that blob if its sha256 is the digest (201), or say it was here already (200)."""
    if request.method not in {"HEAD", "POST"}:
        return await send(writer, 405, b"405 method not allowed", "text/plain")
    if DIGEST.fullmatch(digest) is None:
        return await send_error(writer, 400, f"invalid digest format {digest[:80]!r}")
    if request.method == "HEAD":
        return await send(writer, 200 if digest in emulator.blobs else 404, b"")
    if digest in emulator.blobs:
        return await send(writer, 200, b"")
    actual = "sha256:" + hashlib.sha256(request.body).hexdigest()
    if actual != digest:
        message = f'digest mismatch, expected "{digest}", got "{actual}"'
        return await send_error(writer, 400, message)
    emulator.blobs[digest] = len(request.body)
    return await send(writer, 201, b"")


async def create(
    emulator: Emulated, writer: Writer, reader: asyncio.StreamReader, body: dict[str, Any]
) -> bool:
    """A model made from an installed one (``from``) or from uploaded ``files``, with
    ``adapters`` and ``quantize``; streamed unless ``stream`` is false."""
    name = name_of(body)
    if not name:
        return await send_error(writer, 400, "model is required")
    files, adapters = _digests(body, "files"), _digests(body, "adapters")
    if files is None or adapters is None:
        return await send_error(writer, 400, "files and adapters map file names to digests")
    for digest in (*files.values(), *adapters.values()):
        if digest not in emulator.blobs:
            return await send_error(writer, 400, f'blob "{digest[:80]}" not found')
    source: FakeModel | None = None
    if not files:
        if not body.get("from"):
            return await send_error(writer, 400, "neither 'from' or 'files' was specified")
        source = emulator.model(str(body["from"]))
        if source is None:
            return await send_error(writer, 404, f"model '{body.get('from')}' not found")
    quantize = str(body.get("quantize") or body.get("quantization") or "").upper()
    if quantize and quantize not in QUANTIZE_TARGETS:
        supported = "F32, F16, Q4_K_S, Q4_K_M, Q8_0"
        message = f"unsupported quantization type {quantize} - supported types are {supported}"
        return await send_error(writer, 400, message)
    from_type = source.quantization.upper() if source is not None else "F16"
    if quantize and from_type not in UNQUANTIZED:
        message = "quantization is only supported for F16, BF16 and F32 models"
        return await send_error(writer, 400, message)
    target = QUANTIZE_TARGETS.get(quantize, "")
    made = _made(emulator, name, body, source, files, target or from_type)
    lines = list(_progress(emulator, files, adapters, from_type, target))
    install(emulator, made)
    if body.get("stream") is False:
        return await send_json(writer, 200, {"status": "success"})
    return await stream(emulator, writer, reader, "/api/create", lines, PullScript())


def _digests(body: Mapping[str, Any], key: str) -> dict[str, str] | None:
    value = body.get(key) or {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return None
    return {str(name): digest for name, digest in value.items()}


def _progress(
    emulator: Emulated,
    files: Mapping[str, str],
    adapters: Mapping[str, str],
    from_type: str,
    target: str,
) -> Iterable[bytes | Action]:
    if any(name.endswith(".gguf") for name in files):
        yield line({"status": "parsing GGUF"})
    elif files:
        yield line({"status": "converting model"})
    for digest in files.values():
        if target and target != from_type:
            total = emulator.blobs[digest]
            status = f"quantizing {from_type} model to {target}"
            for step in range(1, QUANTIZE_STEPS + 1):
                completed = total * step // QUANTIZE_STEPS
                yield line(
                    {"status": status, "digest": "0", "total": total, "completed": completed}
                )
        yield line({"status": f"using existing layer {digest}"})
    for digest in adapters.values():
        yield line({"status": f"using existing layer {digest}"})
    yield line({"status": "writing manifest"})
    yield line({"status": "success"})


def _made(
    emulator: Emulated,
    name: str,
    body: Mapping[str, Any],
    source: FakeModel | None,
    files: Mapping[str, str],
    quantization: str,
) -> FakeModel:
    full = tagged(name)
    if source is not None:
        made = FakeModel(**{**source.__dict__, "name": full, "quantization": quantization})
    else:
        size = sum(emulator.blobs[digest] for digest in files.values())
        made = FakeModel(full, size=size, quantization=quantization, parameter_size="")
    if isinstance(body.get("system"), str):
        made.system = body["system"]
    if isinstance(body.get("template"), str):
        made.template = body["template"]
    parameters = body.get("parameters")
    if isinstance(parameters, dict):
        made.parameters = "\n".join(f"{key:<30} {value}" for key, value in parameters.items())
    return made
