"""who-can, as one pass over the inventory with its shared indexes and caches, answers exactly what one
``simulate`` per candidate over a deep copy of the inventory answers (a brute-force reference: no index,
remembered rows or per-slot parse shared with the first; only the engine's content-keyed parse caches
are common to both), over generated inventories: roles and users with inline, group and managed policies,
boundaries, malformed and unreadable documents, tags, SCPs, and a resource policy naming principals.

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
    User,
)

ACCOUNT = "111122223333"
OTHER = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"
MANAGED = [f"arn:aws:iam::{ACCOUNT}:policy/m{i}" for i in range(3)]

actions = st.sampled_from(
    ["lambda:InvokeFunction", "lambda:Invoke*", "lambda:*", "lambda:GetFunction", "s3:GetObject", "*"]
)
resources = st.sampled_from([FN, f"{FN}:*", f"{FN}:live", "arn:aws:lambda:*:*:function:ord*", "*"])
conditions = st.sampled_from(
    [
        None,
        {"StringEquals": {"aws:PrincipalTag/team": "orders"}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEquals": {"aws:ResourceTag/env": "prod"}},
        {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/r*"}},
    ]
)


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    st_: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    st_["NotAction" if draw(st.integers(0, 9)) == 0 else "Action"] = draw(
        st.one_of(actions, st.lists(actions, min_size=1, max_size=3))
    )
    st_["NotResource" if draw(st.integers(0, 9)) == 0 else "Resource"] = draw(resources)
    cond = draw(conditions)
    if cond is not None:
        st_["Condition"] = cond
    return st_


@st.composite
def slots(draw: st.DrawFn) -> PolicySlot:
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return PolicySlot(unknown="AccessDenied: not authorized")
    if roll == 1:
        return PolicySlot(document={"Statement": [{"Effect": "allow", "Action": "*"}]})  # malformed
    return PolicySlot(
        document={"Version": "2012-10-17", "Statement": draw(st.lists(statements(), min_size=1, max_size=4))}
    )


def _inline(draw: st.DrawFn) -> tuple[NamedPolicy, ...]:
    return tuple(NamedPolicy(f"p{i}", draw(slots())) for i in range(draw(st.integers(0, 3))))


tags = st.sampled_from([(), (("team", "orders"),), (("team", "billing"),)])


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    groups = tuple(
        Group(f"arn:aws:iam::{ACCOUNT}:group/g{i}", f"g{i}", inline_policies=_inline(draw)) for i in range(2)
    )
    roles = tuple(
        Role(
            f"arn:aws:iam::{ACCOUNT}:role/r{i}",
            f"r{i}",
            inline_policies=_inline(draw),
            managed_policy_arns=tuple(draw(st.lists(st.sampled_from(MANAGED), max_size=2, unique=True))),
            boundary_arn=draw(st.sampled_from([None, None, MANAGED[0]])),
            tags=draw(tags),
            policies_unknown=draw(st.sampled_from([None] * 9 + ["AccessDenied"])),
        )
        for i in range(draw(st.integers(0, 6)))
    )
    users = tuple(
        User(
            f"arn:aws:iam::{ACCOUNT}:user/u{i}",
            f"u{i}",
            inline_policies=_inline(draw),
            groups=tuple(draw(st.lists(st.sampled_from(["g0", "g1", "gone"]), max_size=2, unique=True))),
            tags=draw(tags),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    grantees = st.sampled_from(
        [
            {"AWS": f"arn:aws:iam::{ACCOUNT}:role/r0"},
            {"AWS": f"arn:aws:iam::{OTHER}:root"},
            {"Service": "s3.amazonaws.com"},
            "*",
        ]
    )
    grants = [
        {
            "Sid": f"g{i}",
            "Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
            "Principal": draw(grantees),
            "Action": "lambda:InvokeFunction",
            "Resource": FN,
            **(
                {"Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::photos"}}}
                if draw(st.booleans())
                else {}
            ),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    policy = PolicySlot(document={"Version": "2012-10-17", "Statement": grants}) if grants else PolicySlot()
    fn = Function(
        FN,
        "orders",
        "us-east-1",
        ACCOUNT,
        policy=policy,
        aliases=(Alias(f"{FN}:live", "live", "1", policy=draw(slots())),),
        tags=draw(tags),
        urls=(),
    )
    scps = draw(
        st.sampled_from(
            [
                None,
                (),
                (
                    (
                        NamedPolicy(
                            "all",
                            PolicySlot(
                                document={"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
                            ),
                        ),
                    ),
                ),
            ]
        )
    )
    return Inventory(
        ACCOUNT,
        ("us-east-1",),
        "2026-11-28T12:00:00Z",
        "generated",
        functions=(fn,),
        roles=roles,
        users=users,
        groups=groups,
        managed_policies=tuple(ManagedPolicy(arn, arn.rsplit("/", 1)[-1], draw(slots())) for arn in MANAGED),
        scps=scps,
        rcps=(),
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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inventories(),
    st.sampled_from(["lambda:InvokeFunction", "lambda:GetFunction", "lambda:InvokeFunctionUrl"]),
    st.sampled_from([FN, f"{FN}:live"]),
    st.booleans(),
)
def test_who_can_equals_one_simulate_per_principal(
    inv: Inventory, action: str, resource: str, open_context: bool
) -> None:
    rows = who_can(inv, action, resource, open_context=open_context)
    listed = {r.principal for r in rows}
    assert f"arn:aws:iam::{ACCOUNT}:root" in listed
    assert {r.arn for r in inv.roles} | {u.arn for u in inv.users} <= listed
    _brute_force(inv, rows, action, resource, open_context)
    # Asked again (warm), the same rows.
    assert who_can(inv, action, resource, open_context=open_context) == rows
