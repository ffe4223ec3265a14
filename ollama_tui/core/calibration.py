"""How a model's prompt count relates to ours, fitted from what its server counted.

A server counts the prompt its chat template renders, with the model's tokenizer: the
text of each message at the tokenizer's own scale, plus a few tokens around every
message (role markers), plus a fixed part (start of text, the opening of the reply,
a default system prompt). One ratio cannot say that: a short first turn is mostly
fixed part and would set it far too high for a long chat. So each model has three
figures, fitted together from several requests:

    server's count ≈ per_token * our count of the text + per_message * messages + fixed

A reply tells the scale alone: the server counts what the model wrote
(``eval_count``) without any template around it, so a reply is a sample with no
messages: ``eval_count ≈ per_token * our count of its text``. With it, the first reply
already fixes ``per_token``, and the prompt's count only has the overheads to explain.

The fit minimises each sample's relative error (the meter is judged in percent),
pulled gently towards a prior so that one or two requests still give a sensible
scale: with few requests, a short one mostly moves ``fixed``, a long one ``per_token``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

KEPT_SAMPLES = 24
"""Requests remembered per model: the newest, as the model's use changes."""


@dataclass(frozen=True)
class Sample:
    """What we sent: our count of the messages' text and how many messages (none for
    a reply's own text, which ``eval_count`` counts bare)."""

    text_tokens: int
    messages: int

    @property
    def is_reply(self) -> bool:
        return self.messages == 0


@dataclass(frozen=True)
class Measured:
    sample: Sample
    counted: int
    """The server's ``prompt_eval_count`` for it."""


@dataclass(frozen=True)
class Scale:
    per_token: float = 1.0
    per_message: float = 5.0
    fixed: float = 5.0

    def message(self, text_tokens: int) -> float:
        return self.per_token * text_tokens + self.per_message

    def predict(self, sample: Sample) -> float:
        return self.per_token * sample.text_tokens + self.per_message * sample.messages + self.fixed


PRIOR = Scale()
"""Before any request: tiktoken's scale, and the overheads of common templates (Llama 3
and ChatML put five tokens around a message, and about five around the whole)."""
PRIOR_WIDTH = (2.0, 20.0, 200.0)
"""How far each figure may plausibly be from the prior (per_token, per_message, fixed)."""
PRIOR_WEIGHT = 1e-3
"""The prior weighs as much as a request missed by about 3% (squared: 1e-3)."""


PROBE_SHORT = ("Hi",)
PROBE_LONG = ("Hi", "Hello", "Bye")
"""The texts of two small chats (user, assistant, user) whose rendered prompts show a
model's template before any request: its parts around each message and around all."""
SPECIAL = re.compile(r"<\|[^|<>\s]{1,48}\|>|<(?:start|end)_of_turn>|\[/?INST\]|</?s>")
"""Marks a chat template writes as one token each (tiktoken would cut them up)."""


def template_prior(count: Callable[[str], int], short: str, long: str) -> Scale:
    """The prior of a model whose probe chats (``PROBE_SHORT``, ``PROBE_LONG``) its
    server rendered as ``short`` and ``long``: tiktoken's scale, and the template's
    own parts counted in the rendered prompts (its special marks as a token each)."""

    def rendered(text: str) -> int:
        return count(SPECIAL.sub(" ", text)) + len(SPECIAL.findall(text))

    texts = [count(text) for text in PROBE_LONG]
    per_message = (rendered(long) - rendered(short) - texts[1] - texts[2]) / 2
    fixed = rendered(short) - per_message - texts[0]
    return Scale(PRIOR.per_token, max(0.0, per_message), max(0.0, fixed))


def fit(measured: Sequence[Measured], prior: Scale = PRIOR) -> Scale:
    """The scale that best explains ``measured``; the prior alone when it is empty."""
    rows: list[tuple[list[float], float]] = []
    for m in measured:
        if m.counted <= 0:
            continue
        y = float(m.counted)
        fixed = 0.0 if m.sample.is_reply else 1 / y
        rows.append(([m.sample.text_tokens / y, m.sample.messages / y, fixed], 1.0))
    if not rows:
        return prior
    start = (prior.per_token, prior.per_message, prior.fixed)
    for j, width in enumerate(PRIOR_WIDTH):
        weight = PRIOR_WEIGHT**0.5 / width
        row = [0.0, 0.0, 0.0]
        row[j] = weight
        rows.append((row, weight * start[j]))
    solved = _least_squares(rows)
    if solved is None or solved[0] <= 0:
        return prior
    per_token, per_message, fixed = solved
    return Scale(per_token, max(0.0, per_message), max(0.0, fixed))


def _least_squares(rows: list[tuple[list[float], float]]) -> list[float] | None:
    """Solve the normal equations of ``rows`` (coefficients, target) for three unknowns."""
    size = 3
    matrix = [[0.0] * (size + 1) for _ in range(size)]
    for coefficients, target in rows:
        for i in range(size):
            for j in range(size):
                matrix[i][j] += coefficients[i] * coefficients[j]
            matrix[i][size] += coefficients[i] * target
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(matrix[r][column]))
        if abs(matrix[pivot][column]) < 1e-15:
            return None
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        for r in range(size):
            if r != column:
                factor = matrix[r][column] / matrix[column][column]
                for c in range(column, size + 1):
                    matrix[r][c] -= factor * matrix[column][c]
    return [matrix[i][size] / matrix[i][i] for i in range(size)]
