"""Evaluate one request against a set of policies with AWS's published logic, and explain the decision.

The rules, each with the page it follows (tests cite the same pages):

1. An explicit Deny in any policy that applies wins: identity, resource, boundary, session, SCP, RCP.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
2. Every SCP level (root → OU → account) must have an Allow, for IAM principals (users, roles, sessions,
   federated users, the root user) of a member account; SCPs never govern service principals or
   anonymous callers. Which levels apply (organization? management account?) is the caller's decision:
   the engine applies the levels it is given.
   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
3. Every RCP level must have an Allow, whoever the caller is (RCPs restrict the resource; their own
   examples exempt service principals with conditions, so service principals are not exempt here).
   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
4. Same account: an Allow in an identity policy (within the boundary and session policy) or in the
   resource policy suffices. A resource policy grant that names the IAM user, the role session ARN or the
   federated-user ARN is not limited by a boundary or session policy; one that names the role ARN is
   limited by the session's boundary and session policy (``"*"``: see rule 9); one that names
   the account only delegates to the account's identity policies.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
5. Cross account (principal account differs from the resource account): both the identity side and the
   resource policy must allow.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
6. Service principals and anonymous callers: the resource policy alone authorises them (plus rule 1, 3).
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
7. The root user of the resource's own account has full access unless an SCP, an RCP or an explicit
   deny says otherwise; the root user of another account needs the resource policy.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
8. A role's trust policy must explicitly allow ``sts:AssumeRole*`` (also ``sts:TagSession`` and
   ``sts:SetSourceIdentity``), even in the same account and for its root user: an identity Allow counts
   only beside a grant of the trust policy (which may name the account).
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
9. A resource-policy grant to ``"*"`` is not limited by a boundary or session policy (only their
   explicit Deny); a grant to the IAM user who federated applies to its federated-user session
   (``Principal.federated_by``), limited by its boundary and session policy.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
10. ``sts:GetCallerIdentity`` needs no permission, whatever the policies say.
   https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html

NotPrincipal: only with Deny (an Allow with NotPrincipal grants nothing: AWS does not support it and gives
no rule, so the result carries a warning); the
caller is exempt only when each identity it is checked as is listed (session ARN, role ARN and account for
a role session; a role given without a session can never be exempted); a Deny with NotPrincipal always
applies to users and roles with a permissions boundary.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html

Principal-derived context keys are added when the request does not give them: ``aws:PrincipalArn``,
``aws:PrincipalAccount``, ``aws:PrincipalType``, ``aws:username`` (IAM users), and
``aws:PrincipalServiceName`` / ``aws:PrincipalIsAWSService`` (``true`` for service principals, ``false``
for other signed callers, as AWS sets it for every signed request).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html

How the code follows the pages: ``_principal_case`` classifies the caller; one function per policy
layer (``_scp_layer``, ``_rcp_layer``, ``_resource_layer``, ``_identity_layer``, ``_boundary_layer``,
``_session_layer``) finds the statements that apply; ``_rule`` combines them, with one function per
principal case (``_service_or_anonymous``, ``_root_user``, ``_identity_side`` for users, roles, role
sessions and federated-user sessions, then ``_cross_account`` or ``_same_account``). The rule is
written once over an algebra: booleans for a closed context (``_combine``, which also says why) and
formulas over the open keys for an open one (``_open_answer``), so the two cannot drift.

``decided_by``: for ``explicit_deny`` the Deny statements that matched; for ``allowed`` the Allow
statements that granted (identity and/or resource, whichever path granted) plus, for each layer that had
to allow (each SCP and RCP level, the boundary, the session policy), the Allow statements that did; for
``implicit_deny`` it is empty (no statement decided: something was missing), and the explanation's layers
say which one blocked.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from . import render as words
from .arn import parse_arn
from .conditional import FALSE, TRUE, Formula, TooLarge, f_and, f_not, f_or, opaque, open_conditions, render
from .conditions import evaluate_conditions
from .context import RequestContext
from .errors import RequestError
from .policy import ActionPattern, Policy, PrincipalEntry, PrincipalSpec, ResourcePattern, Statement
from .principal import principal_arn
from .request import IAM_PRINCIPAL_KINDS, PolicySet, Principal, PrincipalKind, Request
from .result import (
    BlockedBy,
    ConditionMatch,
    ConditionTerm,
    DecidingStatement,
    Decision,
    DecisionReason,
    Element,
    ElementMatch,
    EngineWarning,
    Explanation,
    Grant,
    LayerExplanation,
    LayerKind,
    MatchReason,
    PolicyExplanation,
    PolicyType,
    Result,
    StatementExplanation,
    Verdict,
    WarningCode,
)
from .variables import parse_template

__all__ = ["EXPLAIN_LEVELS", "ExplainLevel", "derived_context", "evaluate", "key_is_open"]

ExplainLevel = Literal["full", "relevant"]
EXPLAIN_LEVELS: tuple[ExplainLevel, ...] = ("full", "relevant")

_ROLE_KINDS = frozenset({PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE})

# Strength of a resource-policy grant (see rule 4): higher is less limited.
_DELEGATE, _LIMITED, _DIRECT = 1, 2, 3

_EMPTY_CONTEXT = RequestContext()

# Layer notes that never vary, built once (they are immutable).
_NO_SCPS = LayerExplanation(LayerKind.SCP, Verdict.NONE, words.NO_SCP)
_NO_RCPS = LayerExplanation(LayerKind.RCP, Verdict.NONE, words.NO_RCP)
_NO_RESOURCE_POLICY = LayerExplanation(LayerKind.RESOURCE, Verdict.NONE, words.NO_RESOURCE_POLICY)
_NO_IDENTITY_POLICIES = LayerExplanation(LayerKind.IDENTITY, Verdict.NONE, words.NO_IDENTITY_POLICIES)
_NO_BOUNDARY = LayerExplanation(LayerKind.BOUNDARY, Verdict.NONE, words.NO_BOUNDARY)
_NO_SESSION_POLICY = LayerExplanation(LayerKind.SESSION, Verdict.NONE, words.NO_SESSION_POLICY)

_PRINCIPAL_TYPE = {
    PrincipalKind.USER: "User",
    PrincipalKind.ROLE: "AssumedRole",
    PrincipalKind.ASSUMED_ROLE: "AssumedRole",
    PrincipalKind.FEDERATED_USER: "FederatedUser",
    PrincipalKind.ROOT: "Account",
    PrincipalKind.ANONYMOUS: "Anonymous",
}


def derived_context(principal: Principal) -> dict[str, str]:
    """The context keys the principal implies (README.md, "The scenario file"); nothing else is invented."""
    out: dict[str, str] = {}
    arn = principal_arn(principal)
    if arn is not None:
        out["aws:PrincipalArn"] = arn
    if principal.account is not None and principal.kind in IAM_PRINCIPAL_KINDS:
        out["aws:PrincipalAccount"] = principal.account
    ptype = _PRINCIPAL_TYPE.get(principal.kind)
    if ptype is not None:
        out["aws:PrincipalType"] = ptype
    if principal.kind is PrincipalKind.USER and principal.name:
        out["aws:username"] = principal.name
    if principal.kind is PrincipalKind.SERVICE:
        out["aws:PrincipalServiceName"] = principal.text
        out["aws:PrincipalIsAWSService"] = "true"
    elif principal.kind in IAM_PRINCIPAL_KINDS:
        out["aws:PrincipalIsAWSService"] = "false"
    return out


# Keys derived from the principal: known for every request (present or absent), so never open.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
_DERIVED_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:username",
        "aws:principalservicename",
        "aws:principalservicenameslist",
        "aws:principalisawsservice",
    }
)
# Present only when an AWS service principal calls on a resource owner's behalf ("the aws:SourceAccount
# condition key is only available when the call to your resource is made directly by an AWS service
# principal"): absent for every other caller.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcearn
_SERVICE_CALL_KEYS = frozenset(
    {"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"}
)
# An anonymous (unsigned) request has no principal and no credentials: no principal's organization,
# tags, user id, MFA or token keys.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
_ANONYMOUS_ABSENT = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
        "aws:userid",
        "aws:tokenissuetime",
    }
)


def key_is_open(folded_key: str, principal: Principal) -> bool:
    """Whether a key the request does not give can be open for this caller (lower-case key): False
    for the keys derived from the principal and for those AWS documents as absent for this kind of
    caller (see the sets above), which are then decided as absent."""
    if folded_key in _DERIVED_KEYS:
        return False
    kind = principal.kind
    if kind is not PrincipalKind.SERVICE and folded_key in _SERVICE_CALL_KEYS:
        return False
    return not (
        kind is PrincipalKind.ANONYMOUS
        and (folded_key in _ANONYMOUS_ABSENT or folded_key.startswith("aws:principaltag/"))
    )


# ------------------------------------------------------------------------------------ principal matching


def _entry_grant(entry: PrincipalEntry, p: Principal) -> int:
    """0 when ``entry`` does not match the caller, else the grant strength it gives."""
    kind = entry.kind
    pk = p.kind
    if kind == "any":
        # "Identity-based policy types, such as permissions boundaries or session policies, do not
        # limit permissions granted using the aws:PrincipalArn condition key with a wildcard(*) in the
        # Principal element, unless the identity-based policies contain an explicit deny."
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
        return _DIRECT
    if kind == "service":
        return _DIRECT if pk is PrincipalKind.SERVICE and entry.value == p.text else 0
    if pk not in IAM_PRINCIPAL_KINDS or entry.account != p.account:
        return 0
    if entry.partition is not None and entry.partition != p.partition:
        return 0
    if kind == "account":
        return _DIRECT if pk is PrincipalKind.ROOT else _DELEGATE
    if kind == "user":
        # User names are unique in an account whatever their path.
        if pk is PrincipalKind.USER:
            return _DIRECT if entry.name == p.name else 0
        # "If a resource-based policy grants permission to the ARN of the IAM user who federated, then
        # requests made by the federated user during the session are limited by an implicit deny in a
        # permission boundary or session policy."
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
        if pk is PrincipalKind.FEDERATED_USER and p.federated_by is not None:
            return _LIMITED if entry.name == p.federated_by.rsplit("/", 1)[-1] else 0
        return 0
    if kind == "role":
        # Role names are unique in an account whatever their path; a session ARN carries no path.
        return _LIMITED if pk in _ROLE_KINDS and entry.name == _role_name(p) else 0
    if kind == "session":
        return _DIRECT if pk is PrincipalKind.ASSUMED_ROLE and entry.value == p.session_arn else 0
    if kind == "federated_user":
        return _DIRECT if pk is PrincipalKind.FEDERATED_USER and entry.name == p.name else 0
    return 0


def _service_linked(p: Principal) -> bool:
    """A service-linked role (path ``/aws-service-role/``): "SCPs don't affect service-linked roles."
    A session ARN carries no path, so only a role ARN given with its path is recognised.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    """
    return p.role_arn is not None and ":role/aws-service-role/" in p.role_arn


def _role_name(p: Principal) -> str | None:
    if p.role_arn is None:
        return None
    return p.role_arn.rsplit("/", 1)[-1]


def _spec_grant(spec: PrincipalSpec, p: Principal) -> tuple[int, PrincipalEntry | None]:
    best, which = 0, None
    for entry in spec.entries:
        g = _entry_grant(entry, p)
        if g > best:
            best, which = g, entry
            if g == _DIRECT:
                break
    return best, which


# ------------------------------------------------------------------------------------- policy evaluation


class _Req:
    """The request as the matchers need it; the context is built on first use (many decisions never
    reach a condition or a policy variable)."""

    __slots__ = (
        "principal",
        "action",
        "action_lower",
        "service",
        "resource",
        "closed_keys",
        "has_boundary",
        "open_context",
        "relevant",
        "_given",
        "_ctx",
    )

    def __init__(self, request: Request, has_boundary: bool, relevant: bool = False) -> None:
        self.principal = request.principal
        self.relevant = relevant
        self.action = request.action
        self.action_lower = request.action.lower()
        self.service = self.action_lower.split(":", 1)[0]
        self.resource = request.resource
        self.has_boundary = has_boundary
        self.open_context = request.open_context
        self.closed_keys = request.closed_keys
        # Given keys are checked at once (a bad value is a RequestError whatever the policies say);
        # the derived keys are added on first use.
        self._given = RequestContext(request.context) if request.context else _EMPTY_CONTEXT
        self._ctx: RequestContext | None = None

    @property
    def ctx(self) -> RequestContext:
        if self._ctx is None:
            self._ctx = self._given.with_defaults(derived_context(self.principal))
        return self._ctx

    def is_open(self, folded_key: str) -> bool:
        """True when the key (lower case) is open in this request: not given, not derived from the
        principal, and not documented as absent for this kind of caller."""
        if self.ctx.get_folded(folded_key) is not None or not key_is_open(folded_key, self.principal):
            return False
        for closed in self.closed_keys:
            if folded_key == closed or (closed.endswith("/") and folded_key.startswith(closed)):
                return False
        return True


class _Outcome:
    """One policy's part in a decision: the statements that applied, and their explanations.

    A plain class rather than a dataclass: it never leaves this module, and building a dataclass costs
    time at import (on the path of every ``simulate`` run)."""

    __slots__ = (
        "allows",
        "cond_allows",
        "cond_denies",
        "denies",
        "level",
        "not_matching_action",
        "policy",
        "policy_type",
        "statements",
    )

    def __init__(
        self,
        policy_type: PolicyType,
        policy: Policy,
        level: int | None,
        statements: list[StatementExplanation] | None = None,
    ) -> None:
        self.policy_type = policy_type
        self.policy = policy
        self.level = level
        self.allows: list[tuple[Statement, int]] = []  # (statement, grant strength)
        self.denies: list[Statement] = []
        # Open context: statements that apply exactly when a formula over the open keys holds.
        self.cond_allows: list[tuple[Statement, int, Formula]] = []
        self.cond_denies: list[tuple[Statement, Formula]] = []
        self.statements = statements
        self.not_matching_action: int | None = None  # explain="relevant": statements left out


def _identities(p: Principal) -> tuple[tuple[str, str | None], ...]:
    """The identities a request is checked as, for NotPrincipal: session, role and account for a role
    session; user and account for a user; and so on. ``None`` marks an identity that cannot be named
    (a role given without a session: its session ARN is unknown)."""
    k = p.kind
    account = ("account", p.account)
    if k is PrincipalKind.ASSUMED_ROLE:
        return (("session", p.session_arn), ("role", _role_name(p)), account)
    if k is PrincipalKind.ROLE:
        return (("session", None), ("role", _role_name(p)), account)
    if k is PrincipalKind.USER:
        return (("user", p.name), account)
    if k is PrincipalKind.FEDERATED_USER:
        return (("federated_user", p.name), account)
    if k is PrincipalKind.ROOT:
        return (account,)
    if k is PrincipalKind.SERVICE:
        return (("service", p.text),)
    return (("anonymous", None),)


def _listed(identity: tuple[str, str | None], spec: PrincipalSpec, p: Principal) -> bool:
    kind, value = identity
    for e in spec.entries:
        if e.kind == "any":
            return True
        if value is None or e.kind != kind:
            continue
        if kind == "service":
            if e.value == value:
                return True
            continue
        if e.account != p.account or (e.partition is not None and e.partition != p.partition):
            continue
        if kind == "account" or (kind in ("role", "user", "federated_user") and e.name == value):
            return True
        if kind == "session" and e.value == value:
            return True
    return False


def _not_principal_exempts(spec: PrincipalSpec, req: _Req) -> bool:
    """True when the caller is exempt from a NotPrincipal statement: every identity it is checked as
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html:
    a session needs its session ARN, its role ARN and its account listed; a user its ARN and account).
    A Deny with NotPrincipal always applies to IAM users and roles that have a permissions boundary."""
    p = req.principal
    if req.has_boundary and p.kind in (PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE):
        return False
    return all(_listed(i, spec, p) for i in _identities(p))


def _principal_test(st: Statement, req: _Req, required: bool) -> tuple[bool, int]:
    """Whether the statement's Principal/NotPrincipal matches the caller, and the grant strength."""
    p = req.principal
    if st.principal is not None:
        grant, _ = _spec_grant(st.principal, p)
        return grant > 0, grant
    if st.not_principal is not None:
        if st.effect == "Allow":
            # "NotPrincipal must be used with Deny. Using it with Allow is not supported."
            return False, 0
        return not _not_principal_exempts(st.not_principal, req), _DIRECT
    if required:
        return False, 0
    return True, _DIRECT


