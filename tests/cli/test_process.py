"""The CLI as a real process: `python -m lambdaperm_tui`, import hygiene, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import allowed, explicit_deny

PY = sys.executable


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "lambdaperm_tui", *args], capture_output=True, text=True, cwd=cwd, timeout=60, check=False
    )


def test_importing_cli_loads_neither_textual_nor_boto3() -> None:
    code = (
        "import sys, lambdaperm_tui.cli, lambdaperm_tui.__main__\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual','boto3','botocore','rich'))\n"
        "print(bad)"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_scenario_batch_path_imports_only_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps(allowed()) + "\n")
    code = (
        "import sys\nfrom lambdaperm_tui.cli import main\n"
        f"main(['simulate', '--scenario', {str(path)!r}, '--json'])\n"
        "mods = sorted({m for m in sys.modules if m.startswith('lambdaperm_tui.')})\n"
        "print(mods, file=sys.stderr)"
    )
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    modules = eval(proc.stderr.strip().splitlines()[-1])  # a list literal printed by the child
    assert modules, proc.stderr
    assert all(m.startswith(("lambdaperm_tui.iam", "lambdaperm_tui.cli")) for m in modules), modules


def test_subprocess_batch_json_and_exit_code(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps(allowed()) + "\n" + json.dumps(explicit_deny()) + "\n")
    proc = cli("simulate", "--scenario", str(path), "--json", cwd=tmp_path)
    assert proc.returncode == 1
    assert [json.loads(x)["decision"] for x in proc.stdout.splitlines()] == ["allowed", "explicit_deny"]


def test_subprocess_bad_input_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        '{"principal": "arn:aws:iam::111122223333:role/r", "action": "lambda:InvokeFunction",\n x'
    )
    proc = cli("simulate", "--scenario", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid JSON at line 2, column 2" in proc.stderr
    missing = cli("simulate", "--scenario", str(tmp_path / "missing.json"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such scenario file" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_subprocess_human_output_in_ascii_terminal(tmp_path: Path) -> None:
    """With an ASCII-only output encoding the marks fall back to ASCII instead of crashing."""
    path = tmp_path / "s.json"
    path.write_text(json.dumps(allowed()))
    proc = subprocess.run(
        [PY, "-X", "utf8=0", "-m", "lambdaperm_tui", "simulate", "--scenario", str(path)],
        capture_output=True,
        env={"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"+ ALLOWED")


def test_scenario_from_standard_input(tmp_path: Path) -> None:
    """`--scenario -`: one JSON value is one scenario; several JSON lines are a batch."""
    single = subprocess.run(
        [PY, "-m", "lambdaperm_tui", "simulate", "--scenario", "-", "--json"],
        input=json.dumps(allowed(), indent=2),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert single.returncode == 0 and json.loads(single.stdout)["decision"] == "allowed"
    batch = subprocess.run(
        [PY, "-m", "lambdaperm_tui", "simulate", "--scenario", "-", "--json"],
        input=json.dumps(allowed()) + "\n" + json.dumps(explicit_deny()) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert batch.returncode == 1
    assert [json.loads(x)["decision"] for x in batch.stdout.splitlines()] == ["allowed", "explicit_deny"]
