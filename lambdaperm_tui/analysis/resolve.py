"""Answer "can principal P do action A on resource R?" over an inventory.

``simulate`` is the entry point (with ``Answer`` and ``Check``, defined in ``answer``); ``prepare``
parses an inventory's policies ahead of the first question. One question goes through:

1. ``targets``: resolve the principal and resource texts; the resource selects the policy of exactly
   its qualifier;
2. ``url_checks``: the checks AWS makes (two for ``lambda:InvokeFunctionUrl``) and how they combine;
3. ``gather``: for each check, the policies AWS would consult and the context, with what is unknown or
   assumed (parsed once per slot through ``policy_index``);
4. here: the engine call per check, then the decision over the checks.

Whatever lies outside the inventory is either listed in ``Answer.assumes`` (taken as allowing, e.g. the
identity policies of a principal in another account) or makes the answer ``unknown`` with the reason
(a policy that could not be read, a slot not loaded yet, a malformed document). Never a guess.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence

from ..iam.errors import PolicyError
from ..iam.evaluate import evaluate
from ..iam.policy import Policy
from ..iam.principal import parse_principal
from ..iam.request import ContextValue, PolicySet, PrincipalKind, Request
from ..iam.result import (
    ConditionTerm,
    Decision,
    Explanation,
    LayerExplanation,
    LayerKind,
    Result,
    StatementExplanation,
    Verdict,
)
from ..inventory.model import Inventory
from . import catalog
from .answer import Answer, AnswerDecision, Check
from .gather import _gather, _Gathered, _scenario
from .policy_index import _CACHE, _Index, _index
from .targets import _resolve_principal, _resolve_resource, _Target, _Who
from .url_checks import URL_DUAL_CHECK_SINCE, _CheckSpec, _combine, _url_specs
from .whatif import PolicyRef, iter_policies

_MENTIONS: dict[int, tuple[Policy, str]] = {}


def _mentions(policies: Sequence[Policy | None], prefixes: tuple[str, ...]) -> bool:
    """True when any of the policies names a condition key starting with one of ``prefixes``."""
    for pol in policies:
        if pol is None:
            continue
        hit = _MENTIONS.get(id(pol))
        if hit is None or hit[0] is not pol:
            if len(_MENTIONS) > 100_000:
                _MENTIONS.clear()
            hit = (pol, repr(pol.document).lower())
            _MENTIONS[id(pol)] = hit
        if any(p in hit[1] for p in prefixes):
            return True
    return False


def _depends_on_unknowable(result: Result, prefixes: tuple[str, ...]) -> str | None:
    """The key a non-Allow of an external principal hinges on, when it is one we cannot know.

    An Allow that matched in every element and failed only on absent org/tag keys of the principal, or a
    deciding Deny that matched only because such a key was absent, does not give a definite answer.
    """
    if result.explanation is None:
        return None
    for pol in result.explanation.policies:
        for st in pol.statements:
            if not all(e.matched for e in st.elements):
                continue
            absent = [
                c.key
                for c in st.conditions
                if c.request_values is None and c.key.lower().startswith(prefixes)
            ]
            if not absent:
                continue
            if result.decision == Decision.IMPLICIT_DENY and st.effect == "Allow":
                others_ok = all(c.matched for c in st.conditions if c.key not in absent)
                if others_ok:
                    return absent[0]
            if result.decision == Decision.EXPLICIT_DENY and st.effect == "Deny" and st.deciding:
                return absent[0]
    return None


def _hidden_tag(key: str, hidden: Mapping[str, str], known: set[str]) -> str | None:
    """The entry of ``hidden`` that makes context key ``key`` (lower case) unknown, or None.

    An entry is a key (a redacted tag) or a prefix ending in "/" (every tag of an owner whose tags could
    not be read); a key the request carries anyway (given by the caller) is known.
    """
    if key in hidden:
        return key
    if key in known:
        return None
    return next((p for p in hidden if p.endswith("/") and key.startswith(p)), None)


def _depends_on_redacted(
    result: Result, redacted: Mapping[str, str], policies: Sequence[Policy | None], known: set[str]
) -> str | None:
    """The entry of ``redacted`` (tag values not known) the decision may hinge on, or None when it cannot.

    A snapshot dropped the value, or the tags could not be read, so every statement that could apply (its
    Action, Resource and Principal match) and tests the key might go either way; so might a policy
    variable naming it. An explicit deny by a statement that does not test it is certain anyway.
    """
    if result.explanation is None:
        return None
    statements = [st for pol in result.explanation.policies for st in pol.statements]

    def hidden(st: StatementExplanation) -> str | None:
        return next(
            (h for c in st.conditions if (h := _hidden_tag(c.key.lower(), redacted, known)) is not None), None
        )

    if result.decision == Decision.EXPLICIT_DENY and any(
        st.deciding and hidden(st) is None for st in statements
    ):
        return None
    for st in statements:
        if all(e.matched for e in st.elements):
            found = hidden(st)
            if found is not None:
                return found
    return next((key for key in redacted if _mentions(policies, ("${" + key,))), None)


def _run_check(
    idx: _Index,
    who: _Who,
    target: _Target,
    spec: _CheckSpec,
    context: Mapping[str, ContextValue],
    explain: bool,
    open_context: bool,
) -> tuple[Check, _Gathered]:
    if spec.anonymous and who.principal.kind != PrincipalKind.ANONYMOUS:
        who = _Who(parse_principal("anonymous"), "anonymous")
    merged = dict(spec.extra_context)
    given = {k.lower() for k in context}
    merged = {k: v for k, v in merged.items() if k.lower() not in given}
    merged.update(context)
    g = _gather(idx, who, spec.action, target, merged)
    account = target.account
    scenario = _scenario(who, spec.action, target, account, g, open_context)
    if spec.authn_reject:
        result = Result(
            Decision.IMPLICIT_DENY,
            (),
            Explanation(
                summary=spec.authn_reject,
                layers=(LayerExplanation(LayerKind.AUTHENTICATION, Verdict.DENIES, spec.authn_reject),),
                policies=(),
            ),
        )
        return Check(spec.name, spec.action, result, "implicit_deny", spec.required, spec.note, scenario), g
    request = Request(
        who.principal,
        spec.action,
        target.arn,
        account,
        dict(g.context),
        open_context=open_context,
        closed_keys=tuple(g.closed),
    )
    policies = PolicySet(
        identity=tuple(g.identity),
        boundary=g.boundary,
        session=None,
        scps=tuple(g.scps),
        rcps=tuple(g.rcps),
        resource=g.resource,
    )
    result = evaluate(request, policies, explain=explain)
    decision: AnswerDecision = result.decision.value
    hinges = None
    everything = [*g.identity, g.boundary, g.resource, *(p for lvl in g.scps for p in lvl)]
    # Over a closed context a key the inventory cannot know reads as absent: a denial hinging on it is
    # unknown. Over an open context such keys are open, and the answer is conditional on them instead.
    if (
        not open_context
        and result.decision != Decision.ALLOWED
        and g.unknowable
        and _mentions(everything, g.unknowable)
    ):
        if result.explanation is None:
            result = evaluate(request, policies, explain=True)
        hinges = _depends_on_unknowable(result, g.unknowable)
        if hinges is not None:
            g.unknown.append(
                f"{hinges} of {who.text} is not in the inventory and the decision depends on it "
                f"(give it as context, e.g. {hinges}=...)"
            )
    redacted = None
    if g.redacted and _mentions(everything, tuple(g.redacted)):
        if result.explanation is None:
            result = evaluate(request, policies, explain=True)
        known = {k.lower() for k in g.context}
        redacted = _depends_on_redacted(result, g.redacted, everything, known)
        if redacted is not None:
            g.unknown.append(g.redacted[redacted])
    if g.unknown:
        if result.decision == Decision.EXPLICIT_DENY and hinges is None and redacted is None:
            # An explicit deny among the known policies wins whatever the unknown ones say.
            g.notes.extend(f"unknown, but an explicit deny decides anyway: {u}" for u in g.unknown)
            g.unknown.clear()
        else:
            decision = "unknown"
    return Check(spec.name, spec.action, result, decision, spec.required, spec.note, scenario), g


def simulate(
    inv: Inventory,
    principal: str,
    action: str,
    resource: str,
    context: Mapping[str, ContextValue] | None = None,
    *,
    explain: bool = True,
    open_context: bool = True,
) -> Answer:
    """Can ``principal`` do ``action`` on ``resource``, given what the inventory holds?

    ``open_context`` (the default): every request context key that neither the inventory (principal
    and resource tags, accounts, the organization) nor ``context`` fixes is open, so an answer that
    depends on one is ``conditional`` with ``Answer.allowed_if``; False reads such keys as absent.

    ``principal``: a role, user or root ARN, a role session ARN, another account's ARN or bare id, a
    service principal, ``anonymous``, or the bare name of a role or user of the inventory.
    ``resource``: a function ARN (unqualified, ``:N``, ``:alias``, ``:$LATEST``), a layer version ARN,
    another ARN, or ``*``. Raises ``InputError`` naming the field for bad input (e.g. an unknown action,
    with a suggestion). ``lambda:InvokeFunctionUrl`` is answered with both checks AWS makes.
    """
    ctx: Mapping[str, ContextValue] = context or {}
    canonical = catalog.validate_action(action)
    idx = _index(inv)
    who = _resolve_principal(idx, principal)
    target = _resolve_resource(idx, resource)
    return _answer(idx, who, canonical, target, ctx, explain, open_context)


def _answer(
    idx: _Index,
    who: _Who,
    canonical: str,
    target: _Target,
    ctx: Mapping[str, ContextValue],
    explain: bool,
    open_context: bool,
) -> Answer:
    """``simulate`` past the resolution of its texts (who-can resolves the action and resource once)."""
    inv = idx.inv
    pre_unknown: list[str] = []
    pre_notes: list[str] = []
    if canonical == "lambda:InvokeFunctionUrl":
        specs = _url_specs(target, who, pre_unknown, pre_notes, _as_of(inv))
    else:
        specs = [_CheckSpec("authorization", canonical, {})]
    checks: list[Check] = []
    gathered: list[_Gathered] = []
    for spec in specs:
        check, g = _run_check(idx, who, target, spec, ctx, explain, open_context)
        if pre_unknown and check.decision not in ("unknown", "explicit_deny"):
            check = dataclasses.replace(check, decision="unknown")
        checks.append(check)
        gathered.append(g)
    decision, deciding, combine_unknown = _combine(checks, specs)
    unknown: list[str] = list(pre_unknown) + combine_unknown
    assumes: list[str] = []
    notes: list[str] = list(pre_notes)
    sources: dict[str, PolicyRef] = {}
    for g in gathered:
        for items, acc in ((g.unknown, unknown), (g.assumes, assumes), (g.notes, notes)):
            for item in items:
                if item not in acc:
                    acc.append(item)
        sources.update(g.sources)
    if unknown and decision == "explicit_deny":
        # A required check was explicitly denied by known policies: that is final.
        notes.extend(f"unknown, but an explicit deny decides anyway: {u}" for u in unknown)
        unknown = []
    elif unknown:
        decision = "unknown"
    chosen = checks[deciding]
    allowed_if, complete = _allowed_if(checks) if decision == "conditional" else ((), True)
    blocked = chosen.result.blocked_by if decision == "implicit_deny" and chosen.result else None
    warnings = tuple(dict.fromkeys(w for c in checks if c.result for w in c.result.warnings))
    return Answer(
        decision=decision,
        result=chosen.result,
        allowed_if=allowed_if,
        allowed_if_complete=complete,
        blocked_by=blocked,
        warnings=warnings,
        principal=who.text,
        action=canonical,
        resource=target.arn,
        checks=tuple(checks) if len(checks) > 1 else (chosen,),
        unknown_because=tuple(unknown),
        assumes=tuple(assumes),
        scenario=chosen.scenario,
        notes=tuple(notes),
        sources=sources,
    )


def _as_of(inv: Inventory) -> str:
    """The date a question is asked for (YYYY-MM-DD): the inventory's capture time, else today (UTC)."""
    captured = inv.captured_at[:10] if inv.captured_at else ""
    if len(captured) == 10 and captured[4] == "-":
        return captured
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