def _eval_fast(
    policy: Policy,
    ptype: PolicyType,
    level: int | None,
    req: _Req,
    with_principal: bool,
    principal_required: bool,
) -> _Outcome:
    out = _Outcome(ptype, policy, level)
    variables = policy.variables
    for st in policy.for_action(req.action_lower, req.service):
        open_resource = _open_resource(st, req) if req.open_context and variables else None
        if open_resource is None and not st.matches_resource(
            req.resource, req.ctx if variables and st.resource_variables else None
        ):
            continue
        grant = _DIRECT
        if with_principal:
            ok, grant = _principal_test(st, req, principal_required)
            if not ok:
                continue
        if req.open_context:
            f = (
                open_conditions(st.conditions, req.ctx, variables=variables, is_open=req.is_open)
                if st.conditions
                else TRUE
            )
            if open_resource is not None:
                f = f_and(f, open_resource)
            if not f:
                continue
            if f != TRUE:
                if st.effect == "Deny":
                    out.cond_denies.append((st, f))
                else:
                    out.cond_allows.append((st, grant, f))
                continue
        elif st.conditions:
            ok, _ = evaluate_conditions(st.conditions, req.ctx, variables=policy.variables, explain=False)
            if not ok:
                continue
        if st.effect == "Deny":
            out.denies.append(st)
        else:
            out.allows.append((st, grant))
    return out


