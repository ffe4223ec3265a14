"""Files attached to a prompt, recognised by their first bytes: an image (for vision
models), a PDF (its text, with the optional ``pdf`` extra), or text and code; anything
else is refused with the reason. The chat's attach dialog and ``ask -a`` share this."""

from __future__ import annotations

import io
from pathlib import Path

from ollama_tui.core.conversation import Attachment, FileAttachment
from ollama_tui.core.files import FileTooLarge, read_regular
from ollama_tui.core.formatting import human_size
from ollama_tui.core.images import IMAGE_FORMATS, IMAGE_SIGNATURES, MAX_IMAGE_BYTES

MAX_FILE_BYTES = MAX_IMAGE_BYTES
"""Read at most this much of any file (images and PDFs can be this large)."""
MAX_TEXT_CHARS = 4 * 1024 * 1024
"""A text longer than this (about a million tokens) is beyond any model's window."""
PDF_EXTRA = "pip install 'ollama-tui[pdf]'"


class NotAttachable(ValueError):
    """Why a file cannot be attached, in a sentence."""


def load_file(text: str) -> Attachment | FileAttachment:
    """The file at path ``text`` as an image or as text to send."""
    path = Path(text.strip().strip("\"'")).expanduser()
    if not path.exists():
        raise NotAttachable(f"No file at {path}.")
    if path.is_dir():
        raise NotAttachable(f"{path} is a folder: attach the files in it one by one.")
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except FileTooLarge:
        limit = human_size(MAX_FILE_BYTES)
        raise NotAttachable(f"{path.name} is larger than the limit of {limit}.") from None
    except OSError as error:
        raise NotAttachable(f"{path.name} cannot be read: {error.strerror or error}.") from None
    if data.startswith(IMAGE_SIGNATURES):
        return Attachment.from_bytes(path.name, data)
    if data.startswith(b"%PDF"):
        return FileAttachment(path.name, pdf_text(path.name, data), len(data), "pdf")
    text = decoded(path.name, data)
    if len(text) > MAX_TEXT_CHARS:
        raise NotAttachable(f"{path.name} is too long for any model's context window.")
    if not text.strip():
        raise NotAttachable(f"{path.name} is empty: there is nothing in it to send.")
    return FileAttachment(path.name, text, len(data))


def decoded(name: str, data: bytes) -> str:
    """Text files are UTF-8 (or UTF-16 with its byte-order mark); bytes that are not
    text mean a binary file, which is refused rather than sent as noise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise NotAttachable(
        f"{name} is a binary file, not text: attach text, code, a PDF, or {IMAGE_FORMATS} image."
    )


def pdf_text(name: str, data: bytes) -> str:
    """A PDF's text, page by page (pypdf, the ``pdf`` extra)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        raise NotAttachable(
            f"{name} is a PDF: reading its text needs the pdf extra ({PDF_EXTRA})."
        ) from None
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as error:  # a hostile or encrypted PDF can fail anywhere in pypdf
        reason = str(error) or type(error).__name__
        raise NotAttachable(f"{name} is a PDF that cannot be read ({reason}).") from None
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise NotAttachable(f"{name} has no text to take out (a scanned PDF?).")
    return text
