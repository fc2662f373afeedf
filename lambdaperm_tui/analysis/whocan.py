"""Who can do an action on a resource, and what a principal can do across the account's Lambda resources.

``who_can`` asks ``simulate`` once per candidate: every role and user of the account, the account root,
and every principal the resource's own policy names (other accounts, services, the public, organization
members). A service principal named with ``aws:SourceArn``/``aws:SourceAccount`` conditions is asked both
plainly and with the source the statement names, so "S3 from bucket X" and "S3 from anywhere" are
separate rows (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..iam import collector
from ..iam.errors import InputError
from ..iam.result import BlockedBy, ConditionTerm, DecidingStatement
from ..inventory.model import Inventory, ListedKind, PolicySlot
from . import catalog
from .policy_index import _Index, _index
from .principals import (
    _ORG_KEYS,
    ORG_MEMBER_PLACEHOLDER,
    Caller,
    _classify,
    _conditions,
    _principals_of,
    _statements,
    organization_caller,
    public_caller,
)
from .resolve import Answer, AnswerDecision, _answer, simulate
from .targets import _resolve_principal, _resolve_resource

# Actions that act on functions, versions and aliases.
FUNCTION_ACTIONS: tuple[str, ...] = (
    "lambda:InvokeFunction",
    "lambda:InvokeFunctionUrl",
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:AddPermission",
    "lambda:RemovePermission",
    "lambda:GetPolicy",
    "lambda:PublishVersion",
    "lambda:UpdateAlias",
    "lambda:DeleteFunction",
)
# Actions that act on layer versions (layer permissions live there).
LAYER_ACTIONS: tuple[str, ...] = (
    "lambda:GetLayerVersion",
    "lambda:GetLayerVersionPolicy",
    "lambda:AddLayerVersionPermission",
    "lambda:DeleteLayerVersion",
)
COMMON_ACTIONS: tuple[str, ...] = FUNCTION_ACTIONS + LAYER_ACTIONS
# What-can's default question: the common actions and the two of the best-known escalation through Lambda
# (pass a role to a new function: https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
WHAT_CAN_ACTIONS: tuple[str, ...] = (*COMMON_ACTIONS, "lambda:CreateFunction", "iam:PassRole")

# Conditional rows sort with the allowed ones: access one condition away is access to look at.
_RANK = {"allowed": 0, "conditional": 0, "unknown": 1, "explicit_deny": 2, "implicit_deny": 2}
_SOURCE_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceowner")
_SOURCE_OPS = ("stringequals", "stringlike", "arnequals", "arnlike")


@dataclass(frozen=True, slots=True)
class WhoCanRow:
    """One principal's answer for the who-can question.

    ``principal`` is what was evaluated (ARN, service principal, ``anonymous``); ``label`` the words to
    show (e.g. ``s3.amazonaws.com (aws:SourceArn=arn:aws:s3:::b)``); ``origin`` says why it is listed
    (``account``: a principal of the inventory's account; ``resource-policy``: named by the policy).
    A row of kind ``unlisted`` stands for the principals of a list that could not be read (its
    ``principal`` is empty, its decision unknown, the reason in its answer): some of them may be allowed.
    """

    principal: str
    label: str
    kind: str
    origin: str
    decision: AnswerDecision
    decided_by: tuple[DecidingStatement, ...]
    answer: Answer
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed_if(self) -> tuple[tuple[ConditionTerm, ...], ...]:
        """The answer's condition (``"conditional"`` rows)."""
        return self.answer.allowed_if

    @property
    def blocked_by(self) -> BlockedBy | None:
        """The layer that stopped an ``"implicit_deny"`` row."""
        return self.answer.blocked_by

    def to_json(self) -> dict[str, Any]:
        """One row of ``who-can --json``: who, why listed, and the answer object."""
        out: dict[str, Any] = {
            "principal": self.principal,
            "label": self.label,
            "kind": self.kind,
            "origin": self.origin,
            "context": dict(self.context),
        }
        out.update(self.answer.to_json())
        return out


@dataclass(frozen=True, slots=True)
class WhatCanRow:
    """One (resource, action) answer for a principal."""

    resource: str
    action: str
    decision: AnswerDecision
    decided_by: tuple[DecidingStatement, ...]
    answer: Answer

    @property
    def allowed_if(self) -> tuple[tuple[ConditionTerm, ...], ...]:
        """The answer's condition (``"conditional"`` rows)."""
        return self.answer.allowed_if

    @property
    def blocked_by(self) -> BlockedBy | None:
        """The layer that stopped an ``"implicit_deny"`` row."""
        return self.answer.blocked_by

    def to_json(self) -> dict[str, Any]:
        """One row of a what-can answer."""
        return {
            "resource": self.resource,
            "action": self.action,
            "decision": self.decision,
            "allowed_if": [[t.to_json() for t in alt] for alt in self.allowed_if],
            "allowed_if_complete": self.answer.allowed_if_complete,
            "blocked_by": None if self.blocked_by is None else self.blocked_by.value,
            "decided_by": [d.to_json() for d in self.decided_by],
            "unknown_because": list(self.answer.unknown_because),
            "assumes": list(self.answer.assumes),
        }


@dataclass(frozen=True, slots=True)
class _Candidate:
    principal: str
    label: str
    kind: str
    origin: str
    context: tuple[tuple[str, str], ...] = ()
    assumes: tuple[str, ...] = ()


def _as_candidate(caller: Caller, kind: str) -> _Candidate:
    return _Candidate(caller.principal, caller.label, kind, "resource-policy", caller.context, caller.assumes)


def _unknown_answer(principal: str, action: str, resource: str, why: str) -> Answer:
    return Answer("unknown", None, principal, action, resource, unknown_because=(why,))


def _policy_candidates(inv: Inventory, slot: PolicySlot | None) -> list[_Candidate]:
    """Principals named by the resource policy (Allow or Deny), as candidates to evaluate."""
    if slot is None or slot.document is None:
        return []
    out: list[_Candidate] = []
    for _, st in _statements(slot.document):
        conds = _conditions(st)
        for ptype, value, negated in _principals_of(st):
            if negated:
                continue
            name, kind, account = _classify(ptype, value, inv.account_id)
            if kind == "public":
                orgs = [v for op, key, vals in conds if key.lower() in _ORG_KEYS for v in vals]
                for org in orgs:
                    caller = organization_caller(org)
                    if isinstance(caller, Caller):  # org paths and patterns have no single member
                        out.append(_as_candidate(caller, "organization"))
                out.append(_as_candidate(public_caller(), "public"))
                continue
            if kind == "service":
                out.append(_Candidate(name, name, "service", "resource-policy"))
                source: list[tuple[str, str]] = []
                for op, key, vals in conds:
                    base_op = op.lower().removesuffix("ifexists")
                    literal = len(vals) == 1 and "*" not in vals[0] and "?" not in vals[0]
                    if key.lower() in _SOURCE_KEYS and base_op in _SOURCE_OPS and literal:
                        source.append((key, vals[0]))
                if source:
                    shown = ", ".join(f"{k}={v}" for k, v in source)
                    out.append(
                        _Candidate(name, f"{name} ({shown})", "service", "resource-policy", tuple(source))
                    )
                continue
            if kind in ("federated", "canonical-user", "other"):
                continue  # not callers of Lambda; listed by named_principals, not evaluated here
            out.append(_Candidate(name, _named_label(name, kind, account), kind, "resource-policy"))
    return out


def _named_label(arn: str, kind: str, account: str | None) -> str:
    """``account 444455556666``, ``role incident-responder (444455556666)``, ..."""
    if kind == "account":
        return f"account {account}"
    tail = arn.split(":", 5)[-1]
    if kind in ("role", "user"):
        return f"{kind} {tail.rsplit('/', 1)[-1]} ({account})"
    if kind == "session":
        return f"session {tail.split('/', 1)[-1]} ({account})"
    return arn


def who_can(
    inv: Inventory, action: str, resource: str, *, open_context: bool = True
) -> tuple[WhoCanRow, ...]:
    """Every principal that might do ``action`` on ``resource``, each with its answer; allowed and
    conditional first (``open_context`` as for ``simulate``).

    Candidates: the account root, every role and user of the inventory, and every principal the
    resource's policy names (other accounts, services with and without their source, the public,
    organization members). Raises ``InputError`` for a bad action or resource. The rows are remembered
    per inventory: asking again (the explorer's second look) returns the same rows at once; treat them
    as read-only.
    """
    canonical = catalog.validate_action(action)
    idx = _index(inv)
    key = ("who-can", canonical, resource, open_context)
    hit = idx.answers.get(key)
    if isinstance(hit, tuple):
        return hit  # the same question over the same (immutable) inventory: the same rows
    with collector.paused():
        rows = _who_can(idx, canonical, resource, open_context)
    idx.remember(key, rows)
    return rows


def _who_can(idx: _Index, canonical: str, resource: str, open_context: bool) -> tuple[WhoCanRow, ...]:
    inv = idx.inv
    target = _resolve_resource(idx, resource)
    asked = _resolve_resource(idx, target.arn)  # each principal is asked about the resource's ARN
    cands: list[_Candidate] = [
        _Candidate(
            f"arn:aws:iam::{inv.account_id}:root", f"account root {inv.account_id}", "account", "account"
        )
    ]
    cands += [_Candidate(r.arn, f"role {r.name}", "role", "account") for r in inv.roles]
    cands += [_Candidate(u.arn, f"user {u.name}", "user", "account") for u in inv.users]
    cands += _policy_candidates(inv, target.slot)
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    rows: list[WhoCanRow] = []
    for c in cands:
        key = (c.principal, c.context)
        if key in seen:
            continue
        seen.add(key)
        ctx = dict(c.context)
        try:
            # simulate(inv, c.principal, canonical, target.arn, ctx), with the action and the resource
            # resolved once for every principal.
            who = _resolve_principal(idx, c.principal)
            answer = _answer(idx, who, canonical, asked, ctx, False, open_context)
        except InputError as exc:
            answer = _unknown_answer(c.principal, canonical, target.arn, f"cannot evaluate: {exc}")
        answer = _with_assumptions(answer, c.assumes)
        decided = answer.result.decided_by if answer.result else ()
        rows.append(WhoCanRow(c.principal, c.label, c.kind, c.origin, answer.decision, decided, answer, ctx))
    rows.extend(_unlisted_rows(inv, canonical, target.arn))
    rows.sort(key=lambda r: (_RANK.get(r.decision, 3), r.label.lower()))
    return tuple(rows)


def _unlisted_rows(inv: Inventory, action: str, resource: str) -> list[WhoCanRow]:
    """One unknown row per list of the account's principals that could not be read in full."""
    rows = []
    kinds: tuple[ListedKind, ...] = ("roles", "users")
    for kind in kinds:
        gap = inv.unlisted_of(kind)
        if gap is None:
            continue
        why = f"the account's {kind} could not be listed ({gap.reason}); one not shown may be allowed"
        answer = _unknown_answer("", action, resource, why)
        label = f"{kind} of account {inv.account_id} (could not be listed)"
        rows.append(WhoCanRow("", label, "unlisted", "account", "unknown", (), answer))
    return rows


def principals_unlisted(rows: Iterable[WhoCanRow]) -> bool:
    """True when some of the account's principals could not be listed, so the rows are not every
    principal: the who-can answer as a whole is unknown, whatever the rows say."""
    return any(r.kind == "unlisted" for r in rows)


def _with_assumptions(answer: Answer, texts: tuple[str, ...]) -> Answer:
    return dataclasses.replace(answer, assumes=(*answer.assumes, *texts)) if texts else answer


def _targets(inv: Inventory, action: str) -> tuple[str, ...]:
    """The inventory's resources ``action`` is asked of, by the resource types the catalog gives it:
    functions with their versions and aliases, layer versions, roles, users; ``*`` for an action granted
    only on ``*`` (``lambda:ListFunctions``) or on resources the inventory does not hold."""
    kinds = set(catalog.action_resource_types(action))
    out: list[str] = []
    if kinds & {"function", "function alias", "function version"}:
        for fn in inv.functions:
            out += [fn.arn, *(v.arn for v in fn.versions), *(a.arn for a in fn.aliases)]
    if kinds & {"layer", "layerversion"}:
        out += [lv.arn for layer in inv.layers for lv in layer.versions]
    if "role" in kinds:
        out += [r.arn for r in inv.roles]
    if "user" in kinds:
        out += [u.arn for u in inv.users]
    return tuple(out) if kinds else ("*",)


def what_can(
    inv: Inventory,
    principal: str | Caller,
    actions: Iterable[str] = WHAT_CAN_ACTIONS,
    *,
    open_context: bool = True,
) -> tuple[WhatCanRow, ...]:
    """What ``principal`` can do with each of ``actions`` on the inventory's resources of that action's type
    (``_targets``: a function action on every function, version and alias, a layer action on every layer
    version, ``iam:PassRole`` on every role, an action without a resource type on ``*``).

    ``principal`` is what ``simulate`` takes, or a ``Caller`` (``principals.caller_of``: the public, any
    account of an organization), whose context is the request's and whose assumptions each answer carries.
    Rows are in resource order (inventory order, then the order of ``actions``), allowed ones first.
    Raises ``InputError`` for a bad principal/action.
    """
    caller = principal if isinstance(principal, Caller) else Caller(principal, principal)
    ctx = dict(caller.context)
    acts = tuple(dict.fromkeys(catalog.validate_action(a) for a in actions))
    asked: dict[str, list[str]] = {}
    for act in acts:
        for arn in _targets(inv, act):
            asked.setdefault(arn, []).append(act)
    rows: list[WhatCanRow] = []
    for arn, on in asked.items():
        for act in on:
            answer = simulate(inv, caller.principal, act, arn, ctx, explain=False, open_context=open_context)
            answer = _with_assumptions(answer, caller.assumes)
            decided = answer.result.decided_by if answer.result else ()
            rows.append(WhatCanRow(arn, act, answer.decision, decided, answer))
    order = {id(r): i for i, r in enumerate(rows)}
    rows.sort(key=lambda r: (_RANK.get(r.decision, 3), order[id(r)]))
    return tuple(rows)


__all__ = [
    "COMMON_ACTIONS",
    "FUNCTION_ACTIONS",
    "LAYER_ACTIONS",
    "ORG_MEMBER_PLACEHOLDER",
    "WHAT_CAN_ACTIONS",
    "WhatCanRow",
    "WhoCanRow",
    "principals_unlisted",
    "what_can",
    "who_can",
]