def _open_resource(st: Statement, req: _Req) -> Formula | None:
    """For a Resource/NotResource holding a variable of an open key: a formula that cannot be written
    (the match depends on the unknown value), else None."""
    if not st.resource_variables:
        return None
    patterns = st.resource if st.resource is not None else st.not_resource or ()
    for p in patterns:
        if p.variables and any(req.is_open(k.lower()) for k in parse_template(p.text).variable_keys):
            return opaque(f"Resource {p.text}")
    return None


def _first_hit(patterns: tuple[ActionPattern, ...], action_lower: str) -> int | None:
    for i, p in enumerate(patterns):
        if p.matches(action_lower):
            return i
    return None


def _first_resource_hit(
    patterns: tuple[ResourcePattern, ...], resource: str, ctx: RequestContext | None
) -> int | None:
    for i, p in enumerate(patterns):
        if p.matches(resource, ctx):
            return i
    return None


# The texts of an element's patterns, per pattern tuple (keyed by identity, the tuple kept beside its
# texts so the key cannot be reused): a full explanation lists every statement of every policy, and a
# batch asks the same statements again and again.
_TEXTS: dict[int, tuple[tuple[Any, ...], tuple[str, ...]]] = {}
_TEXTS_LIMIT = 65536


def _texts(patterns: tuple[ActionPattern, ...] | tuple[ResourcePattern, ...]) -> tuple[str, ...]:
    cached = _TEXTS.get(id(patterns))
    if cached is not None and cached[0] is patterns:
        return cached[1]
    texts = tuple([p.text for p in patterns])
    if len(_TEXTS) >= _TEXTS_LIMIT:
        _TEXTS.clear()
    _TEXTS[id(patterns)] = (patterns, texts)
    return texts


def _describe_action(st: Statement, req: _Req) -> ElementMatch:
    if st.action is not None:
        hit = _first_hit(st.action, req.action_lower)
        texts = _texts(st.action)
        if hit is not None:
            return ElementMatch(Element.ACTION, True, MatchReason.MATCHES, req.action, texts, hit)
        return ElementMatch(Element.ACTION, False, MatchReason.MATCHES_NONE, req.action, texts)
    assert st.not_action is not None
    hit = _first_hit(st.not_action, req.action_lower)
    texts = _texts(st.not_action)
    if hit is not None:
        return ElementMatch(Element.NOT_ACTION, False, MatchReason.EXCLUDED, req.action, texts, hit)
    return ElementMatch(Element.NOT_ACTION, True, MatchReason.NOT_LISTED, req.action, texts)


def _describe_resource(st: Statement, req: _Req, variables: bool) -> ElementMatch | None:
    # As on the fast path: the context (built on first use) only matters to a Resource with a variable.
    ctx = req.ctx if variables and st.resource_variables else None
    if st.resource is not None:
        hit = _first_resource_hit(st.resource, req.resource, ctx)
        texts = _texts(st.resource)
        if hit is not None:
            return ElementMatch(Element.RESOURCE, True, MatchReason.MATCHES, req.resource, texts, hit)
        return ElementMatch(Element.RESOURCE, False, MatchReason.MATCHES_NONE, req.resource, texts)
    if st.not_resource is not None:
        hit = _first_resource_hit(st.not_resource, req.resource, ctx)
        texts = _texts(st.not_resource)
        if hit is not None:
            return ElementMatch(Element.NOT_RESOURCE, False, MatchReason.EXCLUDED, req.resource, texts, hit)
        return ElementMatch(Element.NOT_RESOURCE, True, MatchReason.NOT_LISTED, req.resource, texts)
    return None


_GRANTS = {_DELEGATE: Grant.ACCOUNT, _LIMITED: Grant.ROLE, _DIRECT: Grant.CALLER}


def _principal_element(
    element: Element,
    matched: bool,
    reason: MatchReason,
    spec: PrincipalSpec,
    p: Principal,
    hit: int | None = None,
    grant: int = 0,
) -> ElementMatch:
    """A Principal/NotPrincipal element's match: the caller against every entry of ``spec``."""
    entries = spec.entries
    return ElementMatch(
        element,
        matched,
        reason,
        p.text,
        tuple([e.value for e in entries]),
        hit,
        tuple([e.key for e in entries]),
        _GRANTS.get(grant),
    )


def _explain_principal(st: Statement, req: _Req, required: bool) -> tuple[bool, int, ElementMatch | None]:
    """``_principal_test`` with the explanation: (matches, grant strength, the element's match)."""
    p = req.principal
    if st.principal is not None:
        spec = st.principal
        grant, entry = _spec_grant(spec, p)
        if grant and entry is not None:
            hit = spec.entries.index(entry)
            return (
                True,
                grant,
                _principal_element(Element.PRINCIPAL, True, MatchReason.MATCHES, spec, p, hit, grant),
            )
        return False, grant, _principal_element(Element.PRINCIPAL, False, MatchReason.MATCHES_NONE, spec, p)
    if st.not_principal is not None:
        spec = st.not_principal
        if st.effect == "Allow":
            return (
                False,
                0,
                _principal_element(
                    Element.NOT_PRINCIPAL, False, MatchReason.NOT_PRINCIPAL_WITH_ALLOW, spec, p
                ),
            )
        if _not_principal_exempts(spec, req):
            return (
                False,
                _DIRECT,
                _principal_element(Element.NOT_PRINCIPAL, False, MatchReason.EXCLUDED, spec, p),
            )
        if req.has_boundary and p.kind in (
            PrincipalKind.USER,
            PrincipalKind.ROLE,
            PrincipalKind.ASSUMED_ROLE,
        ):
            reason = MatchReason.BOUNDARY_NOT_EXEMPT
        else:
            reason = MatchReason.NOT_EXEMPTED
        return True, _DIRECT, _principal_element(Element.NOT_PRINCIPAL, True, reason, spec, p)
    if required:
        return False, 0, ElementMatch(Element.PRINCIPAL, False, MatchReason.NO_PRINCIPAL, p.text, ())
    return True, _DIRECT, None


