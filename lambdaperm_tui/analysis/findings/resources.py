"""Findings on resource policies, decided by probing the engine for every qualifier and layer version:
``public-access``, ``cross-account``, ``org-access``, ``confused-deputy``, ``function-url`` and
``layer-sharing``.

Probes (each over an open context, see ``probe``): an anonymous caller; a role of an account that no
policy of the inventory names (it stands for "any AWS account"); every other account, role, user or
session a statement names; every service principal a statement names. Lambda grants per qualifier
(https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html), so the unqualified
function, each version and each alias are probed on their own policy.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ...iam.render import allowed_if_words
from ...iam.result import ConditionTerm, WarningCode
from ...inventory.model import Function, FunctionUrl, Inventory, PolicySlot
from ..principals import _classify, _principals_of, _statements
from ..whatif import PolicyKind, PolicyRef
from ..whocan import FUNCTION_ACTIONS, LAYER_ACTIONS
from .model import Finding, FindingKind, Severity, StatementRef
from .probe import CALLER_KEYS, ORG_KEYS, SOURCE_KEYS, Outcome, Prober, bounded, term_pins, via_url_only

# Actions probed on functions, versions and aliases (the URL action is asked by the function-url checks,
# with the URL's auth type, since its grants carry lambda:FunctionUrlAuthType).
PROBED_FUNCTION_ACTIONS: tuple[str, ...] = tuple(
    a
    for a in (*FUNCTION_ACTIONS, "lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig")
    if a != "lambda:InvokeFunctionUrl"
)
# Actions that change a function, its code, its policy or its URL.
WRITE_ACTIONS = frozenset(
    {
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:AddPermission",
        "lambda:RemovePermission",
        "lambda:PublishVersion",
        "lambda:UpdateAlias",
        "lambda:DeleteFunction",
        "lambda:CreateFunctionUrlConfig",
        "lambda:UpdateFunctionUrlConfig",
        "lambda:AddLayerVersionPermission",
        "lambda:DeleteLayerVersion",
    }
)
_CODE_READ = "lambda:GetFunction"  # returns a presigned URL to the code, and the configuration
_LAYER_READS = frozenset({"lambda:GetLayerVersion", "lambda:GetLayerVersionPolicy"})
# Since November 1, 2026 every function URL needs both permissions (the temporary exception for URLs
# created before October 2025 ended then; AWS Health notice, recorded in issue 8).
URL_DUAL_CHECK_FOR_ALL_SINCE = "2026-11-01"
_ANYONE = "anonymous"
_S3 = "s3.amazonaws.com"
_EXPOSURE_KEYS = CALLER_KEYS | SOURCE_KEYS
_NOT_ORG_KEYS = (CALLER_KEYS - ORG_KEYS) | SOURCE_KEYS


@dataclass(frozen=True, slots=True)
class PolicyTarget:
    """One resource with its own resource policy: the exact ARN, the name explanations give the policy,
    the slot, and the function it belongs to (None for a layer version)."""

    arn: str
    name: str
    slot: PolicySlot
    function: Function | None = None
    qualifier: str | None = None


def policy_targets(inv: Inventory) -> Iterator[PolicyTarget]:
    """Every function, version, alias and layer version, with its policy slot."""
    for fn in inv.functions:
        yield PolicyTarget(fn.arn, _name("function-policy", fn.arn), fn.policy, fn, None)
        for v in fn.versions:
            yield PolicyTarget(v.arn, _name("version-policy", v.arn), v.policy, fn, v.version)
        for a in fn.aliases:
            yield PolicyTarget(a.arn, _name("alias-policy", a.arn), a.policy, fn, a.name)
    for layer in inv.layers:
        for lv in layer.versions:
            yield PolicyTarget(lv.arn, _name("layer-version-policy", lv.arn), lv.policy)


def _name(kind: PolicyKind, arn: str) -> str:
    return PolicyRef(kind, arn).policy_name


def unrelated_account(inv: Inventory) -> str:
    """A 12-digit account id that no ARN or policy of the inventory mentions: it stands for "any AWS
    account" (a grant it receives is one every account receives)."""
    from ..whatif import iter_policies

    texts = [repr(slot.document) for _, slot in iter_policies(inv) if slot.document is not None]
    texts.append(inv.account_id)
    candidate = 999_999_999_999
    while any(str(candidate) in t for t in texts):
        candidate -= 1
    return str(candidate)


