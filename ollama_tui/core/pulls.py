"""Model pulls: name checks, whole-model progress from per-layer lines, plain-word errors.

Ollama reports a pull layer by layer, each going from 0 to 100 %. ``PullTracker``
adds the layers up so the user sees one bar for the model, a smoothed speed and an
ETA. Layers are downloaded one after another, so a layer's total joins the overall
figure when its first bytes arrive; a line announcing a layer with no bytes yet
(``completed`` 0 or missing) carries nothing and is ignored.
"""

from __future__ import annotations

import enum
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import PullProgress

SPEED_SMOOTHING = 0.3
"""Weight of the newest sample in the exponentially smoothed download rate."""
MIN_SAMPLE_SECONDS = 0.2
"""Rate samples are taken over at least this long, so bursts don't swing the ETA."""
CONFIRM_CANCEL_SHARE = 0.25
CONFIRM_CANCEL_BYTES = 1_000_000_000
"""Cancelling asks first once this share of the model, or this many bytes, is in."""

_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}"
_HOST = r"[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]{1,5})?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}"
NAME_PATTERN = re.compile(rf"^(?:{_HOST}/)?(?:{_PART}/)?{_PART}(?::{_TAG})?$")


def new_name_problem(name: str, taken: Collection[str]) -> str:
    """What is wrong with ``name`` for a new model ("" for nothing): a bad name, or
    one an installed model has (which creating or copying would silently replace)."""
    if name in taken or tagged(name) in taken:
        return f"{name} exists already; choose another name."
    return name_problem(name)


def tagged(name: str) -> str:
    """``name`` with its tag, as the server lists it: ``llama3.2`` is ``llama3.2:latest``
    (a registry host's port is not a tag)."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def name_problem(name: str) -> str:
    """Why ``name`` is not ``[host/][namespace/]model[:tag]``, or "" when it is."""
    if not name:
        return "Type a model name, such as llama3.2 or qwen3:8b."
    if any(ch.isspace() for ch in name):
        return "A model name has no spaces."
    if not NAME_PATTERN.match(name):
        return (
            "Use [host/][namespace/]model[:tag]: letters, digits, '.', '_' and '-', "
            "for example llama3.2, qwen3:8b or hf.co/user/model:Q4_K_M."
        )
    return ""


class Stage(enum.Enum):
    STARTING = "starting"
    DOWNLOADING = "downloading"
    VERIFYING = "verifying"
    WRITING = "writing manifest"
    CLEANING = "removing unused layers"
    SUCCEEDED = "success"


_STAGES = (
    ("verifying", Stage.VERIFYING),
    ("writing manifest", Stage.WRITING),
    ("removing", Stage.CLEANING),
    ("couldn't remove", Stage.CLEANING),
    ("success", Stage.SUCCEEDED),
)


@dataclass
class LayerProgress:
    digest: str
    total: int
    completed: int
    first_seen: int
    """Bytes in the layer's first report: the whole layer when it was on disk
    already, what a resumed pull had kept, or one step of a fresh download."""

    @property
    def cached(self) -> bool:
        return self.first_seen >= self.total

    @property
    def short_digest(self) -> str:
        return self.digest.removeprefix("sha256:")[:12]


@dataclass
class PullTracker:
    """Everything the progress display shows, updated from each streamed line."""

    model: str
    clock: Callable[[], float] = time.monotonic
    layers: dict[str, LayerProgress] = field(default_factory=dict)
    status: str = "starting"
    stage: Stage = Stage.STARTING
    rate: float | None = None
    """Smoothed bytes per second of this pull's downloads (cached layers excluded)."""
    started: float = 0.0
    ended: float | None = None
    _sample_at: float | None = None
    """When the current rate sample began; None until the first bytes arrive."""
    _sample_bytes: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def update(self, progress: PullProgress) -> None:
        if progress.status:
            self.status = progress.status
        if progress.digest and progress.total:
            self._update_layer(progress.digest, progress.total, progress.completed or 0)
        else:
            lowered = progress.status.lower()
            for prefix, stage in _STAGES:
                if lowered.startswith(prefix):
                    self.stage = stage
                    break
        self._sample_rate()

    def _update_layer(self, digest: str, total: int, completed: int) -> None:
        layer = self.layers.get(digest)
        if layer is None:
            if completed <= 0:
                return
            self.layers[digest] = LayerProgress(digest, total, min(completed, total), completed)
            # A new layer may start with bytes from disk: a fresh rate window keeps
            # that jump out of the download speed.
            self._sample_at = None
        else:
            # Ollama re-announces a layer with 0 on retries; bytes on disk stay.
            layer.total = total
            layer.completed = max(layer.completed, min(completed, total))
        self.stage = Stage.DOWNLOADING

    def _sample_rate(self) -> None:
        if self.stage is not Stage.DOWNLOADING:
            return
        now = self.clock()
        if self._sample_at is None:
            self._sample_at, self._sample_bytes = now, self.downloaded
            return
        elapsed = now - self._sample_at
        if elapsed < MIN_SAMPLE_SECONDS:
            return
        fetched = self.downloaded
        sample = (fetched - self._sample_bytes) / elapsed
        self.rate = (
            sample
            if self.rate is None
            else SPEED_SMOOTHING * sample + (1 - SPEED_SMOOTHING) * self.rate
        )
        self._sample_at, self._sample_bytes = now, fetched

    @property
    def total(self) -> int:
        return sum(layer.total for layer in self.layers.values())

    @property
    def completed(self) -> int:
        return sum(layer.completed for layer in self.layers.values())

    @property
    def downloaded(self) -> int:
        """Bytes of the layers that were not on disk already."""
        return sum(layer.completed for layer in self.layers.values() if not layer.cached)

    @property
    def fraction(self) -> float:
        if self.stage is Stage.SUCCEEDED:
            return 1.0
        total = self.total
        return self.completed / total if total else 0.0

    @property
    def elapsed(self) -> float:
        return (self.ended or self.clock()) - self.started

    def stop(self) -> None:
        """Freeze the elapsed time: the pull ended."""
        self.ended = self.ended or self.clock()

    @property
    def eta(self) -> float | None:
        """Seconds left for the layers known so far, at the smoothed rate."""
        if self.stage is not Stage.DOWNLOADING or not self.rate or self.rate <= 0:
            return None
        return (self.total - self.completed) / self.rate

    def worth_confirming_cancel(self) -> bool:
        return (
            self.fraction >= CONFIRM_CANCEL_SHARE or self.downloaded >= CONFIRM_CANCEL_BYTES
        ) and self.stage is not Stage.SUCCEEDED