def _eval_explained(
    policy: Policy,
    ptype: PolicyType,
    level: int | None,
    req: _Req,
    with_principal: bool,
    principal_required: bool,
) -> _Outcome:
    explained: list[StatementExplanation] = []
    out = _Outcome(ptype, policy, level, statements=explained)
    variables = policy.variables
    statements: tuple[Statement, ...]
    if req.relevant:
        # Only a statement whose Action/NotAction matches is ever looked at further (the fast path
        # takes the same index), so listing just these loses nothing that decided or nearly decided.
        statements = policy.for_action(req.action_lower, req.service)
        out.not_matching_action = policy.statement_count - len(statements)
    else:
        statements = policy.statements
    memo = policy.outcomes
    for st in statements:
        if variables and st.resource_variables:
            a = _describe_action(st, req)
            r = _describe_resource(st, req, variables)
        else:
            # What a statement says about the Action and Resource depends on the action and resource
            # alone (no variable to resolve): a batch asks the same of one policy many times.
            key = (st.index, req.action, req.resource)
            entry = memo.get(key)
            if entry is None:
                if len(memo) >= _OUTCOME_MEMO_LIMIT:
                    memo.clear()
                entry = memo[key] = [_describe_action(st, req), _describe_resource(st, req, variables), None]
            a, r = entry[0], entry[1]
            if not with_principal and not st.conditions:
                # Nothing else to test: the whole statement's explanation is the same each time.
                se = entry[2]
                if se is None:
                    applies = a.matched and (r is None or r.matched)
                    elements: tuple[ElementMatch, ...] = (a,) if r is None else (a, r)
                    se = entry[2] = StatementExplanation(
                        st.index, st.sid, st.effect, elements, (), applies, False
                    )
                if se.applies:
                    if st.effect == "Deny":
                        out.denies.append(st)
                    else:
                        out.allows.append((st, _DIRECT))
                explained.append(se)
                continue
        applies = a.matched
        grant = _DIRECT
        pe = None
        if with_principal:
            _, grant, pe = _explain_principal(st, req, principal_required)
        if r is None:
            elements = (a,) if pe is None else (a, pe)
        else:
            applies = applies and r.matched
            elements = (a, r) if pe is None else (a, r, pe)
        if pe is not None:
            applies = applies and pe.matched
        if st.conditions:
            cond_ok, matches = evaluate_conditions(st.conditions, req.ctx, variables=variables, explain=True)
            if req.open_context:
                matches = tuple(
                    ConditionMatch(c.operator, c.key, c.policy_values, None, False, True)
                    if c.request_values is None and req.is_open(c.key.lower())
                    else c
                    for c in matches
                )
            applies = applies and cond_ok
        else:
            matches = ()
        open_resource = _open_resource(st, req) if req.open_context and variables else None
        if (
            req.open_context
            and a.matched
            and (r is None or r.matched or open_resource is not None)
            and (pe is None or pe.matched)
        ):
            f = (
                open_conditions(st.conditions, req.ctx, variables=variables, is_open=req.is_open)
                if st.conditions
                else TRUE
            )
            if open_resource is not None:
                f = f_and(f, open_resource)
            if f != TRUE:
                applies = False
                if f:
                    if st.effect == "Deny":
                        out.cond_denies.append((st, f))
                    else:
                        out.cond_allows.append((st, grant, f))
            else:
                applies = True
        if applies:
            if st.effect == "Deny":
                out.denies.append(st)
            else:
                out.allows.append((st, grant))
        explained.append(StatementExplanation(st.index, st.sid, st.effect, elements, matches, applies, False))
    return out


# Outcomes remembered per policy (see _memo_run).
_OUTCOME_MEMO_LIMIT = 4096


def _memo_run(
    run: Callable[[Policy, PolicyType, int | None, _Req, bool, bool], _Outcome],
    policy: Policy,
    ptype: PolicyType,
    level: int | None,
    req: _Req,
    with_principal: bool,
    principal_required: bool,
) -> _Outcome:
    """``run`` (explained or fast), answered from the policy's memo when that cannot change the answer.

    Without a Principal test (identity, boundary, session and SCP layers) and with no Condition nor
    Resource variable in the policy, a policy's outcome (the statements that apply and every word of
    their explanation) is a function of the request's action and resource only: a batch evaluating
    one role's policies, or one SCP, for many requests computes it once per action and resource. The
    outcome is never modified after it is built, so sharing it between results is safe.
    """
    if with_principal or not policy.context_free:
        return run(policy, ptype, level, req, with_principal, principal_required)
    key = (run, ptype, level, req.relevant, req.action, req.resource)
    memo = policy.outcomes
    out: _Outcome | None = memo.get(key)
    if out is None:
        out = run(policy, ptype, level, req, with_principal, principal_required)
        if len(memo) >= _OUTCOME_MEMO_LIMIT:
            memo.clear()
        memo[key] = out
    return out


# Results of bystanders (see _bystander_key), by their key. Bounded.
_BYSTANDERS: dict[tuple[Any, ...], tuple[Any, Result]] = {}
_BYSTANDERS_LIMIT = 4096


def _fixed_for_action(policy: Policy, req: _Req) -> bool:
    """True when what ``policy`` says about the request (no Principal test) depends on its action and
    resource only: no statement whose Action matches has a Condition or a Resource variable in force."""
    variables = policy.variables
    for st in policy.for_action(req.action_lower, req.service):
        if st.conditions or (variables and st.resource_variables):
            return False
    return True


def _may_apply(policy: Policy, req: _Req) -> bool:
    """False when no statement of ``policy`` can apply to the request, whatever its principal and
    context: none has an Action and a Resource matching it (a Resource with a policy variable in force
    may match, depending on the context)."""
    variables = policy.variables
    for st in policy.for_action(req.action_lower, req.service):
        if (variables and st.resource_variables) or st.matches_resource(req.resource, None):
            return True
    return False


def _bystander_key(case: _Case, policies: PolicySet, req: _Req) -> tuple[Any, ...] | None:
    """A key for a caller whose own policies say nothing about the action, or None.

    When no statement of the identity policies and the session policy has an Action and a Resource
    matching the request's (``_may_apply``: none applies, whatever the principal or the context), none of
    the resource policy has an Action matching it, there are no RCPs, and the boundary and every SCP say
    about the action what its action and resource alone decide (``_fixed_for_action``), the result
    without explanation (decision, deciding statements, blocked layer; no condition can be open, no
    warning can arise, as warnings come from the resource policy's statements for the action and from
    RCPs) is a function of the principal case, the action and resource, and which boundary and SCPs
    there are. who-can over an account asks that of every principal that cannot do the action at all:
    those answers are computed once per question and shape. Principal names never enter the result
    without an explanation.
    """
    if policies.rcps:
        return None
    for pol in policies.identity:
        if _may_apply(pol, req):
            return None
    if policies.session is not None and _may_apply(policies.session, req):
        return None
    # The resource policy's statements for the action can warn whatever resource they name (_warnings).
    if policies.resource is not None and policies.resource.for_action(req.action_lower, req.service):
        return None
    boundary = policies.boundary
    if boundary is not None and not _fixed_for_action(boundary, req):
        return None
    for level in policies.scps:
        for pol in level:
            if not _fixed_for_action(pol, req):
                return None
    return (
        req.action,
        req.resource,
        req.open_context,
        case.principal.kind,
        case.is_iam,
        case.is_root,
        case.cross_account,
        case.scp_exempt,
        case.identity_applies,
        case.trust,
        policies.resource is not None,
        policies.session is not None,
        None if boundary is None else id(boundary),
        tuple(tuple(id(pol) for pol in level) for level in policies.scps),
    )


# ---------------------------------------------------------------------------------------------- decision


def _request_account(request: Request) -> str | None:
    if request.resource_account:
        return request.resource_account
    if request.resource.startswith("arn:"):
        try:
            return parse_arn(request.resource).account or None
        except RequestError:
            return None
    return None


def evaluate(request: Request, policies: PolicySet, *, explain: bool | ExplainLevel = True) -> Result:
    """Decide ``request`` against ``policies`` (see the module docstring for the rules and sources).

    ``explain``: ``True`` or ``"full"`` explains every statement of every policy considered;
    ``"relevant"`` explains, per policy, only the statements whose Action/NotAction matches the
    requested action (the only ones whose resource, principal and conditions are ever looked at), each
    in full detail, and counts the others (``PolicyExplanation.statements_not_matching_action``);
    ``False`` builds no explanation (the fast path for bulk questions). The decision and ``decided_by``
    are the same whatever the level. Raises ``RequestError`` when a context value is not a string,
    number, boolean or list of them, and ``ValueError`` for an unknown ``explain`` level.

    The steps: who is asking (``_principal_case``), what each policy layer says (``_layer_outcomes``:
    one function per layer), then AWS's combination rule (``_rule``, one description used for a closed
    context by ``_combine`` and for an open one by ``_open_answer``).
    """
    if explain is True or explain is False:
        relevant = False
    elif explain == "full":
        explain, relevant = True, False
    elif explain == "relevant":
        explain, relevant = True, True
    else:
        raise ValueError(f'explain: expected True, False, "full" or "relevant", got {explain!r}')
    if request.principal.kind in IAM_PRINCIPAL_KINDS and request.action.lower() in _NO_PERMISSION_ACTIONS:
        return _no_permission_needed(request, bool(explain))
    req = _Req(request, policies.boundary is not None, relevant)
    case = _principal_case(request)
    bystander = None if explain else _bystander_key(case, policies, req)
    if bystander is not None:
        hit = _BYSTANDERS.get(bystander)
        if hit is not None:
            return hit[1]
    outs = _layer_outcomes(case, policies, req, _eval_explained if explain else _eval_fast)
    everything = outs.everything

    combined = _combine(case, policies, outs, explain)
    decision, deciding, summary, layers, blocked_by = combined
    allowed_if: tuple[tuple[ConditionTerm, ...], ...] = ()
    complete = True
    if req.open_context and any(o.cond_allows or o.cond_denies for o in everything):
        decision, deciding, summary, layers, blocked_by, allowed_if, complete = _open_answer(
            case, policies, combined, outs, explain
        )
    warnings = _warnings(everything, req)
    decided_by = _decided_by(deciding)
    if not explain:
        result = Result(decision, decided_by, None, allowed_if, complete, blocked_by, warnings)
        if bystander is not None:
            if len(_BYSTANDERS) >= _BYSTANDERS_LIMIT:
                _BYSTANDERS.clear()
            # The policies whose ids the key holds are kept with it, so no id is reused while it lives.
            _BYSTANDERS[bystander] = ((policies.boundary, policies.scps), result)
        return result
    deciding_keys = {(d.policy_type, d.policy, d.statement_index) for d in decided_by}
    pol_expl = []
    for o in everything:
        ptype, name = o.policy_type, o.policy.name
        # Statements were built with deciding=False; only one that applies can have decided.
        statements = o.statements or ()
        if o.allows or o.denies:
            sts = tuple(
                StatementExplanation(s.index, s.sid, s.effect, s.elements, s.conditions, True, True)
                if s.applies and (ptype, name, s.index) in deciding_keys
                else s
                for s in statements
            )
        else:
            sts = tuple(statements)
        pol_expl.append(PolicyExplanation(ptype, name, sts, o.level, o.not_matching_action))
    explanation = Explanation(summary, tuple(layers), tuple(pol_expl))
    return Result(decision, decided_by, explanation, allowed_if, complete, blocked_by, warnings)