@dataclass
class _Grant:
    """Actions one probe principal is granted on one resource, with the outcome of each."""

    principal: str
    outcomes: list[tuple[str, Outcome, tuple[tuple[ConditionTerm, ...], ...]]]

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(a for a, _, _ in self.outcomes)

    def statements(self) -> tuple[StatementRef, ...]:
        seen: list[StatementRef] = []
        for _, o, _ in self.outcomes:
            for s in o.resource_statements:
                if s not in seen:
                    seen.append(s)
        return tuple(seen)


def _worst(grant: _Grant, order: Sequence[str]) -> tuple[str, Outcome, tuple[tuple[ConditionTerm, ...], ...]]:
    """The outcome of the most telling action (``order`` first, then the first listed)."""
    for want in order:
        for item in grant.outcomes:
            if item[0] == want:
                return item
    return grant.outcomes[0]


def _condition_words(alternatives: tuple[tuple[ConditionTerm, ...], ...]) -> str:
    real = tuple(a for a in alternatives if a)
    return f" if {allowed_if_words(real)}" if real else ""


def _actions_words(actions: Sequence[str]) -> str:
    if len(actions) > 4:
        return f"{', '.join(actions[:4])} and {len(actions) - 4} more"
    return ", ".join(actions)


def _public_severity(actions: Sequence[str]) -> Severity:
    if any(a in WRITE_ACTIONS or a == _CODE_READ for a in actions):
        return Severity.CRITICAL
    if "lambda:InvokeFunction" in actions:
        return Severity.HIGH
    return Severity.MEDIUM


def _account_severity(actions: Sequence[str]) -> Severity:
    if any(a in WRITE_ACTIONS for a in actions):
        return Severity.HIGH
    if _CODE_READ in actions:
        return Severity.MEDIUM
    return Severity.LOW


def _org_severity(actions: Sequence[str]) -> Severity:
    if any(a in WRITE_ACTIONS for a in actions):
        return Severity.MEDIUM
    if _CODE_READ in actions:
        return Severity.LOW
    return Severity.INFO


_WORST_ORDER = (
    "lambda:UpdateFunctionCode",
    "lambda:AddPermission",
    "lambda:UpdateFunctionConfiguration",
    "lambda:AddLayerVersionPermission",
    "lambda:GetFunction",
    "lambda:InvokeFunction",
    "lambda:GetLayerVersion",
)


def _finding(
    kind: FindingKind, severity: Severity, target: PolicyTarget, grant: _Grant, who: str, tail: str = ""
) -> Finding:
    action, outcome, alternatives = _worst(grant, _WORST_ORDER)
    real = tuple(a for a in alternatives if a)
    statements = grant.statements()
    via = "; ".join(s.words() for s in statements) or "no statement named"
    why = (
        f"{who} can {_actions_words(grant.actions)} on {target.name}{_condition_words(real)} "
        f"(granted by {via}){tail}"
    )
    return Finding(
        kind,
        severity,
        target.arn,
        grant.principal,
        why,
        statements,
        grant.actions,
        real,
        outcome.scenario,
    )


def _named(target: PolicyTarget, own_account: str) -> tuple[list[str], list[str], bool]:
    """Principals the policy's Allow statements name: (other-account principals, services, NotPrincipal)."""
    accounts: list[str] = []
    services: list[str] = []
    not_principal = False
    for _, st in _statements(target.slot.document):
        if st.get("Effect") != "Allow":
            continue
        for ptype, value, negated in _principals_of(st):
            if negated:
                not_principal = True
                continue
            name, kind, account = _classify(ptype, value, own_account)
            if kind == "service" and name not in services:
                services.append(name)
            elif kind in ("account", "role", "user", "session") and account != own_account:
                if "*" in name or "?" in name:
                    continue  # a wildcard in a principal ARN never matches (the lint check says so)
                if name not in accounts:
                    accounts.append(name)
    return accounts, services, not_principal


