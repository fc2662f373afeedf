"""Untrusted text is inert in the CLI's output (issue 7, item 7): ``simulate``, ``who-can``, scenario files,
batches and error lines over a hostile snapshot, each run as a real process. No raw control, bidi or
format character may reach stdout or stderr (only the newlines between lines); ``--json`` is ASCII and
keeps the exact values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lambdaperm_tui.inventory.snapshot import save_snapshot
from tests.hostile import EVIL, FUNCTION_ARN, ROLE_ARN, TEXT, hostile_inventory, leaks

from .conftest import policy, scenario


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambdaperm_tui", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        cwd=cwd,
        timeout=120,
        check=False,
    )


def assert_inert(proc: subprocess.CompletedProcess[str]) -> None:
    for name, out in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        bad = sorted({c for line in out.split("\n") for c in leaks(line)})
        assert not bad, f"{name} holds raw {bad}: {out[:300]!r}"
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    save_snapshot(hostile_inventory(), path)
    return path


def test_simulate_over_a_hostile_snapshot(snapshot: Path) -> None:
    args = (
        "--principal",
        "s3.amazonaws.com",
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        FUNCTION_ARN,
    )
    proc = cli("--snapshot", str(snapshot), "simulate", *args, cwd=snapshot.parent)
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert_inert(proc)
    assert "\\x1b]52;c;SGFja2Vk\\x07" in proc.stdout  # the function's name, shown with visible escapes
    assert "\\u202e" in proc.stdout
    as_json = cli("--snapshot", str(snapshot), "simulate", *args, "--json", cwd=snapshot.parent)
    assert_inert(as_json)
    assert as_json.stdout.isascii()
    body = json.loads(as_json.stdout)
    assert body["resource"] == FUNCTION_ARN  # exact, not the shown form
    words = {"allowed": "ALLOWED", "explicit_deny": "DENIED", "implicit_deny": "DENIED", "unknown": "UNKNOWN"}
    assert words[body["decision"]] in proc.stdout.splitlines()[0]  # the same answer, only shown inert


def test_who_can_over_a_hostile_snapshot(snapshot: Path) -> None:
    args = ("--snapshot", str(snapshot), "who-can", "--action", "lambda:InvokeFunction", "--resource")
    proc = cli(*args, FUNCTION_ARN, cwd=snapshot.parent)
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert_inert(proc)
    assert "principals allowed" in proc.stdout
    as_json = cli(*args, FUNCTION_ARN, "--json", cwd=snapshot.parent)
    assert_inert(as_json)
    assert as_json.stdout.isascii()
    assert json.loads(as_json.stdout)


def test_error_lines_quoting_hostile_values(snapshot: Path, tmp_path: Path) -> None:
    # A principal that does not parse: the one-line error quotes it.
    bad_principal = cli(
        "--snapshot",
        str(snapshot),
        "simulate",
        "--principal",
        ROLE_ARN,
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        FUNCTION_ARN,
        cwd=tmp_path,
    )
    assert bad_principal.returncode == 2
    assert_inert(bad_principal)
    assert len(bad_principal.stderr.strip().splitlines()) == 1
    # A snapshot path that does not exist, named with control characters.
    missing = cli(
        "--snapshot",
        str(tmp_path / f"x{EVIL}.json"),
        "who-can",
        "--action",
        "a",
        "--resource",
        "r",
        cwd=tmp_path,
    )
    assert missing.returncode == 2
    assert_inert(missing)
    # An unknown action, quoted back.
    bad_action = cli(
        "--snapshot",
        str(snapshot),
        "who-can",
        "--action",
        "lambda:Invoke" + EVIL,
        "--resource",
        FUNCTION_ARN,
        cwd=tmp_path,
    )
    assert bad_action.returncode == 2
    assert_inert(bad_action)


def test_scenario_file_and_batch_with_hostile_names(tmp_path: Path) -> None:
    doc = policy(sid="Sid" + EVIL)
    one = tmp_path / "one.json"
    one.write_text(
        json.dumps(scenario(identity_policies=[{"name": "policy" + TEXT, "document": doc}])), encoding="utf-8"
    )
    proc = cli("simulate", "--scenario", str(one), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_inert(proc)
    assert "Sid\\x1b]52" in proc.stdout
    batch = tmp_path / "b.jsonl"
    bad = scenario(identity_policies=[{"name": "p" + EVIL, "document": {"Statement": [{"Effect": EVIL}]}}])
    batch.write_text(
        json.dumps(scenario(identity_policies=[doc])) + "\n" + json.dumps(bad) + "\n", encoding="utf-8"
    )
    human = cli("simulate", "--scenario", str(batch), cwd=tmp_path)
    assert human.returncode == 2
    assert_inert(human)
    assert "line 2: error:" in human.stdout
    as_json = cli("simulate", "--scenario", str(batch), "--json", cwd=tmp_path)
    assert_inert(as_json)
    assert as_json.stdout.isascii()