# ------------------------------------------------------------------------------------ the principal case


class _Case:
    """Who is asking, as the combination rule needs it (see rules 2-8 of the module docstring)."""

    __slots__ = (
        "action",
        "cross_account",
        "identity_applies",
        "is_iam",
        "is_root",
        "principal",
        "scp_exempt",
        "trust",
    )

    def __init__(
        self,
        principal: Principal,
        action: str,
        is_iam: bool,
        is_root: bool,
        cross_account: bool,
        scp_exempt: bool,
        identity_applies: bool,
        trust: bool,
    ) -> None:
        self.principal = principal
        self.action = action
        self.is_iam = is_iam
        self.is_root = is_root
        self.cross_account = cross_account
        self.scp_exempt = scp_exempt
        self.identity_applies = identity_applies
        self.trust = trust  # the role's trust policy (the resource policy) must explicitly allow


def _principal_case(request: Request) -> _Case:
    """Classify the caller as the evaluation-logic pages do: an IAM principal (user, role, role
    session, federated-user session, root user) or not (service principal, anonymous); the root user;
    the same account as the resource or another; exempt from SCPs (not an IAM principal, or a
    service-linked role); a request a role's trust policy must allow.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    """
    p = request.principal
    is_iam = p.kind in IAM_PRINCIPAL_KINDS
    is_root = p.kind is PrincipalKind.ROOT
    resource_account = _request_account(request)
    cross_account = is_iam and resource_account is not None and p.account != resource_account
    scp_exempt = not is_iam or _service_linked(p)
    return _Case(
        p,
        request.action,
        is_iam,
        is_root,
        cross_account,
        scp_exempt,
        is_iam and not is_root,
        _trust_request(request),
    )


# ------------------------------------------------------------------------------- one analysis per layer


_Run = Callable[[Policy, PolicyType, int | None, _Req, bool, bool], _Outcome]


class _Outcomes(NamedTuple):
    """What each policy layer says about one request (each policy's applying statements)."""

    scps: list[list[_Outcome]]  # per level, root first; empty when SCPs do not govern the caller
    rcps: list[list[_Outcome]]
    identity: list[_Outcome]
    boundary: _Outcome | None
    session: _Outcome | None
    resource: _Outcome | None
    everything: list[
        _Outcome
    ]  # in the explanation's order: SCPs, RCPs, resource, identity, boundary, session


def _scp_layer(case: _Case, policies: PolicySet, req: _Req, run: _Run) -> list[list[_Outcome]]:
    """Service control policies, level by level (root, OUs, account). They govern the IAM principals of
    a member account, never service principals, anonymous callers or service-linked roles.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    """
    if case.scp_exempt:
        return []
    return [
        [_memo_run(run, pol, "scp", i, req, False, False) for pol in level]
        for i, level in enumerate(policies.scps)
    ]


def _rcp_layer(policies: PolicySet, req: _Req, run: _Run) -> list[list[_Outcome]]:
    """Resource control policies, level by level, whoever the caller is; their Principal element (usually
    ``"*"``) is checked when present.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    """
    return [[run(pol, "rcp", i, req, True, False) for pol in level] for i, level in enumerate(policies.rcps)]


def _resource_layer(policies: PolicySet, req: _Req, run: _Run) -> _Outcome | None:
    """The resource-based policy (a function's policy, a role's trust policy): a statement grants only
    the principals its Principal element names.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    return None if policies.resource is None else run(policies.resource, "resource", None, req, True, True)


def _identity_layer(case: _Case, policies: PolicySet, req: _Req, run: _Run) -> list[_Outcome]:
    """The caller's identity-based policies (none for the root user, service principals and anonymous
    callers). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    if not case.identity_applies:
        return []
    return [_memo_run(run, pol, "identity", None, req, False, False) for pol in policies.identity]


def _boundary_layer(case: _Case, policies: PolicySet, req: _Req, run: _Run) -> _Outcome | None:
    """The permissions boundary: the most the identity side may grant.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    """
    if not case.identity_applies or policies.boundary is None:
        return None
    return _memo_run(run, policies.boundary, "boundary", None, req, False, False)


def _session_layer(case: _Case, policies: PolicySet, req: _Req, run: _Run) -> _Outcome | None:
    """The session policy of a role or federated-user session.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
    """
    if not case.identity_applies or policies.session is None:
        return None
    return _memo_run(run, policies.session, "session", None, req, False, False)


def _layer_outcomes(case: _Case, policies: PolicySet, req: _Req, run: _Run) -> _Outcomes:
    scps = _scp_layer(case, policies, req, run)
    rcps = _rcp_layer(policies, req, run)
    identity = _identity_layer(case, policies, req, run)
    boundary = _boundary_layer(case, policies, req, run)
    session = _session_layer(case, policies, req, run)
    resource = _resource_layer(policies, req, run)
    everything: list[_Outcome] = [o for lvl in scps for o in lvl] + [o for lvl in rcps for o in lvl]
    if resource is not None:
        everything.append(resource)
    everything.extend(identity)
    if boundary is not None:
        everything.append(boundary)
    if session is not None:
        everything.append(session)
    return _Outcomes(scps, rcps, identity, boundary, session, resource, everything)


# ----------------------------------------------------------------------------------- the combination rule

_T = TypeVar("_T")


class _Algebra(Generic[_T]):
    """What the rule computes with: booleans for a closed context (each statement applies or not),
    formulas over the open keys for an open one (each statement applies when a formula holds)."""

    __slots__ = ("allows", "and_", "denies", "false", "not_", "or_", "true")

    def __init__(
        self,
        and_: Callable[[_T, _T], _T],
        or_: Callable[[_T, _T], _T],
        not_: Callable[[_T], _T],
        true: _T,
        false: _T,
        allows: Callable[[list[_Outcome], int | None], _T],
        denies: Callable[[list[_Outcome]], _T],
    ) -> None:
        self.and_, self.or_, self.not_, self.true, self.false = and_, or_, not_, true, false
        self.allows = allows  # some Allow of these outcomes applies (of this grant strength, if given)
        self.denies = denies  # some Deny of these outcomes applies


# Plain loops rather than any(<generator>): these run about ten times for every closed decision.
def _any_allow(outs: list[_Outcome], grant: int | None) -> bool:
    for o in outs:
        if o.allows:
            if grant is None:
                return True
            for _, g in o.allows:
                if g == grant:
                    return True
    return False


def _any_deny(outs: list[_Outcome]) -> bool:
    for o in outs:  # noqa: SIM110
        if o.denies:
            return True
    return False


def _allows_formula(outs: list[_Outcome], grant: int | None) -> Formula:
    """OR of the Allow statements of ``outs`` (those of strength ``grant`` only, when given)."""
    f = FALSE
    for o in outs:
        if any(grant is None or g == grant for _, g in o.allows):
            return TRUE
        for _, g, cf in o.cond_allows:
            if grant is None or g == grant:
                f = f_or(f, cf)
    return f


