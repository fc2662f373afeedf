"""The loader over generated accounts in a moto server: contents, streaming, pagination, faults,
cancellation, the IAM fallback."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import (
    FailureRecorded,
    FunctionLoaded,
    FunctionsListed,
    IamLoaded,
    LayerLoaded,
    Loader,
    LoadEvent,
    LoadFinished,
    Progress,
)
from lambdaperm_tui.inventory.model import NO_POLICY, Function, Inventory
from tests.aws.accounts import GeneratedAccount, seed_account
from tests.aws.faults import FaultInjector, PageSplitter, access_denied, fake_response, throttled, timeout
from tests.conftest import account_header_hook

REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture
def generated(aws_env: Path, moto_server: str, moto_account: str) -> GeneratedAccount:
    return seed_account(moto_server, moto_account)


def make_loader(endpoint: str, account: str, **kw: Any) -> tuple[Loader, ClientFactory]:
    factory = ClientFactory(region="us-east-1", endpoint_url=endpoint, max_attempts=2, retry_mode="standard")
    factory.register("before-send", account_header_hook(account))
    return Loader(factory, REGIONS, **kw), factory


def fn(inv: Inventory, name: str) -> Function:
    return next(f for f in inv.functions if f.name == name)


def test_full_load(generated: GeneratedAccount, moto_server: str) -> None:
    loader, _ = make_loader(moto_server, generated.account)
    events: list[LoadEvent] = []
    inv = loader.run(events.append, threading.Event())

    assert inv.account_id == generated.account
    assert inv.complete and inv.failures == ()
    assert inv.regions == REGIONS
    expected = sorted((r, n) for r, names in generated.functions.items() for n in names)
    assert sorted((f.region, f.name) for f in inv.functions) == expected

    first = fn(inv, "us-east-1-fn0")
    assert first.role == generated.role_arn
    assert ("env", "test") in first.tags
    assert [v.version for v in first.versions] == ["1"]
    assert [(a.name, a.function_version) for a in first.aliases] == [("prod", "1")]
    assert first.policy.is_known and first.policy.document is not None
    sids = {s["Sid"] for s in first.policy.document["Statement"]}
    assert "s3" in sids
    # Each qualifier's policy was fetched on its own (GetPolicy with Qualifier).
    assert first.aliases[0].policy.is_known and first.aliases[0].policy.document is not None
    assert first.versions[0].policy.is_known
    assert sorted((u.qualifier or "", u.auth_type) for u in first.urls or ()) == [
        ("", "NONE"),
        ("prod", "AWS_IAM"),
    ]
    prod_url = next(u for u in first.urls or () if u.qualifier == "prod")
    assert prod_url.function_arn == first.arn + ":prod"

    plain = fn(inv, "us-east-1-fn1")
    assert plain.policy == NO_POLICY  # read, and there is none
    assert plain.urls == ()

    assert {layer.name for layer in inv.layers} == {"shared-us-east-1", "shared-eu-west-1"}
    lv = inv.layers[0].versions[0]
    assert lv.policy.is_known and lv.policy.document["Statement"][0]["Principal"] == "*"

    role = next(r for r in inv.roles if r.name == "exec")
    assert role.trust_policy.document["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert [p.name for p in role.inline_policies] == ["logs"]
    assert role.managed_policy_arns == (f"arn:aws:iam::{generated.account}:policy/invoke-all",)
    assert role.boundary_arn == f"arn:aws:iam::{generated.account}:policy/boundary"
    assert ("team", "orders") in role.tags
    alice = next(u for u in inv.users if u.name == "alice")
    assert alice.groups == ("devs",)
    assert [g.name for g in inv.groups] == ["devs"]
    managed = {p.name: p for p in inv.managed_policies}
    # Both by name (a lookup by name once missed when names were whole ARNs; see the regression test below).
    assert set(managed) == {"invoke-all", "boundary"}, inv.managed_policies
    assert managed["invoke-all"].slot.document["Statement"][0]["Action"] == "logs:*"
    assert "boundary" in managed

    # Streaming: every function is listed before it is loaded; progress ends at done == total.
    listed_at = {}
    for i, e in enumerate(events):
        if isinstance(e, FunctionsListed):
            for f in e.functions:
                listed_at[f.arn] = i
    loaded_at = {e.function.arn: i for i, e in enumerate(events) if isinstance(e, FunctionLoaded)}
    assert loaded_at.keys() == listed_at.keys()
    assert all(listed_at[a] < loaded_at[a] for a in loaded_at)
    last = [e for e in events if isinstance(e, Progress) and e.kind == "functions"][-1]
    assert last.done == last.total == len(expected)
    assert sum(isinstance(e, LayerLoaded) for e in events) == 2
    assert sum(isinstance(e, IamLoaded) for e in events) == 1
    assert isinstance(events[-1], LoadFinished) and events[-1].inventory == inv


def test_pagination_is_followed(aws_env: Path, moto_server: str, moto_account: str) -> None:
    gen = seed_account(moto_server, moto_account, functions_per_region=5)
    loader, factory = make_loader(moto_server, moto_account, load_iam=False, load_layers=False)
    splitter = PageSplitter("Functions", page_size=2)
    factory.register("before-parameter-build.lambda.ListFunctions", splitter.before_call)
    factory.register("after-call.lambda.ListFunctions", splitter.after_call)
    events: list[LoadEvent] = []
    inv = loader.run(events.append)
    assert len(inv.functions) == 10
    assert {f.name for f in inv.functions} == {n for names in gen.functions.values() for n in names}
    pages = [e for e in events if isinstance(e, FunctionsListed)]
    # Six entries (FunctionVersion=ALL): fn0's $LATEST and its version 1 fill the first page.
    assert [len(p.functions) for p in pages if p.region == "us-east-1"] == [1, 2, 2]
    assert [v.version for v in fn(inv, "us-east-1-fn0").versions] == ["1"]
    assert splitter.markers_seen.count(None) == 2 and "2" in splitter.markers_seen


def test_faults_are_recorded_and_the_rest_loads(generated: GeneratedAccount, moto_server: str) -> None:
    loader, factory = make_loader(moto_server, generated.account)
    injector = FaultInjector(
        {
            # AccessDenied on one function's unqualified policy only
            "/functions/us-east-1-fn1/policy": access_denied("GetPolicy"),
            # throttled every time: outlives the retries
            "/functions/us-east-1-fn2/policy": throttled,
            # a network timeout on another function's policy
            "/functions/eu-west-1-fn1/policy": timeout(),
            # deleted mid-load: GetPolicy says the function is gone, not "no policy"
            "/functions/eu-west-1-fn2/policy": lambda: fake_response(
                404,
                "ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:eu-west-1:{generated.account}:function:eu-west-1-fn2",
            ),
        }
    )
    factory.register("before-send.lambda.GetPolicy", injector)

    def malformed(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if parsed.get("Policy") and "eu-west-1-fn0" in parsed["Policy"] and '"partner"' in parsed["Policy"]:
            parsed["Policy"] = '{"Version": "2012-10-17", "Statement": [oops'

    factory.register("after-call.lambda.GetPolicy", malformed)
    events: list[LoadEvent] = []
    inv = loader.run(events.append)

    denied = fn(inv, "us-east-1-fn1").policy
    assert not denied.is_known
    assert denied.unknown is not None and denied.unknown.startswith("AccessDeniedException: User:")
    throttle = fn(inv, "us-east-1-fn2").policy
    assert throttle.unknown is not None and throttle.unknown.startswith(
        "TooManyRequestsException: Rate exceeded"
    )
    assert injector.fired["/functions/us-east-1-fn2/policy"] == 2  # first try + one retry (2 attempts)
    slow = fn(inv, "eu-west-1-fn1").policy
    assert slow.unknown is not None and slow.unknown.startswith("Timeout:")
    gone = fn(inv, "eu-west-1-fn2").policy
    assert gone.unknown is not None and gone.unknown.startswith(
        "ResourceNotFoundException: Function not found"
    )
    bad = fn(inv, "eu-west-1-fn0")
    # Only the alias's own policy was damaged; the function's and the version's are intact.
    assert bad.aliases[0].policy.unknown is not None
    assert bad.aliases[0].policy.unknown.startswith("MalformedPolicyDocument:")
    assert bad.policy.is_known and bad.policy.document is not None
    assert bad.versions[0].policy.is_known

    # Everything else loaded normally.
    ok = fn(inv, "us-east-1-fn0")
    assert ok.policy.is_known and ok.aliases[0].policy.is_known and ok.urls
    assert len(inv.roles) == 1 and len(inv.layers) == 2
    # Every unknown slot has a matching Failure, also streamed as an event.
    failed = {(f.resource, f.operation) for f in inv.failures}
    for name in ("us-east-1-fn1", "us-east-1-fn2", "eu-west-1-fn1", "eu-west-1-fn2"):
        assert (fn(inv, name).arn, "GetPolicy") in failed
    assert len(inv.failures) == 4 + 1
    assert sum(isinstance(e, FailureRecorded) for e in events) == len(inv.failures)
    assert inv.complete


def test_denied_url_listing_and_layer_policy(generated: GeneratedAccount, moto_server: str) -> None:
    loader, factory = make_loader(moto_server, generated.account)
    injector = FaultInjector(
        {
            "/functions/us-east-1-fn0/url": access_denied("GetFunctionUrlConfig"),
            "/layers/shared-eu-west-1/versions/1/policy": access_denied("GetLayerVersionPolicy"),
        }
    )
    factory.register("before-send.lambda", injector)
    inv = loader.run()
    first = fn(inv, "us-east-1-fn0")
    assert first.urls is None and first.urls_unknown is not None
    assert first.urls_unknown.startswith("AccessDeniedException")
    layer = next(layer for layer in inv.layers if layer.name == "shared-eu-west-1")
    assert layer.versions[0].policy.unknown is not None
    other = next(layer for layer in inv.layers if layer.name == "shared-us-east-1")
    assert other.versions[0].policy.is_known


def test_iam_falls_back_to_per_role_calls(generated: GeneratedAccount, moto_server: str) -> None:
    loader, factory = make_loader(moto_server, generated.account, load_layers=False)

    def deny_gaad(request: Any, **_: Any) -> Any:
        from tests.aws.faults import _Raw, aws_response

        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to "
            b"perform: iam:GetAccountAuthorizationDetails</Message></Error></ErrorResponse>"
        )
        return aws_response(str(request.url), 403, {}, _Raw(body))

    factory.register("before-send.iam.GetAccountAuthorizationDetails", deny_gaad)
    inv = loader.run()
    assert loader.calls["GetAccountAuthorizationDetails"] == 1
    assert loader.calls["ListRoles"] >= 1 and loader.calls["GetRolePolicy"] == 1
    role = next(r for r in inv.roles if r.name == "exec")
    assert role.trust_policy.document["Statement"][0]["Action"] == "sts:AssumeRole"
    assert [p.name for p in role.inline_policies] == ["logs"]
    assert role.inline_policies[0].slot.document["Statement"][0]["Action"] == "logs:*"
    assert role.managed_policy_arns == (f"arn:aws:iam::{generated.account}:policy/invoke-all",)
    assert role.boundary_arn == f"arn:aws:iam::{generated.account}:policy/boundary"
    assert next(u for u in inv.users if u.name == "alice").groups == ("devs",)
    assert inv.groups[0].inline_policies[0].name == "g"
    assert {p.name for p in inv.managed_policies} == {"invoke-all", "boundary"}
    assert all(p.slot.is_known for p in inv.managed_policies)
    assert inv.failures == ()


def test_cancel_stops_between_tasks(aws_env: Path, moto_server: str, moto_account: str) -> None:
    seed_account(moto_server, moto_account, functions_per_region=6)
    loader, factory = make_loader(moto_server, moto_account, max_workers=1)
    cancel = threading.Event()

    def on_event(event: LoadEvent) -> None:
        if isinstance(event, FunctionLoaded):
            cancel.set()

    inv = loader.run(on_event, cancel)
    assert not inv.complete
    loaded = [f for f in inv.functions if f.policy.fetched]
    assert 1 <= len(loaded) < 12
    # Functions that were listed but not loaded keep NOT_LOADED slots: never "no policy".
    assert any(not f.policy.fetched for f in inv.functions)


def test_list_functions_denied_is_a_failure(generated: GeneratedAccount, moto_server: str) -> None:
    loader, factory = make_loader(moto_server, generated.account, load_iam=False, load_layers=False)

    # moto serves every Region on one URL, so match on the signed Region instead.
    def deny_eu(request: Any, **_: Any) -> Any:
        if "eu-west-1/lambda" in str(request.headers.get("Authorization", "")):
            return access_denied("ListFunctions")()
        return None

    factory.register("before-send.lambda.ListFunctions", deny_eu)
    inv = loader.run()
    assert {f.region for f in inv.functions} == {"us-east-1"}
    assert [(f.kind, f.resource, f.operation) for f in inv.failures] == [
        ("functions", "lambda:eu-west-1", "ListFunctions")
    ]


def test_loaded_inventory_snapshot_round_trip_without_credentials(
    generated: GeneratedAccount, moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from lambdaperm_tui.inventory.snapshot import dump_snapshot, load_snapshot
    from tests.inventory.test_snapshot import validate

    secret = "Zx9SECRETtestKEYvalue0000000000000000000"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNIQUEKEYID12345")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    loader, _ = make_loader(moto_server, generated.account)
    inv = loader.run()
    text = json.dumps(dump_snapshot(inv))
    assert secret not in text and "AKIAUNIQUEKEYID12345" not in text
    validate(json.loads(text))
    assert load_snapshot(json.loads(text)) == inv


def test_parse_document_accepts_json_and_url_encoded_json() -> None:
    from urllib.parse import quote

    from lambdaperm_tui.aws.loader import parse_document

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    import json

    assert parse_document(json.dumps(doc)) == doc
    assert parse_document(quote(json.dumps(doc))) == doc  # IAM's wire format
    assert parse_document(doc) is doc
    assert parse_document("[1, 2]") == [1, 2]  # any JSON is kept as is
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_document("{oops")


def test_a_bug_or_guard_refusal_inside_a_task_stops_the_load(
    generated: GeneratedAccount, moto_server: str
) -> None:
    from lambdaperm_tui.aws.guard import ReadOnlyViolation

    loader, factory = make_loader(moto_server, generated.account)

    def refuse(**_: Any) -> None:
        raise ReadOnlyViolation("lambda", "ListAliases")

    factory.register("before-call.lambda.ListAliases", refuse)
    with pytest.raises(ReadOnlyViolation):
        loader.run()


def test_iam_authorization_details_pagination(aws_env: Path, moto_server: str, moto_account: str) -> None:
    from tests.aws.accounts import TRUST_LAMBDA, seeding_client

    iam = seeding_client("iam", moto_server, moto_account)
    import json

    for i in range(5):
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    loader, factory = make_loader(moto_server, moto_account, load_layers=False)

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["marker"] = params.get("Marker")

    def split(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        # Two roles a page, as AWS pages with MaxItems/Marker/IsTruncated.
        start = int(context.get("marker") or 0)
        roles = parsed.get("RoleDetailList") or []
        parsed["RoleDetailList"] = roles[start : start + 2]
        parsed["IsTruncated"] = start + 2 < len(roles)
        parsed["Marker"] = str(start + 2) if parsed["IsTruncated"] else None

    factory.register("before-parameter-build.iam.GetAccountAuthorizationDetails", remember)
    factory.register("after-call.iam.GetAccountAuthorizationDetails", split)
    inv = loader.run()
    assert loader.calls["GetAccountAuthorizationDetails"] == 3
    assert sorted(r.name for r in inv.roles) == [f"r{i}" for i in range(5)]


def test_managed_policy_names_when_account_details_omit_policy_name(
    generated: GeneratedAccount, moto_server: str
) -> None:
    """The "lost invoke-all" flake of ``test_full_load``: moto 5.2.5 leaves ``PolicyName``/``PolicyId`` out of
    GetAccountAuthorizationDetails' ``Policies`` unless the demo adapter patches it (it did so 10 s after the
    loader's first commit, in the shared working tree). The loader then named each managed policy by its
    whole ARN, so ``managed["invoke-all"]`` missed although the policy was loaded. The name is the ARN's
    last path segment (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)."""
    loader, factory = make_loader(moto_server, generated.account, load_layers=False)

    def strip_names(parsed: dict[str, Any], **_: Any) -> None:
        for policy in parsed.get("Policies") or ():
            policy.pop("PolicyName", None)
            policy.pop("PolicyId", None)

    factory.register("after-call.iam.GetAccountAuthorizationDetails", strip_names)
    inv = loader.run()
    managed = {p.name: p.arn for p in inv.managed_policies}
    prefix = f"arn:aws:iam::{generated.account}:policy/"
    assert managed == {"invoke-all": prefix + "invoke-all", "boundary": prefix + "boundary"}
    assert inv.failures == ()


def test_managed_policy_name_of_a_policy_with_a_path() -> None:
    from lambdaperm_tui.aws.fetch_iam import _policy_name_from_arn

    assert _policy_name_from_arn("arn:aws:iam::111122223333:policy/team/a/invoke-all") == "invoke-all"
    assert _policy_name_from_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaRole") == "AWSLambdaRole"


def _deny_gaad(request: Any, **_: Any) -> Any:
    from tests.aws.faults import _Raw, aws_response

    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to "
        b"perform: iam:GetAccountAuthorizationDetails</Message></Error></ErrorResponse>"
    )
    return aws_response(str(request.url), 403, {}, _Raw(body))


def _iam_denied(request: Any, action: str) -> Any:
    from tests.aws.faults import _Raw, aws_response

    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to "
        f"perform: iam:{action}</Message></Error></ErrorResponse>"
    ).encode()
    return aws_response(str(request.url), 403, {}, _Raw(body))


def test_iam_fallback_reads_user_boundary_and_tags_from_get_user(
    aws_env: Path, moto_server: str, moto_account: str
) -> None:
    """ListUsers returns neither PermissionsBoundary nor Tags
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html); the fallback asks GetUser,
    as it asks GetRole for roles. moto cannot set a user's boundary, so GetUser's answer gets one here."""
    from tests.aws.accounts import ALLOW_LOGS, seeding_client

    iam = seeding_client("iam", moto_server, moto_account)
    import json

    boundary = iam.create_policy(PolicyName="user-boundary", PolicyDocument=json.dumps(ALLOW_LOGS))["Policy"]
    iam.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "payments"}])
    loader, factory = make_loader(moto_server, moto_account, load_layers=False, load_organization=False)
    factory.register("before-send.iam.GetAccountAuthorizationDetails", _deny_gaad)

    def add_boundary(parsed: dict[str, Any], **_: Any) -> None:
        parsed["User"]["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary["Arn"],
        }

    factory.register("after-call.iam.GetUser", add_boundary)
    inv = loader.run()
    bob = next(u for u in inv.users if u.name == "bob")
    assert bob.boundary_arn == boundary["Arn"]
    assert bob.tags == (("team", "payments"),)
    assert bob.policies_unknown is None
    assert [p.name for p in inv.managed_policies] == ["user-boundary"]  # the boundary's document is loaded
    assert inv.failures == ()


def test_iam_fallback_user_boundary_unknown_when_get_user_is_denied(
    aws_env: Path, moto_server: str, moto_account: str
) -> None:
    from tests.aws.accounts import seeding_client

    seeding_client("iam", moto_server, moto_account).create_user(UserName="carol")
    loader, factory = make_loader(moto_server, moto_account, load_layers=False, load_organization=False)
    factory.register("before-send.iam.GetAccountAuthorizationDetails", _deny_gaad)
    factory.register("before-send.iam.GetUser", lambda request, **_: _iam_denied(request, "GetUser"))
    inv = loader.run()
    carol = next(u for u in inv.users if u.name == "carol")
    # Never "no boundary": the boundary is unknown, and the user's answers with it.
    assert carol.policies_unknown is not None and carol.policies_unknown.startswith("AccessDenied:")
    assert [(f.kind, f.resource, f.operation) for f in inv.failures] == [("user", carol.arn, "GetUser")]


def test_iam_fallback_unreadable_group_makes_its_members_unknown(
    generated: GeneratedAccount, moto_server: str
) -> None:
    """``Group`` has no unknown marker: when a group's policy list cannot be read, its members' policies are
    unknown (with the reason), so no answer for alice treats the group as having no policies."""
    loader, factory = make_loader(moto_server, generated.account, load_layers=False)
    factory.register("before-send.iam.GetAccountAuthorizationDetails", _deny_gaad)
    factory.register(
        "before-send.iam.ListGroupPolicies", lambda request, **_: _iam_denied(request, "ListGroupPolicies")
    )
    inv = loader.run()
    alice = next(u for u in inv.users if u.name == "alice")
    assert alice.policies_unknown is not None
    assert alice.policies_unknown.startswith("group devs: AccessDenied:")
    devs = next(g for g in inv.groups if g.name == "devs")
    assert [(f.kind, f.resource, f.operation) for f in inv.failures] == [
        ("group-policy", devs.arn, "ListGroupPolicies")
    ]


def test_url_fallback_tells_no_url_from_a_function_deleted_mid_load(
    generated: GeneratedAccount, moto_server: str
) -> None:
    """Endpoints without ListFunctionUrlConfigs get GetFunctionUrlConfig per qualifier. "The resource you
    requested does not exist." is "no URL"; "Function not found: ..." means the function went away, which is
    unknown with a Failure, never "no URL"."""
    loader, factory = make_loader(moto_server, generated.account, load_iam=False, load_layers=False)
    gone_arn = f"arn:aws:lambda:us-east-1:{generated.account}:function:us-east-1-fn2"
    injector = FaultInjector(
        {
            # moto without the adapter: no route, a bare 404
            "/urls": lambda: fake_response(404, "404", "Not Found"),
            "/functions/us-east-1-fn2/url": lambda: fake_response(
                404, "ResourceNotFoundException", f"Function not found: {gone_arn}"
            ),
        }
    )
    factory.register("before-send.lambda", injector)
    inv = loader.run()
    assert sorted((u.qualifier or "", u.auth_type) for u in fn(inv, "us-east-1-fn0").urls or ()) == [
        ("", "NONE"),
        ("prod", "AWS_IAM"),
    ]
    assert fn(inv, "us-east-1-fn1").urls == ()  # read: no URL
    gone = fn(inv, "us-east-1-fn2")
    assert gone.urls is None and gone.urls_unknown is not None
    assert gone.urls_unknown.startswith("ResourceNotFoundException: Function not found")
    assert [(f.resource, f.operation) for f in inv.failures] == [(gone_arn, "GetFunctionUrlConfig")]


def test_a_repeated_page_marker_is_a_failure_not_a_silent_end(
    aws_env: Path, moto_server: str, moto_account: str
) -> None:
    """An endpoint that hands back a marker it already gave cannot be paged further; the functions after it
    are unknown, so the Region's list is recorded as failed (before: paging stopped quietly, complete)."""
    seed_account(moto_server, moto_account, functions_per_region=3)
    loader, factory = make_loader(moto_server, moto_account, load_iam=False, load_layers=False)

    def same_marker(parsed: dict[str, Any], **_: Any) -> None:
        parsed["NextMarker"] = "again"

    factory.register("after-call.lambda.ListFunctions", same_marker)
    inv = loader.run()
    assert len(inv.functions) == 6  # what was read is kept
    assert sorted((f.resource, f.operation) for f in inv.failures) == [
        ("lambda:eu-west-1", "ListFunctions"),
        ("lambda:us-east-1", "ListFunctions"),
    ]
    assert all("repeated the page marker 'again'" in f.reason for f in inv.failures)
    assert loader.calls["ListFunctions"] == 4  # two pages a Region, then it stopped


