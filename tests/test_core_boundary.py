"""The core (client, domain, history, config, paths...) must never import Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import ollama_tui

PACKAGE = Path(ollama_tui.__file__).parent
UI_MODULES = {"cli", "__main__", "ui"}
"""Top-level names under ollama_tui that are UI code and may use Textual."""


def core_modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0].removesuffix(".py") not in UI_MODULES
    ]


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def test_core_has_modules() -> None:
    names = {module_name(p) for p in core_modules()}
    assert "ollama_tui.core.ollama.client" in names
    assert "ollama_tui.ui.app" not in names
    assert "ollama_tui.services.health" in names


def test_core_source_never_imports_textual() -> None:
    offenders = []
    for path in core_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "textual"]
    assert offenders == []


def test_importing_the_core_does_not_load_textual() -> None:
    imports = "; ".join(f"import {module_name(p)}" for p in core_modules())
    code = f"import sys; {imports}; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
