"""who-can benchmark (not a test): one who-can question over a generated snapshot of many roles, next to
one ``simulate`` question and ``json.load`` of the same file, all in the same run.

Run: ``.venv/bin/python benchmarks/whocan.py`` (``--roles 1000 5000`` by default, ``--quick`` for fewer
repetitions, ``--keep DIR`` to keep the snapshots).

The snapshot (fixed seed, ``benchmarks/engine.py``'s workload): N roles, each with 5 inline policies of
10 statements (every document distinct: nothing to share), a permissions boundary on one role in four,
three SCP levels, and 60 functions with AddPermission-shaped resource policies. Printed per size:

1. baselines: ``python -c pass``, and a fresh interpreter that ``json.load``s the snapshot;
2. ``python -m lambdaperm_tui simulate --snapshot FILE`` (one role, ``lambda:InvokeFunction`` on one
   function) and ``who-can`` (the same action and function) through the CLI, wall and CPU time, and the
   ratios the issue sets targets for: simulate / json.load (at most 4x), who-can / simulate (at most 1.5x);
3. in one process (as the explorer asks): the first who-can, then the same question again (warm), and a
   second question on another function (warm index, new resource).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from engine import (  # noqa: E402
    ACCOUNT,
    FUNCTIONS,
    LAST_CPU,
    SEED,
    TEAMS,
    Workload,
    function_arn,
    wall,
)

from lambdaperm_tui.inventory.model import (  # noqa: E402
    Function,
    Inventory,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
)
from lambdaperm_tui.inventory.snapshot import save_snapshot  # noqa: E402

BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/team-boundary"
ACTION = "lambda:InvokeFunction"
# Exit statuses of an answer: allowed, denied, unknown, conditional (README, exit statuses).
ANSWERED = (0, 1, 3, 4)


def make_inventory(roles: int, seed: int = SEED + 7) -> Inventory:
    """N roles of 5 distinct inline policies x 10 statements, 60 functions with resource policies."""
    w = Workload(seed)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    out_roles = []
    for i in range(roles):
        team = TEAMS[i % len(TEAMS)]
        name = f"{team}-svc-{i:05d}"
        out_roles.append(
            Role(
                arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
                name=name,
                trust_policy=PolicySlot(document=trust),
                inline_policies=tuple(
                    NamedPolicy(f"p{j}", PolicySlot(document=w.policy_document(10))) for j in range(5)
                ),
                boundary_arn=BOUNDARY_ARN if i % 4 == 0 else None,
                tags=(("team", team),),
            )
        )
    functions = []
    for region in ("us-east-1", "eu-west-1"):
        for fn in FUNCTIONS:
            arn = function_arn(fn, region)
            functions.append(
                Function(
                    arn=arn,
                    name=fn,
                    region=region,
                    account=ACCOUNT,
                    runtime="python3.12",
                    role=out_roles[hash(fn) % len(out_roles)].arn if out_roles else None,
                    policy=PolicySlot(document=w.resource_policy(arn)),
                    tags=(("team", fn.split("-")[0]),),
                    urls=(),
                )
            )
    scps = tuple(
        tuple(NamedPolicy(p["name"], PolicySlot(document=p["document"])) for p in level) for level in w.scps()
    )
    return Inventory(
        account_id=ACCOUNT,
        regions=("us-east-1", "eu-west-1"),
        captured_at="2026-11-28T12:00:00Z",
        source="benchmark",
        functions=tuple(functions),
        roles=tuple(out_roles),
        managed_policies=(ManagedPolicy(BOUNDARY_ARN, "team-boundary", PolicySlot(document=w.boundary())),),
        organization_id="o-abc123",
        scps=scps,
        rcps=(),
    )


IN_PROCESS = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from lambdaperm_tui.inventory.snapshot import read_snapshot
from lambdaperm_tui.analysis.whocan import who_can
inv = read_snapshot(sys.argv[2])
opened = time.perf_counter() - t0
out = {"open": opened}
for label, resource in (("first", sys.argv[3]), ("again", sys.argv[3]), ("other", sys.argv[4])):
    t = time.perf_counter()
    rows = who_can(inv, "lambda:InvokeFunction", resource)
    out[label] = time.perf_counter() - t
    out[label + "_rows"] = len(rows)
    out[label + "_allowed"] = sum(1 for r in rows if r.decision in ("allowed", "conditional"))
print(json.dumps(out))
"""


