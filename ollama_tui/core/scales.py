"""What each model's server counted for our requests (see ``calibration``), kept in the
state folder so that the meter is right from the first message after a restart, not
only after the first reply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ollama_tui.core.calibration import KEPT_SAMPLES, Measured, Sample
from ollama_tui.core.files import read_text, write_atomic

MAX_BYTES = 1024 * 1024
VERSION = 3
"""Version 3 counts the replies in a request apart (``Sample.known``); the samples of
earlier versions took them at our own scale, so they are learnt anew."""
LIMIT = 10_000_000
"""Tokens or messages beyond this are not a request's: the entry is ignored."""


class ScaleStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem = ""
        """Why the samples could not be read or kept (they are then learnt afresh)."""

    def load(self) -> dict[str, list[Measured]]:
        try:
            data = json.loads(read_text(self.path, MAX_BYTES))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            self.problem = f"{self.path} could not be read ({error}); the meter learns anew."
            return {}
        models = data.get("models") if isinstance(data, dict) else None
        if not isinstance(models, dict) or data.get("version") != VERSION:
            return {}  # another version's file: learnt anew, and replaced when saved
        loaded = {str(model): _samples(rows) for model, rows in models.items()}
        return {model: rows for model, rows in loaded.items() if rows}

    def save(self, measured: dict[str, list[Measured]]) -> None:
        models = {
            model: [
                [m.sample.text_tokens, m.sample.messages, m.counted, m.sample.known] for m in rows
            ]
            for model, rows in measured.items()
        }
        text = json.dumps({"version": VERSION, "models": models}, sort_keys=True)
        try:
            write_atomic(self.path, text.encode())
        except OSError as error:
            self.problem = f"{self.path} could not be written ({error})."


def _samples(rows: Any) -> list[Measured]:
    """[our tokens, messages, the server's count, the replies' tokens it had counted]
    rows, the newest last; a row that is not that is skipped."""
    if not isinstance(rows, list):
        return []
    kept = []
    for row in rows:
        if (
            isinstance(row, list)
            and len(row) == 4
            and all(type(n) is int and 0 <= n < LIMIT for n in row)
            and row[0] > 0
            and row[1] > 0
            and row[2] > 0
        ):
            kept.append(Measured(Sample(row[0], row[1], row[3]), row[2]))
    return kept[-KEPT_SAMPLES:]
