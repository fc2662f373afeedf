"""The test tree mirrors the package: one test package per layer, each a real package (``__init__.py``),
so that test modules have unique names and mypy checks them as the code they test."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lambdaperm_tui"
TESTS = ROOT / "tests"


def _python_dirs(base: Path) -> list[Path]:
    skip = {"__pycache__", "__snapshots__"}
    return sorted({p.parent for p in base.rglob("*.py") if not skip & set(p.parts)})


def test_every_layer_has_a_test_package() -> None:
    layers = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert "inventory" in layers and "ui" in layers
    missing = [name for name in layers if not (TESTS / name / "__init__.py").is_file()]
    assert missing == [], f"no tests/<layer>/__init__.py for {missing}"


def test_every_test_directory_is_a_package() -> None:
    dirs = _python_dirs(TESTS)
    assert TESTS in dirs
    missing = [str(d.relative_to(ROOT)) for d in dirs if not (d / "__init__.py").is_file()]
    assert missing == [], f"test directories without __init__.py: {missing}"
