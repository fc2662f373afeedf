"""Any JSON in a policy slot gives an answer (possibly unknown), never a crash (README.md, "Sources": a
malformed document is recorded as unknown, with the reason, and the load goes on)."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaperm_tui.analysis.principals import named_principals
from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.analysis.whocan import who_can
from lambdaperm_tui.inventory.model import PolicySlot

from .analysis_inventory import FN, ROLE, build_inventory

BASE = build_inventory()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(
        [
            "*",
            "Allow",
            "Deny",
            "lambda:*",
            "lambda:InvokeFunction",
            "2012-10-17",
            f"{ROLE}/reporting",
            "s3.amazonaws.com",
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "Principal",
                    "NotPrincipal",
                    "AWS",
                    "Service",
                    "Condition",
                    "StringEquals",
                    "Sid",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=json_values)
def test_any_json_resource_policy_gives_an_answer(document: Any) -> None:
    fns = tuple(
        dataclasses.replace(f, policy=PolicySlot(document=document)) if f.name == "billing" else f
        for f in BASE.functions
    )
    inv = dataclasses.replace(BASE, functions=fns)
    a = simulate(inv, f"{ROLE}/reporting", "lambda:InvokeFunction", f"{FN}:billing")
    assert a.decision in ("allowed", "explicit_deny", "implicit_deny", "unknown")
    if a.decision == "unknown":
        assert a.unknown_because
    rows = who_can(inv, "lambda:InvokeFunction", f"{FN}:billing")
    assert rows and all(r.decision in ("allowed", "explicit_deny", "implicit_deny", "unknown") for r in rows)
    named_principals(inv)
