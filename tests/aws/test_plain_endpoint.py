"""The CLI over a plain ``moto_server`` account answers as AWS documents.

A separate ``moto_server`` process (no demo adapter) is seeded with ordinary boto3 calls in two regions and
asked through ``AWS_ENDPOINT_URL``, the way someone would point the tool at a local emulator. Each expected
answer follows AWS's documented evaluation logic:

- policy evaluation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- permissions boundaries: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- Lambda resource-based policies (qualifiers, SourceArn/SourceAccount):
  https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
- function URL auth: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
- layer permissions: https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.aws.plain_moto import cli_env, function_zip, plain_moto_server, run_cli

ACCOUNT = "123456789012"  # moto's default account
PARTNER = "111122223333"
LAYER_CONSUMER = "444455556666"
EAST = "us-east-1"
WEST = "eu-west-1"
ORDERS = f"arn:aws:lambda:{EAST}:{ACCOUNT}:function:orders"
WEB = f"arn:aws:lambda:{WEST}:{ACCOUNT}:function:web"
BUCKET = "arn:aws:s3:::orders-inbox"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _seed(url: str) -> dict[str, str]:
    """A small account: roles, users, a group, a boundary, functions in two regions, a layer."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    iam = session.client("iam", endpoint_url=url, region_name=EAST)
    east = session.client("lambda", endpoint_url=url, region_name=EAST)
    west = session.client("lambda", endpoint_url=url, region_name=WEST)
    trust = _policy(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
    )
    arns: dict[str, str] = {}
    for name in ("exec", "invoker", "idle", "blocked", "bounded"):
        arns[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    invoke_orders = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": f"{ORDERS}*"}
    iam.put_role_policy(RoleName="invoker", PolicyName="invoke-orders", PolicyDocument=_policy(invoke_orders))
    everything = iam.create_policy(
        PolicyName="lambda-everything",
        PolicyDocument=_policy({"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="blocked", PolicyArn=everything)
    iam.put_role_policy(
        RoleName="blocked",
        PolicyName="no-orders",
        PolicyDocument=_policy({"Effect": "Deny", "Action": "lambda:InvokeFunction", "Resource": ORDERS}),
    )
    read_only = iam.create_policy(
        PolicyName="read-only-boundary",
        PolicyDocument=_policy({"Effect": "Allow", "Action": "lambda:Get*", "Resource": "*"}),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="bounded", PolicyArn=everything)
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=read_only)

    arns["dev"] = iam.create_user(UserName="dev")["User"]["Arn"]
    arns["loner"] = iam.create_user(UserName="loner")["User"]["Arn"]
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="dev")
    iam.put_group_policy(GroupName="devs", PolicyName="invoke-orders", PolicyDocument=_policy(invoke_orders))
    iam.put_user_policy(
        UserName="loner",
        PolicyName="read-web",
        PolicyDocument=_policy({"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": WEB}),
    )

    package = function_zip()
    east.create_function(
        FunctionName="orders",
        Runtime="python3.12",
        Role=arns["exec"],
        Handler="x.h",
        Code={"ZipFile": package},
        Publish=True,
    )
    east.create_alias(FunctionName="orders", Name="live", FunctionVersion="1")
    east.add_permission(
        FunctionName="orders",
        StatementId="partner-live",
        Action="lambda:InvokeFunction",
        Principal=PARTNER,
        Qualifier="live",
    )
    east.add_permission(
        FunctionName="orders",
        StatementId="s3-inbox",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=BUCKET,
        SourceAccount=ACCOUNT,
    )
    west.create_function(
        FunctionName="web", Runtime="python3.12", Role=arns["exec"], Handler="x.h", Code={"ZipFile": package}
    )
    west.create_function_url_config(FunctionName="web", AuthType="NONE")
    west.add_permission(
        FunctionName="web",
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    west.add_permission(
        FunctionName="web",
        StatementId="public-url-invoke",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    layer = east.publish_layer_version(
        LayerName="shared-lib", Content={"ZipFile": package}, CompatibleRuntimes=["python3.12"]
    )
    east.add_layer_version_permission(
        LayerName="shared-lib",
        VersionNumber=layer["Version"],
        StatementId="consumer",
        Action="lambda:GetLayerVersion",
        Principal=LAYER_CONSUMER,
    )
    arns["layer"] = layer["LayerVersionArn"]
    return arns


@pytest.fixture(scope="module")
def account() -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """A seeded plain moto server in its own process, and the environment that points the CLI at it."""
    with plain_moto_server() as url:
        yield _seed(url), cli_env(url, EAST)


LIVE = ("--region", EAST, "--region", WEST)


def _simulate(env: dict[str, str], principal: str, action: str, resource: str, *extra: str) -> dict[str, Any]:
    out = run_cli(
        env,
        "simulate",
        *LIVE,
        "--principal",
        principal,
        "--action",
        action,
        "--resource",
        resource,
        "--explain",
        "summary",
        "--json",
        *extra,
    )
    answer: dict[str, Any] = json.loads(out.stdout)
    assert out.returncode == {"allowed": 0, "unknown": 3}.get(answer["decision"], 1), out.stderr
    return answer


def _deciders(answer: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [(d["policy_type"], d["sid"], d["effect"]) for d in answer["decided_by"]]


def test_same_account_role_allowed_by_its_inline_policy(
    account: tuple[dict[str, str], dict[str, str]],
) -> None:
    arns, env = account
    answer = _simulate(env, arns["invoker"], "lambda:InvokeFunction", ORDERS)
    assert answer["decision"] == "allowed"
    assert [d["policy"] for d in answer["decided_by"]] == ["invoker/inline/invoke-orders"]


def test_role_with_no_grant_is_implicitly_denied(account: tuple[dict[str, str], dict[str, str]]) -> None:
    arns, env = account
    answer = _simulate(env, arns["idle"], "lambda:InvokeFunction", ORDERS)
    assert answer["decision"] == "implicit_deny" and answer["decided_by"] == []


def test_explicit_deny_inline_beats_managed_allow(account: tuple[dict[str, str], dict[str, str]]) -> None:
    arns, env = account
    answer = _simulate(env, arns["blocked"], "lambda:InvokeFunction", ORDERS)
    assert answer["decision"] == "explicit_deny"
    assert _deciders(answer) == [("identity", None, "Deny")]
    # The Deny names the unqualified ARN, which does not cover an alias
    # (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html): lambda:* still allows.
    assert _simulate(env, arns["blocked"], "lambda:InvokeFunction", f"{ORDERS}:live")["decision"] == "allowed"


def test_user_allowed_through_group_policy(account: tuple[dict[str, str], dict[str, str]]) -> None:
    arns, env = account
    answer = _simulate(env, arns["dev"], "lambda:InvokeFunction", ORDERS)
    assert answer["decision"] == "allowed"
    assert [d["policy"] for d in answer["decided_by"]] == ["devs/group-inline/invoke-orders"]
    # In the other region, through the user's own policy
    assert _simulate(env, arns["loner"], "lambda:GetFunction", WEB)["decision"] == "allowed"
    assert _simulate(env, arns["loner"], "lambda:InvokeFunction", WEB)["decision"] == "implicit_deny"


def test_permissions_boundary_limits_an_identity_allow(
    account: tuple[dict[str, str], dict[str, str]],
) -> None:
    arns, env = account
    assert _simulate(env, arns["bounded"], "lambda:InvokeFunction", ORDERS)["decision"] == "implicit_deny"
    allowed = _simulate(env, arns["bounded"], "lambda:GetFunction", ORDERS)
    assert allowed["decision"] == "allowed"
    assert {d["policy_type"] for d in allowed["decided_by"]} == {"identity", "boundary"}


def test_cross_account_grant_is_scoped_to_its_qualifier(
    account: tuple[dict[str, str], dict[str, str]],
) -> None:
    _, env = account
    partner = f"arn:aws:iam::{PARTNER}:role/caller"
    on_alias = _simulate(env, partner, "lambda:InvokeFunction", f"{ORDERS}:live")
    assert on_alias["decision"] == "allowed"
    assert ("resource", "partner-live", "Allow") in _deciders(on_alias)
    assert on_alias["assumes"]  # the partner account's own policies are outside the inventory
    for resource in (ORDERS, f"{ORDERS}:1"):
        assert _simulate(env, partner, "lambda:InvokeFunction", resource)["decision"] == "implicit_deny"


def test_service_principal_needs_matching_source(account: tuple[dict[str, str], dict[str, str]]) -> None:
    _, env = account
    own = ("--context", f"aws:SourceAccount={ACCOUNT}")
    good = _simulate(
        env, "s3.amazonaws.com", "lambda:InvokeFunction", ORDERS, "--context", f"aws:SourceArn={BUCKET}", *own
    )
    assert good["decision"] == "allowed" and _deciders(good) == [("resource", "s3-inbox", "Allow")]
    wrong = _simulate(
        env,
        "s3.amazonaws.com",
        "lambda:InvokeFunction",
        ORDERS,
        "--context",
        "aws:SourceArn=arn:aws:s3:::other",
        *own,
    )
    assert wrong["decision"] == "implicit_deny"
    # the permission was added without a qualifier: it does not cover the alias
    aliased = _simulate(
        env,
        "s3.amazonaws.com",
        "lambda:InvokeFunction",
        f"{ORDERS}:live",
        "--context",
        f"aws:SourceArn={BUCKET}",
        *own,
    )
    assert aliased["decision"] == "implicit_deny"


def test_anonymous_on_a_public_function_url_makes_both_checks(
    account: tuple[dict[str, str], dict[str, str]],
) -> None:
    _, env = account
    answer = _simulate(env, "anonymous", "lambda:InvokeFunctionUrl", WEB)
    assert answer["decision"] == "allowed"
    checks = answer["checks"]
    assert [(c["name"], c["decision"]) for c in checks] == [
        ("function URL permission", "allowed"),
        ("invoke via function URL", "allowed"),
    ]
    # without the URL, the InvokedViaFunctionUrl condition is absent: the public grant does not apply
    assert _simulate(env, "anonymous", "lambda:InvokeFunction", WEB)["decision"] == "implicit_deny"


def test_layer_version_shared_with_one_account(account: tuple[dict[str, str], dict[str, str]]) -> None:
    arns, env = account
    shared = _simulate(env, f"arn:aws:iam::{LAYER_CONSUMER}:root", "lambda:GetLayerVersion", arns["layer"])
    assert shared["decision"] == "allowed" and ("resource", "consumer", "Allow") in _deciders(shared)
    other = _simulate(env, "arn:aws:iam::555555555555:root", "lambda:GetLayerVersion", arns["layer"])
    assert other["decision"] == "implicit_deny"


def _who_can(
    env: dict[str, str], action: str, resource: str, *source: str
) -> list[tuple[str, str, dict[str, Any]]]:
    out = run_cli(env, "who-can", *(source or LIVE), "--action", action, "--resource", resource, "--json")
    rows = json.loads(out.stdout)
    decisions = {r["decision"] for r in rows}
    want = 0 if "allowed" in decisions else 4 if "conditional" in decisions else 1
    assert out.returncode == want, out.stderr
    return [(r["decision"], r["principal"], r["context"]) for r in rows]


def test_who_can_lists_every_principal_allowed_first(account: tuple[dict[str, str], dict[str, str]]) -> None:
    arns, env = account
    rows = _who_can(env, "lambda:InvokeFunction", ORDERS)
    decisions = [d for d, _, _ in rows]
    # Conditional rows (over the open context) sort with the allowed ones.
    assert decisions == sorted(decisions, key=lambda d: d not in ("allowed", "conditional"))
    allowed = {p for d, p, _ in rows if d == "allowed"}
    assert allowed == {f"arn:aws:iam::{ACCOUNT}:root", arns["invoker"], arns["dev"], "s3.amazonaws.com"}
    listed = {p for _, p, _ in rows}
    for name in ("exec", "idle", "blocked", "bounded", "loner"):
        assert arns[name] in listed
    assert f"arn:aws:iam::{PARTNER}:root" in listed  # named by the alias's permission, denied here
    assert ("explicit_deny", arns["blocked"], {}) in rows
    s3_allowed = [c for d, p, c in rows if p == "s3.amazonaws.com" and d == "allowed"]
    assert s3_allowed and s3_allowed[0]["AWS:SourceArn"] == BUCKET
    # S3 from anywhere: allowed only if the source is that bucket (the key is open).
    assert ("conditional", "s3.amazonaws.com", {}) in rows

    on_alias = {p for d, p, _ in _who_can(env, "lambda:InvokeFunction", f"{ORDERS}:live") if d == "allowed"}
    assert f"arn:aws:iam::{PARTNER}:root" in on_alias and "s3.amazonaws.com" not in on_alias
    url = _who_can(env, "lambda:InvokeFunctionUrl", WEB)
    assert ("allowed", "anonymous", {}) in url


def test_snapshot_gives_the_same_answers(
    account: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    arns, env = account
    snap = tmp_path / "account.json"
    saved = run_cli(env, "snapshot", *LIVE, "-o", str(snap))
    assert saved.returncode == 0, saved.stderr
    offline = ("--snapshot", str(snap))
    for action, resource in (
        ("lambda:InvokeFunction", ORDERS),
        ("lambda:InvokeFunction", f"{ORDERS}:live"),
        ("lambda:InvokeFunctionUrl", WEB),
        ("lambda:GetLayerVersion", arns["layer"]),
    ):
        assert _who_can(env, action, resource, *offline) == _who_can(env, action, resource)
    for principal in (arns["blocked"], arns["bounded"], f"arn:aws:iam::{PARTNER}:role/caller"):
        args = (
            "simulate",
            "--principal",
            principal,
            "--action",
            "lambda:InvokeFunction",
            "--resource",
            f"{ORDERS}:live",
        )
        live = json.loads(run_cli(env, *args, *LIVE, "--json", "--explain", "none").stdout)
        kept = json.loads(run_cli(env, *args, *offline, "--json", "--explain", "none").stdout)
        assert (kept["decision"], kept["decided_by"]) == (live["decision"], live["decided_by"])


def test_without_region_the_resource_region_is_loaded(account: tuple[dict[str, str], dict[str, str]]) -> None:
    """AWS_DEFAULT_REGION is us-east-1; a question about a function in eu-west-1 still reads eu-west-1."""
    arns, env = account
    args = ("--principal", arns["loner"], "--action", "lambda:GetFunction", "--resource", WEB, "--json")
    out = run_cli(env, "simulate", *args)
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["unknown_because"] == []
    rows = _who_can(env, "lambda:InvokeFunctionUrl", WEB, "--workers", "4")
    assert ("allowed", "anonymous", {}) in rows


def test_principal_written_role_or_user_slash_name(account: tuple[dict[str, str], dict[str, str]]) -> None:
    """``role/NAME`` and ``user/NAME`` (as the UI writes principals) resolve to that kind only."""
    arns, env = account
    for text, arn in (("role/invoker", arns["invoker"]), ("user/dev", arns["dev"])):
        answer = _simulate(env, text, "lambda:InvokeFunction", ORDERS)
        assert answer["decision"] == "allowed" and answer["principal"] == arn
    wrong = run_cli(
        env,
        "simulate",
        "--principal",
        "user/invoker",
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        ORDERS,
    )
    assert wrong.returncode == 2 and 'no user named "invoker"' in wrong.stderr
