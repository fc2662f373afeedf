"""Faults never become answers: the loader and the answers over what it loaded, through the loopback fault
proxy (tests/aws/fault_proxy.py) in front of moto, and the CLI pointed at the proxy.

A fact that could not be read makes every answer that depends on it unknown, with the reason; a response
that cannot be validated is a recorded failure on that resource, not an empty list or "no policy".

AWS behaviour the expected answers follow:
- resource tags in conditions (``aws:ResourceTag/${TagKey}``) for Lambda functions:
  https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html
- an explicit Deny overrides any Allow:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- principal tags (``aws:PrincipalTag/${TagKey}``):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag
- ListRoles/ListUsers return no boundary or tags; GetRole/GetUser do:
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.analysis.whocan import principals_unlisted, who_can
from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.inventory.model import Function, Inventory, function_failures
from tests.aws.accounts import TRUST_LAMBDA, seeding_client, zip_bytes
from tests.aws.fault_proxy import FaultProxy, Replace, Reset, Status, Truncate
from tests.aws.plain_moto import cli_env, run_cli

REGION = "us-east-1"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


INVOKE_ALL = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}
DENY_PROD = {
    "Effect": "Deny",
    "Action": "lambda:InvokeFunction",
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}},
}
DENY_UNLESS_TEAM = {
    "Effect": "Deny",
    "Action": "lambda:InvokeFunction",
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "payments"}},
}


@dataclass
class Account:
    id: str
    fn: dict[str, str]  # name -> unqualified ARN
    caller: str  # role ARN: may invoke anything, except functions tagged env=prod
    teamed: str  # role ARN tagged team=payments: denied unless its tag says payments


@pytest.fixture
def account(aws_env: Path, moto_server: str, moto_account: str) -> Account:
    iam = seeding_client("iam", moto_server, moto_account)
    exec_role = iam.create_role(RoleName="exec", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]
    caller = iam.create_role(RoleName="caller", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]
    iam.put_role_policy(RoleName="caller", PolicyName="invoke", PolicyDocument=_doc(INVOKE_ALL, DENY_PROD))
    teamed = iam.create_role(
        RoleName="teamed",
        AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA),
        Tags=[{"Key": "team", "Value": "payments"}],
    )["Role"]
    iam.put_role_policy(
        RoleName="teamed", PolicyName="invoke", PolicyDocument=_doc(INVOKE_ALL, DENY_UNLESS_TEAM)
    )
    managed = iam.create_policy(PolicyName="read", PolicyDocument=_doc(INVOKE_ALL))["Policy"]
    iam.attach_role_policy(RoleName="exec", PolicyArn=managed["Arn"])
    iam.create_user(UserName="dev")
    lam = seeding_client("lambda", moto_server, moto_account, REGION)
    arns = {}
    for name, tags in (("tagged", {"env": "prod"}), ("plain", {}), ("billing", {}), ("billing-export", {})):
        arns[name] = lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=exec_role["Arn"],
            Handler="app.handler",
            Code={"ZipFile": zip_bytes()},
            Tags=tags,
        )["FunctionArn"]
    version = lam.publish_version(FunctionName="tagged")["Version"]
    lam.create_alias(FunctionName="tagged", Name="live", FunctionVersion=version)
    lam.add_permission(
        FunctionName="plain",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceAccount=moto_account,
    )
    layer = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_bytes()})
    lam.add_layer_version_permission(
        LayerName="shared",
        VersionNumber=layer["Version"],
        StatementId="all",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    return Account(moto_account, arns, caller["Arn"], teamed["Arn"])


@pytest.fixture
def proxy(moto_server: str, account: Account) -> Any:
    with FaultProxy(moto_server, account=account.id) as p:
        yield p


def load(proxy: FaultProxy, **kw: Any) -> tuple[Inventory, Loader]:
    factory = ClientFactory(region=REGION, endpoint_url=proxy.url, max_attempts=2, retry_mode="standard")
    loader = Loader(factory, (REGION,), load_organization=False, **kw)
    return loader.run(), loader


def fn(inv: Inventory, name: str) -> Function:
    return next(f for f in inv.functions if f.name == name)


def failures(inv: Inventory) -> list[tuple[str, str, str]]:
    return sorted((f.kind, f.resource, f.operation) for f in inv.failures)


# -------------------------------------------------------------------------- 1. unreadable tags


def test_unreadable_function_tags_make_tag_answers_unknown(account: Account, proxy: FaultProxy) -> None:
    """GetFunction (which carries the tags) fails for "tagged": its tags are unknown, apart from its
    versions and aliases (which loaded). The Deny on aws:ResourceTag/env=prod can no longer be evaluated,
    so the answer is unknown with the reason, never ALLOWED (the Deny skipped because the tag looked
    absent)."""
    rule = proxy.add(
        Status(500, "ServiceException", "internal"), operation="GetFunction", path_contains="/tagged"
    )
    inv, _ = load(proxy)
    for resource in (account.fn["tagged"], account.fn["tagged"] + ":live"):
        answer = simulate(inv, account.caller, "lambda:InvokeFunction", resource)
        assert answer.decision == "unknown", answer.decision
        assert any("tags of function tagged: ServiceException" in u for u in answer.unknown_because)
    assert rule.fired == 2  # the first try and one retry
    tagged = fn(inv, "tagged")
    assert tagged.tags == () and tagged.tags_unknown is not None
    assert tagged.tags_unknown.startswith("ServiceException: internal")
    assert tagged.details_unknown is None  # versions and aliases did load
    assert [a.name for a in tagged.aliases] == ["live"] and [v.version for v in tagged.versions] == ["1"]
    assert ("function-tags", account.fn["tagged"], "GetFunction") in failures(inv)

    # A function whose tags were read is answered: no tag, so the Deny does not apply.
    assert simulate(inv, account.caller, "lambda:InvokeFunction", account.fn["plain"]).decision == "allowed"
    # A question whose policies test no tag does not depend on them.
    assert simulate(inv, "exec", "lambda:InvokeFunction", account.fn["tagged"]).decision == "allowed"


def test_with_tags_read_the_tag_deny_decides(account: Account, proxy: FaultProxy) -> None:
    """The same account without a fault: the Deny on env=prod denies (the baseline of the test above)."""
    inv, _ = load(proxy)
    assert fn(inv, "tagged").tags == (("env", "prod"),) and fn(inv, "tagged").tags_unknown is None
    answer = simulate(inv, account.caller, "lambda:InvokeFunction", account.fn["tagged"])
    assert answer.decision == "explicit_deny"


def test_unreadable_principal_tags_make_principal_tag_answers_unknown(
    account: Account, proxy: FaultProxy
) -> None:
    """Per-principal IAM calls (GetAccountAuthorizationDetails denied) with GetRole failing for "teamed":
    its tags are unknown, so its Deny unless aws:PrincipalTag/team=payments cannot be decided."""
    proxy.add(Status(403, "AccessDenied", "no"), operation="GetAccountAuthorizationDetails")
    proxy.add(Status(403, "AccessDenied", "no"), operation="GetRole", where=lambda r: b"teamed" in r.body)
    inv, _ = load(proxy)
    answer = simulate(inv, account.teamed, "lambda:InvokeFunction", account.fn["plain"])
    assert answer.decision == "unknown"
    assert any(u.startswith("tags of role teamed: AccessDenied") for u in answer.unknown_because)
    teamed = next(r for r in inv.roles if r.name == "teamed")
    assert teamed.tags_unknown is not None and teamed.tags_unknown.startswith("AccessDenied: no")


# -------------------------------------------------------------------------- 2. damaged success responses


def test_truncated_and_garbled_answers_are_failures_not_empty(account: Account, proxy: FaultProxy) -> None:
    """Each damaged 200 answer is a failure on its resource, the load goes on, and the item is unknown:
    a GetPolicy cut in half is not "no policy", a cut ListAliases does not drop the alias silently, and the
    same for a layer policy and the tags (a damaged version entry of ListFunctions:
    tests/aws/test_list_versions.py)."""
    proxy.add(Truncate(0.5), operation="GetPolicy", path_contains="/functions/plain/")
    proxy.add(Truncate(0.5), operation="ListAliases", path_contains="/tagged/")
    proxy.add(Truncate(0.3), operation="GetLayerVersionPolicy")
    proxy.add(Truncate(0.5), operation="GetFunction", path_contains="/billing-export")
    inv, _ = load(proxy)

    plain = fn(inv, "plain")
    assert plain.policy.unknown is not None and plain.policy.unknown.startswith(
        "MalformedResponse: GetPolicy"
    )
    tagged = fn(inv, "tagged")
    assert tagged.aliases == () and tagged.details_unknown is not None
    assert "ListAliases" in tagged.details_unknown
    export = fn(inv, "billing-export")
    assert export.tags_unknown is not None and export.tags_unknown.startswith(
        "MalformedResponse: GetFunction"
    )
    layer_version = inv.layers[0].versions[0]
    assert layer_version.policy.unknown is not None
    assert failures(inv) == sorted(
        [
            ("function-policy", account.fn["plain"], "GetPolicy"),
            ("function", account.fn["tagged"], "ListAliases"),
            ("layer-version-policy", layer_version.arn, "GetLayerVersionPolicy"),
            ("function-tags", account.fn["billing-export"], "GetFunction"),
        ]
    )
    assert inv.complete  # every list was read; the damaged items are unknown on their own
    # The answers: unknown with the reason, never "no policy" or "no such alias".
    s3 = simulate(inv, "s3.amazonaws.com", "lambda:InvokeFunction", account.fn["plain"])
    assert s3.decision == "unknown" and any("MalformedResponse" in u for u in s3.unknown_because)
    alias = simulate(inv, "exec", "lambda:InvokeFunction", account.fn["tagged"] + ":live")
    assert alias.decision == "unknown" and any("ListAliases" in u for u in alias.unknown_because)
    public = simulate(inv, "anonymous", "lambda:GetLayerVersion", layer_version.arn)
    assert public.decision == "unknown"


def test_a_cut_function_list_is_unlisted_and_the_inventory_not_complete(
    account: Account, proxy: FaultProxy
) -> None:
    """ListFunctions cut in half (a well-framed but incomplete body): not zero functions with the inventory
    marked complete, but a recorded failure, the Region's function list ``Unlisted``, and answers about its
    functions unknown (not "no function ... in the inventory")."""
    proxy.add(Truncate(0.5), operation="ListFunctions")
    inv, _ = load(proxy)
    assert inv.functions == ()
    assert not inv.complete
    gap = inv.unlisted_of("functions", REGION)
    assert gap is not None and gap.reason.startswith("MalformedResponse: ListFunctions: Functions missing")
    assert failures(inv) == [("functions", f"lambda:{REGION}", "ListFunctions")]
    answer = simulate(inv, account.caller, "lambda:InvokeFunction", account.fn["plain"])
    assert answer.decision == "unknown"
    assert answer.unknown_because[0].startswith(f"the functions of region {REGION} could not be listed")


# -------------------------------------------------------------------------- 3. who-can never drops principals


@pytest.mark.parametrize(
    "fault",
    [
        Status(500, "ServiceFailure", "internal"),
        Reset(),
        Replace(b"<GetAccountAuthorizationDetailsResponse><oops"),
    ],
    ids=["500", "reset", "garbled"],
)
def test_account_details_failing_falls_back_to_per_principal_calls(
    account: Account, proxy: FaultProxy, fault: Any
) -> None:
    """GetAccountAuthorizationDetails fails in a way other than a denial: recorded, and the roles and users
    are read one by one, so who-can still lists every one of them."""
    proxy.add(fault, operation="GetAccountAuthorizationDetails")
    inv, loader = load(proxy)
    assert loader.calls["ListRoles"] >= 1
    assert sorted(r.name for r in inv.roles) == ["caller", "exec", "teamed"]
    assert [u.name for u in inv.users] == ["dev"]
    assert [(f.kind, f.operation) for f in inv.failures] == [("iam", "GetAccountAuthorizationDetails")]
    assert inv.complete
    rows = who_can(inv, "lambda:InvokeFunction", account.fn["plain"])
    assert {r.principal for r in rows} >= {account.caller, account.teamed}
    assert not principals_unlisted(rows)


def test_who_can_says_which_principals_could_not_be_listed(account: Account, proxy: FaultProxy) -> None:
    """The account details and ListRoles both fail: who-can has an unknown row naming the roles that could
    not be listed, and the answer as a whole is unknown (CLI exit 3), although a user is allowed."""
    proxy.add(Status(500, "ServiceFailure", "internal"), operation="GetAccountAuthorizationDetails")
    proxy.add(Reset(), operation="ListRoles")
    inv, _ = load(proxy)
    gap = inv.unlisted_of("roles")
    assert gap is not None and gap.reason.startswith("ConnectionClosedError")
    assert inv.roles == () and [u.name for u in inv.users] == ["dev"] and not inv.complete
    rows = who_can(inv, "lambda:InvokeFunction", account.fn["plain"])
    unlisted = [r for r in rows if r.kind == "unlisted"]
    assert [(r.label, r.decision) for r in unlisted] == [
        (f"roles of account {account.id} (could not be listed)", "unknown")
    ]
    assert "ConnectionClosedError" in unlisted[0].answer.unknown_because[0]
    assert principals_unlisted(rows)


def test_cli_who_can_exits_3_when_roles_could_not_be_listed(
    account: Account, proxy: FaultProxy, aws_env: Path
) -> None:
    proxy.add(Status(403, "AccessDenied", "no GAAD"), operation="GetAccountAuthorizationDetails")
    proxy.add(Status(403, "AccessDenied", "no ListRoles"), operation="ListRoles")
    out = run_cli(
        cli_env(proxy.url, REGION),
        "who-can",
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        account.fn["plain"],
    )
    assert out.returncode == 3, out.stdout + out.stderr
    assert f"roles of account {account.id} (could not be listed)" in out.stdout
    assert "AccessDenied: no ListRoles" in out.stdout
    as_json = run_cli(
        cli_env(proxy.url, REGION),
        "who-can",
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        account.fn["plain"],
        "--json",
    )
    assert as_json.returncode == 3
    rows = json.loads(as_json.stdout)
    assert [r["kind"] for r in rows].count("unlisted") == 1


# -------------------------------------------------------------------------- 4. one malformed XML page


def test_a_malformed_xml_page_is_a_failure_and_quotes_a_short_excerpt(
    account: Account, proxy: FaultProxy
) -> None:
    """A 300 KB malformed XML page (with a tag value and an escape sequence in it) for the account details
    and for ListUsers: the load goes on, and each reason quotes a short, escaped excerpt of the body."""
    secret_tag = "TAGVALUE-never-quoted-in-full"
    body = (
        b"<GetAccountAuthorizationDetailsResponse>\x1b[2J<Tags><Value>"
        + secret_tag.encode()
        + b"</Value>"
        + b"x" * 300_000
    )
    proxy.add(Replace(body), operation="GetAccountAuthorizationDetails")
    proxy.add(Replace(b"<ListUsersResponse>\x1b]52;c;aGk=\x07" + b"y" * 300_000), operation="ListUsers")
    inv, _ = load(proxy)
    assert sorted(r.name for r in inv.roles) == ["caller", "exec", "teamed"]  # the load went on
    reasons = [f.reason for f in inv.failures]
    assert [(f.operation) for f in inv.failures] == ["GetAccountAuthorizationDetails", "ListUsers"]
    for reason in reasons:
        assert reason.startswith("MalformedResponse:")
        assert len(reason) < 300
        assert "\x1b" not in reason and "\x07" not in reason
        assert secret_tag not in reason
    assert "\\x1b" in reasons[1]  # shown escaped, so the operator can see it was there
    assert inv.unlisted_of("users") is not None


# -------------------------------------------------------------------------- 5. an unreadable function list


@pytest.mark.parametrize(
    "fault",
    [
        Status(403, "AccessDeniedException", "not authorized to perform: lambda:ListFunctions"),
        Status(429, "TooManyRequestsException", "Rate exceeded"),
        Status(500, "ServiceException", "internal"),
    ],
    ids=["denied", "throttled", "500"],
)
def test_unreadable_function_list_makes_answers_unknown(
    account: Account, proxy: FaultProxy, fault: Any
) -> None:
    proxy.add(fault, operation="ListFunctions")
    inv, _ = load(proxy)
    assert inv.functions == () and not inv.complete
    answer = simulate(inv, account.caller, "lambda:InvokeFunction", account.fn["plain"])
    assert answer.decision == "unknown"
    assert fault.code in answer.unknown_because[0]
    rows = who_can(inv, "lambda:InvokeFunction", account.fn["plain"])
    assert rows and all(r.decision == "unknown" for r in rows)


def test_cli_simulate_and_who_can_exit_3_when_functions_cannot_be_listed(
    account: Account, proxy: FaultProxy, aws_env: Path
) -> None:
    proxy.add(Status(403, "AccessDeniedException", "no ListFunctions"), operation="ListFunctions")
    env = cli_env(proxy.url, REGION)
    resource = account.fn["plain"]
    sim = run_cli(
        env,
        "simulate",
        "--principal",
        account.caller,
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        resource,
    )
    assert sim.returncode == 3, sim.stdout + sim.stderr
    assert "could not be listed: AccessDeniedException: no ListFunctions" in sim.stdout
    wc = run_cli(env, "who-can", "--action", "lambda:InvokeFunction", "--resource", resource)
    assert wc.returncode == 3, wc.stdout + wc.stderr
    assert "no function" not in wc.stdout + wc.stderr


# ---------------------------------------------------------------- 6. every failure recorded, exactly


def test_two_failures_of_one_function_are_both_recorded(account: Account, proxy: FaultProxy) -> None:
    """GetFunction (tags), ListAliases and ListFunctionUrlConfigs all fail for one function: each is a
    failure of its own (before, the first reason short-circuited the others unrecorded)."""
    for op in ("GetFunction", "ListAliases", "ListFunctionUrlConfigs"):
        proxy.add(Status(403, "AccessDeniedException", f"no {op}"), operation=op, path_contains="/tagged")
    inv, _ = load(proxy)
    arn = account.fn["tagged"]
    assert failures(inv) == sorted(
        [
            ("function-tags", arn, "GetFunction"),
            ("function", arn, "ListAliases"),
            ("function-url", arn, "ListFunctionUrlConfigs"),
        ]
    )
    tagged = fn(inv, "tagged")
    assert tagged.tags_unknown == "AccessDeniedException: no GetFunction"
    assert tagged.details_unknown == "AccessDeniedException: no ListAliases"
    assert tagged.urls is None and tagged.urls_unknown == "AccessDeniedException: no ListFunctionUrlConfigs"


def test_get_policy_version_failure_is_recorded_as_get_policy_version(
    account: Account, proxy: FaultProxy
) -> None:
    proxy.add(Status(403, "AccessDenied", "no"), operation="GetAccountAuthorizationDetails")
    proxy.add(Status(403, "AccessDenied", "no version"), operation="GetPolicyVersion")
    inv, _ = load(proxy)
    read = next(p for p in inv.managed_policies if p.name == "read")
    assert read.slot.unknown == "AccessDenied: no version"
    assert failures(inv) == [("managed-policy", read.arn, "GetPolicyVersion")]


def test_a_functions_failures_are_its_own_not_a_namesakes(account: Account, proxy: FaultProxy) -> None:
    """billing-export's failure is not billing's (its ARN starts with billing's)."""
    proxy.add(
        Status(403, "AccessDeniedException", "no"), operation="GetPolicy", path_contains="/billing-export/"
    )
    inv, _ = load(proxy)
    assert function_failures(inv, fn(inv, "billing")) == ()
    assert [f.operation for f in function_failures(inv, fn(inv, "billing-export"))] == ["GetPolicy"]
