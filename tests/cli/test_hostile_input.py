"""Hostile input stays cheap: the command line as a subprocess over crafted snapshots and files.

Wildcards (``*`` any run, ``?`` one character) in Resource and StringLike:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from lambdaperm_tui.inventory.model import NO_POLICY, Function, Inventory, NamedPolicy, PolicySlot, Role
from lambdaperm_tui.inventory.snapshot import save_snapshot

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAME = "a" * 64
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
# A generous bound: the old regex matcher took 22 s and more on this snapshot; the process itself
# starts in well under a second.
TIMEOUT_S = 60


def _cli(*argv: str, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambdaperm_tui", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _hostile_inventory(roles: int) -> Inventory:
    stars = "*a" * 8 + "b"  # 8 * against a 64-character name with no "b": every placement fails
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": f"arn:aws:lambda:*:*:function:{stars}",
            },
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalTag/team": stars, "aws:userid": stars}},
            },
        ],
    }
    trust = PolicySlot(
        document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    return Inventory(
        account_id=ACCOUNT,
        regions=(REGION,),
        captured_at="2026-11-28T10:00:00Z",
        source="test",
        functions=(Function(arn=FN, name=NAME, region=REGION, account=ACCOUNT, policy=NO_POLICY, urls=()),),
        roles=tuple(
            Role(
                arn=f"arn:aws:iam::{ACCOUNT}:role/r{i}",
                name=f"r{i}",
                trust_policy=trust,
                inline_policies=(NamedPolicy("hostile", PolicySlot(document=document)),),
                tags=(("team", "a" * 64),),
            )
            for i in range(roles)
        ),
        users=(),
        scps=(),
        rcps=(),
    )


def test_who_can_over_a_hostile_statement_finishes_quickly(tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    save_snapshot(_hostile_inventory(20), path)
    proc = _cli(
        "who-can", "--action", "lambda:InvokeFunction", "--resource", FN, "--snapshot", str(path), "--json"
    )
    assert proc.returncode == 0, proc.stderr  # the account root is allowed (it holds every permission)
    rows = {row["principal"]: row["decision"] for row in json.loads(proc.stdout)}
    roles = {p: d for p, d in rows.items() if ":role/" in p}
    assert len(roles) == 20
    assert set(roles.values()) == {"implicit_deny"}  # no pattern matches the name


# -- inputs: only regular files (or "-"), of bounded size; a crash never exits 1 ("denied") ------------


def _refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def _who_can(snapshot: str) -> subprocess.CompletedProcess[str]:
    return _cli("who-can", "--action", "lambda:InvokeFunction", "--resource", FN, "--snapshot", snapshot)


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    _refused(_cli("simulate", "--scenario", str(fifo), timeout=30), "FIFO", "not a regular file")
    _refused(_who_can(str(fifo)), "FIFO", "not a regular file")


def test_dev_zero_and_a_link_to_it_are_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    _refused(_cli("simulate", "--scenario", "/dev/zero", timeout=30), "device")
    _refused(_cli("simulate", "--scenario", str(link), timeout=30), "device")
    _refused(_who_can(str(link)), "device")


def test_oversized_files_are_refused_naming_the_limit(tmp_path: Path) -> None:
    """Sparse files: as large as a real file for every check, but no disk is used."""
    scenario = tmp_path / "huge.jsonl"
    with open(scenario, "wb") as fh:
        fh.truncate(64 * 1024 * 1024 + 1)
    _refused(_cli("simulate", "--scenario", str(scenario), timeout=30), "64 MB")
    snapshot = tmp_path / "huge.json"
    with open(snapshot, "wb") as fh:
        fh.truncate(512 * 1024 * 1024 + 1)
    _refused(_who_can(str(snapshot)), "512 MB")


def test_standard_input_is_bounded_too(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run(
            [sys.executable, "-m", "lambdaperm_tui", "simulate", "--scenario", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    _refused(proc, "64 MB")


def test_an_unexpected_exception_exits_2_with_one_line(tmp_path: Path) -> None:
    """Exit status 1 means "denied": a crash must never look like one. A bug is simulated by making
    the engine's evaluate raise (in the child process only)."""
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "principal": f"arn:aws:iam::{ACCOUNT}:role/r",
                "action": "lambda:InvokeFunction",
                "resource": FN,
                "identity_policies": [],
            }
        )
    )
    code = (
        "import sys, lambdaperm_tui.iam\n"
        "e = sys.modules['lambdaperm_tui.iam.evaluate']\n"
        "def boom(*a, **k): raise RuntimeError('engine bug')\n"
        "e.evaluate = boom\n"
        "from lambdaperm_tui.cli import main\n"
        f"sys.exit(main(['simulate', '--scenario', {str(path)!r}]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    _refused(proc, "internal error", "RuntimeError", "engine bug")


# -- snapshot -o: only a regular file or a new path is replaced; an interrupted save leaves nothing ---


def _small_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "in.json"
    save_snapshot(_hostile_inventory(1), path)
    return path


def test_snapshot_output_refuses_links_fifos_and_directories(tmp_path: Path) -> None:
    source = _small_snapshot(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    _refused(_cli("snapshot", "-o", str(link), "--snapshot", str(source)), "symbolic link", "refusing")
    assert link.is_symlink() and victim.read_text() == "keep me"
    null_like = tmp_path / "null.json"
    null_like.symlink_to("/dev/null")
    _refused(_cli("snapshot", "-o", str(null_like), "--snapshot", str(source)), "symbolic link")
    assert null_like.is_symlink()
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    _refused(_cli("snapshot", "-o", str(fifo), "--snapshot", str(source), timeout=30), "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    _refused(_cli("snapshot", "-o", str(tmp_path), "--snapshot", str(source)), "directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.json", "victim.txt", "link.json", "null.json", "fifo.json"]
    )
    # A regular file is replaced, as before.
    out = tmp_path / "out.json"
    out.write_text("old")
    assert _cli("snapshot", "-o", str(out), "--snapshot", str(source)).returncode == 0
    assert json.loads(out.read_text())["format"] == "lambdaperm-tui-snapshot"


def test_sigint_during_a_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    """A real SIGINT, sent by the child to itself once the whole temporary file is written (from
    os.fsync, so the moment is deterministic), ends the save: exit 130, no temporary file, and the
    previous snapshot untouched."""
    source = _small_snapshot(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "snap.json"
    out.write_text("previous")
    code = (
        "import os, signal, sys, time\n"
        "real = os.fsync\n"
        "def fsync(fd):\n"
        "    real(fd)\n"
        "    assert os.fstat(fd).st_size > 0\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(5)\n"
        "os.fsync = fsync\n"
        "from lambdaperm_tui.cli import main\n"
        f"sys.exit(main(['snapshot', '-o', {str(out)!r}, '--snapshot', {str(source)!r}]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr
    assert [p.name for p in out_dir.iterdir()] == ["snap.json"]
    assert out.read_text() == "previous"


def test_findings_policy_file_is_bounded_too(tmp_path: Path) -> None:
    fifo = tmp_path / "policy.json"
    os.mkfifo(fifo)
    proc = _cli("findings", "--policy", str(fifo), "--resource", FN, timeout=30)
    _refused(proc, "FIFO", "not a regular file")
    _refused(_cli("findings", "--policy", "/dev/zero", "--resource", FN, timeout=30), "device")
