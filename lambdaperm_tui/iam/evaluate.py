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

``decided_by``: for ``explicit_deny`` the Deny statements that matched; for ``allowed`` the Allow
statements that granted (identity and/or resource, whichever path granted) plus, for each layer that had
to allow (each SCP and RCP level, the boundary, the session policy), the Allow statements that did; for
``implicit_deny`` it is empty (no statement decided: something was missing), and the explanation's layers
say which one blocked.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from .arn import parse_arn
from .conditional import FALSE, TRUE, Formula, TooLarge, f_and, f_not, f_or, opaque, open_conditions, render
from .conditions import evaluate_conditions
from .context import RequestContext
from .errors import RequestError
from .policy import ActionPattern, Policy, PrincipalEntry, PrincipalSpec, ResourcePattern, Statement
from .principal import principal_arn
from .render import allowed_if_words, grant_words
from .request import IAM_PRINCIPAL_KINDS, PolicySet, Principal, PrincipalKind, Request
from .result import (
    BlockedBy,
    ConditionMatch,
    ConditionTerm,
    DecidingStatement,
    Decision,
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
_NO_SCPS = LayerExplanation(LayerKind.SCP, Verdict.NONE, "no SCP applies")
_NO_RCPS = LayerExplanation(LayerKind.RCP, Verdict.NONE, "no RCP applies")
_NO_RESOURCE_POLICY = LayerExplanation(
    LayerKind.RESOURCE, Verdict.NONE, "the resource has no resource policy"
)
_NO_IDENTITY_POLICIES = LayerExplanation(
    LayerKind.IDENTITY, Verdict.NONE, "the principal has no identity policies"
)
_NO_BOUNDARY = LayerExplanation(LayerKind.BOUNDARY, Verdict.NONE, "no boundary")
_NO_SESSION_POLICY = LayerExplanation(LayerKind.SESSION, Verdict.NONE, "no session policy")

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
        out.not_matching_action = len(policy.statements) - len(statements)
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
    """
    if explain is True or explain is False:
        relevant = False
    elif explain == "full":
        explain, relevant = True, False
    elif explain == "relevant":
        explain, relevant = True, True
    else:
        raise ValueError(f'explain: expected True, False, "full" or "relevant", got {explain!r}')
    p = request.principal
    if p.kind in IAM_PRINCIPAL_KINDS and request.action.lower() in _NO_PERMISSION_ACTIONS:
        return _no_permission_needed(request, bool(explain))
    action = request.action
    req = _Req(request, policies.boundary is not None, relevant)
    run = _eval_explained if explain else _eval_fast
    memo = _memo_run

    is_iam = p.kind in IAM_PRINCIPAL_KINDS
    is_root = p.kind is PrincipalKind.ROOT
    resource_account = _request_account(request)
    cross_account = is_iam and resource_account is not None and p.account != resource_account

    scp_exempt = not is_iam or _service_linked(p)
    scp_levels = () if scp_exempt else policies.scps
    scp_out = [
        [memo(run, pol, "scp", i, req, False, False) for pol in level] for i, level in enumerate(scp_levels)
    ]
    # RCPs may carry a Principal element (usually "*"); it is checked when present.
    rcp_out = [
        [run(pol, "rcp", i, req, True, False) for pol in level] for i, level in enumerate(policies.rcps)
    ]
    identity_applies = is_iam and not is_root
    identity_out = (
        [memo(run, pol, "identity", None, req, False, False) for pol in policies.identity]
        if identity_applies
        else []
    )
    boundary_out = (
        memo(run, policies.boundary, "boundary", None, req, False, False)
        if identity_applies and policies.boundary is not None
        else None
    )
    session_out = (
        memo(run, policies.session, "session", None, req, False, False)
        if identity_applies and policies.session is not None
        else None
    )
    resource_out = (
        run(policies.resource, "resource", None, req, True, True) if policies.resource is not None else None
    )

    everything: list[_Outcome] = [o for lvl in scp_out for o in lvl] + [o for lvl in rcp_out for o in lvl]
    if resource_out is not None:
        everything.append(resource_out)
    everything.extend(identity_out)
    if boundary_out is not None:
        everything.append(boundary_out)
    if session_out is not None:
        everything.append(session_out)

    case = _Case(
        p, action, is_iam, is_root, cross_account, scp_exempt, identity_applies, _trust_request(request)
    )
    combined = _combine(
        case,
        policies,
        scp_out,
        rcp_out,
        identity_out,
        boundary_out,
        session_out,
        resource_out,
        everything,
        explain,
    )
    decision, deciding, summary, layers, blocked_by = combined
    allowed_if: tuple[tuple[ConditionTerm, ...], ...] = ()
    complete = True
    if req.open_context and any(o.cond_allows or o.cond_denies for o in everything):
        decision, deciding, summary, layers, blocked_by, allowed_if, complete = _open_answer(
            case,
            policies,
            combined,
            scp_out,
            rcp_out,
            identity_out,
            boundary_out,
            session_out,
            resource_out,
            everything,
            explain,
        )
    warnings = _warnings(everything, req)
    decided_by = _decided_by(deciding)
    if not explain:
        return Result(decision, decided_by, None, allowed_if, complete, blocked_by, warnings)
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


def _combine(
    case: _Case,
    policies: PolicySet,
    scp_out: list[list[_Outcome]],
    rcp_out: list[list[_Outcome]],
    identity_out: list[_Outcome],
    boundary_out: _Outcome | None,
    session_out: _Outcome | None,
    resource_out: _Outcome | None,
    everything: list[_Outcome],
    explain: bool,
) -> _Combined:
    """AWS's decision over the statements that apply (each outcome's ``allows`` and ``denies``)."""
    p = case.principal
    action = case.action
    is_iam, is_root, cross_account = case.is_iam, case.is_root, case.cross_account
    scp_exempt, identity_applies = case.scp_exempt, case.identity_applies
    layers: list[LayerExplanation] = []
    deciding: list[tuple[_Outcome, Statement]] = []
    decision: Decision
    summary: str

    denies = [(o, st) for o in everything for st in o.denies]
    if explain:
        if denies:
            names = "; ".join(
                f"{o.policy_type} {o.policy.name} statement {st.index}{_sid(st)}" for o, st in denies
            )
            layers.append(_layer(LayerKind.EXPLICIT_DENY, Verdict.DENIES, f"explicit Deny in {names}"))
        else:
            layers.append(
                _layer(LayerKind.EXPLICIT_DENY, Verdict.NO_DENY, f"no Deny statement matches {action}")
            )

    blocked: str | None = None
    blocked_by: BlockedBy | None = None
    if denies:
        decision = Decision.EXPLICIT_DENY
        deciding = denies
        o, st = denies[0]
        summary = (
            f"explicitly denied by {o.policy_type} policy {o.policy.name} statement {st.index}{_sid(st)}"
        )
        if explain:
            layers.append(
                _layer(LayerKind.DECISION, Verdict.EXPLICIT_DENY, "an explicit Deny overrides every Allow")
            )
    else:
        required: list[tuple[_Outcome, Statement]] = []
        # SCP and RCP levels: each needs an Allow.
        for kind, outs, given in (("SCP", scp_out, policies.scps), ("RCP", rcp_out, policies.rcps)):
            if kind == "SCP" and scp_exempt and given:
                if explain:
                    layers.append(
                        _layer(LayerKind.SCP, Verdict.NOT_APPLICABLE, f"SCPs do not govern {_kind_words(p)}")
                    )
                continue
            if not outs and explain:
                layers.append(_NO_SCPS if kind == "SCP" else _NO_RCPS)
            layer_kind = LayerKind.SCP if kind == "SCP" else LayerKind.RCP
            for i, level in enumerate(outs):
                allows = [(o, st) for o in level for st, _ in o.allows]
                if allows:
                    required.extend(allows[:1])
                    if explain:
                        o, st = allows[0]
                        layers.append(
                            _layer(
                                layer_kind,
                                Verdict.ALLOWS,
                                f"{o.policy.name} statement {st.index}{_sid(st)} allows {action}",
                                i,
                            )
                        )
                else:
                    if blocked is None:
                        blocked = f"no {kind} at level {i} allows {action}"
                        blocked_by = BlockedBy.SCP if kind == "SCP" else BlockedBy.RCP
                    if explain:
                        layers.append(
                            _layer(layer_kind, Verdict.NO_ALLOW, f"no {kind} at level {i} allows {action}", i)
                        )

        id_allows = [(o, st) for o in identity_out for st, _ in o.allows]
        boundary_allows = [(boundary_out, st) for st, _ in boundary_out.allows] if boundary_out else []
        session_allows = [(session_out, st) for st, _ in session_out.allows] if session_out else []
        boundary_ok = boundary_out is None or bool(boundary_allows)
        session_ok = session_out is None or bool(session_allows)
        # A federated-user session (GetFederationToken) without a session policy gets nothing from
        # the user's identity policies; only a resource policy naming the session grants it anything:
        # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
        id_session_ok = session_ok and not (p.kind is PrincipalKind.FEDERATED_USER and session_out is None)
        res_grants = [(resource_out, st, g) for st, g in resource_out.allows] if resource_out else []
        best_grant = max((g for _, _, g in res_grants), default=0)

        if explain:
            _layer_notes(
                layers,
                p,
                policies,
                resource_out,
                res_grants,
                identity_applies,
                id_allows,
                boundary_out,
                boundary_allows,
                session_out,
                session_allows,
                action,
            )

        granted: list[tuple[_Outcome, Statement]] = []
        limits: list[tuple[_Outcome, Statement]] = []
        reason: str
        # The layer that stops the request when nothing else did (``ok`` False).
        gap = BlockedBy.NO_ALLOW
        if not is_iam:
            ok = best_grant > 0
            granted = [(o, st) for o, st, _ in res_grants]
            gap = BlockedBy.RESOURCE_POLICY
            reason = (
                f"the resource policy allows {_kind_words(p)}"
                if ok
                else f"no resource policy statement allows {_kind_words(p)} ({p.text})"
            )
        elif is_root:
            if not cross_account and not case.trust:
                ok = True
                granted = [(o, st) for o, st, _ in res_grants]
                reason = "the root user has full access to its own account's resources"
            else:
                ok = best_grant > 0
                granted = [(o, st) for o, st, _ in res_grants]
                gap = BlockedBy.RESOURCE_POLICY
                reason = (
                    "cross-account: the resource policy allows the other account's root user"
                    if ok
                    else "cross-account: the resource policy does not allow this account"
                )
        else:
            identity_path = bool(id_allows) and boundary_ok and id_session_ok
            if cross_account:
                ok = identity_path and best_grant > 0
                if ok:
                    granted = id_allows + [(o, st) for o, st, _ in res_grants]
                    limits = boundary_allows[:1] + session_allows[:1]
                    reason = "cross-account: both the identity policy and the resource policy allow"
                elif best_grant > 0:
                    gap = _identity_layer(id_allows, boundary_ok, id_session_ok, BlockedBy.IDENTITY)
                    reason = "cross-account: the resource policy allows but " + _identity_gap(
                        id_allows, boundary_ok, id_session_ok
                    )
                elif identity_path:
                    gap = BlockedBy.RESOURCE_POLICY
                    reason = (
                        "cross-account: the identity policy allows but the resource policy does not"
                        if resource_out is not None
                        else "cross-account: the identity policy allows but there is no resource policy"
                    )
                else:
                    reason = "cross-account: neither the identity policy nor the resource policy allows"
            else:
                direct = [(o, st) for o, st, g in res_grants if g == _DIRECT]
                limited = [(o, st) for o, st, g in res_grants if g == _LIMITED]
                resource_path = bool(direct) or (bool(limited) and boundary_ok and session_ok)
                # A role's trust policy must explicitly allow the caller, whatever identity policies say.
                untrusted = case.trust and identity_path and best_grant == 0
                if untrusted:
                    identity_path = False
                ok = identity_path or resource_path
                if ok:
                    if identity_path:
                        granted.extend(id_allows)
                    if direct:
                        granted.extend(direct)
                    elif limited and boundary_ok and session_ok:
                        granted.extend(limited)
                    if identity_path or not direct:
                        limits = boundary_allows[:1] + session_allows[:1]
                    reason = (
                        "an identity policy allows"
                        if identity_path and not resource_path
                        else "the resource policy allows"
                        if resource_path and not identity_path
                        else "both an identity policy and the resource policy allow"
                    )
                elif untrusted:
                    gap = BlockedBy.RESOURCE_POLICY
                    reason = (
                        "an identity policy allows, but a role's trust policy must explicitly allow the "
                        "caller and it does not"
                    )
                elif limited and not (boundary_ok and session_ok):
                    gap = BlockedBy.BOUNDARY if not boundary_ok else BlockedBy.SESSION_POLICY
                    reason = "the resource policy allows the role, but that grant is limited by the " + (
                        "permissions boundary, which has no Allow"
                        if not boundary_ok
                        else "session policy, which has no Allow"
                    )
                elif best_grant == _DELEGATE and not id_allows:
                    reason = (
                        "the resource policy names only the account, which delegates to identity "
                        "policies, and no identity policy allows"
                    )
                else:
                    gap = _identity_layer(id_allows, boundary_ok, id_session_ok, BlockedBy.NO_ALLOW)
                    if not id_allows:
                        reason = "no identity policy allows"
                    else:
                        reason = "an identity policy allows but " + _identity_gap(
                            id_allows, boundary_ok, id_session_ok
                        )
                    reason += (
                        ", and the resource policy does not"
                        if resource_out is not None
                        else ", and there is no resource policy"
                    )
        if blocked is not None:
            decision = Decision.IMPLICIT_DENY
            summary = f"implicitly denied: {blocked}"
        elif ok:
            decision = Decision.ALLOWED
            deciding = granted + required + limits
            summary = f"allowed: {reason}"
        else:
            decision = Decision.IMPLICIT_DENY
            summary = f"implicitly denied: {reason}"
            blocked_by = gap
        if explain:
            layers.append(
                _layer(
                    LayerKind.DECISION,
                    Verdict(decision.value),
                    blocked
                    if blocked is not None
                    else f"same-account request; {reason}"
                    if is_iam and not cross_account
                    else reason,
                )
            )

    return _Combined(decision, deciding, summary, layers, blocked_by)


class _Case:
    """Who is asking, as the combiner needs it (see rules 2-7 of the module docstring)."""

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


class _Combined(NamedTuple):
    decision: Decision
    deciding: list[tuple[_Outcome, Statement]]
    summary: str
    layers: list[LayerExplanation]
    blocked_by: BlockedBy | None


def _identity_layer(
    id_allows: list[tuple[_Outcome, Statement]], boundary_ok: bool, session_ok: bool, none: BlockedBy
) -> BlockedBy:
    """The identity-side layer that has no Allow (``none`` when no identity policy allows)."""
    if not id_allows:
        return none
    if not boundary_ok:
        return BlockedBy.BOUNDARY
    return BlockedBy.SESSION_POLICY


# Actions AWS authorises for any signed IAM caller without consulting a policy. sts:GetCallerIdentity:
# "No permissions are required to perform this operation. If an administrator attaches a policy to your
# identity that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this
# operation." https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
_NO_PERMISSION_ACTIONS = frozenset({"sts:getcalleridentity"})


def _no_permission_needed(request: Request, explain: bool) -> Result:
    if not explain:
        return Result(Decision.ALLOWED, ())
    text = f"allowed: {request.action} needs no permission (AWS allows it even under an explicit Deny)"
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


def _allows_formula(outs: list[_Outcome], grant: int | None = None) -> Formula:
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


def _open_formula(
    case: _Case,
    scp_out: list[list[_Outcome]],
    rcp_out: list[list[_Outcome]],
    identity_out: list[_Outcome],
    boundary_out: _Outcome | None,
    session_out: _Outcome | None,
    resource_out: _Outcome | None,
    everything: list[_Outcome],
) -> tuple[Formula, Formula]:
    """(allowed, explicitly denied) as formulas over the open keys: the rules of ``_combine`` with
    each statement's applicability a formula instead of a fact (the same rules; a property test checks
    that they agree with ``_combine`` for every assignment of the open keys)."""
    deny = _denies_formula(everything)
    org = TRUE
    for level in [*scp_out, *rcp_out]:
        org = f_and(org, _allows_formula(level))
    resources = [resource_out] if resource_out is not None else []
    any_grant = _allows_formula(resources)
    if not case.is_iam:
        ok = any_grant
    elif case.is_root:
        ok = any_grant if case.cross_account or case.trust else TRUE
    else:
        boundary_ok = TRUE if boundary_out is None else _allows_formula([boundary_out])
        session_ok = TRUE if session_out is None else _allows_formula([session_out])
        federated_without_session = (
            case.principal.kind is PrincipalKind.FEDERATED_USER and session_out is None
        )
        id_session_ok = FALSE if federated_without_session else session_ok
        identity_path = f_and(f_and(_allows_formula(identity_out), boundary_ok), id_session_ok)
        if case.cross_account:
            ok = f_and(identity_path, any_grant)
        else:
            limited = f_and(f_and(_allows_formula(resources, _LIMITED), boundary_ok), session_ok)
            # A trust policy must allow: an identity Allow counts only beside a grant of the trust policy.
            via_identity = f_and(identity_path, any_grant) if case.trust else identity_path
            ok = f_or(f_or(via_identity, _allows_formula(resources, _DIRECT)), limited)
    return f_and(f_not(deny), f_and(org, ok)), deny


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


def _open_answer(
    case: _Case,
    policies: PolicySet,
    combined: _Combined,
    scp_out: list[list[_Outcome]],
    rcp_out: list[list[_Outcome]],
    identity_out: list[_Outcome],
    boundary_out: _Outcome | None,
    session_out: _Outcome | None,
    resource_out: _Outcome | None,
    everything: list[_Outcome],
    explain: bool,
) -> tuple[
    Decision,
    list[tuple[_Outcome, Statement]],
    str,
    list[LayerExplanation],
    BlockedBy | None,
    tuple[tuple[ConditionTerm, ...], ...],
    bool,
]:
    """The answer when some statement applies only under conditions on open keys."""
    decision, deciding, summary, layers, blocked_by = combined
    conditional_allows = [(o, st) for o in everything for st, _, _ in o.cond_allows]
    try:
        allowed, deny = _open_formula(
            case, scp_out, rcp_out, identity_out, boundary_out, session_out, resource_out, everything
        )
    except TooLarge:
        text = "allowed only under conditions on unknown context keys, too large to show"
        if explain:
            layers = [*layers[:-1], _layer(LayerKind.DECISION, Verdict.CONDITIONAL, text)]
        return Decision.CONDITIONAL, conditional_allows, text, layers, None, (), False
    if allowed == TRUE:
        if decision is Decision.ALLOWED:
            return decision, deciding, summary, layers, None, (), True
        text = (
            "allowed whatever the unknown context keys are: the conditional Allow statements cover every case"
        )
        if explain:
            layers = [*layers[:-1], _layer(LayerKind.DECISION, Verdict.ALLOWED, text)]
        return Decision.ALLOWED, conditional_allows, text, layers, None, (), True
    if not allowed:
        if deny == TRUE and decision is Decision.EXPLICIT_DENY:
            return decision, deciding, summary, layers, None, (), True
        best = _combine(
            case,
            policies,
            [[_optimistic(o) for o in level] for level in scp_out],
            [[_optimistic(o) for o in level] for level in rcp_out],
            [_optimistic(o) for o in identity_out],
            None if boundary_out is None else _optimistic(boundary_out),
            None if session_out is None else _optimistic(session_out),
            None if resource_out is None else _optimistic(resource_out),
            [_optimistic(o) for o in everything],
            explain,
        )
        if best.decision is Decision.IMPLICIT_DENY:
            return best.decision, [], best.summary, best.layers, best.blocked_by, (), True
        # Whenever an Allow would apply, a Deny applies too.
        denying = [(o, st) for o in everything for st in o.denies] + [
            (o, st) for o in everything for st, _ in o.cond_denies
        ]
        text = "denied: whenever an Allow applies, a Deny statement applies too"
        if explain:
            layers = [*layers[:-1], _layer(LayerKind.DECISION, Verdict.EXPLICIT_DENY, text)]
        return Decision.EXPLICIT_DENY, denying, text, layers, None, (), True
    allowed_if, complete = render(allowed)
    text = "allowed if " + allowed_if_words(allowed_if, complete)
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


def _sid(st: Statement) -> str:
    return f' ("{st.sid}")' if st.sid else ""


def _kind_words(p: Principal) -> str:
    if p.kind is PrincipalKind.SERVICE:
        return f"the service principal {p.text}"
    if p.kind is PrincipalKind.ANONYMOUS:
        return "anonymous callers"
    return p.text


def _identity_gap(id_allows: list[tuple[_Outcome, Statement]], boundary_ok: bool, session_ok: bool) -> str:
    if not id_allows:
        return "no identity policy does"
    if not boundary_ok:
        return "the permissions boundary has no Allow"
    if not session_ok:
        return "the session policy has no Allow"
    return "the identity side allows"


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
        layers.append(
            _layer(
                LayerKind.RESOURCE,
                Verdict.ALLOWS,
                f"{o.policy.name} statement {st.index}{_sid(st)} allows {action}; "
                f"it {grant_words(_GRANTS[g])}",
            )
        )
    else:
        layers.append(
            _layer(
                LayerKind.RESOURCE,
                Verdict.NO_ALLOW,
                f"the resource policy has no Allow for {action} by {p.text}",
            )
        )
    if not identity_applies:
        why = (
            "the root user has no identity policies"
            if p.kind is PrincipalKind.ROOT
            else (
                f"{_kind_words(p)} are authorised by the resource policy alone"
                if p.kind is PrincipalKind.ANONYMOUS
                else f"{_kind_words(p)} is authorised by the resource policy alone"
            )
        )
        layers.append(_layer(LayerKind.IDENTITY, Verdict.NOT_APPLICABLE, why))
        return
    if id_allows:
        o, st = id_allows[0]
        layers.append(
            _layer(
                LayerKind.IDENTITY,
                Verdict.ALLOWS,
                f"{o.policy.name} statement {st.index}{_sid(st)} allows {action}",
            )
        )
    elif policies.identity:
        layers.append(_layer(LayerKind.IDENTITY, Verdict.NO_ALLOW, f"no identity policy allows {action}"))
    else:
        layers.append(_NO_IDENTITY_POLICIES)
    for name, out, allows in (
        (LayerKind.BOUNDARY, boundary_out, boundary_allows),
        (LayerKind.SESSION, session_out, session_allows),
    ):
        label = "boundary" if name is LayerKind.BOUNDARY else "session policy"
        if out is None and name is LayerKind.SESSION and p.kind is PrincipalKind.FEDERATED_USER:
            layers.append(
                _layer(
                    name,
                    Verdict.NO_ALLOW,
                    "no session policy: a federated-user session without one has no permissions "
                    "from identity policies",
                )
            )
        elif out is None:
            layers.append(_NO_BOUNDARY if name is LayerKind.BOUNDARY else _NO_SESSION_POLICY)
        elif allows:
            o, st = allows[0]
            layers.append(
                _layer(name, Verdict.ALLOWS, f"{label} statement {st.index}{_sid(st)} allows {action}")
            )
        else:
            layers.append(_layer(name, Verdict.NO_ALLOW, f"{label} has no Allow for {action}"))
