"""Write the README's screenshots: ``python -m tests.screenshots``.

Each scene of ``tests/scenes.py`` runs against the emulator in a throwaway home folder
and is saved as ``screenshots/NAME.svg``, rendered the way the snapshot tests render it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def isolate(home: str) -> None:
    """A fresh home per scene, as each test gets: no config, history or themes."""
    os.environ["HOME"] = home
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        os.environ[name] = str(Path(home) / sub)
    os.environ.pop("OLLAMA_HOST", None)


def main() -> None:
    from ollama_tui.ui.compat import steady_cursors
    from tests.scenes import SCREENSHOTS, picture

    # As the tests do (conftest.py): a blinking cursor would make pictures differ.
    steady_cursors()
    target = ROOT / "screenshots"
    target.mkdir(exist_ok=True)
    for name in SCREENSHOTS:
        with tempfile.TemporaryDirectory() as home:
            isolate(home)
            (target / f"{name}.svg").write_text(picture(name))
        print(f"wrote screenshots/{name}.svg")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
