"""Each model's scale for the context meter (the server's ``prompt_eval_count`` over
our own count of the same request), kept in the state folder so that the meter is
right from the first message after a restart, not only after the first reply."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ollama_tui.core.files import read_text, write_atomic

MAX_BYTES = 256 * 1024
SANE = (0.05, 20.0)
"""A scale outside this range is not a tokenizer's: it is ignored."""


class ScaleStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem = ""
        """Why the scales could not be read or kept (they are then learnt afresh)."""

    def load(self) -> dict[str, float]:
        try:
            data = json.loads(read_text(self.path, MAX_BYTES))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            self.problem = f"{self.path} could not be read ({error}); the meter learns anew."
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            str(model): float(scale)
            for model, scale in data.items()
            if isinstance(scale, int | float) and math.isfinite(scale) and sane(scale)
        }

    def save(self, scales: dict[str, float]) -> None:
        try:
            write_atomic(self.path, json.dumps(scales, indent=1, sort_keys=True).encode())
        except OSError as error:
            self.problem = f"{self.path} could not be written ({error})."


def sane(scale: float) -> bool:
    return SANE[0] <= scale <= SANE[1]