@pytest.mark.parametrize("marker", ["m1", None])
def test_truncated_account_details_without_a_new_marker_is_a_failure(
    aws_env: Path, moto_server: str, moto_account: str, marker: str | None
) -> None:
    """GetAccountAuthorizationDetails says IsTruncated but repeats its Marker (or gives none): the rest of
    the account cannot be read. Recorded as a Failure; it neither loops forever nor ends as if complete."""
    loader, factory = make_loader(moto_server, moto_account, load_layers=False, load_organization=False)
    pages: list[int] = []

    def truncated(parsed: dict[str, Any], **_: Any) -> None:
        pages.append(1)
        if len(pages) > 10:
            raise AssertionError("the loader kept asking for the same page")
        parsed["IsTruncated"] = True
        parsed["Marker"] = marker

    factory.register("after-call.iam.GetAccountAuthorizationDetails", truncated)
    inv = loader.run()
    assert [(f.kind, f.operation) for f in inv.failures] == [("iam", "GetAccountAuthorizationDetails")]
    assert inv.failures[0].reason.startswith("PaginationError:")
    assert len(pages) == (2 if marker else 1)


def test_iam_fallback_truncated_list_without_marker_is_a_failure(
    generated: GeneratedAccount, moto_server: str
) -> None:
    """The per-principal fallback pages IAM lists by IsTruncated/Marker; truncated without a marker means
    the rest of the roles cannot be read: a Failure, not a quietly shorter list."""
    loader, factory = make_loader(moto_server, generated.account, load_layers=False, load_organization=False)
    factory.register("before-send.iam.GetAccountAuthorizationDetails", _deny_gaad)

    def truncated(parsed: dict[str, Any], **_: Any) -> None:
        parsed["IsTruncated"] = True
        parsed.pop("Marker", None)

    factory.register("after-call.iam.ListRoles", truncated)
    inv = loader.run()
    assert [(f.kind, f.resource, f.operation) for f in inv.failures] == [("iam", "roles", "ListRoles")]
    assert (
        inv.failures[0].reason
        == "PaginationError: Error during pagination: ListRoles is truncated but gave no marker"
    )
    assert [u.name for u in inv.users] == ["alice"]  # the rest still loads