def _denies_formula(outs: list[_Outcome]) -> Formula:
    f = FALSE
    for o in outs:
        if o.denies:
            return TRUE
        for _, cf in o.cond_denies:
            f = f_or(f, cf)
    return f


_CLOSED: _Algebra[bool] = _Algebra(
    operator.and_, operator.or_, operator.not_, True, False, _any_allow, _any_deny
)
_OPEN: _Algebra[Formula] = _Algebra(f_and, f_or, f_not, TRUE, FALSE, _allows_formula, _denies_formula)


class _Rule(Generic[_T]):
    """The parts of AWS's decision for one request, each a boolean or a formula (see ``_rule``)."""

    __slots__ = (
        "allowed",
        "any_grant",
        "boundary_ok",
        "deny",
        "direct",
        "identity_path",
        "limited",
        "ok",
        "org",
        "session_ok",
        "via_identity",
    )

    def __init__(self, deny: _T, org: _T, any_grant: _T, false: _T) -> None:
        self.deny = deny  # an explicit Deny applies
        self.org = org  # every SCP and RCP level has an Allow
        self.any_grant = any_grant  # the resource policy has an Allow for the caller
        self.boundary_ok = false  # no boundary, or it allows (IAM principals but the root user)
        self.session_ok = false  # no session policy, or it allows
        self.identity_path = false  # an identity Allow, within the boundary and the session policy
        self.via_identity = false  # the identity path, where it counts (a trust policy must allow too)
        self.direct = false  # a resource grant naming the caller itself
        self.limited = false  # a resource grant naming the caller's role, within boundary and session policy
        self.ok = false  # the principal case's rule: the request is granted
        self.allowed = false  # granted, no explicit Deny, every SCP and RCP level allows


def _rule(case: _Case, alg: _Algebra[_T], outs: _Outcomes) -> _Rule[_T]:
    """AWS's evaluation logic over what each layer says: an explicit Deny anywhere wins; every SCP and
    RCP level must allow; then the principal case decides (one function per case below).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    and_, allows = alg.and_, alg.allows
    org = alg.true
    for level in outs.scps:
        org = and_(org, allows(level, None))
    for level in outs.rcps:
        org = and_(org, allows(level, None))
    false = alg.false
    deny = alg.denies(outs.everything)
    if deny == alg.true or org == false:
        # An explicit Deny, or a level without an Allow, decides whatever the principal case says.
        return _Rule(deny, org, false, false)
    resources = [outs.resource] if outs.resource is not None else []
    r = _Rule(deny, org, allows(resources, None), false)
    if not case.is_iam:
        _service_or_anonymous(r)
    elif case.is_root:
        _root_user(case, alg, r)
    else:
        _identity_side(case, alg, outs, r)
        if case.cross_account:
            _cross_account(alg, r)
        else:
            _same_account(case, alg, resources, r)
    r.allowed = alg.and_(alg.not_(r.deny), alg.and_(r.org, r.ok))
    return r


def _service_or_anonymous(r: _Rule[_T]) -> None:
    """A service principal or an anonymous caller has no identity policies: the resource policy alone
    authorises it. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    r.ok = r.any_grant


def _root_user(case: _Case, alg: _Algebra[_T], r: _Rule[_T]) -> None:
    """The root user of the resource's account has full access (within SCPs, RCPs and explicit Deny),
    except where a role's trust policy must allow; the root user of another account needs the resource
    policy. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    r.ok = r.any_grant if case.cross_account or case.trust else alg.true


def _identity_side(case: _Case, alg: _Algebra[_T], outs: _Outcomes, r: _Rule[_T]) -> None:
    """An IAM user, role, role session or federated-user session: an identity Allow counts within the
    permissions boundary and the session policy. A federated-user session (GetFederationToken) without a
    session policy gets nothing from its user's identity policies.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
    https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
    """
    r.boundary_ok = alg.true if outs.boundary is None else alg.allows([outs.boundary], None)
    r.session_ok = alg.true if outs.session is None else alg.allows([outs.session], None)
    federated_without_session = case.principal.kind is PrincipalKind.FEDERATED_USER and outs.session is None
    id_session_ok = alg.false if federated_without_session else r.session_ok
    r.identity_path = alg.and_(alg.and_(alg.allows(outs.identity, None), r.boundary_ok), id_session_ok)


def _cross_account(alg: _Algebra[_T], r: _Rule[_T]) -> None:
    """Another account's principal: both its identity side and the resource policy must allow.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    """
    r.via_identity = r.identity_path
    r.ok = alg.and_(r.identity_path, r.any_grant)


def _same_account(case: _Case, alg: _Algebra[_T], resources: list[_Outcome], r: _Rule[_T]) -> None:
    """A principal of the resource's account: the identity path, or a resource-policy grant. A grant
    naming the caller itself (user, session, federated user, ``"*"``) is not limited by a boundary or
    session policy; one naming the role of a session (or the user who federated) is; one naming the
    account only delegates to identity policies. A role's trust policy must allow explicitly: there an
    identity Allow counts only beside a grant of the trust policy.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
    """
    r.direct = alg.allows(resources, _DIRECT)
    r.limited = alg.and_(alg.and_(alg.allows(resources, _LIMITED), r.boundary_ok), r.session_ok)
    r.via_identity = alg.and_(r.identity_path, r.any_grant) if case.trust else r.identity_path
    r.ok = alg.or_(alg.or_(r.via_identity, r.direct), r.limited)


# ------------------------------------------------------------------------------- the closed answer, why


class _Combined(NamedTuple):
    decision: Decision
    deciding: list[tuple[_Outcome, Statement]]
    summary: str
    layers: list[LayerExplanation]
    blocked_by: BlockedBy | None


def _combine(case: _Case, policies: PolicySet, outs: _Outcomes, explain: bool) -> _Combined:
    """The decision over the statements that apply for certain (each outcome's ``allows`` and
    ``denies``), by ``_rule``, with the statements that decided it, the layer that blocked it, and
    (``explain``) the layers in words."""
    r = _rule(case, _CLOSED, outs)
    p = case.principal
    action = case.action
    layers: list[LayerExplanation] = []
    everything = outs.everything
    denies = [(o, st) for o in everything for st in o.denies] if r.deny else []
    if explain:
        if denies:
            note = words.explicit_deny_words(
                [(o.policy_type, o.policy.name, st.index, st.sid) for o, st in denies]
            )
            layers.append(_layer(LayerKind.EXPLICIT_DENY, Verdict.DENIES, note))
        else:
            layers.append(_layer(LayerKind.EXPLICIT_DENY, Verdict.NO_DENY, words.no_deny_words(action)))
    if denies:
        o, st = denies[0]
        summary = words.explicitly_denied_words(o.policy_type, o.policy.name, st.index, st.sid)
        if explain:
            layers.append(_layer(LayerKind.DECISION, Verdict.EXPLICIT_DENY, words.EXPLICIT_DENY_OVERRIDES))
        return _Combined(Decision.EXPLICIT_DENY, denies, summary, layers, None)

    required, blocked, blocked_by = _organization_levels(case, policies, outs, explain, layers)
    id_allows = [(o, st) for o in outs.identity for st, _ in o.allows]
    boundary_out, session_out, resource_out = outs.boundary, outs.session, outs.resource
    boundary_allows = [(boundary_out, st) for st, _ in boundary_out.allows] if boundary_out else []
    session_allows = [(session_out, st) for st, _ in session_out.allows] if session_out else []
    res_grants = [(resource_out, st, g) for st, g in resource_out.allows] if resource_out else []
    if explain:
        _layer_notes(
            layers,
            p,
            policies,
            resource_out,
            res_grants,
            case.identity_applies,
            id_allows,
            boundary_out,
            boundary_allows,
            session_out,
            session_allows,
            action,
        )
    if not r.org:
        if explain:
            layers.append(_layer(LayerKind.DECISION, Verdict.IMPLICIT_DENY, str(blocked)))
        return _Combined(
            Decision.IMPLICIT_DENY,
            [],
            words.summary_words(Decision.IMPLICIT_DENY, str(blocked)),
            layers,
            blocked_by,
        )
    why = _Why(r, id_allows, boundary_allows, session_allows, res_grants)
    if not case.is_iam:
        _why_service_or_anonymous(why)
    elif case.is_root:
        _why_root_user(case, why)
    elif case.cross_account:
        _why_cross_account(case, why, resource_out is not None)
    else:
        _why_same_account(case, why, resource_out is not None)
    deciding: list[tuple[_Outcome, Statement]] = []
    reason = words.decision_reason_words(why.reason, p, None if r.ok else why.gap)
    if r.ok:
        decision = Decision.ALLOWED
        deciding = why.granted + required + why.limits
        summary = words.summary_words(decision, reason)
    else:
        decision = Decision.IMPLICIT_DENY
        summary = words.summary_words(decision, reason)
        blocked_by = why.gap
    if explain:
        note = words.same_account_words(reason) if case.is_iam and not case.cross_account else reason
        layers.append(_layer(LayerKind.DECISION, Verdict(decision.value), note))
    return _Combined(decision, deciding, summary, layers, blocked_by)