def bench(roles: int, runs: int, keep: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = (keep or Path(tmp)) / f"whocan-{roles}.json"
        save_snapshot(make_inventory(roles), path)
        size = path.stat().st_size
        py = sys.executable
        principal = f"arn:aws:iam::{ACCOUNT}:role/orders-svc-00000"
        resource = function_arn("orders-api")
        other = function_arn("billing-worker", "eu-west-1")
        print(f"  snapshot: {roles} roles x 5 inline policies x 10 statements, {size / 1e6:.1f} MB")
        start, _ = wall([py, "-c", "pass"], runs)
        start_cpu = LAST_CPU[0]
        load, _ = wall([py, "-c", f"import json; json.load(open({str(path)!r}, 'rb'))"], runs)
        load_cpu = LAST_CPU[0]
        base = [py, "-m", "lambdaperm_tui"]
        src = ["--snapshot", str(path)]
        sim_cmd = [
            *base,
            "simulate",
            *src,
            "--principal",
            principal,
            "--action",
            ACTION,
            "--resource",
            resource,
        ]
        sim, _ = wall(sim_cmd, runs, ANSWERED)
        sim_cpu = LAST_CPU[0]
        who_cmd = [*base, "who-can", *src, "--action", ACTION, "--resource", resource, "--json"]
        who, _ = wall(who_cmd, runs, ANSWERED)
        who_cpu = LAST_CPU[0]
        rows = json.loads(subprocess.run(who_cmd, capture_output=True, check=False).stdout)
        decisions: dict[str, int] = {}
        for r in rows:
            decisions[r["decision"]] = decisions.get(r["decision"], 0) + 1
        print(f"  baseline `python -c pass`: {start * 1000:.0f} ms (CPU {start_cpu * 1000:.0f} ms)")
        print(f"  baseline json.load of the snapshot: {load * 1000:.0f} ms (CPU {load_cpu * 1000:.0f} ms)")
        print(
            f"  simulate (one role, {ACTION}): {sim * 1000:.0f} ms (CPU {sim_cpu * 1000:.0f} ms): "
            f"{sim / load:.2f}x json.load (CPU {sim_cpu / load_cpu:.2f}x; target at most 4x)"
        )
        print(
            f"  who-can ({len(rows)} rows: {decisions}): {who * 1000:.0f} ms (CPU {who_cpu * 1000:.0f} ms): "
            f"{who / sim:.2f}x simulate (CPU {who_cpu / sim_cpu:.2f}x; target at most 1.5x)"
        )
        samples = []
        for _ in range(runs):
            proc = subprocess.run(
                [py, "-c", IN_PROCESS, str(ROOT), str(path), resource, other],
                capture_output=True,
                text=True,
                check=True,
            )
            samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(s[k] for s in samples) for k in ("open", "first", "again", "other")}
        print(
            f"  in one process: snapshot opened {med['open'] * 1000:.0f} ms; who-can first "
            f"{med['first'] * 1000:.0f} ms, the same again (warm) {med['again'] * 1000:.1f} ms, "
            f"another function (warm) {med['other'] * 1000:.1f} ms (target warm under 100 ms)"
        )
        return {"load": load, "simulate": sim, "who_can": who, **med}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--keep", metavar="DIR", type=Path, help="write the snapshots into DIR")
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "lambdaperm_tui")], check=True)
    print(f"lambdaperm-tui who-can benchmark (seed {SEED}, Python {sys.version.split()[0]})")
    for n in args.roles:
        print(f"who-can over {n} roles")
        bench(n, 3 if args.quick else 5, args.keep)


if __name__ == "__main__":
    main()
