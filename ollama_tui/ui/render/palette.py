"""Stand-in until the renderer lands (replaced by the render branch)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    name: str = "stand-in"

    @classmethod
    def from_variables(cls, variables: Mapping[str, str], dark: bool) -> Palette:
        return cls()


DEFAULT = Palette()