def _organization_levels(
    case: _Case, policies: PolicySet, outs: _Outcomes, explain: bool, layers: list[LayerExplanation]
) -> tuple[list[tuple[_Outcome, Statement]], str | None, BlockedBy | None]:
    """Each SCP and RCP level's first Allow (they are deciding statements of an allowed request), the
    first level without one (``"no SCP at level 2 allows ..."``) and its layer, and (``explain``) each
    level's verdict."""
    required: list[tuple[_Outcome, Statement]] = []
    blocked: str | None = None
    blocked_by: BlockedBy | None = None
    action = case.action
    for kind, outs_, given in (("SCP", outs.scps, policies.scps), ("RCP", outs.rcps, policies.rcps)):
        if kind == "SCP" and case.scp_exempt and given:
            if explain:
                layers.append(
                    _layer(LayerKind.SCP, Verdict.NOT_APPLICABLE, words.scp_exempt_words(case.principal))
                )
            continue
        if not outs_ and explain:
            layers.append(_NO_SCPS if kind == "SCP" else _NO_RCPS)
        layer_kind = LayerKind.SCP if kind == "SCP" else LayerKind.RCP
        for i, level in enumerate(outs_):
            allows = [(o, st) for o in level for st, _ in o.allows]
            if allows:
                required.extend(allows[:1])
                if explain:
                    o, st = allows[0]
                    note = words.statement_allows_words(o.policy.name, st.index, st.sid, action)
                    layers.append(_layer(layer_kind, Verdict.ALLOWS, note, i))
            else:
                if blocked is None:
                    blocked = words.organization_no_allow_words(layer_kind, i, action)
                    blocked_by = BlockedBy.SCP if kind == "SCP" else BlockedBy.RCP
                if explain:
                    note = words.organization_no_allow_words(layer_kind, i, action)
                    layers.append(_layer(layer_kind, Verdict.NO_ALLOW, note, i))
    return required, blocked, blocked_by


class _Why:
    """Why a principal case granted or not (closed context): the statements that granted and those
    that satisfied a limiting layer, the reason (``render.decision_reason_words`` writes it), and the
    layer that blocked."""

    __slots__ = (
        "boundary_allows",
        "gap",
        "granted",
        "id_allows",
        "limits",
        "reason",
        "res_grants",
        "rule",
        "session_allows",
    )

    def __init__(
        self,
        rule: _Rule[bool],
        id_allows: list[tuple[_Outcome, Statement]],
        boundary_allows: list[tuple[_Outcome, Statement]],
        session_allows: list[tuple[_Outcome, Statement]],
        res_grants: list[tuple[_Outcome, Statement, int]],
    ) -> None:
        self.rule = rule
        self.id_allows = id_allows
        self.boundary_allows = boundary_allows
        self.session_allows = session_allows
        self.res_grants = res_grants
        self.granted: list[tuple[_Outcome, Statement]] = []
        self.limits: list[tuple[_Outcome, Statement]] = []
        self.reason = DecisionReason.SAME_NO_ALLOW
        self.gap = BlockedBy.NO_ALLOW  # the layer that stops the request when nothing else did


def _why_service_or_anonymous(why: _Why) -> None:
    why.granted = [(o, st) for o, st, _ in why.res_grants]
    why.gap = BlockedBy.RESOURCE_POLICY
    why.reason = DecisionReason.SERVICE_ALLOWED if why.rule.ok else DecisionReason.SERVICE_NOT_ALLOWED


def _why_root_user(case: _Case, why: _Why) -> None:
    why.granted = [(o, st) for o, st, _ in why.res_grants]
    if not case.cross_account and not case.trust:
        why.reason = DecisionReason.ROOT_OWN_ACCOUNT
        return
    why.gap = BlockedBy.RESOURCE_POLICY
    why.reason = DecisionReason.ROOT_CROSS_ALLOWED if why.rule.ok else DecisionReason.ROOT_CROSS_NOT_ALLOWED


def _identity_gap_layer(why: _Why, none: BlockedBy) -> BlockedBy:
    """The identity-side layer that has no Allow (``none`` when no identity policy allows)."""
    r = why.rule
    if not why.id_allows:
        return none
    if not r.boundary_ok:
        return BlockedBy.BOUNDARY
    return BlockedBy.SESSION_POLICY


def _why_cross_account(case: _Case, why: _Why, has_resource_policy: bool) -> None:
    r = why.rule
    if r.ok:
        why.granted = why.id_allows + [(o, st) for o, st, _ in why.res_grants]
        why.limits = why.boundary_allows[:1] + why.session_allows[:1]
        why.reason = DecisionReason.CROSS_BOTH_ALLOW
    elif r.any_grant:
        why.gap = _identity_gap_layer(why, BlockedBy.IDENTITY)
        why.reason = DecisionReason.CROSS_IDENTITY_SIDE_MISSING
    elif r.identity_path:
        why.gap = BlockedBy.RESOURCE_POLICY
        why.reason = (
            DecisionReason.CROSS_RESOURCE_POLICY_DOES_NOT
            if has_resource_policy
            else DecisionReason.CROSS_NO_RESOURCE_POLICY
        )
    else:
        why.reason = DecisionReason.CROSS_NEITHER


def _why_same_account(case: _Case, why: _Why, has_resource_policy: bool) -> None:
    r = why.rule
    direct = [(o, st) for o, st, g in why.res_grants if g == _DIRECT]
    limited = [(o, st) for o, st, g in why.res_grants if g == _LIMITED]
    resource_path = r.direct or r.limited
    if r.ok:
        if r.via_identity:
            why.granted.extend(why.id_allows)
        if direct:
            why.granted.extend(direct)
        elif r.limited:
            why.granted.extend(limited)
        if r.via_identity or not direct:
            why.limits = why.boundary_allows[:1] + why.session_allows[:1]
        why.reason = (
            DecisionReason.SAME_IDENTITY_ALLOWS
            if r.via_identity and not resource_path
            else DecisionReason.SAME_RESOURCE_ALLOWS
            if resource_path and not r.via_identity
            else DecisionReason.SAME_BOTH_ALLOW
        )
    elif r.identity_path:
        # Only a role's trust policy can refuse what the identity path allows.
        why.gap = BlockedBy.RESOURCE_POLICY
        why.reason = DecisionReason.SAME_TRUST_POLICY_DOES_NOT
    elif limited and not (r.boundary_ok and r.session_ok):
        why.gap = BlockedBy.BOUNDARY if not r.boundary_ok else BlockedBy.SESSION_POLICY
        why.reason = DecisionReason.SAME_ROLE_GRANT_LIMITED
    elif r.any_grant and not direct and not limited and not why.id_allows:
        why.reason = DecisionReason.SAME_ACCOUNT_GRANT_ONLY
    else:
        why.gap = _identity_gap_layer(why, BlockedBy.NO_ALLOW)
        why.reason = (
            DecisionReason.SAME_NO_ALLOW
            if has_resource_policy
            else DecisionReason.SAME_NO_ALLOW_NO_RESOURCE_POLICY
        )


# Actions AWS authorises for any signed IAM caller without consulting a policy. sts:GetCallerIdentity:
# "No permissions are required to perform this operation. If an administrator attaches a policy to your
# identity that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this
# operation." https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
_NO_PERMISSION_ACTIONS = frozenset({"sts:getcalleridentity"})


def _no_permission_needed(request: Request, explain: bool) -> Result:
    if not explain:
        return Result(Decision.ALLOWED, ())
    text = words.no_permission_needed_words(request.action)
    layer = _layer(LayerKind.DECISION, Verdict.ALLOWED, text)
    return Result(Decision.ALLOWED, (), Explanation(text, (layer,), ()))


# Actions a role's trust policy governs: "IAM role trust policies and KMS key policies are exceptions
# to this logic, because they must explicitly allow access for principals" (even in the same account).
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
_TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
    }
)


