"""who-can, as one pass over the inventory with its shared indexes and caches, answers exactly what one
``simulate`` per candidate over a deep copy of the inventory answers (a brute-force reference: no index,
remembered rows, principal-side cache or per-slot parse shared with the first; only the engine's
content-keyed parse caches are common to both), over generated inventories.

The generated accounts hold what an indexed pass could get wrong by skipping a principal: Allow and Deny
statements with Action or NotAction, Resource or NotResource (other functions, other Regions, other
accounts, policy variables), conditions on open and known keys (an open context makes them
``conditional``), permissions boundaries, group and managed policies, unreadable and malformed documents,
principals whose policies could not be listed, redacted and unreadable tags, SCP levels that deny or
leave out Lambda, and resource policies granting the account, one role or user, another account, a
service (with and without its source) or everyone in an organization. Every row's whole ``Answer`` (the
decision, the deciding statements, ``allowed_if``, ``blocked_by``, the scenario, the notes and
assumptions) must equal the reference, for a first question and for later ones on other resources and
actions over the same inventory (the warm index).

The candidates are those README.md lists for who-can (the account root, every role and user, every
principal the resource policy names); the rules behind each answer are the engine's, tested with their
AWS pages in tests/iam.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.analysis.whocan import WhoCanRow, who_can
from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.inventory.model import (
    Alias,
    Function,
    Group,
    Inventory,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    Unlisted,
    User,
)

ACCOUNT = "111122223333"
OTHER = "444455556666"
ORG = "o-abc123"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"
FN2 = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:billing"
MANAGED = [f"arn:aws:iam::{ACCOUNT}:policy/m{i}" for i in range(3)]

actions = st.sampled_from(
    [
        "lambda:InvokeFunction",
        "lambda:invokefunction",
        "lambda:Invoke*",
        "lambda:InvokeFunctionUrl",
        "lambda:*",
        "lambda:Get*",
        "lambda:GetFunction",
        "lambda:UpdateFunctionCode",
        "s3:GetObject",
        "iam:*",
        "*",
    ]
)
resources = st.sampled_from(
    [
        FN,
        f"{FN}:*",
        f"{FN}:live",
        FN2,
        "arn:aws:lambda:*:*:function:ord*",
        f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:*",
        f"arn:aws:lambda:us-east-1:{OTHER}:function:*",
        "arn:aws:lambda:us-east-1:${aws:PrincipalAccount}:function:*",
        "arn:aws:s3:::bucket/*",
        "*",
    ]
)
conditions = st.sampled_from(
    [
        None,
        {"StringEquals": {"aws:PrincipalTag/team": "orders"}},
        {"StringEquals": {"aws:PrincipalTag/api_token": "x"}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEquals": {"aws:ResourceTag/env": "prod"}},
        {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
        {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/r*"}},
        {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
    ]
)


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    st_: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    if draw(st.booleans()):
        st_["Sid"] = f"s{draw(st.integers(0, 3))}"
    st_["NotAction" if draw(st.integers(0, 7)) == 0 else "Action"] = draw(
        st.one_of(actions, st.lists(actions, min_size=1, max_size=3))
    )
    roll = draw(st.integers(0, 9))
    if roll == 0:
        st_["NotResource"] = draw(resources)
    elif roll != 1:  # roll 1: no Resource element at all (malformed in an identity policy)
        st_["Resource"] = draw(st.one_of(resources, st.lists(resources, min_size=1, max_size=2)))
    cond = draw(conditions)
    if cond is not None:
        st_["Condition"] = cond
    return st_


@st.composite
def slots(draw: st.DrawFn) -> PolicySlot:
    roll = draw(st.integers(0, 39))
    if roll == 0:
        return PolicySlot(unknown="AccessDenied: not authorized")
    if roll == 1:
        return PolicySlot(document={"Statement": [{"Effect": "allow", "Action": "*"}]})  # malformed
    if roll == 2:
        return PolicySlot()  # read, and there is no policy
    return PolicySlot(
        document={"Version": "2012-10-17", "Statement": draw(st.lists(statements(), min_size=1, max_size=4))}
    )


def _inline(draw: st.DrawFn) -> tuple[NamedPolicy, ...]:
    return tuple(NamedPolicy(f"p{i}", draw(slots())) for i in range(draw(st.integers(0, 3))))


tags = st.sampled_from([(), (("team", "orders"),), (("team", "billing"),)])
redacted = st.sampled_from([(), (), ("api_token",)])
boundaries = st.sampled_from(
    [None, None, None, MANAGED[0], MANAGED[2], f"arn:aws:iam::{ACCOUNT}:policy/gone"]
)
group_names = st.sampled_from(["g0", "g1", "g0", "g1", "gone"])  # a group not in the inventory, now and then
tags_unknown = st.sampled_from([None] * 7 + ["AccessDenied: tags"])

_SCP_ALL = NamedPolicy(
    "all", PolicySlot(document={"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
)
_SCP_NO_LAMBDA = NamedPolicy(
    "no-lambda", PolicySlot(document={"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
)
_SCP_REGION = NamedPolicy(
    "region",
    PolicySlot(
        document={
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "sts:*"],
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
                },
            ]
        }
    ),
)
_SCP_DENY_UPDATE = NamedPolicy(
    "deny-update",
    PolicySlot(
        document={
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "lambda:Update*", "Resource": "*"},
            ]
        }
    ),
)
scp_levels = st.sampled_from(
    [
        None,
        (),
        ((_SCP_ALL,),),
        ((_SCP_ALL,), (_SCP_REGION,)),
        ((_SCP_ALL,), (_SCP_NO_LAMBDA,)),
        ((_SCP_DENY_UPDATE,), (_SCP_ALL,)),
        ((_SCP_ALL,), (NamedPolicy("unread", PolicySlot(unknown="AccessDenied: scp")),)),
        ((_SCP_ALL,),),
        ((_SCP_ALL,), (_SCP_REGION,)),
    ]
)

grantees = st.sampled_from(
    [
        {"AWS": f"arn:aws:iam::{ACCOUNT}:role/r0"},
        {"AWS": f"arn:aws:iam::{ACCOUNT}:user/u0"},
        {"AWS": ACCOUNT},
        {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        {"AWS": f"arn:aws:iam::{OTHER}:root"},
        {"AWS": f"arn:aws:iam::{OTHER}:role/ops"},
        {"Service": "s3.amazonaws.com"},
        "*",
    ]
)
grant_conditions = st.sampled_from(
    [
        None,
        {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::photos"}},
        {"StringEquals": {"AWS:SourceAccount": OTHER}},
        {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        {"StringEquals": {"aws:PrincipalTag/team": "orders"}},
    ]
)


@st.composite
def resource_policy(draw: st.DrawFn, arn: str) -> PolicySlot:
    roll = draw(st.integers(0, 39))
    if roll == 0:
        return PolicySlot(unknown="AccessDenied: GetPolicy")
    grants = []
    for i in range(draw(st.integers(0, 3))):
        grant: dict[str, Any] = {
            "Sid": f"g{i}",
            "Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
            "Principal": draw(grantees),
            "Action": draw(st.sampled_from(["lambda:InvokeFunction", "lambda:*", "lambda:GetFunction"])),
            "Resource": arn,
        }
        cond = draw(grant_conditions)
        if cond is not None:
            grant["Condition"] = cond
        grants.append(grant)
    return PolicySlot(document={"Version": "2012-10-17", "Statement": grants}) if grants else PolicySlot()


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    groups = tuple(
        Group(f"arn:aws:iam::{ACCOUNT}:group/g{i}", f"g{i}", inline_policies=_inline(draw)) for i in range(2)
    )
    roles = tuple(
        Role(
            f"arn:aws:iam::{ACCOUNT}:role/{'team/' if i == 2 else ''}r{i}",
            f"r{i}",
            inline_policies=_inline(draw),
            managed_policy_arns=tuple(draw(st.lists(st.sampled_from(MANAGED), max_size=2, unique=True))),
            boundary_arn=draw(
                st.sampled_from(
                    [None, None, None, MANAGED[0], MANAGED[2], f"arn:aws:iam::{ACCOUNT}:policy/gone"]
                )
            ),
            tags=draw(tags),
            redacted_tag_keys=draw(redacted),
            tags_unknown=draw(tags_unknown),
            policies_unknown=draw(st.sampled_from([None] * 19 + ["AccessDenied"])),
        )
        for i in range(draw(st.integers(0, 6)))
    )
    users = tuple(
        User(
            f"arn:aws:iam::{ACCOUNT}:user/u{i}",
            f"u{i}",
            inline_policies=_inline(draw),
            managed_policy_arns=tuple(draw(st.lists(st.sampled_from(MANAGED), max_size=1))),
            groups=tuple(
                draw(st.lists(st.sampled_from(["g0", "g1", "g0", "g1", "gone"]), max_size=2, unique=True))
            ),
            boundary_arn=draw(st.sampled_from([None, None, MANAGED[1]])),
            tags=draw(tags),
            policies_unknown=draw(st.sampled_from([None] * 19 + ["AccessDenied"])),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    fn = Function(
        FN,
        "orders",
        "us-east-1",
        ACCOUNT,
        policy=draw(resource_policy(FN)),
        aliases=(Alias(f"{FN}:live", "live", "1", policy=draw(resource_policy(f"{FN}:live"))),),
        tags=draw(tags),
        redacted_tag_keys=draw(redacted),
        tags_unknown=draw(tags_unknown),
        urls=(),
    )
    fn2 = Function(FN2, "billing", "eu-west-1", ACCOUNT, policy=draw(resource_policy(FN2)), urls=())
    unlisted = draw(
        st.sampled_from([(), (), (), (), (), (Unlisted("roles", None, "AccessDenied: ListRoles"),)])
    )
    return Inventory(
        ACCOUNT,
        ("us-east-1", "eu-west-1"),
        "2026-11-28T12:00:00Z",
        "generated",
        functions=(fn, fn2),
        roles=roles,
        users=users,
        groups=groups,
        managed_policies=tuple(ManagedPolicy(arn, arn.rsplit("/", 1)[-1], draw(slots())) for arn in MANAGED),
        organization_id=draw(st.sampled_from([None, ORG])),
        scps=draw(scp_levels),
        rcps=(),
        complete=not unlisted,
        unlisted=unlisted,
    )


def _brute_force(
    inv: Inventory, rows: tuple[WhoCanRow, ...], action: str, resource: str, open_context: bool
) -> None:
    """Every row's answer equals one ``simulate`` over a deep copy (its own index and slot parses)."""
    fresh = copy.deepcopy(inv)
    for row in rows:
        if row.kind in ("unlisted", "organization"):
            continue  # not one principal's answer (a placeholder account or a list that was not read)
        try:
            want = simulate(
                fresh, row.principal, action, resource, row.context, explain=False, open_context=open_context
            )
        except InputError:
            assert row.decision == "unknown"
            continue
        assert row.answer == want, row.label
        assert row.decision == want.decision
        assert row.to_json()["decision"] == want.to_json()["decision"]


questions = st.tuples(
    st.sampled_from(
        [
            "lambda:InvokeFunction",
            "lambda:GetFunction",
            "lambda:UpdateFunctionCode",
            "lambda:InvokeFunctionUrl",
        ]
    ),
    st.sampled_from([FN, f"{FN}:live", FN2]),
    st.booleans(),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.lists(questions, min_size=1, max_size=3))
def test_who_can_equals_one_simulate_per_principal(
    inv: Inventory, asked: list[tuple[str, str, bool]]
) -> None:
    for action, resource, open_context in asked:
        rows = who_can(inv, action, resource, open_context=open_context)
        listed = {r.principal for r in rows}
        assert f"arn:aws:iam::{ACCOUNT}:root" in listed
        assert {r.arn for r in inv.roles} | {u.arn for u in inv.users} <= listed
        assert ("" in listed) == bool(inv.unlisted)
        _brute_force(inv, rows, action, resource, open_context)
        # Asked again (warm), the same rows.
        assert who_can(inv, action, resource, open_context=open_context) == rows
