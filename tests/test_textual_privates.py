"""Textual's private names are used only under ``ollama_tui/ui/compat``.

Textual is pinned to one version, and its private names (``_x`` attributes and
methods, ``textual.*._*`` modules, methods it calls by a private name) change
without notice between versions. Keeping every use in one place, each with a
canary in ``tests/test_compat.py``, means an upgrade breaks a known test rather
than the app. The package's source is read with ``ast``:

- no import of a ``textual`` module path with a ``_x`` segment, nor of a ``_x`` name;
- ``x._name`` only on ``self``, ``cls`` or ``super()`` in a method, for a name that no
  Textual base of the class has (``getattr`` and friends with a literal name alike);
- no class with a Textual base defines a ``_name`` that a Textual base also has, nor
  one Textual looks up by its form (``_on_key``, ``_watch_x``, ``_action_x``...).

A mixin of ours counts as having the Textual bases of the classes it is mixed into.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from textual.reactive import Reactive

import ollama_tui

PACKAGE = Path(ollama_tui.__file__).parent
COMPAT = (PACKAGE / "ui" / "compat.py", PACKAGE / "ui" / "compat")
"""The one place allowed to use Textual's private names: a module, or a package."""

NAMEDTUPLE_API = frozenset({"_replace", "_asdict", "_fields", "_field_defaults", "_make"})
"""Names that start with ``_`` but are the public API of named tuples (Region, Size...)."""
OS_EXIT = "_exit"
"""``os._exit``: documented Python, not Textual's (allowed on ``os`` only)."""
HOOK_PREFIXES = ("_on_", "_action_", "_watch_", "_validate_", "_compute_")
"""Private methods Textual finds by their name: handlers, actions, reactive hooks."""
REACTIVE_PREFIXES = ("_reactive_", "_default_")
"""Where Textual keeps each reactive's value and default, on the instance and the class."""
NAME_FUNCTIONS = frozenset({"getattr", "setattr", "hasattr", "delattr"})
IMPORT_FUNCTIONS = frozenset({"import_module", "__import__"})


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_textual(cls: type) -> bool:
    return cls.__module__.partition(".")[0] == "textual"


def in_compat(path: Path) -> bool:
    return any(place == path or place in path.parents for place in COMPAT)


def sources() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if not in_compat(path))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def private_names_of(textual_class: type) -> frozenset[str]:
    """The private names a Textual class defines, or uses on its instances."""
    names = {name for name in vars(textual_class) if is_private(name)}
    for name, value in vars(textual_class).items():
        if isinstance(value, Reactive):
            names |= {prefix + name for prefix in REACTIVE_PREFIXES}
    try:
        source = textwrap.dedent(inspect.getsource(textual_class))
    except (OSError, TypeError):
        return frozenset(names)
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
            and is_private(node.attr)
        ):
            names.add(node.attr)
    return frozenset(names)


def classes_in(module: ModuleType) -> Iterator[type]:
    """The classes a module defines, nested ones included."""

    def nested(value: type) -> Iterator[type]:
        yield value
        for inner in vars(value).values():
            if isinstance(inner, type) and inner.__qualname__.startswith(value.__qualname__ + "."):
                yield from nested(inner)

    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__:
            yield from nested(value)


@cache
def package_classes() -> tuple[type, ...]:
    """Every class the package defines, compat included."""
    found: list[type] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.ClassDef) for node in ast.walk(tree)):
            found.extend(classes_in(importlib.import_module(module_name(path))))
    return tuple(dict.fromkeys(found))


@cache
def textual_bases(cls: type) -> tuple[type, ...]:
    """The Textual classes that objects ``cls`` is part of are instances of: the
    Textual bases of each class of ours (or of ``cls``'s module) based on ``cls``."""
    ours = (*package_classes(), *classes_in(sys.modules[cls.__module__]))
    users = [user for user in (cls, *ours) if cls in user.__mro__]
    return tuple(dict.fromkeys(base for user in users for base in user.__mro__ if is_textual(base)))


@cache
def textual_names_for(cls: type) -> frozenset[str]:
    return frozenset(name for base in textual_bases(cls) for name in private_names_of(base))


def resolve(module: str, qualname: str) -> type:
    value: object = importlib.import_module(module)
    for part in qualname.split("."):
        value = getattr(value, part)
    assert isinstance(value, type), f"{module}.{qualname} is not a class"
    return value


@dataclass(frozen=True)
class Use:
    line: int
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}"