def resource_findings(prober: Prober, unrelated: str) -> list[Finding]:
    """public-access, cross-account, org-access, confused-deputy and layer-sharing over every resource."""
    inv = prober.inv
    out: list[Finding] = []
    any_account = f"arn:aws:iam::{unrelated}:role/any-principal"
    for target in policy_targets(inv):
        slot = target.slot
        if not slot.is_known:
            why = slot.unknown or "not loaded"
            prober.unknown.append(f"resource policy of {target.name}: {why}")
            continue
        if slot.document is None:
            continue  # no resource policy: no other account, service or anonymous caller is admitted
        is_layer = target.function is None
        actions = LAYER_ACTIONS if is_layer else PROBED_FUNCTION_ACTIONS
        accounts, services, not_principal = _named(target, inv.account_id)
        public = _Grant(_ANYONE, [])
        every = _Grant("any AWS account", [])
        orgs: dict[tuple[str, ...], _Grant] = {}
        possible: list[str] = []
        for action in actions:
            for o in prober.ask(_ANYONE, action, target.arn, external=True)[:1]:
                if any(w.code is WarningCode.ALLOW_WITH_NOT_PRINCIPAL for w in o.warnings):
                    possible.append(action)
                alts = tuple(a for a in o.open_alternatives(_EXPOSURE_KEYS) if not via_url_only(a))
                if alts:
                    public.outcomes.append((action, o, alts))
            if action in public.actions:
                continue
            for o in prober.ask(any_account, action, target.arn, external=True)[:1]:
                alts = tuple(a for a in o.open_alternatives(_EXPOSURE_KEYS) if not via_url_only(a))
                if alts:
                    every.outcomes.append((action, o, alts))
                    continue
                for alt in o.open_alternatives(_NOT_ORG_KEYS):
                    if via_url_only(alt) or not bounded(alt, ORG_KEYS):
                        continue
                    org = tuple(v for t in alt if term_pins(t, alt, ORG_KEYS) for v in t.values)
                    grant = orgs.setdefault(org, _Grant(f"organization {', '.join(org)}", []))
                    if action not in grant.actions:
                        grant.outcomes.append((action, o, (alt,)))
        for grant, who in ((public, "anyone (unauthenticated callers included)"), (every, "any AWS account")):
            if not grant.outcomes:
                continue
            if is_layer and set(grant.actions) <= _LAYER_READS:
                out.append(
                    _finding(
                        FindingKind.LAYER_SHARING,
                        Severity.MEDIUM,
                        target,
                        grant,
                        who,
                        ": the layer version is public",
                    )
                )
                continue
            out.append(
                _finding(FindingKind.PUBLIC_ACCESS, _public_severity(grant.actions), target, grant, who)
            )
        if possible and not public.outcomes:
            out.append(
                Finding(
                    FindingKind.PUBLIC_ACCESS,
                    Severity.HIGH,
                    target.arn,
                    "everyone not listed in NotPrincipal",
                    f"possibly public: {target.name} has an Allow with NotPrincipal, which AWS documents as "
                    "not supported and gives no evaluation rule for (older pages said it grants everyone "
                    "not listed); this tool reads it as granting nothing. Actions: "
                    + _actions_words(possible),
                    actions=tuple(possible),
                )
            )
        for grant in orgs.values():
            kind = FindingKind.LAYER_SHARING if is_layer else FindingKind.ORG_ACCESS
            sev = Severity.INFO if is_layer else _org_severity(grant.actions)
            out.append(_finding(kind, sev, target, grant, f"every account in {grant.principal}"))
        for principal in accounts:
            grant = _Grant(principal, [])
            for action in actions:
                for o in prober.ask(principal, action, target.arn, external=True)[:1]:
                    if o.grants:
                        grant.outcomes.append((action, o, o.allowed_if or ((),)))
            if not grant.outcomes:
                continue
            if is_layer and set(grant.actions) <= _LAYER_READS:
                out.append(
                    _finding(
                        FindingKind.LAYER_SHARING,
                        Severity.LOW,
                        target,
                        grant,
                        principal,
                        ": the layer version is shared with another account",
                    )
                )
            else:
                out.append(
                    _finding(
                        FindingKind.CROSS_ACCOUNT, _account_severity(grant.actions), target, grant, principal
                    )
                )
        if not is_layer:
            for service in services:
                out.extend(_deputy(prober, target, service))
    return out


