"""Creating a model from a Modelfile, as ``ollama create`` does.

A FROM or ADAPTER line may name a local file (a GGUF) or a folder (safetensors): each
file is hashed (in a thread: it may be tens of gigabytes), the server is asked whether
it holds that blob already, only the missing ones are uploaded, and ``/api/create``
then names them by digest, with the server's progress reported until "success". The
command line and the models screen both drive this; it knows no screen.
"""

from __future__ import annotations

import asyncio
import enum
import os
import re
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ollama_tui.core.blobs import sha256_digest
from ollama_tui.core.modelfile import Modelfile
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.sanitize import sanitize_line

REPORT_SECONDS = 0.1
"""Byte counts (hashing, uploading) are reported at most this often, and at the end."""

MODEL_FILE_SUFFIXES = (".gguf", ".safetensors", ".bin")
"""A FROM value ending so names a file even without ``./`` (it is no model name)."""

FOLDER_FILES = (".safetensors", ".gguf", ".json", "tokenizer.model")
"""What is uploaded of a folder: the weights, and the configuration and tokenizer
files beside them (not a README, a licence or a ``.git``)."""


LONG_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


class Stage(enum.Enum):
    HASHING = "hashing"
    UPLOADING = "uploading"
    ON_SERVER = "on the server already"
    CREATING = "creating"
    """The server's own progress: parsing, quantizing, layers, "success"."""


@dataclass(frozen=True)
class CreateProgress:
    """One step: a file (``subject``) hashed or uploaded, ``completed`` bytes of
    ``total``; or, while ``CREATING``, the server's status line as ``subject``."""

    stage: Stage
    subject: str
    completed: int = 0
    total: int = 0

    def describe(self) -> str:
        if self.stage is Stage.CREATING:  # digests cut as ``ollama`` shows them
            return LONG_DIGEST.sub(lambda found: found.group(0)[:19], self.subject)
        if self.stage is Stage.ON_SERVER:
            return f"{self.subject} is on the server already"
        return f"{self.stage.value} {self.subject}"


class CreateProblem(Exception):
    """A file the Modelfile names cannot be used (missing, unreadable, not a model);
    ``str()`` is one sentence."""


@dataclass(frozen=True)
class LocalFile:
    name: str
    """As sent in ``files`` or ``adapters``: the file's name, or its path in the folder."""
    path: Path
    size: int


def local_path(value: str, folder: Path, *, always: bool = False) -> Path | None:
    """The file or folder a FROM (or, ``always``, an ADAPTER) value names, relative to
    the Modelfile's ``folder`` with ``~`` expanded; None when it names a model: it does
    not start with ``.``, ``/`` or ``~``, end like a model file, or exist."""
    path = Path(os.path.abspath(folder / Path(value).expanduser()))  # named in messages
    looks_local = value.startswith((".", "/", "~")) or value.lower().endswith(MODEL_FILE_SUFFIXES)
    return path if always or looks_local or path.exists() else None


def files_at(instruction: str, value: str, path: Path) -> list[LocalFile]:
    """What to upload for ``path``: the file, or the model files in the folder."""
    where = f"{instruction} {sanitize_line(value, 80)}"
    try:
        found = path.stat()
    except FileNotFoundError:
        raise CreateProblem(f"{where}: there is no file or folder at {path}.") from None
    except OSError as error:
        raise CreateProblem(f"{where}: {path} cannot be read ({error.strerror}).") from None
    if stat.S_ISREG(found.st_mode):
        return [LocalFile(path.name, path, found.st_size)]
    if not stat.S_ISDIR(found.st_mode):
        raise CreateProblem(f"{where}: {path} is not a regular file or a folder.")
    try:
        entries = sorted(p for p in path.iterdir() if p.name.endswith(FOLDER_FILES))
        files = [LocalFile(p.name, p, p.stat().st_size) for p in entries if p.is_file()]
    except OSError as error:
        raise CreateProblem(f"{where}: {path} cannot be read ({error.strerror}).") from None
    if not any(f.name.endswith((".safetensors", ".gguf")) for f in files):
        raise CreateProblem(f"{where}: the folder {path} holds no .safetensors or .gguf file.")
    return files


