"""How a model's prompt count relates to ours, fitted from what its server counted.

A server counts the prompt its chat template renders, with the model's tokenizer: the
text of each message at the tokenizer's own scale, plus a few tokens around every
message (role markers), plus a fixed part (start of text, the opening of the reply,
a default system prompt). One ratio cannot say that: a short first turn is mostly
fixed part and would set it far too high for a long chat. So each model has three
figures, fitted together from several requests:

    server's count ≈ per_token * our count of the text + per_message * messages + fixed

A reply the model wrote is counted by the server itself (``eval_count``): when it is
sent back in a later request, that count stands for it as it is (``Sample.known``)
and only the rest is scaled. Replies are often code or tables while prompts are
prose, and the two can sit at different scales, so the scale is fitted from requests
alone and applies to what the server has not counted for us.

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
    """What we sent: our count of the messages' text, how many messages, and the
    tokens of the replies in it that the server counted when it wrote them."""

    text_tokens: int
    messages: int
    known: int = 0


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
        scaled = self.per_token * sample.text_tokens + self.per_message * sample.messages
        return scaled + self.fixed + sample.known


PRIOR = Scale()
"""Before any request: tiktoken's scale, and the overheads of common templates (Llama 3
and ChatML put five tokens around a message, and about five around the whole)."""
PRIOR_WIDTH = (2.0, 3.0, 200.0)
"""How far each figure may plausibly be from the prior (per_token, per_message, fixed).
Templates put a handful of tokens around a message, so the per-message figure is held
close: left free, it soaks up what differs between prose and code prompts, which then
misjudges the next request that holds only one of them. The fixed part may be large
(a template's default system prompt)."""
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
        if m.counted <= m.sample.known or m.sample.messages <= 0:
            continue
        y = float(m.counted)
        rows.append(
            ([m.sample.text_tokens / y, m.sample.messages / y, 1 / y], 1 - m.sample.known / y)
        )
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