def _deputy(prober: Prober, target: PolicyTarget, service: str) -> list[Finding]:
    """A service allowed to invoke without a condition fixing the source: any account's resource of that
    service could invoke the function (the confused deputy problem,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). S3 bucket ARNs hold no account,
    so for S3 only aws:SourceAccount fixes the owner
    (https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html)."""
    outcomes = prober.ask(service, "lambda:InvokeFunction", target.arn, external=True)[:1]
    if not outcomes or not outcomes[0].grants:
        return []
    o = outcomes[0]
    source = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "lambda:eventsourcetoken"})
    unbounded = o.open_alternatives(source)
    if unbounded:
        grant = _Grant(service, [("lambda:InvokeFunction", o, unbounded)])
        return [
            _finding(
                FindingKind.CONFUSED_DEPUTY,
                Severity.HIGH,
                target,
                grant,
                service,
                ": nothing fixes the source (aws:SourceArn / aws:SourceAccount), so a resource of that "
                "service in any account can invoke it",
            )
        ]
    if service == _S3:
        no_account = o.open_alternatives(frozenset({"aws:sourceaccount", "aws:sourceowner"}))
        if no_account:
            grant = _Grant(service, [("lambda:InvokeFunction", o, no_account)])
            return [
                _finding(
                    FindingKind.CONFUSED_DEPUTY,
                    Severity.MEDIUM,
                    target,
                    grant,
                    service,
                    ": S3 bucket ARNs hold no account, and no aws:SourceAccount condition fixes the bucket's "
                    "owner (a bucket of that name in another account, e.g. after deletion, could invoke it)",
                )
            ]
    return []


# ------------------------------------------------------------------------------------ function URLs


def _add_permission(fn: Function, url: FunctionUrl, missing_url_permission: bool) -> str:
    """The ``aws lambda add-permission`` command that adds the missing statement."""
    args = ["aws", "lambda", "add-permission", "--function-name", fn.name]
    if url.qualifier:
        args += ["--qualifier", url.qualifier]
    principal = "*" if url.auth_type == "NONE" else "PRINCIPAL"
    if missing_url_permission:
        args += [
            "--statement-id",
            "FunctionURLAllowPublicAccess",
            "--action",
            "lambda:InvokeFunctionUrl",
            "--principal",
            principal,
            "--function-url-auth-type",
            url.auth_type,
        ]
    else:
        args += [
            "--statement-id",
            "FunctionURLAllowInvokeAction",
            "--action",
            "lambda:InvokeFunction",
            "--principal",
            principal,
            "--invoked-via-function-url",
        ]
    args += ["--region", fn.region]
    return shlex.join(args)


