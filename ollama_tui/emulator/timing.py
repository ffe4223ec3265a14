"""How long a generation takes on the emulated server, and the figures it reports.

A model that is not loaded, or is loaded with another ``num_ctx``, loads first
(``FakeModel.load_seconds``); the prompt is evaluated at ``prefill_tps`` except for the
prefix it shares with the model's previous prompt, which the prompt cache holds; the
reply is generated at ``eval_tps``. ``prompt_eval_count`` is the whole prompt, cached
prefix included, as Ollama 0.12 reports it, and ``prompt_eval_duration`` covers only
the tokens evaluated. With ``pace`` above 0 the emulator also takes that long (scaled):
it waits for the load and the prefill before the first token, and sends an unpaced
script's tokens at the model's rate, so a client sees the figures it is told."""

from __future__ import annotations

from dataclasses import dataclass, field

from ollama_tui.emulator.models import FakeModel

WARM_LOAD_SECONDS = 0.004
"""What a loaded model's ``load_duration`` shows: the request reaching its runner."""
OVERHEAD_SECONDS = 0.003


@dataclass
class Timing:
    load_s: float
    prompt_tokens: int
    prefill_s: float

    def stats(self, eval_count: int, eval_tps: float) -> dict[str, int]:
        eval_s = eval_count / eval_tps
        total = self.load_s + self.prefill_s + eval_s + OVERHEAD_SECONDS
        return {
            "total_duration": nanoseconds(total),
            "load_duration": nanoseconds(self.load_s),
            "prompt_eval_count": self.prompt_tokens,
            "prompt_eval_duration": nanoseconds(self.prefill_s),
            "eval_count": eval_count,
            "eval_duration": nanoseconds(eval_s),
        }


@dataclass
class PromptCache:
    """Each model's previous prompt, as rendered, to find the prefix a new one reuses."""

    last: dict[str, str] = field(default_factory=dict)

    def reuse(self, model: str, rendered: str) -> float:
        """Take ``rendered`` as the model's prompt now; the share of it that its previous
        prompt began with (and the cache holds)."""
        previous = self.last.get(model, "")
        self.last[model] = rendered
        shared = shared_prefix(previous, rendered)
        return shared / len(rendered) if rendered else 0.0

    def forget(self, model: str) -> None:
        """An unloaded model's cache goes with it."""
        self.last.pop(model, None)


def shared_prefix(first: str, second: str) -> int:
    """How many characters the two strings begin with alike."""
    length = min(len(first), len(second))
    return next((i for i in range(length) if first[i] != second[i]), length)


def timing_for(
    model: FakeModel,
    *,
    cold: bool,
    prompt_tokens: int,
    reused_share: float,
) -> Timing:
    cached = 0 if cold else min(prompt_tokens - 1, int(prompt_tokens * reused_share))
    cached = max(0, cached)
    return Timing(
        load_s=model.load_seconds if cold else WARM_LOAD_SECONDS,
        prompt_tokens=prompt_tokens,
        prefill_s=(prompt_tokens - cached) / model.prefill_tps,
    )


def nanoseconds(seconds: float) -> int:
    return round(seconds * 1e9)
