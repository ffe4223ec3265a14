"""Image files for vision models: read, size-checked and recognised by their first
bytes (the chat's image dialog and ``ask -a`` alike)."""

from __future__ import annotations

from pathlib import Path

from ollama_tui.core.conversation import Attachment
from ollama_tui.core.files import FileTooLarge, read_regular

MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")
IMAGE_FORMATS = "a PNG, JPEG, GIF, WebP or BMP"
"""The formats ``IMAGE_SIGNATURES`` recognises, as the dialog and its errors name them."""


def load_image(text: str) -> Attachment:
    """Read an image file for a vision model; ValueError explains what is wrong."""
    path = Path(text.strip().strip("\"'")).expanduser()
    if not path.exists():
        raise ValueError(f"No file at {path}.")
    try:
        data = read_regular(path, MAX_IMAGE_BYTES)
    except FileTooLarge:
        raise ValueError(f"{path.name} is larger than the limit of 20 MB.") from None
    except OSError as error:
        raise ValueError(f"{path.name} cannot be read: {error.strerror or error}.") from None
    if not data.startswith(IMAGE_SIGNATURES):
        raise ValueError(f"{path.name} is not {IMAGE_FORMATS} image.")
    return Attachment.from_bytes(path.name, data)