def url_findings(prober: Prober, unrelated: str, *, urls_known: bool = True) -> list[Finding]:
    """Public URLs (naming both statements), URLs AWS answers with 403 because one of the two permissions
    is missing (with the add-permission command that adds it), AWS_IAM URLs open to any authenticated
    principal, and public URL statements left on a qualifier that has no URL. With ``urls_known`` False
    (a policy judged on its own, ``findings --policy``) no URL is known, and a public URL grant is
    reported as what it is: anyone can invoke a URL with auth type NONE on that resource.
    https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"""
    inv = prober.inv
    dual_for_all = inv.captured_at[:10] >= URL_DUAL_CHECK_FOR_ALL_SINCE
    out: list[Finding] = []
    any_account = f"arn:aws:iam::{unrelated}:role/any-principal"
    for fn in inv.functions:
        if fn.urls is None:
            prober.unknown.append(f"function URL configs of {fn.name}: {fn.urls_unknown or 'not loaded'}")
            continue
        for url in fn.urls:
            name = fn.name + (f":{url.qualifier}" if url.qualifier else "")
            caller = _ANYONE if url.auth_type == "NONE" else any_account
            checks = prober.ask(caller, "lambda:InvokeFunctionUrl", url.function_arn)
            if len(checks) != 2:
                continue
            url_o, inv_o = checks
            url_alts = url_o.open_alternatives(_EXPOSURE_KEYS)
            inv_alts = inv_o.open_alternatives(_EXPOSURE_KEYS)
            inv_required = inv_o.required or dual_for_all
            who = "anyone" if url.auth_type == "NONE" else "any authenticated AWS principal"
            statements = tuple(dict.fromkeys((*url_o.resource_statements, *inv_o.resource_statements)))
            if url_alts and (inv_alts or not inv_required):
                via = "; ".join(s.words() for s in statements)
                real = tuple(a for a in url_alts if a)
                out.append(
                    Finding(
                        FindingKind.FUNCTION_URL,
                        Severity.HIGH,
                        url.function_arn,
                        caller if url.auth_type == "NONE" else "any AWS account",
                        f"{who} can invoke {name} through its function URL (auth type {url.auth_type})"
                        f"{_condition_words(real)}: {via}",
                        statements,
                        ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction"),
                        real,
                        url_o.scenario,
                        steps=(url_o.scenario, inv_o.scenario),
                    )
                )
            elif url.auth_type == "NONE" and url_alts and inv_required:
                out.append(
                    Finding(
                        FindingKind.FUNCTION_URL,
                        Severity.MEDIUM,
                        url.function_arn,
                        caller,
                        f"the function URL of {name} (auth type NONE) answers 403: the policy grants "
                        "lambda:InvokeFunctionUrl ("
                        + "; ".join(s.words() for s in url_o.resource_statements)
                        + ") but no "
                        "statement grants lambda:InvokeFunction with lambda:InvokedViaFunctionUrl, which "
                        "every URL needs since November 1, 2026",
                        url_o.resource_statements,
                        ("lambda:InvokeFunction",),
                        proof=inv_o.scenario,
                        fix=_add_permission(fn, url, missing_url_permission=False),
                    )
                )
            elif url.auth_type == "NONE" and inv_alts and not url_alts:
                out.append(
                    Finding(
                        FindingKind.FUNCTION_URL,
                        Severity.MEDIUM,
                        url.function_arn,
                        caller,
                        f"the function URL of {name} (auth type NONE) answers 403: the policy grants "
                        "lambda:InvokeFunction via the URL ("
                        + "; ".join(s.words() for s in inv_o.resource_statements)
                        + ") but no statement grants lambda:InvokeFunctionUrl with "
                        "lambda:FunctionUrlAuthType NONE",
                        inv_o.resource_statements,
                        ("lambda:InvokeFunctionUrl",),
                        proof=url_o.scenario,
                        fix=_add_permission(fn, url, missing_url_permission=True),
                    )
                )
        with_url = {u.qualifier for u in fn.urls}
        qualifiers: list[tuple[str | None, str, str]] = [(None, fn.arn, fn.name)]
        qualifiers += [(a.name, a.arn, f"{fn.name}:{a.name}") for a in fn.aliases]
        for qualifier, arn, name in qualifiers:
            if qualifier in with_url:
                continue
            checks = prober.ask(
                _ANYONE, "lambda:InvokeFunctionUrl", arn, {"lambda:FunctionUrlAuthType": "NONE"}
            )
            if not checks:
                continue
            o = checks[0]
            alts = o.open_alternatives(_EXPOSURE_KEYS)
            if not alts:
                continue
            via = "; ".join(s.words() for s in o.resource_statements)
            why = (
                f"{name} has no function URL, but its policy still lets anyone invoke a URL ({via}): a URL "
                "created on it later with auth type NONE is public at once"
                if urls_known
                else f"anyone can invoke a function URL with auth type NONE on {name} ({via})"
            )
            out.append(
                Finding(
                    FindingKind.FUNCTION_URL,
                    Severity.MEDIUM if urls_known else Severity.HIGH,
                    arn,
                    _ANYONE,
                    why,
                    o.resource_statements,
                    ("lambda:InvokeFunctionUrl",),
                    tuple(a for a in alts if a),
                    o.scenario,
                )
            )
    return out
