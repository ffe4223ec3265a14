"""Pull progress, name checks and error wording, over the emulator's real pull stream."""

from __future__ import annotations

import pytest

from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import PullProgress
from ollama_tui.core.pulls import PullTracker, Stage, explain_pull_error, name_problem
from ollama_tui.emulator import OllamaEmulator, PullLayer, PullScript

MB = 1_000_000
CONFIG = PullLayer("sha256:" + "c" * 64, 1 * MB, cached=True)
WEIGHTS = PullLayer("sha256:" + "a" * 64, 4 * MB)
TEMPLATE = PullLayer("sha256:" + "b" * 64, 2 * MB)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_three_layers_with_one_cached_add_up(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    emulator.pulls["tiny:1b"] = PullScript(layers=[CONFIG, WEIGHTS, TEMPLATE], step=MB)
    clock = FakeClock()
    tracker = PullTracker("tiny:1b", clock=clock)
    seen: list[tuple[str, int, int, float]] = []
    async for progress in client.pull("tiny:1b"):
        clock.now += 0.5
        tracker.update(progress)
        seen.append((progress.status, tracker.completed, tracker.total, tracker.fraction))

    # The cached layer is complete at once and is not counted as downloaded.
    assert seen[1] == ("pulling cccccccccccc", MB, MB, 1.0)
    assert tracker.layers[CONFIG.digest].cached
    # The weights' pre-announcement (no bytes) is ignored; then they count 1 MB at a time.
    assert seen[2] == ("pulling aaaaaaaaaaaa", MB, MB, 1.0)
    assert seen[3] == ("pulling aaaaaaaaaaaa", 2 * MB, 5 * MB, 0.4)
    assert seen[6] == ("pulling aaaaaaaaaaaa", 5 * MB, 5 * MB, 1.0)
    assert seen[8][:3] == ("pulling bbbbbbbbbbbb", 6 * MB, 7 * MB)
    assert seen[8][3] == pytest.approx(6 / 7)
    assert [status for status, *_ in seen[-3:]] == [
        "verifying sha256 digest",
        "writing manifest",
        "success",
    ]
    assert tracker.stage is Stage.SUCCEEDED
    assert (tracker.completed, tracker.total, tracker.downloaded) == (7 * MB, 7 * MB, 6 * MB)
    assert [layer.short_digest for layer in tracker.layers.values()] == [
        "cccccccccccc",
        "aaaaaaaaaaaa",
        "bbbbbbbbbbbb",
    ]
    # 1 MB every 0.5 s, with a 1 s gap where a layer was announced; the rate stops
    # at the end of the download instead of decaying through verification.
    assert MB < (tracker.rate or 0) <= 2 * MB
    assert tracker.elapsed == pytest.approx(0.5 * len(seen))


def test_eta_uses_the_smoothed_rate() -> None:
    clock = FakeClock()
    tracker = PullTracker("m", clock=clock)
    digest = "sha256:" + "d" * 64
    for completed in (MB, 2 * MB, 3 * MB):
        clock.now += 1
        tracker.update(PullProgress("pulling dddd", digest, 10 * MB, completed))
    assert tracker.rate == pytest.approx(MB)
    assert tracker.eta == pytest.approx(7.0)
    # A burst moves the rate only part of the way.
    clock.now += 1
    tracker.update(PullProgress("pulling dddd", digest, 10 * MB, 7 * MB))
    assert MB < (tracker.rate or 0) < 4 * MB


def test_a_zero_reannouncement_keeps_the_bytes_on_disk() -> None:
    tracker = PullTracker("m")
    digest = "sha256:" + "e" * 64
    tracker.update(PullProgress("pulling eeee", digest, 10 * MB, 4 * MB))
    tracker.update(PullProgress("pulling eeee", digest, 10 * MB, 0))
    assert tracker.completed == 4 * MB


def test_cancelling_asks_first_only_once_a_large_part_is_in() -> None:
    tracker = PullTracker("m")
    digest = "sha256:" + "f" * 64
    tracker.update(PullProgress("pulling ffff", digest, 100 * MB, 10 * MB))
    assert not tracker.worth_confirming_cancel()
    tracker.update(PullProgress("pulling ffff", digest, 100 * MB, 30 * MB))
    assert tracker.worth_confirming_cancel()


@pytest.mark.parametrize(
    "name",
    ["llama3.2", "qwen3:8b", "library/llama3.2:latest", "hf.co/user/model:Q4_K_M", "a:1b-q8_0"],
)
def test_valid_names(name: str) -> None:
    assert name_problem(name) == ""


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "Type a model name"),
        ("llama 3", "no spaces"),
        ("a/b/c/d", "[host/][namespace/]model[:tag]"),
        ("../etc:passwd", "[host/][namespace/]model[:tag]"),
        ("model:", "[host/][namespace/]model[:tag]"),
        ("-model", "[host/][namespace/]model[:tag]"),
    ],
)
def test_invalid_names_say_why(name: str, words: str) -> None:
    assert words in name_problem(name)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errors.ErrorInStream("pull model manifest: file does not exist"), "no model or tag"),
        (errors.ErrorInStream("max retries exceeded: EOF"), "kept failing"),
        (errors.ErrorInStream("digest mismatch, file must be downloaded again"), "damaged"),
        (errors.ErrorInStream("pull model manifest: 401: unauthorized"), "refused access"),
        (errors.Unauthorized("unauthorized"), "refused access"),
        (errors.Unreachable("http://x", "refused"), "connection to Ollama was lost"),
        (errors.StreamEndedEarly("ended"), "connection to Ollama was lost"),
    ],
)
def test_errors_in_plain_words(error: errors.OllamaError, words: str) -> None:
    assert words in explain_pull_error(error, "nope:1b")


def test_durations_splits_and_expiry() -> None:
    from datetime import UTC, datetime, timedelta

    from ollama_tui.core.formatting import duration, expires_in, processor_split

    assert [duration(s) for s in (4.9, 185, 7800)] == ["4 s", "3 m 05 s", "2 h 10 m"]
    assert processor_split(100, 100) == "100% GPU"
    assert processor_split(100, 0) == "100% CPU"
    assert processor_split(100, 52) == "48%/52% CPU/GPU"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert expires_in(now + timedelta(minutes=4, seconds=5), now) == "in 4 m 05 s"
    assert expires_in(now + timedelta(days=3650), now) == "never (kept loaded)"
    assert expires_in(now - timedelta(seconds=1), now) == "now"
