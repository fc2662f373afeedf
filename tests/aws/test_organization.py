"""Organization data: id, and the SCP/RCP levels that apply to the account (root first).

SCPs do not apply to the management account:
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from tests.aws.accounts import seeding_client
from tests.aws.faults import aws_response, fake_response
from tests.conftest import account_header_hook

DENY_REGIONS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
        }
    ],
}


def _loader(endpoint: str, account: str) -> tuple[Loader, ClientFactory]:
    factory = ClientFactory(region="us-east-1", endpoint_url=endpoint, max_attempts=1, retry_mode="standard")
    factory.register("before-send", account_header_hook(account))
    loader = Loader(factory, ["us-east-1"], load_iam=False, load_layers=False, fetch_tags=False)
    return loader, factory


def test_no_organization_means_none_apply(aws_env: Path, moto_server: str, moto_account: str) -> None:
    inv = _loader(moto_server, moto_account)[0].run()
    assert inv.organization_id is None and inv.scps == () and inv.rcps == ()
    assert inv.failures == ()


def test_management_account(aws_env: Path, moto_server: str, moto_account: str) -> None:
    org = seeding_client("organizations", moto_server, moto_account).create_organization(FeatureSet="ALL")
    inv = _loader(moto_server, moto_account)[0].run()
    assert inv.organization_id == org["Organization"]["Id"]
    assert inv.scps == () and inv.rcps == ()


def test_member_account_levels(aws_env: Path, moto_server: str, moto_account: str) -> None:
    loader, factory = _loader(moto_server, moto_account)
    # A member account with delegated access, answered by before-call hooks (moto keeps an organization
    # in its management account's backend only, so a member cannot read it there).
    answers: dict[str, Any] = {
        "DescribeOrganization": {"Organization": {"Id": "o-exampleorgid", "MasterAccountId": "999999999999"}},
    }
    parents = {
        moto_account: {"Id": "ou-root-prod", "Type": "ORGANIZATIONAL_UNIT"},
        "ou-root-prod": {"Id": "r-root", "Type": "ROOT"},
    }
    attached = {
        ("r-root", "SERVICE_CONTROL_POLICY"): [{"Id": "p-full", "Name": "FullAWSAccess"}],
        ("ou-root-prod", "SERVICE_CONTROL_POLICY"): [{"Id": "p-deny", "Name": "deny-regions"}],
        (moto_account, "SERVICE_CONTROL_POLICY"): [{"Id": "p-full", "Name": "FullAWSAccess"}],
    }
    contents = {
        "p-full": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
        "p-deny": DENY_REGIONS,
    }

    ok = aws_response("https://organizations.invalid/", 200, {}, None)

    def answer(model: Any, params: dict[str, Any], **_: Any) -> Any:
        # botocore's before-call may answer with (http response, parsed body): no request is sent.
        name = model.name
        body = json.loads(params.get("body") or b"{}")
        if name == "DescribeOrganization":
            return ok, answers[name]
        if name == "ListParents":
            return ok, {"Parents": [parents[body["ChildId"]]]}
        if name == "ListPoliciesForTarget":
            return ok, {"Policies": attached.get((body["TargetId"], body["Filter"]), [])}
        if name == "DescribePolicy":
            return ok, {"Policy": {"Content": json.dumps(contents[body["PolicyId"]])}}
        return None

    factory.register("before-call.organizations", answer)
    inv = loader.run()
    assert inv.organization_id == "o-exampleorgid"
    assert inv.scps is not None
    assert [[p.name for p in level] for level in inv.scps] == [
        ["FullAWSAccess"],
        ["deny-regions"],
        ["FullAWSAccess"],
    ]
    assert inv.scps[1][0].slot.document == DENY_REGIONS
    assert inv.rcps == ((), (), ())  # levels known, no RCPs attached


def test_access_denied_leaves_it_unknown(aws_env: Path, moto_server: str, moto_account: str) -> None:
    loader, factory = _loader(moto_server, moto_account)

    def deny(**_: Any) -> Any:
        return fake_response(
            400, "AccessDeniedException", "You don't have permissions to access this resource."
        )

    factory.register("before-send.organizations.DescribeOrganization", deny)
    inv = loader.run()
    assert inv.organization_id is None and inv.scps is None and inv.rcps is None
    assert [(f.kind, f.operation) for f in inv.failures] == [("organization", "DescribeOrganization")]
    assert inv.failures[0].reason.startswith("AccessDeniedException")
