"""Textual's internals are used in one module (ui/widgets/textual_internals.py), behind a version check.

A Textual upgrade changes private attributes without notice; used all over the UI they would fail silently
(stale rows, lost keys). The module checks the version when imported; this test checks that it refuses
another version, and that no other module under ``ui/`` reads, writes or overrides a private attribute
Textual defines.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from functools import cache
from pathlib import Path

import pytest
import textual

from lambdaperm_tui.ui.widgets import textual_internals
from lambdaperm_tui.ui.widgets.textual_internals import (
    SUPPORTED_TEXTUAL,
    UnsupportedTextual,
    check_textual_version,
)

UI = Path(textual_internals.__file__).resolve().parent.parent
INTERNALS = Path(textual_internals.__file__).resolve()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined_names(tree: ast.AST) -> set[str]:
    """Private names a module defines: methods, functions, classes and ``self._x = ...`` attributes."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _private(node.name):
            out.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr):
            out.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and _private(node.id):
            out.add(node.id)
    return out


@cache
def textual_private_names() -> frozenset[str]:
    """Every private name Textual's own source defines."""
    names: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        names |= _defined_names(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(names)


def _ui_modules() -> list[Path]:
    return sorted(p for p in UI.rglob("*.py") if p.resolve() != INTERNALS)


def _module_name(path: Path) -> str:
    parts = path.resolve().relative_to(UI.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def overrides() -> list[str]:
    """Private methods of Textual's classes that a UI class defines again (``OptionList._on_key``, ...)."""
    out = []
    for path in _ui_modules():
        module = importlib.import_module(_module_name(path))
        for cls in vars(module).values():
            if not isinstance(cls, type) or cls.__module__ != module.__name__:
                continue
            textual_bases = [b for b in cls.__mro__[1:] if b.__module__.split(".")[0] == "textual"]
            for name, value in vars(cls).items():
                # Methods only: Textual's metaclass adds private bookkeeping of its own to every class.
                if not inspect.isfunction(value) or not _private(name):
                    continue
                if any(hasattr(b, name) for b in textual_bases):
                    out.append(f"{path.name}: {cls.__name__}.{name} overrides Textual's")
    return out


def _violations(path: Path, ours: set[str]) -> list[str]:
    """Reads and writes of ``._name`` where ``_name`` is private to Textual and not the UI's own."""
    textual_names = textual_private_names()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno} uses .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in textual_names and node.attr not in ours
    ]


def test_no_ui_class_overrides_a_private_textual_method() -> None:
    assert overrides() == []


def test_only_the_internals_module_touches_textual_private_attributes() -> None:
    # Names the UI defines itself (its own methods and attributes, none of them an override, see above) are
    # its own even where some Textual class happens to use the same name.
    ours: set[str] = set()
    for path in _ui_modules():
        ours |= _defined_names(ast.parse(path.read_text(encoding="utf-8")))
    found = [v for path in _ui_modules() for v in _violations(path, ours)]
    assert found == []


def test_the_scan_sees_a_private_attribute(tmp_path: Path) -> None:
    """The scan is not blind: a module reading a Tree's line cache is reported."""
    module = tmp_path / "bad.py"
    module.write_text("def f(tree):\n    return tree._line_cache\n", encoding="utf-8")
    assert _violations(module, set()) == ["bad.py:2 uses ._line_cache"]


def test_the_installed_textual_is_the_supported_one() -> None:
    assert textual.__version__ == SUPPORTED_TEXTUAL
    check_textual_version(textual.__version__)


@pytest.mark.parametrize("version", ["8.2.9", "9.0.0", "8.2", ""])
def test_another_textual_version_fails_loudly(version: str) -> None:
    with pytest.raises(UnsupportedTextual, match=f"needs Textual {SUPPORTED_TEXTUAL}"):
        check_textual_version(version)
