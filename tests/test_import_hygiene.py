"""Layer rules (docs/ARCHITECTURE.md, "Layers"): the engine, inventory and analysis layers never pull in
textual or boto3, so the CLI's scenario path and library users stay fast and light. Checked in a fresh
interpreter so that modules imported by other tests cannot hide a violation."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FORBIDDEN = ("textual", "boto3", "botocore", "rich")


@pytest.mark.parametrize(
    "package", ["lambdaperm_tui.iam", "lambdaperm_tui.inventory", "lambdaperm_tui.analysis"]
)
def test_package_imports_without_ui_or_aws_libraries(package: str) -> None:
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(k for k in sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    bad = sorted({m for m in loaded if m.split(".")[0] in FORBIDDEN})
    assert bad == [], f"{package} imports {bad}"
    assert package in loaded


def test_engine_uses_only_the_standard_library() -> None:
    """iam/ is stdlib only: every module it loads is stdlib or lambdaperm_tui itself."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        "before = set(sys.modules)\n"
        "pkg = importlib.import_module('lambdaperm_tui.iam')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "new = sorted({k.split('.')[0] for k in set(sys.modules) - before})\n"
        "print(json.dumps([k for k in new if k not in sys.stdlib_module_names and not k.startswith('_')]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == ["lambdaperm_tui"]