class PrivateUses(ast.NodeVisitor):
    """Collects a module's uses of Textual's private names (its classes are looked
    up in the imported module)."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.classes: list[tuple[str, type]] = []
        """The classes being visited, innermost last, with their qualified names."""
        self.in_method = False
        self.uses: list[Use] = []

    def found(self, node: ast.AST, what: str) -> None:
        self.uses.append(Use(getattr(node, "lineno", 0), what))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_module(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or node.module is None or node.module.partition(".")[0] != "textual":
            return
        self.check_module(node, node.module)
        for alias in node.names:
            if is_private(alias.name):
                self.found(node, f"imports the private name {node.module}.{alias.name}")

    def check_module(self, node: ast.AST, name: str) -> None:
        parts = name.split(".")
        if parts[0] == "textual" and any(is_private(part) for part in parts):
            self.found(node, f"imports the private module {name}")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qualname = f"{self.classes[-1][0]}.{node.name}" if self.classes else node.name
        cls = resolve(self.module, qualname)
        if textual_bases(cls):
            self.check_definitions(node, cls)
        in_method = self.in_method
        self.classes.append((qualname, cls))
        self.in_method = False
        self.generic_visit(node)
        self.classes.pop()
        self.in_method = in_method

    def check_definitions(self, node: ast.ClassDef, cls: type) -> None:
        textual = textual_names_for(cls)
        for statement in node.body:
            for name, at in defined_names(statement):
                if not is_private(name):
                    continue
                if name in textual:
                    self.found(at, f"{node.name} defines {name}, which Textual also has")
                elif name.startswith(HOOK_PREFIXES + REACTIVE_PREFIXES):
                    self.found(at, f"{node.name} defines {name}, a name Textual looks up")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        in_method = self.in_method
        self.in_method = in_method or bool(self.classes)
        self.generic_visit(node)
        self.in_method = in_method

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.check_access(node, node.value, node.attr)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        literals = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        if name in NAME_FUNCTIONS and len(literals) >= 2 and isinstance(literals[1], str):
            self.check_access(node, node.args[0], literals[1])
        if name in IMPORT_FUNCTIONS and literals and isinstance(literals[0], str):
            self.check_module(node, literals[0])
        self.generic_visit(node)

    def check_access(self, node: ast.AST, owner: ast.expr, name: str) -> None:
        if not is_private(name) or name in NAMEDTUPLE_API:
            return
        if name == OS_EXIT and isinstance(owner, ast.Name) and owner.id == "os":
            return
        if self.in_method and is_self(owner):
            cls = self.classes[-1][1]
            if name in textual_names_for(cls):
                self.found(node, f"uses {name}, which a Textual base of {cls.__name__} has")
            return
        self.found(node, f"uses {name} on {ast.unparse(owner)}, not on self or cls")


def is_self(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in ("self", "cls")
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "super"
        and not node.args
    )


def defined_names(statement: ast.stmt) -> Iterator[tuple[str, ast.AST]]:
    """The names a statement in a class body defines on the class."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield statement.name, statement
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
        targets = [statement.target]
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                yield node.id, node


def private_uses(source: str, module: str) -> list[Use]:
    visitor = PrivateUses(module)
    visitor.visit(ast.parse(source))
    return visitor.uses


@pytest.mark.parametrize("path", sources(), ids=module_name)
def test_no_textual_private_outside_compat(path: Path) -> None:
    uses = private_uses(path.read_text(encoding="utf-8"), module_name(path))
    where = path.relative_to(PACKAGE.parent)
    assert not uses, f"Textual private names in {where}:\n" + "\n".join(map(str, uses))


def test_compat_is_left_out_and_the_rest_is_read() -> None:
    names = {module_name(path) for path in sources()}
    assert "ollama_tui.ui.compat" not in names
    assert {"ollama_tui.ui.app", "ollama_tui.ui.chatlog.view"} <= names


PROBE = """
import importlib
from textual import _ansi_sequences  # found
import textual._xterm_parser  # found
from textual.widgets._markdown import MarkdownTable  # found
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Markdown, TextArea

importlib.import_module("textual._context")  # found
original = Widget._size_updated  # found


def patch(self: Widget) -> None:
    self._size_updated = None  # found


class Mixin:
    def _own(self) -> None:
        self._layout_cache = None  # found


class Editor(TextArea, Mixin):
    _cursor_visible = False  # found

    async def _on_key(self, event: object) -> None:  # found
        await super()._on_key(event)  # found

    def _watch_draft(self) -> None:  # found
        getattr(self, "_cursor_visible")  # found
        Editor()._recall = 0  # found


class Document(Markdown):
    def _parse_markdown(self, tokens: object) -> list[object]:  # found
        return []


class Helper:
    def _help(self) -> None:
        self._layout_cache = None


class Lines(Widget):
    _painted = 0

    def _paint(self, region: Region) -> Region:
        self._painted += 1
        self._recall = getattr(self, "_painted")
        return region._replace(height=1)

    @classmethod
    def _make(cls) -> None:
        cls._painted = 1
"""


def test_the_checks_find_each_kind_of_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "textual_privates_probe.py").write_text(PROBE, encoding="utf-8")
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "textual_privates_probe", raising=False)
    try:
        uses = private_uses(PROBE, "textual_privates_probe")
    finally:
        sys.modules.pop("textual_privates_probe", None)
    expected = [n for n, line in enumerate(PROBE.splitlines(), 1) if line.endswith("# found")]
    assert sorted({use.line for use in uses}) == expected, "\n".join(map(str, uses))