class ModelCreator:
    def __init__(
        self, client: OllamaClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self._clock = clock

    async def create(
        self,
        name: str,
        modelfile: Modelfile,
        folder: Path,
        *,
        quantize: str | None = None,
        on_progress: Callable[[CreateProgress], None] | None = None,
    ) -> str:
        """Create ``name`` from ``modelfile`` (read from ``folder``), uploading the
        local files it names first; the server's last status. Raises ``CreateProblem``
        for a local file that cannot be used, ``OllamaError`` for what the server
        says (``ModelNotFound`` when FROM names a model that is not installed)."""
        report = _Reporter(on_progress or (lambda _: None), self._clock)
        source = local_path(modelfile.source, folder)
        files = files_at("FROM", modelfile.source, source) if source is not None else []
        adapters = [
            file
            for value in modelfile.adapters
            for file in files_at("ADAPTER", value, _adapter_path(value, folder))
        ]
        digests = {file.path: await self._upload(file, report) for file in [*files, *adapters]}
        body = modelfile.request(
            name,
            files={file.name: digests[file.path] for file in files},
            adapters={file.name: digests[file.path] for file in adapters},
            quantize=quantize,
        )
        status = ""
        async for progress in self.client.create_stream(body):
            status = progress.status
            event = CreateProgress(
                Stage.CREATING,
                sanitize_line(status, 120),
                progress.completed or 0,
                progress.total or 0,
            )
            report(event, final=status == "success")
        return status

    async def _upload(self, file: LocalFile, report: _Reporter) -> str:
        """The file's digest, once the server holds its blob."""
        loop = asyncio.get_running_loop()
        stop = threading.Event()

        def hashed(done: int) -> None:  # in the hashing thread
            event = CreateProgress(Stage.HASHING, file.name, done, file.size)
            if report.due(event):
                loop.call_soon_threadsafe(report, event)

        report(CreateProgress(Stage.HASHING, file.name, 0, file.size), final=True)
        try:
            digest = await asyncio.to_thread(sha256_digest, file.path, hashed, stop)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise CreateProblem(f"{file.path} cannot be read ({reason}).") from None
        finally:
            stop.set()  # a cancelled wait leaves the thread running: it stops at its next chunk
        report(CreateProgress(Stage.HASHING, file.name, file.size, file.size), final=True)
        if await self.client.has_blob(digest):
            report(CreateProgress(Stage.ON_SERVER, file.name, file.size, file.size), final=True)
            return digest

        def sent(done: int) -> None:
            report(CreateProgress(Stage.UPLOADING, file.name, done, file.size))

        report(CreateProgress(Stage.UPLOADING, file.name, 0, file.size), final=True)
        try:
            await self.client.upload_blob(digest, file.path, sent)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise CreateProblem(f"{file.path} cannot be read ({reason}).") from None
        report(CreateProgress(Stage.UPLOADING, file.name, file.size, file.size), final=True)
        return digest


def _adapter_path(value: str, folder: Path) -> Path:
    path = local_path(value, folder, always=True)
    assert path is not None
    return path


class _Reporter:
    """Passes progress on: every change of stage or file, and byte counts at most
    every ``REPORT_SECONDS`` (a 40 GB file is 40,000 chunks)."""

    def __init__(
        self, on_progress: Callable[[CreateProgress], None], clock: Callable[[], float]
    ) -> None:
        self.on_progress = on_progress
        self.clock = clock
        self.reported_at = -REPORT_SECONDS
        self.last: CreateProgress | None = None

    def due(self, event: CreateProgress) -> bool:
        """Whether ``event`` would be reported now (thread-safe: it only reads)."""
        last = self.last
        moved = last is None or (last.stage, last.subject) != (event.stage, event.subject)
        finished = event.total > 0 and event.completed >= event.total
        return moved or finished or self.clock() - self.reported_at >= REPORT_SECONDS

    def __call__(self, event: CreateProgress, *, final: bool = False) -> None:
        if event == self.last or not (final or self.due(event)):
            return
        self.reported_at = self.clock()
        self.last = event
        self.on_progress(event)
