"""Image files for vision models, recognised by their first bytes (``attachments``
reads them, for the chat's attach dialog and ``ask -a`` alike)."""

from __future__ import annotations

MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")
IMAGE_FORMATS = "a PNG, JPEG, GIF, WebP or BMP"
"""The formats ``IMAGE_SIGNATURES`` recognises, as errors name them."""