def _trust_request(request: Request) -> bool:
    """A request the role's trust policy must explicitly allow (the resource is an IAM role)."""
    resource = request.resource
    return request.action.lower() in _TRUST_ACTIONS and ":iam::" in resource and ":role/" in resource


# ------------------------------------------------------------------------------------- open context


def _optimistic(o: _Outcome) -> _Outcome:
    """``o`` with its conditional Allow statements counted as applying (and its conditional Deny
    statements not): the most a request could get, to name the layer that blocks it regardless."""
    if not o.cond_allows:
        return o
    c = _Outcome(o.policy_type, o.policy, o.level, o.statements)
    c.allows = o.allows + [(st, g) for st, g, _ in o.cond_allows]
    c.denies = o.denies
    c.not_matching_action = o.not_matching_action
    return c


def _optimistic_outcomes(outs: _Outcomes) -> _Outcomes:
    return _Outcomes(
        [[_optimistic(o) for o in level] for level in outs.scps],
        [[_optimistic(o) for o in level] for level in outs.rcps],
        [_optimistic(o) for o in outs.identity],
        None if outs.boundary is None else _optimistic(outs.boundary),
        None if outs.session is None else _optimistic(outs.session),
        None if outs.resource is None else _optimistic(outs.resource),
        [_optimistic(o) for o in outs.everything],
    )


def _open_answer(
    case: _Case, policies: PolicySet, combined: _Combined, outs: _Outcomes, explain: bool
) -> tuple[
    Decision,
    list[tuple[_Outcome, Statement]],
    str,
    list[LayerExplanation],
    BlockedBy | None,
    tuple[tuple[ConditionTerm, ...], ...],
    bool,
]:
    """The answer when some statement applies only under conditions on open keys: ``_rule`` over
    formulas (the same rule as the closed answer; a property test checks that for every assignment of
    the open keys it agrees with the closed evaluation)."""
    decision, deciding, summary, layers, blocked_by = combined
    everything = outs.everything
    conditional_allows = [(o, st) for o in everything for st, _, _ in o.cond_allows]
    try:
        rule = _rule(case, _OPEN, outs)
        allowed, deny = rule.allowed, rule.deny
    except TooLarge:
        text = words.OPEN_TOO_LARGE
        if explain:
            layers = [*layers[:-1], _layer(LayerKind.DECISION, Verdict.CONDITIONAL, text)]
        return Decision.CONDITIONAL, conditional_allows, text, layers, None, (), False
    if allowed == TRUE:
        if decision is Decision.ALLOWED:
            return decision, deciding, summary, layers, None, (), True
        text = words.OPEN_ALWAYS_ALLOWED
        if explain:
            layers = [*layers[:-1], _layer(LayerKind.DECISION, Verdict.ALLOWED, text)]
        return Decision.ALLOWED, conditional_allows, text, layers, None, (), True
    if not allowed:
        if deny == TRUE and decision is Decision.EXPLICIT_DENY:
            return decision, deciding, summary, layers, None, (), True
        best = _combine(case, policies, _optimistic_outcomes(outs), explain)
        if best.decision is Decision.IMPLICIT_DENY:
            return best.decision, [], best.summary, best.layers, best.blocked_by, (), True
        # Whenever an Allow would apply, a Deny applies too.
        denying = [(o, st) for o in everything for st in o.denies] + [
            (o, st) for o in everything for st, _ in o.cond_denies
        ]
        text = words.OPEN_ALWAYS_DENIED
        if explain:
            layers = [*layers[:-1], _layer(LayerKind.DECISION, Verdict.EXPLICIT_DENY, text)]
        return Decision.EXPLICIT_DENY, denying, text, layers, None, (), True
    allowed_if, complete = render(allowed)
    text = words.allowed_if_summary_words(allowed_if, complete)
    if explain:
        layers = [*layers[:-1], _layer(LayerKind.DECISION, Verdict.CONDITIONAL, text)]
    return Decision.CONDITIONAL, conditional_allows, text, layers, None, allowed_if, complete


def _warnings(everything: list[_Outcome], req: _Req) -> tuple[EngineWarning, ...]:
    """Statements whose meaning AWS leaves open, among those of the considered policies whose Action
    matches the request: an Allow with NotPrincipal ("not supported"; see ``_principal_test``)."""
    out: list[EngineWarning] = []
    for o in everything:
        if o.policy_type not in ("resource", "rcp"):
            continue  # only resource-based policies and RCPs carry NotPrincipal
        for st in o.policy.for_action(req.action_lower, req.service):
            if st.effect == "Allow" and st.not_principal is not None:
                out.append(
                    EngineWarning(
                        WarningCode.ALLOW_WITH_NOT_PRINCIPAL, o.policy_type, o.policy.name, st.index
                    )
                )
    return tuple(out)


# Results share these immutable records: a batch repeats the same layer notes and deciding statements
# on many lines, and building a frozen dataclass costs a call per field. Equal values, so a shared
# record is indistinguishable from a new one.
@lru_cache(maxsize=4096)
def _layer(kind: LayerKind, verdict: Verdict, note: str, level: int | None = None) -> LayerExplanation:
    return LayerExplanation(kind, verdict, note, level)


@lru_cache(maxsize=4096)
def _deciding_statement(key: tuple[Any, ...]) -> DecidingStatement:
    return DecidingStatement(*key)


def _decided_by(deciding: list[tuple[_Outcome, Statement]]) -> tuple[DecidingStatement, ...]:
    """The deciding statements in order, each once (equal fields = the same entry). Deduplicated on
    plain tuples: hashing the dataclass would run its generated ``__hash__`` for every candidate."""
    seen: set[tuple[str, str, int, str | None, str]] = set()
    out: list[DecidingStatement] = []
    for o, st in deciding:
        key = (o.policy_type, o.policy.name, st.index, st.sid, st.effect)
        if key not in seen:
            seen.add(key)
            out.append(_deciding_statement(key))
    return tuple(out)


def _layer_notes(
    layers: list[LayerExplanation],
    p: Principal,
    policies: PolicySet,
    resource_out: _Outcome | None,
    res_grants: list[tuple[_Outcome, Statement, int]],
    identity_applies: bool,
    id_allows: list[tuple[_Outcome, Statement]],
    boundary_out: _Outcome | None,
    boundary_allows: list[tuple[_Outcome, Statement]],
    session_out: _Outcome | None,
    session_allows: list[tuple[_Outcome, Statement]],
    action: str,
) -> None:
    if resource_out is None:
        layers.append(_NO_RESOURCE_POLICY)
    elif res_grants:
        o, st, g = max(res_grants, key=lambda t: t[2])
        note = words.resource_allows_words(o.policy.name, st.index, st.sid, action, _GRANTS[g])
        layers.append(_layer(LayerKind.RESOURCE, Verdict.ALLOWS, note))
    else:
        layers.append(_layer(LayerKind.RESOURCE, Verdict.NO_ALLOW, words.resource_no_allow_words(action, p)))
    if not identity_applies:
        layers.append(
            _layer(LayerKind.IDENTITY, Verdict.NOT_APPLICABLE, words.identity_not_applicable_words(p))
        )
        return
    if id_allows:
        o, st = id_allows[0]
        note = words.statement_allows_words(o.policy.name, st.index, st.sid, action)
        layers.append(_layer(LayerKind.IDENTITY, Verdict.ALLOWS, note))
    elif policies.identity:
        layers.append(_layer(LayerKind.IDENTITY, Verdict.NO_ALLOW, words.no_identity_allow_words(action)))
    else:
        layers.append(_NO_IDENTITY_POLICIES)
    for name, out, allows in (
        (LayerKind.BOUNDARY, boundary_out, boundary_allows),
        (LayerKind.SESSION, session_out, session_allows),
    ):
        if out is None and name is LayerKind.SESSION and p.kind is PrincipalKind.FEDERATED_USER:
            layers.append(_layer(name, Verdict.NO_ALLOW, words.FEDERATED_WITHOUT_SESSION_POLICY))
        elif out is None:
            layers.append(_NO_BOUNDARY if name is LayerKind.BOUNDARY else _NO_SESSION_POLICY)
        elif allows:
            o, st = allows[0]
            layers.append(
                _layer(name, Verdict.ALLOWS, words.limit_allows_words(name, st.index, st.sid, action))
            )
        else:
            layers.append(_layer(name, Verdict.NO_ALLOW, words.limit_no_allow_words(name, action)))