class PullState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class PullJob:
    model: str
    tracker: PullTracker
    state: PullState = PullState.QUEUED
    problem: str = ""
    """The failure in plain words."""
    exists: bool = True
    """False once the registry said there is no such model: retrying cannot help."""

    @property
    def finished(self) -> bool:
        return self.state in {PullState.SUCCEEDED, PullState.FAILED, PullState.CANCELLED}

    @property
    def retryable(self) -> bool:
        return self.exists and self.state in {PullState.FAILED, PullState.CANCELLED}


def no_such_model(error: errors.OllamaError) -> bool:
    """The registry has no model or tag by that name (Ollama says so inside the stream)."""
    return "file does not exist" in error.message.lower() or isinstance(error, errors.ModelNotFound)


def explain_pull_error(error: errors.OllamaError, model: str) -> str:
    """A failed pull in plain words, each ending with what Retry does."""
    lowered = error.message.lower()
    resume = "Retry resumes from the parts already downloaded."
    if no_such_model(error):
        return (
            f"There is no model or tag called {model} on the registry. Check the spelling "
            "and the tag at ollama.com/library."
        )
    if "max retries exceeded" in lowered:
        return f"The download kept failing (the network or the registry is unreliable). {resume}"
    if "digest mismatch" in lowered:
        return (
            "A downloaded file was damaged, and Ollama deleted it. Retry downloads that file again."
        )
    if "unauthorized" in lowered or "401" in lowered or isinstance(error, errors.Unauthorized):
        return (
            "The registry refused access: the model is private or needs you to sign in "
            "(`ollama signin`)."
        )
    if isinstance(error, errors.Unreachable | errors.StreamEndedEarly):
        return f"The connection to Ollama was lost during the pull. {resume}"
    return f"{error.explain()} {resume}"
