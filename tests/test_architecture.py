"""The package's shape: the layer contracts hold (and would catch a break), and no
module imports itself through others, counting imports made inside functions."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import ollama_tui

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(ollama_tui.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=source_root,
        env={"PYTHONPATH": str(source_root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layer_contracts_hold() -> None:
    result = lint_imports(PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 kept, 0 broken" in result.stdout


def test_a_core_module_importing_the_ui_breaks_the_contracts(tmp_path: Path) -> None:
    copy = tmp_path / "ollama_tui"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    paths = copy / "core" / "paths.py"
    paths.write_text(paths.read_text() + "\n\ndef _late() -> None:\n    import ollama_tui.ui.app\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "Layers: the command line and the UI over the services over the core BROKEN" in (
        result.stdout
    )
    assert "ollama_tui.core.paths -> ollama_tui.ui.app" in result.stdout


def import_cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Groups of modules that import each other, directly or through others."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in on_stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_there_is_no_import_cycle() -> None:
    graph = grimp.build_graph("ollama_tui", cache_dir=None)
    assert len(graph.modules) > 50
    assert import_cycles(graph) == []


def test_an_import_inside_a_function_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cycling"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("from cycling import two\n")
    (package / "two.py").write_text("def late() -> None:\n    from cycling import one\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cycling", cache_dir=None)
    assert import_cycles(graph) == [{"cycling.one", "cycling.two"}]
