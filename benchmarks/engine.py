"""Engine benchmark (not a test): single decisions per second, and a 2,000-scenario batch through the CLI.

Run: ``.venv/bin/python benchmarks/engine.py`` (``--quick`` for fewer repetitions).

The workload is generated with a fixed seed so that every run measures the same thing:

- roles with 5-20 identity policies of 5-30 statements each: actions of several services with and
  without wildcards, resource ARNs with wildcards, NotAction/NotResource, about one statement in four
  with conditions (StringEquals on principal tags, IpAddress, Bool, DateLessThan, ArnLike/StringLike),
  some Deny statements; a permissions boundary for some roles;
- Lambda resource policies in AddPermission shape (service principals with ``aws:SourceArn`` /
  ``aws:SourceAccount``, other accounts, an organization grant);
- three SCP levels (FullAWSAccess at the root, a region guard and a service allow-list below).

Printed figures:

1. a role with exactly 10 policies: median microseconds per decision, with and without explanation,
   and decisions per second (mean) for each; then the same requests over an open context (every key
   a request does not give is open, so answers that hinge on one are conditional), next to the closed
   answer (target: at most 3x);
2. the wall time of ``python -m lambdaperm_tui simulate --scenario batch.jsonl --json`` over 2,000
   scenarios (heavy: 40 roles' policies reused; light: a CI check's shape; diverse: every scenario its
   own policies, so nothing parsed is reused; process start included; median of several runs), next to
   baselines measured in the same run: ``python -c pass`` and json-parsing the batch file alone in a
   fresh interpreter;
3. with ``--iam-simulate DIR``: iam-simulate's batch on the same files, and how often it decides alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lambdaperm_tui.iam import PolicySet, Request, evaluate, parse_policy, parse_principal  # noqa: E402

SEED = 20240501
ACCOUNT = "111122223333"
OTHER_ACCOUNTS = ("444455556666", "777788889999", "222233334444")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
TEAMS = ("orders", "billing", "search", "payments", "platform")
FUNCTIONS = tuple(
    f"{team}-{part}" for team in TEAMS for part in ("api", "worker", "ingest", "report", "sync", "auth")
)
SERVICES = {
    "lambda": (
        "InvokeFunction",
        "GetFunction",
        "ListFunctions",
        "UpdateFunctionCode",
        "CreateFunction",
        "GetPolicy",
        "AddPermission",
        "PublishVersion",
        "InvokeFunctionUrl",
        "GetLayerVersion",
    ),
    "s3": ("GetObject", "PutObject", "ListBucket", "DeleteObject", "GetBucketPolicy"),
    "dynamodb": ("GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem"),
    "sqs": ("SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"),
    "logs": ("CreateLogGroup", "CreateLogStream", "PutLogEvents"),
    "iam": ("PassRole", "GetRole", "ListRoles"),
    "kms": ("Decrypt", "Encrypt", "GenerateDataKey"),
}


# Actions a request may name, each with a resource of the type it takes (no list-only actions).
REQUEST_ACTIONS = {
    service: tuple(a for a in actions if not a.startswith("List") or service == "s3")
    for service, actions in SERVICES.items()
}


_STREAM_ACTIONS = ("PutLogEvents", "CreateLogStream")


def _fits(action: str, resource: str) -> bool:
    """Whether ``resource`` is of a type ``action`` takes (coarse, for the generated services)."""
    if not resource or resource == "*":
        return False
    service, name = action.split(":")
    parts = resource.split(":")
    if len(parts) < 6 or parts[2] != service:
        return False
    if service == "lambda":
        return (":layer:" in resource) == (name == "GetLayerVersion") and (
            name not in ("UpdateFunctionCode", "PublishVersion", "AddPermission", "CreateFunction")
            or len(parts) == 7
        )
    if service == "s3":
        return ("/" in parts[5]) == (name not in ("ListBucket", "GetBucketPolicy"))
    if "*" in resource or "?" in resource:
        return False
    if service == "iam":
        return parts[5].startswith("role/")
    if service == "sqs":
        return "/" not in parts[5]
    if service == "logs":
        return parts[5].startswith("log-group:") and (":log-stream:" in resource) == (name in _STREAM_ACTIONS)
    if service == "kms":
        return parts[5].startswith("key/")
    return True


def function_arn(name: str, region: str = "us-east-1", account: str = ACCOUNT, qualifier: str = "") -> str:
    base = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


class Workload:
    """Deterministic generator of policies, roles, requests and scenarios."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    # -- policy pieces ----------------------------------------------------------------------------

    def action(self) -> str | list[str]:
        rng = self.rng
        service = rng.choice(list(SERVICES))
        roll = rng.random()
        if roll < 0.08:
            return f"{service}:*"
        if roll < 0.2:
            name = rng.choice(SERVICES[service])
            return f"{service}:{name[: rng.randint(3, 6)]}*"
        if roll < 0.5:
            return [
                f"{service}:{a}"
                for a in rng.sample(SERVICES[service], rng.randint(2, min(4, len(SERVICES[service]))))
            ]
        return f"{service}:{rng.choice(SERVICES[service])}"

    def resource(self, action: str | list[str]) -> str | list[str]:
        rng = self.rng
        first = action if isinstance(action, str) else action[0]
        service = first.split(":")[0]
        roll = rng.random()
        if roll < 0.15:
            return "*"
        region = rng.choice(REGIONS)
        if service == "lambda":
            fn = rng.choice(FUNCTIONS)
            forms = (
                function_arn(fn, region),
                function_arn(fn, region) + ":*",
                function_arn(fn.split("-")[0] + "-*", region),
                function_arn(fn, region, qualifier=rng.choice(("prod", "staging", "7"))),
            )
            if roll < 0.4:
                return list(rng.sample(forms, 2))
            return rng.choice(forms)
        if service == "s3":
            return f"arn:aws:s3:::{rng.choice(TEAMS)}-data/{rng.choice(('*', 'reports/*', 'in/?/x'))}"
        if service == "dynamodb":
            return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{rng.choice(TEAMS)}-*"
        if service == "iam":
            return f"arn:aws:iam::{ACCOUNT}:role/{rng.choice(TEAMS)}-*"
        if service == "sqs":
            return f"arn:aws:sqs:{region}:{ACCOUNT}:{rng.choice(TEAMS)}-*"
        if service == "logs":
            return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/lambda/{rng.choice(TEAMS)}-*"
        return f"arn:aws:kms:{region}:{ACCOUNT}:key/*"

    def condition(self) -> dict[str, Any]:
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            return {"StringEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}}
        if kind == 1:
            return {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", f"192.168.{rng.randrange(256)}.0/24"]}}
        if kind == 2:
            return {"Bool": {"aws:SecureTransport": "true"}}
        if kind == 3:
            return {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}
        if kind == 4:
            return {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{rng.choice(TEAMS)}-*"}}
        return {
            "ForAnyValue:StringLike": {"aws:TagKeys": ["team", "env*"]},
            "StringEqualsIfExists": {"aws:RequestedRegion": list(REGIONS[:2])},
        }

    def statement(self, index: int) -> dict[str, Any]:
        rng = self.rng
        action = self.action()
        st: dict[str, Any] = {"Sid": f"S{index}", "Effect": "Deny" if rng.random() < 0.08 else "Allow"}
        if rng.random() < 0.05:
            st["NotAction"] = action
        else:
            st["Action"] = action
        if rng.random() < 0.04:
            st["NotResource"] = self.resource(action)
        else:
            st["Resource"] = self.resource(action)
        if rng.random() < 0.25:
            st["Condition"] = self.condition()
        return st

    def policy_document(self, statements: int) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [self.statement(i) for i in range(statements)]}

    def boundary(self) -> dict[str, Any]:
        """A permissions boundary as teams write them: the services they may use, minus a few actions."""
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Services",
                    "Effect": "Allow",
                    "Action": ["lambda:*", "s3:*", "dynamodb:*", "sqs:*", "logs:*", "kms:Decrypt"],
                    "Resource": "*",
                },
                {"Sid": "ReadIam", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
                {
                    "Sid": "NoPermissionChanges",
                    "Effect": "Deny",
                    "Action": ["lambda:AddPermission", "lambda:RemovePermission"],
                    "Resource": "*",
                },
            ],
        }

    def resource_policy(self, fn_arn: str) -> dict[str, Any]:
        rng = self.rng
        statements: list[dict[str, Any]] = []
        for i in range(rng.randint(1, 6)):
            roll = rng.random()
            st: dict[str, Any] = {
                "Sid": f"grant-{i}",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": fn_arn,
            }
            if roll < 0.4:
                st["Principal"] = {"Service": rng.choice(("s3.amazonaws.com", "events.amazonaws.com"))}
                st["Condition"] = {
                    "StringEquals": {"AWS:SourceAccount": ACCOUNT},
                    "ArnLike": {"AWS:SourceArn": f"arn:aws:s3:::{rng.choice(TEAMS)}-*"},
                }
            elif roll < 0.7:
                st["Principal"] = {"AWS": f"arn:aws:iam::{rng.choice(OTHER_ACCOUNTS)}:root"}
            elif roll < 0.85:
                st["Principal"] = "*"
                st["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}
            else:
                st["Principal"] = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/{rng.choice(TEAMS)}-api"}
            statements.append(st)
        return {"Version": "2012-10-17", "Id": "default", "Statement": statements}

    def scps(self) -> list[list[dict[str, Any]]]:
        full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        region_guard = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
                {
                    "Sid": "DenyOtherRegions",
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "sts:*", "organizations:*"],
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(REGIONS)}},
                },
            ],
        }
        allow_list = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Services",
                    "Effect": "Allow",
                    "Action": [f"{s}:*" for s in SERVICES],
                    "Resource": "*",
                }
            ],
        }
        return [
            [{"name": "FullAWSAccess", "document": full}],
            [{"name": "ou-region-guard", "document": region_guard}],
            [{"name": "acct-allow-list", "document": allow_list}],
        ]

    # -- requests ---------------------------------------------------------------------------------

    def request_fields(self, principal: str, documents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A request; with ``documents``, most requests aim at what one of their Allow statements names
        (as real traffic does), the rest at random actions and resources."""
        rng = self.rng
        aimed = self.aimed_request(documents) if documents and rng.random() < 0.7 else None
        region = rng.choice(REGIONS)
        if aimed is not None:
            action, resource = aimed
            service = action.split(":")[0]
            parts = resource.split(":")
            if len(parts) > 3 and parts[3]:
                region = parts[3]
        else:
            service = rng.choice(("lambda", "lambda", "lambda", "s3", "dynamodb", "iam"))
            action = f"{service}:{rng.choice(REQUEST_ACTIONS[service])}"
            resource = ""
        if not _fits(action, resource):
            resource = self.fitting_resource(action, region)
        context = {
            "aws:SourceIp": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "aws:SecureTransport": rng.random() < 0.9,
            "aws:CurrentTime": "2026-11-28T12:00:00Z",
            "aws:RequestedRegion": region,
            "aws:PrincipalTag/team": rng.choice(TEAMS),
        }
        out: dict[str, Any] = {"principal": principal, "action": action, "resource": resource}
        if resource.split(":")[4] == "":
            out["resource_account"] = ACCOUNT  # S3 ARNs name no account
        out["context"] = context
        return out

    def fitting_resource(self, action: str, region: str) -> str:
        """A resource of the type ``action`` takes (as the Service Authorization Reference lists)."""
        rng = self.rng
        service, name = action.split(":")
        if service == "lambda":
            if name == "GetLayerVersion":
                return f"arn:aws:lambda:{region}:{ACCOUNT}:layer:{rng.choice(TEAMS)}-libs:{rng.randint(1, 9)}"
            qualified = name in ("InvokeFunction", "GetFunction", "GetPolicy", "InvokeFunctionUrl")
            qualifier = rng.choice(("", "prod", "7")) if qualified else ""
            return function_arn(rng.choice(FUNCTIONS), region, qualifier=qualifier)
        if service == "s3":
            if name in ("ListBucket", "GetBucketPolicy"):
                return f"arn:aws:s3:::{rng.choice(TEAMS)}-data"
            return f"arn:aws:s3:::{rng.choice(TEAMS)}-data/reports/{rng.randrange(1000)}.csv"
        if service == "dynamodb":
            return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{rng.choice(TEAMS)}-orders"
        if service == "iam":
            return f"arn:aws:iam::{ACCOUNT}:role/{rng.choice(TEAMS)}-worker"
        if service == "sqs":
            return f"arn:aws:sqs:{region}:{ACCOUNT}:{rng.choice(TEAMS)}-queue"
        if service == "logs":
            group = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/lambda/{rng.choice(FUNCTIONS)}"
            return (
                f"{group}:log-stream:2026/11/28/{rng.randrange(10**6)}" if name in _STREAM_ACTIONS else group
            )
        return f"arn:aws:kms:{region}:{ACCOUNT}:key/{rng.randrange(10**8):08d}-0000-0000-0000-000000000000"

    def aimed_request(self, documents: list[dict[str, Any]]) -> tuple[str, str] | None:
        rng = self.rng
        statements = [
            st
            for d in documents
            for st in d["Statement"]
            if st["Effect"] == "Allow" and "Action" in st and "Resource" in st
        ]
        if not statements:
            return None
        st = rng.choice(statements)
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        pattern = rng.choice(actions)
        service, name = pattern.split(":")
        candidates = [a for a in REQUEST_ACTIONS[service] if a.lower().startswith(name.rstrip("*").lower())]
        if not candidates:
            return None
        action = f"{service}:{rng.choice(candidates)}"
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        resource = rng.choice(resources)
        if resource == "*":
            return None
        resource = resource.replace("*", rng.choice(("api", "x/y", "prod"))).replace("?", "q")
        if service == "lambda" and resource.count(":") < 6:
            return None
        return action, resource


def role_policies(w: Workload, count: int) -> list[dict[str, Any]]:
    return [
        {"name": f"policy-{i}", "document": w.policy_document(w.rng.randint(5, 30))} for i in range(count)
    ]


# -- 1. single decisions --------------------------------------------------------------------------


def bench_single(quick: bool) -> dict[str, float]:
    w = Workload()
    named = role_policies(w, 10)
    statements = sum(len(p["document"]["Statement"]) for p in named)
    scps = [tuple(parse_policy(p["document"], p["name"]) for p in level) for level in w.scps()]
    fn = function_arn("orders-api")
    policies = PolicySet(
        identity=tuple(parse_policy(p["document"], p["name"]) for p in named),
        boundary=parse_policy(w.boundary(), "boundary"),
        scps=tuple(scps),
        resource=parse_policy(w.resource_policy(fn), "orders-api"),
    )
    principal = f"arn:aws:iam::{ACCOUNT}:role/orders-api"
    from lambdaperm_tui.iam.scenario import _context

    requests = []
    for _ in range(500):
        f = w.request_fields(principal, [p["document"] for p in named])
        requests.append(
            Request(
                principal=parse_principal(principal),
                action=f["action"],
                resource=f["resource"],
                resource_account=f.get("resource_account"),
                context=_context(f["context"]),
            )
        )
    rounds = 3 if quick else 9
    out: dict[str, float] = {"statements": float(statements)}
    decisions: dict[str, int] = {}
    # The same requests over an open context: every condition key a request does not give is open, so
    # answers that hinge on one are conditional (the formula is built and written out).
    # The workload gives every key its conditions name, so "bare" drops the context: closed, the keys
    # are absent; open, an answer that hinges on one is conditional.
    opened = [dataclasses.replace(r, open_context=True) for r in requests]
    bare = [dataclasses.replace(r, context={}) for r in requests]
    bare_open = [dataclasses.replace(r, context={}, open_context=True) for r in requests]
    levels: tuple[tuple[str, bool | Literal["relevant"], list[Request]], ...] = (
        ("fast", False, requests),
        ("relevant", "relevant", requests),
        ("explain", True, requests),
        ("open_fast", False, opened),
        ("open_relevant", "relevant", opened),
        ("bare_fast", False, bare),
        ("bare_open_fast", False, bare_open),
        ("bare_relevant", "relevant", bare),
        ("bare_open_relevant", "relevant", bare_open),
    )
    for label, explain, batch in levels:
        samples: list[int] = []
        total_ns = 0
        for _ in range(rounds):
            for req in batch:
                t0 = time.perf_counter_ns()
                result = evaluate(req, policies, explain=explain)
                dt = time.perf_counter_ns() - t0
                samples.append(dt)
                total_ns += dt
                key = f"{label}: {result.decision.value}"
                decisions[key] = decisions.get(key, 0) + 1
        out[f"{label}_median_us"] = statistics.median(samples) / 1000
        out[f"{label}_per_s"] = len(samples) / (total_ns / 1e9)
    out["mix"] = 0.0
    print("  decision mix over the requests:")
    for name in dict.fromkeys(k.split(":")[0] for k in decisions):
        mix = {k.split(": ")[1]: v for k, v in decisions.items() if k.startswith(name + ":")}
        print(f"    {name}: {mix}")
    return out


# -- hostile wildcard patterns ---------------------------------------------------------------------


def bench_hostile(quick: bool) -> None:
    """Microseconds per match of hostile wildcard patterns (many ``*`` against long names, none of
    which matches), next to a plain prefix pattern on the same subject in the same run. The regex
    matcher these replaced took 26 s for the first row."""
    from lambdaperm_tui.iam.wildcard import Flavor, wildcard

    base = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:"
    rows = (
        ("Resource, 8 * vs a 64-char name", base + "*a" * 8 + "b", Flavor.RESOURCE, base + "a" * 64),
        ("StringLike, 8 * vs 64 chars", "*a" * 8 + "b", Flavor.TEXT, "a" * 64),
        ("StringLike, 30 *? vs 10,000 chars", "*a?" * 30 + "b", Flavor.TEXT, "a" * 10_000),
        ("ArnLike, 30 * vs a 10,000-char name", base + "*a" * 30 + "b", Flavor.ARN, base + "a" * 10_000),
    )
    rounds = 20 if quick else 200
    for label, pattern, flavor, subject in rows:
        hostile = wildcard(pattern, flavor)
        plain = wildcard(base + "*", flavor)
        samples = {"hostile": [0.0] * rounds, "plain": [0.0] * rounds}
        for i in range(rounds):
            for name, matcher in (("hostile", hostile), ("plain", plain)):
                t0 = time.perf_counter_ns()
                matcher.matches(subject)
                samples[name][i] = (time.perf_counter_ns() - t0) / 1000
        h, p = statistics.median(samples["hostile"]), statistics.median(samples["plain"])
        print(f"  {label:38s}: {h:9.1f} us/match; plain prefix pattern {p:.2f} us ({h / p:,.0f}x)")


def bench_shared_parse(quick: bool) -> None:
    """Parsing the same documents under many names (one inline copy per role, as accounts do) next to
    parsing as many distinct documents, in the same run: identical documents share parsed statements."""
    roles = 200 if quick else 1000
    w = Workload(SEED + 2)
    shared = [w.policy_document(10) for _ in range(5)]
    distinct = [w.policy_document(10) for _ in range(5 * roles)]
    copies = [json.loads(json.dumps(doc)) for _ in range(roles) for doc in shared]
    t0 = time.perf_counter()
    for i, doc in enumerate(copies):
        parse_policy(doc, f"role-{i // 5}/p{i % 5}")
    same = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, doc in enumerate(distinct):
        parse_policy(doc, f"role-{i // 5}/p{i % 5}")
    other = time.perf_counter() - t0
    print(
        f"  {roles} roles x 5 identical documents (10 statements): {same * 1000:.0f} ms; "
        f"{5 * roles} distinct documents: {other * 1000:.0f} ms ({other / same:.1f}x)"
    )


# -- 2. the CLI batch ----------------------------------------------------------------------------


BatchKind = Literal["heavy", "light", "diverse"]
BATCH_KINDS: tuple[BatchKind, ...] = ("heavy", "light", "diverse")


def make_batch(path: Path, n: int = 2000, *, kind: BatchKind = "heavy") -> dict[str, float]:
    """2,000 scenarios: 40 roles, each with 1-4 identity policies (5-30 statements), some boundaries,
    3 SCP levels, Lambda resource policies for Lambda requests, and a request context.

    ``light``: the shape of a typical CI policy check instead: one identity policy of 3-8 statements,
    the resource policy, one SCP level. ``diverse``: every scenario has its own policies (nothing for
    a cache to reuse): 1-3 identity policies of 5-15 statements drawn afresh, its own resource policy,
    the 3 SCP levels (an organization's, the same for every request)."""
    if kind == "diverse":
        return _make_diverse_batch(path, n)
    light = kind == "light"
    w = Workload(SEED + 1)
    roles: list[dict[str, Any]] = []
    for i in range(40):
        if light:
            team = TEAMS[i % len(TEAMS)]
            roles.append(
                {
                    "principal": f"arn:aws:iam::{ACCOUNT}:role/{team}-svc-{i}",
                    "identity_policies": [
                        {"name": f"{team}-svc-{i}/p0", "document": w.policy_document(w.rng.randint(3, 8))}
                    ],
                    "permissions_boundary": None,
                }
            )
            continue
        team = TEAMS[i % len(TEAMS)]
        roles.append(
            {
                "principal": f"arn:aws:iam::{ACCOUNT}:role/{team}-svc-{i}",
                "identity_policies": [
                    {"name": f"{team}-svc-{i}/p{j}", "document": w.policy_document(w.rng.randint(5, 30))}
                    for j in range(w.rng.randint(1, 4))
                ],
                "permissions_boundary": {"name": "boundary", "document": w.boundary()}
                if i % 4 == 0
                else None,
            }
        )
    resource_policies = {
        fn: {"name": fn, "document": w.resource_policy(function_arn(fn))} for fn in FUNCTIONS
    }
    scps = w.scps()[:1] if light else w.scps()
    lines = []
    for _ in range(n):
        role = w.rng.choice(roles)
        fields = w.request_fields(role["principal"], [p["document"] for p in role["identity_policies"]])
        scenario: dict[str, Any] = dict(fields)
        scenario["identity_policies"] = role["identity_policies"]
        scenario["permissions_boundary"] = role["permissions_boundary"]
        scenario["scps"] = scps
        if fields["action"].startswith("lambda:") and ":function:" in fields["resource"]:
            name = fields["resource"].split(":")[6]
            if name in resource_policies:
                scenario["resource_policy"] = resource_policies[name]
        lines.append(json.dumps(scenario))
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return {"bytes": float(len(text)), "lines": float(len(lines))}


def _make_diverse_batch(path: Path, n: int) -> dict[str, float]:
    w = Workload(SEED + 3)
    scps = w.scps()
    lines = []
    for i in range(n):
        team = TEAMS[i % len(TEAMS)]
        principal = f"arn:aws:iam::{ACCOUNT}:role/{team}-svc-{i}"
        identity = [
            {"name": f"{team}-svc-{i}/p{j}", "document": w.policy_document(w.rng.randint(5, 15))}
            for j in range(w.rng.randint(1, 3))
        ]
        fields = w.request_fields(principal, [p["document"] for p in identity])
        scenario: dict[str, Any] = dict(fields)
        scenario["identity_policies"] = identity
        scenario["permissions_boundary"] = (
            {"name": "boundary", "document": w.boundary()} if i % 4 == 0 else None
        )
        scenario["scps"] = scps
        if fields["action"].startswith("lambda:") and ":function:" in fields["resource"]:
            fn = ":".join(fields["resource"].split(":")[:7])
            scenario["resource_policy"] = {"name": fn.rsplit(":", 1)[-1], "document": w.resource_policy(fn)}
        lines.append(json.dumps(scenario))
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return {"bytes": float(len(text)), "lines": float(len(lines))}


def wall(cmd: list[str], runs: int, ok: tuple[int, ...] = (0, 1)) -> tuple[float, list[float]]:
    """Median wall time of ``cmd`` over ``runs`` runs (and the runs). Also records the median CPU time
    (user + system) of the child in ``LAST_CPU``: on a shared machine it varies far less than wall time.
    ``ok``: the exit statuses that mean the command answered (a decision, not a failure)."""
    times = []
    cpu = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if proc.returncode not in ok or b"Traceback" in proc.stderr:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    LAST_CPU[0] = statistics.median(cpu)
    return statistics.median(times), times


LAST_CPU = [0.0]


# --explain levels, the default first.
EXPLAIN_MODES = ("relevant", "full", "summary", "none")


def bench_batch(quick: bool, keep: Path | None = None, kinds: tuple[BatchKind, ...] = BATCH_KINDS) -> None:
    # An installed package has its bytecode compiled (pip does it); a source tree run with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module in every run (~30-90 ms here).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "lambdaperm_tui")], check=True)
    print("  bytecode compiled ahead (as in an installed package)")
    titles = {
        "heavy": "heavy batch",
        "light": "light batch (typical CI check)",
        "diverse": "diverse batch (every scenario its own policies)",
    }
    for kind in kinds:
        print(f"  -- {titles[kind]} --")
        _bench_batch(quick, kind=kind, keep=keep)


def _bench_batch(quick: bool, *, kind: BatchKind, keep: Path | None = None) -> None:
    runs = 3 if quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        batch = (keep or Path(tmp)) / f"{kind}.jsonl"
        info = make_batch(batch, kind=kind)
        py = sys.executable
        print(
            f"  batch file: {int(info['lines'])} scenarios, {info['bytes'] / 1e6:.1f} MB "
            f"({info['bytes'] / info['lines'] / 1000:.1f} kB per line)"
        )
        start, _ = wall([py, "-c", "pass"], runs)
        start_cpu = LAST_CPU[0]
        imports, _ = wall([py, "-c", "import lambdaperm_tui.cli, lambdaperm_tui.iam.scenario"], runs)
        imports_cpu = LAST_CPU[0]
        loop = f"import json\nfor l in open({str(batch)!r},'rb'): json.loads(l)"
        parse, _ = wall([py, "-c", loop], runs)
        parse_cpu = LAST_CPU[0]
        print(f"  baseline `python -c pass`: {start * 1000:.0f} ms (CPU {start_cpu * 1000:.0f} ms)")
        print(f"  baseline import of cli + engine: {imports * 1000:.0f} ms (CPU {imports_cpu * 1000:.0f} ms)")
        print(f"  baseline json.loads of every line: {parse * 1000:.0f} ms (CPU {parse_cpu * 1000:.0f} ms)")
        cli = [py, "-m", "lambdaperm_tui", "simulate", "--scenario", str(batch), "--json"]
        print(
            "  command: python -m lambdaperm_tui simulate --scenario batch.jsonl --json [--explain MODE] "
            f"(default MODE: {EXPLAIN_MODES[0]})"
        )
        for mode in EXPLAIN_MODES:
            cmd = [*cli, "--explain", mode]
            median, times = wall(cmd, runs)
            cpu = LAST_CPU[0]
            out = subprocess.run(cmd, stdout=subprocess.PIPE, check=False).stdout
            decisions: dict[str, int] = {}
            for line in out.splitlines():
                d = json.loads(line).get("decision", "error")
                decisions[d] = decisions.get(d, 0) + 1
            if keep is not None:
                (keep / f"{batch.stem}.{mode}.out").write_bytes(out)
            print(
                f"  --explain {mode:8s}: wall median {median * 1000:5.0f} ms "
                f"(runs {', '.join(f'{t * 1000:.0f}' for t in times)}), CPU {cpu * 1000:.0f} ms; "
                f"{len(out) / 1e6:.1f} MB out; CPU {cpu / start_cpu:.1f}x python start, "
                f"{cpu / parse_cpu:.1f}x json-parse-only; "
                f"{(cpu - parse_cpu) / info['lines'] * 1e6:.0f} us CPU/scenario beyond parsing; "
                f"< 300 ms: wall {'MET' if median < 0.3 else 'not met'}, "
                f"CPU {'MET' if cpu < 0.3 else 'not met'}"
            )
        print(f"  decisions: {decisions}")


# Runs each scenario of a batch through iam-simulate (npm @cloud-copilot/iam-simulate), sequentially,
# mapping the scenario contract onto its Simulation input; prints one {"decision": ...} per line.
IAM_SIMULATE_SCRIPT = r"""
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim())
const str = (v) => (Array.isArray(v) ? v.map(String) : String(v))
const named = (p) => ({ name: p.name, policy: p.document })
const out = []
for (const line of lines) {
  const s = JSON.parse(line)
  const ctx = {}
  for (const [k, v] of Object.entries(s.context || {})) ctx[k] = str(v)
  const resource = { resource: s.resource, accountId: s.resource_account || s.resource.split(':')[4] }
  const sim = {
    request: { principal: s.principal, action: s.action, resource, contextVariables: ctx },
    identityPolicies: (s.identity_policies || []).map(named),
    serviceControlPolicies: (s.scps || []).map((level, i) => ({
      orgIdentifier: `level-${i}`,
      policies: level.map(named),
    })),
    resourceControlPolicies: [],
    resourcePolicy: s.resource_policy ? s.resource_policy.document : undefined,
    permissionBoundaryPolicies: s.permissions_boundary ? [named(s.permissions_boundary)] : undefined,
  }
  const r = await runSimulation(sim, {})
  const d = r.resultType === 'error' ? 'error' : r.overallResult
  out.push(JSON.stringify({ decision: d }))
}
process.stdout.write(out.join('\n') + '\n')
"""

_IAM_SIMULATE_DECISIONS = {
    "Allowed": "allowed",
    "ImplicitlyDenied": "implicit_deny",
    "ExplicitlyDenied": "explicit_deny",
}


def bench_iam_simulate(directory: Path, quick: bool, kinds: tuple[BatchKind, ...] = BATCH_KINDS) -> None:
    """Time iam-simulate on the same batches, in the same run, and compare its decisions with ours."""
    script = directory / "lambdaperm_bench.mjs"
    script.write_text(IAM_SIMULATE_SCRIPT)
    runs = 3 if quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            batch = Path(tmp) / "batch.jsonl"
            make_batch(batch, kind=kind)
            theirs_cmd = ["node", str(script), str(batch)]
            ours_cmd = [
                sys.executable,
                "-m",
                "lambdaperm_tui",
                "simulate",
                "--scenario",
                str(batch),
                "--json",
            ]
            theirs_t, _ = wall(theirs_cmd, runs)
            theirs_cpu = LAST_CPU[0]
            ours_full, _ = wall(ours_cmd, runs)
            full_cpu = LAST_CPU[0]
            ours_none, _ = wall([*ours_cmd, "--explain", "none"], runs)
            none_cpu = LAST_CPU[0]
            theirs = subprocess.run(theirs_cmd, capture_output=True, check=False).stdout.decode().splitlines()
            ours = subprocess.run(ours_cmd, capture_output=True, check=False).stdout.decode().splitlines()
            scenarios = batch.read_text().splitlines()
            agree = 0
            differ: dict[str, int] = {}
            for line, a, b in zip(scenarios, theirs, ours, strict=True):
                mine = json.loads(b).get("decision")
                other = _IAM_SIMULATE_DECISIONS.get(json.loads(a).get("decision"), "error")
                if mine == other:
                    agree += 1
                else:
                    service = json.loads(line)["action"].split(":")[0]
                    differ[service] = differ.get(service, 0) + 1
            label = kind
            print(
                f"  {label}: iam-simulate wall {theirs_t * 1000:.0f} ms (CPU {theirs_cpu * 1000:.0f}) vs "
                f"ours "
                f"{ours_full * 1000:.0f} ms (CPU {full_cpu * 1000:.0f}) with the default --explain relevant, "
                f"{ours_none * 1000:.0f} ms (CPU {none_cpu * 1000:.0f}) with --explain none; "
                f"CPU ratio {theirs_cpu / full_cpu:.1f}x / {theirs_cpu / none_cpu:.1f}x; "
                f"same decision on {agree} of {len(ours)}; differences by service: {differ or 'none'}"
            )


# The phases of a batch in one fresh process (CPU time, the collector off as in the CLI's batch): reading
# each line's JSON, loading the scenarios (validating every policy), evaluating with the explanation
# asked for (and building the statements a request reaches), writing each result's JSON line.
PHASES_SCRIPT = r"""
import gc, json, sys, time
from lambdaperm_tui.iam.evaluate import evaluate
from lambdaperm_tui.iam.result import result_json_text
from lambdaperm_tui.iam.scenario import ScenarioLoader
lines = [l for l in open(sys.argv[1], "rb").read().split(b"\n") if l.strip()]
level = False if sys.argv[2] == "none" else sys.argv[2]
gc.disable()
t0 = time.process_time()
objs = [json.loads(l) for l in lines]
t1 = time.process_time()
loader = ScenarioLoader()
loaded = [loader.load(o) for o in objs]
t2 = time.process_time()
results = [evaluate(r, p, explain=level) for r, p in loaded]
t3 = time.process_time()
out = [result_json_text(r) for r in results]
t4 = time.process_time()
print(json.dumps({"read": t1 - t0, "load": t2 - t1, "evaluate": t3 - t2, "write": t4 - t3}))
"""


def bench_phases(quick: bool, kinds: tuple[BatchKind, ...]) -> None:
    """Where a batch's time goes, phase by phase (median of fresh processes)."""
    runs = 3 if quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            batch = Path(tmp) / f"{kind}.jsonl"
            make_batch(batch, kind=kind)
            for mode in ("relevant", "none"):
                samples = [
                    json.loads(
                        subprocess.run(
                            [sys.executable, "-c", PHASES_SCRIPT, str(batch), mode],
                            capture_output=True,
                            check=True,
                            text=True,
                        ).stdout
                    )
                    for _ in range(runs)
                ]
                med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
                total = sum(med.values())
                print(
                    f"  {kind}, --explain {mode}: "
                    + ", ".join(f"{k} {v * 1000:.0f} ms ({v / total:.0%})" for k, v in med.items())
                    + f"; total {total * 1000:.0f} ms CPU"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--iam-simulate",
        metavar="DIR",
        type=Path,
        help="also run iam-simulate, installed with `npm install @cloud-copilot/iam-simulate` in DIR",
    )
    parser.add_argument("--batch-only", action="store_true", help="only the CLI batch (part 2)")
    parser.add_argument(
        "--phases",
        action="store_true",
        help="only where a batch's time goes: reading, loading, evaluating, writing (in one process)",
    )
    parser.add_argument(
        "--batch",
        choices=BATCH_KINDS,
        action="append",
        help="only these batches (repeat; default: all of heavy, light, diverse)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="write the batch files and each mode's output into DIR (to diff decisions between versions)",
    )
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    print(f"lambdaperm-tui engine benchmark (seed {SEED}, Python {sys.version.split()[0]})")
    kinds = tuple(args.batch or BATCH_KINDS)
    if args.phases:
        print("2b. a batch's phases in one process")
        bench_phases(args.quick, kinds)
        return
    if args.batch_only:
        print("2. CLI batch of 2,000 scenarios in one process")
        bench_batch(args.quick, args.keep, kinds)
        if args.iam_simulate:
            print("3. iam-simulate (Node.js) on the same batches, same run")
            bench_iam_simulate(args.iam_simulate, args.quick, kinds)
        return
    print(
        "1. single decisions, one role with 10 identity policies + boundary + 3 SCP levels + resource policy"
    )
    single = bench_single(args.quick)
    print(f"  identity statements: {int(single['statements'])}")
    print(
        f"  without explanation: median {single['fast_median_us']:.1f} us/decision, "
        f"{single['fast_per_s']:,.0f} decisions/s"
    )
    print(
        f"  explain='relevant':  median {single['relevant_median_us']:.1f} us/decision, "
        f"{single['relevant_per_s']:,.0f} decisions/s "
        f"({single['relevant_median_us'] / single['fast_median_us']:.1f}x the fast path)"
    )
    print(
        f"  explain=True (full): median {single['explain_median_us']:.1f} us/decision, "
        f"{single['explain_per_s']:,.0f} decisions/s "
        f"({single['explain_median_us'] / single['fast_median_us']:.1f}x the fast path)"
    )
    target = "MET" if single["fast_median_us"] < 50 else "NOT met"
    print(f"  target (< 50 us median without explanation): {target}")
    ratio = single["open_fast_median_us"] / single["fast_median_us"]
    print(
        f"  open context, no explanation: median {single['open_fast_median_us']:.1f} us/decision, "
        f"{single['open_fast_per_s']:,.0f} decisions/s ({ratio:.1f}x the closed answer)"
    )
    print(
        f"  open context, explain='relevant': median {single['open_relevant_median_us']:.1f} us/decision "
        f"({single['open_relevant_median_us'] / single['relevant_median_us']:.1f}x the closed answer)"
    )
    bare = single["bare_open_fast_median_us"] / single["bare_fast_median_us"]
    print(
        f"  no context given, open vs closed (conditional answers): no explanation "
        f"{single['bare_open_fast_median_us']:.1f} vs {single['bare_fast_median_us']:.1f} us ({bare:.1f}x), "
        f"explain='relevant' {single['bare_open_relevant_median_us']:.1f} vs "
        f"{single['bare_relevant_median_us']:.1f} us "
        f"({single['bare_open_relevant_median_us'] / single['bare_relevant_median_us']:.1f}x)"
    )
    worst = max(ratio, bare)
    print(f"  target (open answer at most 3x the closed one): {'MET' if worst <= 3 else 'NOT met'}")
    print("1b. hostile wildcard patterns (linear-time matcher; the old regex one took 26 s for row 1)")
    bench_hostile(args.quick)
    print("1c. parsing documents shared by many roles vs distinct documents")
    bench_shared_parse(args.quick)
    print("2. CLI batch of 2,000 scenarios in one process")
    bench_batch(args.quick, args.keep, kinds)
    if args.iam_simulate:
        print("3. iam-simulate (Node.js) on the same batches, same run")
        bench_iam_simulate(args.iam_simulate, args.quick, kinds)


if __name__ == "__main__":
    main()
