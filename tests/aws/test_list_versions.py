"""Versions from one list: ``ListFunctions`` with ``FunctionVersion=ALL`` instead of a
``ListVersionsByFunction`` per function, through the loopback fault proxy in front of moto.

AWS behaviour the tests follow (https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html):
``FunctionVersion=ALL`` "include[s] entries for all published versions of each function" besides the
unpublished one, each entry a ``FunctionConfiguration`` with its ``Version``; at most 50 entries a page,
continued by ``NextMarker``. The page does not say in which order the entries come, so the tests put a
function's version on a later page than its ``$LATEST`` entry (moto answers in one page, in function order:
the proxy re-cuts moto's answer into AWS-shaped pages).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.inventory.model import Function, Inventory
from tests.aws.accounts import TRUST_LAMBDA, seeding_client, zip_bytes
from tests.aws.fault_proxy import FaultProxy, ProxiedRequest, Rewrite, Status

REGION = "us-east-1"


@pytest.fixture
def names(aws_env: Path, moto_server: str, moto_account: str) -> list[str]:
    """Three functions; "two" has versions 1 and 2 (with a policy on version 2, and a description
    its $LATEST changed since), "one" has version 1."""
    iam = seeding_client("iam", moto_server, moto_account)
    role = iam.create_role(RoleName="exec", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]
    lam = seeding_client("lambda", moto_server, moto_account, REGION)
    for name in ("none", "one", "two"):
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Arn"],
            Handler="app.handler",
            Code={"ZipFile": zip_bytes()},
        )
    lam.publish_version(FunctionName="one")
    lam.publish_version(FunctionName="two")
    lam.update_function_configuration(FunctionName="two", Description="second")
    lam.publish_version(FunctionName="two")
    lam.update_function_configuration(FunctionName="two", Description="latest")
    lam.add_permission(
        FunctionName="two",
        StatementId="v2",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        Qualifier="2",
    )
    return ["none", "one", "two"]


@pytest.fixture
def proxy(moto_server: str, moto_account: str, names: list[str]) -> Iterator[FaultProxy]:
    with FaultProxy(moto_server, account=moto_account) as p:
        yield p


def load(proxy: FaultProxy) -> Inventory:
    factory = ClientFactory(region=REGION, endpoint_url=proxy.url, max_attempts=2, retry_mode="standard")
    loader = Loader(factory, (REGION,), load_organization=False, load_iam=False, load_layers=False)
    return loader.run()


def fn(inv: Inventory, name: str) -> Function:
    return next(f for f in inv.functions if f.name == name)


def functions_unlisted(inv: Inventory) -> list[str]:
    """Why the Region's function list is not whole (IAM and layers are skipped by these loads)."""
    return [u.reason for u in inv.unlisted if u.kind == "functions"]


def _first_page(req: ProxiedRequest) -> bool:
    return "Marker=" not in req.query


def _page(keep: Callable[[dict[str, Any]], bool], next_marker: str | None) -> Rewrite:
    """moto's one-page answer cut to the entries ``keep`` selects, continued by ``next_marker``."""

    def rewrite(body: bytes) -> bytes:
        answer = json.loads(body)
        answer["Functions"] = [e for e in answer["Functions"] if keep(e)]
        answer.pop("NextMarker", None)
        if next_marker:
            answer["NextMarker"] = next_marker
        return json.dumps(answer).encode()

    return Rewrite(rewrite)


def _is_version_of(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["FunctionName"] == name and e["Version"] != "$LATEST"


def test_versions_come_from_list_functions_all(proxy: FaultProxy) -> None:
    """Every version and its policy, with no ListVersionsByFunction at all; the function's ARN is
    unqualified although the $LATEST entry may carry the qualifier."""
    inv = load(proxy)
    assert functions_unlisted(inv) == [] and inv.failures == ()
    assert proxy.seen("ListVersionsByFunction") == 0
    listed = [r for r in proxy.requests if r.operation == "ListFunctions"]
    assert listed and all("FunctionVersion=ALL" in r.query for r in listed)
    assert [f.name for f in inv.functions] == ["none", "one", "two"]
    two = fn(inv, "two")
    assert two.arn == f"arn:aws:lambda:{REGION}:{two.account}:function:two"
    assert [(v.version, v.arn) for v in two.versions] == [("1", two.arn + ":1"), ("2", two.arn + ":2")]
    assert two.versions[0].policy.is_known and two.versions[0].policy.document is None
    document = two.versions[1].policy.document
    assert document is not None and [s["Sid"] for s in document["Statement"]] == ["v2"]
    assert [v.version for v in fn(inv, "one").versions] == ["1"] and fn(inv, "none").versions == ()
    assert all(f.details_unknown is None for f in inv.functions)
    # The function's own configuration comes from its $LATEST entry, not from a version's.
    assert two.description == "latest"


def test_a_version_listed_pages_after_its_function_is_kept(proxy: FaultProxy) -> None:
    """The versions of "two" come on a second page, after every function was listed and loaded."""
    proxy.add(
        _page(lambda e: not _is_version_of("two")(e), "p2"), operation="ListFunctions", where=_first_page
    )
    second = proxy.add(
        _page(_is_version_of("two"), None),
        operation="ListFunctions",
        where=lambda r: "Marker=p2" in r.query,
    )
    inv = load(proxy)
    assert second.fired == 1
    assert functions_unlisted(inv) == [] and inv.failures == ()
    assert [v.version for v in fn(inv, "two").versions] == ["1", "2"]
    assert fn(inv, "two").versions[1].policy.document is not None


def test_a_list_failing_part_way_leaves_listed_versions_unknown(proxy: FaultProxy) -> None:
    """The second page fails past retries: the Region's list is not whole, and the functions of the first
    page have unknown versions (theirs may have been on the page that was not read), never "no versions"."""
    proxy.add(
        _page(lambda e: e["FunctionName"] == "none", "p2"), operation="ListFunctions", where=_first_page
    )
    proxy.add(
        Status(500, "ServiceException", "internal"),
        operation="ListFunctions",
        where=lambda r: "Marker=p2" in r.query,
    )
    inv = load(proxy)
    assert functions_unlisted(inv) != []
    assert [f.name for f in inv.functions] == ["none"]
    none = fn(inv, "none")
    assert none.versions == ()
    assert none.details_unknown is not None
    assert none.details_unknown.startswith("ListFunctions did not list every version: ServiceException")
    assert [(f.resource, f.operation) for f in inv.failures] == [(f"lambda:{REGION}", "ListFunctions")]
    assert none.policy.is_known  # its other details did load


def test_a_damaged_version_entry_leaves_only_its_functions_versions_unknown(proxy: FaultProxy) -> None:
    """One version entry of "two" has no ARN: "two"'s versions are unknown, the others' are read."""

    def damage(body: bytes) -> bytes:
        answer = json.loads(body)
        for entry in answer["Functions"]:
            if entry["FunctionName"] == "two" and entry["Version"] == "1":
                del entry["FunctionArn"]
        return json.dumps(answer).encode()

    proxy.add(Rewrite(damage), operation="ListFunctions")
    inv = load(proxy)
    assert functions_unlisted(inv) != []  # an entry was lost
    two = fn(inv, "two")
    assert two.details_unknown is not None and "FunctionArn missing" in two.details_unknown
    assert fn(inv, "one").details_unknown is None and [v.version for v in fn(inv, "one").versions] == ["1"]
    assert [(f.resource, f.operation) for f in inv.failures] == [(f"lambda:{REGION}", "ListFunctions")]