def test_a_policy_document_missing_from_the_response_is_unknown_not_none(
    generated: GeneratedAccount, moto_server: str
) -> None:
    """IAM always returns a role's trust policy and every inline/managed policy's document; a response
    without one (a damaged proxy, an incomplete emulator) leaves that slot unknown with a Failure, never
    "no policy"."""
    loader, factory = make_loader(moto_server, generated.account, load_layers=False, load_organization=False)

    def drop_documents(parsed: dict[str, Any], **_: Any) -> None:
        for role in parsed.get("RoleDetailList") or ():
            role.pop("AssumeRolePolicyDocument", None)
        for policy in parsed.get("Policies") or ():
            if policy.get("PolicyName") == "boundary":
                for version in policy.get("PolicyVersionList") or ():
                    version.pop("Document", None)

    factory.register("after-call.iam.GetAccountAuthorizationDetails", drop_documents)
    inv = loader.run()
    role = next(r for r in inv.roles if r.name == "exec")
    assert role.trust_policy.unknown is not None and role.trust_policy.unknown.startswith("MissingDocument")
    boundary = next(p for p in inv.managed_policies if p.name == "boundary")
    assert boundary.slot.unknown is not None and boundary.slot.unknown.startswith("MissingDocument")
    assert next(p for p in inv.managed_policies if p.name == "invoke-all").slot.is_known
    assert sorted((f.kind, f.resource) for f in inv.failures) == [
        ("managed-policy", f"arn:aws:iam::{generated.account}:policy/boundary"),
        ("role-trust-policy", role.arn),
    ]
