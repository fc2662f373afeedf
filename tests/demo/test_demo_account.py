"""The seeded demo account, read back through plain boto3 against its endpoint.

Shapes follow AWS's documentation:
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html (per-qualifier policies,
S3 statement with AWS:SourceAccount/AWS:SourceArn),
https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-organization.html (aws:PrincipalOrgID),
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html (public URL statements),
https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html (layer permissions).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdaperm_tui.demo.seed import ORG_ID, PARTNER_ACCOUNT
from lambdaperm_tui.demo.server import DemoAccount

# A dedicated account: other tests in the session may keep a DemoAccount running on moto's default one.
ACCOUNT = "135792468024"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoAccount]:
    began = time.perf_counter()
    with DemoAccount(account_id=ACCOUNT) as account:
        # Start + seed must stay quick: --demo waits for it before anything is shown.
        assert time.perf_counter() - began < 15
        yield account
    assert not account.running


def _client(demo: DemoAccount, service: str, region: str = "us-east-1") -> Any:
    make: Any = boto3.client
    return make(service, endpoint_url=demo.endpoint_url, region_name=region, **demo.credentials)


def _policy(lam: Any, name: str, qualifier: str | None = None) -> dict[str, Any]:
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    doc: dict[str, Any] = json.loads(lam.get_policy(FunctionName=name, **kwargs)["Policy"])
    return doc


def _by_sid(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in doc["Statement"]}


def test_default_account_is_motos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    assert DemoAccount().account_id == "123456789012"
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    assert DemoAccount().account_id == "111111111111"
    # moto would send every request to MOTO_ACCOUNT_ID, so another account is refused up front.
    with pytest.raises(RuntimeError, match="MOTO_ACCOUNT_ID=111111111111"):
        DemoAccount(account_id="222222222222").start()


def test_functions_across_two_regions(demo: DemoAccount) -> None:
    assert demo.regions == ("us-east-1", "eu-west-1")
    assert demo.endpoint_url.startswith("http://127.0.0.1:")
    counts = {}
    for region in demo.regions:
        functions = _client(demo, "lambda", region).list_functions()["Functions"]
        counts[region] = len(functions)
        assert all(f["FunctionArn"].split(":")[3] == region for f in functions)
        assert all(f["FunctionArn"].split(":")[4] == demo.account_id for f in functions)
    assert counts == {"us-east-1": 23, "eu-west-1": 5}


def test_alias_policies_differ_from_unqualified(demo: DemoAccount) -> None:
    lam = _client(demo, "lambda")
    unqualified = _by_sid(_policy(lam, "orders-api"))
    prod = _by_sid(_policy(lam, "orders-api", "prod"))
    staging = _by_sid(_policy(lam, "orders-api", "staging"))
    assert set(unqualified) == {"apigw-any-stage"}
    assert set(prod) == {"apigw-prod", "partner-analytics-invoke"}
    assert set(staging) == {"apigw-staging"}
    base = f"arn:aws:lambda:us-east-1:{demo.account_id}:function:orders-api"
    assert unqualified["apigw-any-stage"]["Resource"] == base
    assert prod["apigw-prod"]["Resource"] == f"{base}:prod"
    assert prod["partner-analytics-invoke"]["Principal"] == {"AWS": f"arn:aws:iam::{PARTNER_ACCOUNT}:root"}
    assert prod["apigw-prod"]["Condition"] == {
        "ArnLike": {
            "AWS:SourceArn": f"arn:aws:execute-api:us-east-1:{demo.account_id}:a1b2c3d4e5/prod/POST/orders"
        }
    }
    # Version 3 (what prod points at) has no policy of its own.
    with pytest.raises(ClientError) as exc:
        _policy(lam, "orders-api", "3")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="orders-api")["Versions"]]
    assert versions == ["$LATEST", "1", "2", "3"]


def test_billing_prod_names_the_orders_role_and_version_1_has_a_stale_grant(demo: DemoAccount) -> None:
    lam = _client(demo, "lambda")
    stmt = _by_sid(_policy(lam, "billing", "prod"))["orders-api-invoke"]
    assert stmt["Principal"] == {"AWS": f"arn:aws:iam::{demo.account_id}:role/orders-api-role"}
    stale = _by_sid(_policy(lam, "billing", "1"))
    assert set(stale) == {"old-reconciliation-vendor"}
    assert stale["old-reconciliation-vendor"]["Resource"].endswith(":function:billing:1")
    assert stale["old-reconciliation-vendor"]["Principal"] == {"AWS": "arn:aws:iam::777788889999:root"}


def test_s3_triggers_with_and_without_source(demo: DemoAccount) -> None:
    lam = _client(demo, "lambda")
    good = _by_sid(_policy(lam, "thumbnailer"))["s3-media-uploads"]
    assert good["Principal"] == {"Service": "s3.amazonaws.com"}
    assert good["Condition"] == {
        "StringEquals": {"AWS:SourceAccount": demo.account_id},
        "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::acme-media-uploads"},
    }
    confused_deputy = _by_sid(_policy(lam, "image-resizer-legacy"))["s3-invoke"]
    assert confused_deputy["Principal"] == {"Service": "s3.amazonaws.com"}
    assert "Condition" not in confused_deputy


def test_event_invokers(demo: DemoAccount) -> None:
    lam = _client(demo, "lambda")
    rule = _by_sid(_policy(lam, "billing"))["monthly-invoice-rule"]
    assert rule["Principal"] == {"Service": "events.amazonaws.com"}
    assert rule["Condition"]["ArnLike"]["AWS:SourceArn"].startswith("arn:aws:events:us-east-1:")
    alexa = _by_sid(_policy(lam, "alexa-order-status"))["alexa-skill"]
    assert set(alexa["Condition"]["StringEquals"]) == {"lambda:EventSourceToken"}


def test_organization_scoped_grant(demo: DemoAccount) -> None:
    stmt = _by_sid(_policy(_client(demo, "lambda"), "audit-log-shipper"))["org-accounts-invoke"]
    assert stmt["Principal"] == "*"
    assert stmt["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}


def test_public_and_iam_function_urls(demo: DemoAccount) -> None:
    lam = _client(demo, "lambda")
    urls = lam.list_function_url_configs(FunctionName="webhook-receiver")["FunctionUrlConfigs"]
    assert [u["AuthType"] for u in urls] == ["NONE"]
    statements = _by_sid(_policy(lam, "webhook-receiver"))
    assert statements["FunctionURLAllowPublicAccess"]["Principal"] == "*"
    assert statements["FunctionURLAllowPublicAccess"]["Action"] == "lambda:InvokeFunctionUrl"
    assert statements["FunctionURLAllowPublicAccess"]["Condition"] == {
        "StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}
    }
    assert statements["FunctionURLAllowInvokeAction"]["Condition"] == {
        "Bool": {"lambda:InvokedViaFunctionUrl": "true"}
    }
    iam_urls = lam.list_function_url_configs(FunctionName="admin-console-api")["FunctionUrlConfigs"]
    assert [(u["FunctionArn"].rsplit(":", 1)[-1], u["AuthType"]) for u in iam_urls] == [("live", "AWS_IAM")]
    live = _by_sid(_policy(lam, "admin-console-api", "live"))
    assert live["security-account-url"]["Condition"] == {
        "StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}
    }


def test_layer_permissions(demo: DemoAccount) -> None:
    lam = _client(demo, "lambda")

    def statements(layer: str, version: int) -> list[dict[str, Any]]:
        doc = json.loads(lam.get_layer_version_policy(LayerName=layer, VersionNumber=version)["Policy"])
        return list(doc["Statement"])

    [one_account] = statements("acme-observability", 1)
    assert one_account["Principal"] == {"AWS": f"arn:aws:iam::{PARTNER_ACCOUNT}:root"}
    [org] = statements("acme-observability", 2)
    assert org["Principal"] == "*"
    assert org["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
    [public] = statements("acme-common-utils", 1)
    assert public["Principal"] == "*" and "Condition" not in public
    assert public["Action"] == "lambda:GetLayerVersion"
    layer_arns = [
        layer["Arn"] for layer in lam.get_function(FunctionName="orders-api")["Configuration"]["Layers"]
    ]
    assert layer_arns == [f"arn:aws:lambda:us-east-1:{demo.account_id}:layer:acme-observability:2"]


def test_escalation_role_can_pass_any_role_and_create_functions(demo: DemoAccount) -> None:
    iam = _client(demo, "iam")
    attached = iam.list_attached_role_policies(RoleName="ci-deploy-role")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["lambda-deployer"]
    policy = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
    doc = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]["Document"]
    if isinstance(doc, str):
        doc = json.loads(doc)
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["PassAnyRole"] == {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": "*",
        "Sid": "PassAnyRole",
    }
    assert {"lambda:CreateFunction", "lambda:InvokeFunction"} <= set(by_sid["ManageFunctions"]["Action"])
    assert by_sid["ManageFunctions"]["Resource"] == "*"
    # ...and there is an admin role for it to pass.
    admin = iam.list_attached_role_policies(RoleName="legacy-cron-role")["AttachedPolicies"]
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in [p["PolicyArn"] for p in admin]


def test_execution_role_has_managed_inline_and_boundary(demo: DemoAccount) -> None:
    details = _client(demo, "iam").get_account_authorization_details()
    role = {r["RoleName"]: r for r in details["RoleDetailList"]}["orders-api-role"]
    assert "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" in [
        p["PolicyArn"] for p in role["AttachedManagedPolicies"]
    ]
    assert [p["PolicyName"] for p in role["RolePolicyList"]] == ["invoke-billing-prod"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(":policy/platform-boundary")
    # The AWS managed policy's document is there to evaluate, with its name (adapter fix).
    managed = {p["Arn"]: p for p in details["Policies"]}
    basic = managed["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    assert basic["PolicyName"] == "AWSLambdaBasicExecutionRole"
    assert basic["PolicyVersionList"][0]["Document"]["Statement"][0]["Action"] == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]


def test_users_and_groups(demo: DemoAccount) -> None:
    details = _client(demo, "iam").get_account_authorization_details()
    users = {u["UserName"]: u for u in details["UserDetailList"]}
    assert users["alice"]["GroupList"] == ["developers", "oncall"]
    assert [p["PolicyName"] for p in users["legacy-deployer"]["UserPolicyList"]] == ["lambda-everything"]
    groups = {g["GroupName"]: g for g in details["GroupDetailList"]}
    assert [p["PolicyName"] for p in groups["oncall"]["GroupPolicyList"]] == ["invoke-prod-with-mfa"]
    assert [p["PolicyName"] for p in groups["developers"]["AttachedManagedPolicies"]] == [
        "developer-lambda-read"
    ]


def test_one_account_one_running_demo(demo: DemoAccount) -> None:
    with pytest.raises(RuntimeError, match=demo.account_id):
        DemoAccount(account_id=demo.account_id).start()
    # The refused instance did not disturb the running one.
    assert len(_client(demo, "lambda").list_functions()["Functions"]) == 23
    DemoAccount(account_id=demo.account_id).stop()  # stopping a never-started instance is harmless
    with pytest.raises(RuntimeError):
        DemoAccount(account_id=demo.account_id).start()


def test_second_account_is_isolated_and_quiet(
    demo: DemoAccount, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Another DemoAccount in the same process seeds its own account with the same content, and neither
    starting nor serving writes to the terminal (it would be drawn over the TUI)."""
    first = _client(demo, "lambda")
    with DemoAccount(account_id="999988887777") as other:
        assert other.account_id == "999988887777"
        second = _client(other, "lambda")
        mine = first.get_policy(FunctionName="orders-api", Qualifier="prod")
        theirs = second.get_policy(FunctionName="orders-api", Qualifier="prod")
        assert theirs["Policy"] == mine["Policy"].replace(demo.account_id, "999988887777")
        assert theirs["RevisionId"] != ""
        assert len(second.list_functions()["Functions"]) == 23
    # Stopping the other account left ours alone.
    assert len(first.list_functions()["Functions"]) == 23
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    # Under pytest werkzeug logs to the root logger's handlers rather than to stderr: check there too.
    assert [r.getMessage() for r in caplog.records if r.name == "werkzeug"] == []


def _all_policies(account: DemoAccount) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for region in account.regions:
        lam = _client(account, "lambda", region)
        for fn in lam.list_functions()["Functions"]:
            name = fn["FunctionName"]
            versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
            qualifiers = [None] + [v["Version"] for v in versions if v["Version"] != "$LATEST"]
            qualifiers += [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
            for qualifier in qualifiers:
                try:
                    got = lam.get_policy(FunctionName=name, **({"Qualifier": qualifier} if qualifier else {}))
                except ClientError:
                    continue
                out[f"{region}/{name}:{qualifier}"] = (got["Policy"], got["RevisionId"])
            for url in lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]:
                out[f"{region}/{url['FunctionArn']}/url"] = (url["FunctionUrl"], url["AuthType"])
    return out


def test_reseeding_gives_identical_policies_revisions_and_urls() -> None:
    """No randomness in names, policies, revision ids or URL ids: two seeds of one account are equal."""
    runs = []
    for _ in range(2):
        with DemoAccount(account_id="777766665555") as account:
            runs.append(_all_policies(account))
    assert len(runs[0]) == 28  # 25 policies (function, version and alias) + 3 URLs
    assert runs[0] == runs[1]