# Past this many alternatives the conjunction of two conditional checks is not written out.
_MAX_ALTERNATIVES = 64


def _allowed_if(checks: Sequence[Check]) -> tuple[tuple[tuple[ConditionTerm, ...], ...], bool]:
    """The condition of a conditional answer: every required conditional check's ``allowed_if`` must
    hold, so their conjunction (each alternative of one with each of the other)."""
    alternatives: list[tuple[ConditionTerm, ...]] = [()]
    complete = True
    for c in checks:
        if not c.required or c.decision != "conditional" or c.result is None:
            continue
        complete = complete and c.result.allowed_if_complete
        alternatives = [tuple(dict.fromkeys(a + b)) for a in alternatives for b in c.result.allowed_if]
        if len(alternatives) > _MAX_ALTERNATIVES:
            return (), False
    return tuple(alternatives), complete


def prepare(inv: Inventory) -> int:
    """Parse every policy document of ``inv`` now (e.g. in a worker right after a load), so the first
    who-can over a large account does not pay for parsing. Returns how many documents were parsed;
    malformed ones are cached as errors and reported when an answer depends on them."""
    _index(inv)
    count = 0
    for ref, slot in iter_policies(inv):
        if slot.document is None:
            continue
        with contextlib.suppress(PolicyError):  # cached as an error; reported by the answers needing it
            _CACHE.parse_slot(slot, ref.policy_name)
        count += 1
    return count


__all__ = ["Answer", "AnswerDecision", "Check", "URL_DUAL_CHECK_SINCE", "prepare", "simulate"]
