"""One probe: a question asked of the engine over an open context, and what its answer means.

A probe asks ``simulate`` (which gathers, from the inventory, exactly the policies and context AWS would
use for that qualifier), then evaluates the scenario it built once more with ``"open_context": true``:
every key neither the inventory nor the probe fixes is open, so "allowed if the caller sends this
header" comes back ``conditional`` with the condition as data, instead of denied. The scenario evaluated
is the finding's proof, so ``simulate --scenario`` replays exactly what decided it.

Whether a conditional answer still counts as exposure is decided on the engine's ``allowed_if``: an
alternative is *bounded* when one of its terms fixes the caller's identity or the request's source to
given values (``pins``); otherwise some caller the finding names can meet it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...iam.errors import InputError
from ...iam.evaluate import evaluate
from ...iam.result import ConditionTerm, DecidingStatement, Decision, EngineWarning, LayerKind
from ...iam.scenario import ScenarioLoader, load_scenario, proof_document
from ...inventory.model import Inventory
from ..resolve import simulate
from .model import StatementRef

# Keys that fix who the caller is: a positive match on them admits named callers only.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
CALLER_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "aws:username",
        "aws:principalorgid",
        "aws:principalorgpaths",
    }
)
ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths"})
# Keys that fix where the request comes from (the calling service's resource, a network, a token).
SOURCE_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:vpcsourceip",
        "lambda:eventsourcetoken",
    }
)
_IP_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})
# Operators whose positive match on a key confines it to the listed values (IAM's names, without the
# IfExists suffix and set prefix, which are handled apart).
_CONFINING = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
# The term Lambda sets on a request that arrives through a function URL: a grant bounded by it is
# reachable only through a URL (the function-url checks report those).
VIA_URL_KEY = "lambda:invokedviafunctionurl"


def _value_pins(key: str, value: str, patterns: bool) -> bool:
    """Whether one policy value names a fixed caller or source (a pattern matching anyone does not).
    ``patterns``: the operator expands ``*`` and ``?`` (the …Like and Arn… operators); the other string
    operators compare the text literally, so any value is a fixed one."""
    if key in _IP_KEYS:
        return not value.strip().endswith("/0")
    if not patterns:
        return True
    if value.strip("*?") == "":
        return False
    if key.startswith("aws:principalorg") or key.startswith("aws:sourceorg"):
        return not value.startswith(("*", "?"))  # o-abc/* fixes the organization; */... does not
    if "*" not in value and "?" not in value:
        return True
    # A pattern: fixed only when the account part of an ARN (or the account itself) is literal.
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn":
        account = parts[4]
        return account != "" and "*" not in account and "?" not in account
    return False


def term_pins(term: ConditionTerm, alternative: Sequence[ConditionTerm], keys: frozenset[str]) -> bool:
    """Whether ``term`` confines one of ``keys`` to fixed values within its alternative.

    Negated operators, ``ForAllValues:`` (true when the key is absent) and ``Null`` never confine;
    ``…IfExists`` confines only when the same alternative also requires the key to be present.
    """
    key = term.key.lower()
    if key not in keys:
        return False
    op = term.operator
    prefix, _, base = op.rpartition(":")
    if prefix.lower() == "forallvalues":
        return False
    base_l = base.lower()
    if base_l.endswith("ifexists"):
        base_l = base_l[: -len("ifexists")]
        present = any(
            t.key.lower() == key and t.operator == "Null" and t.values == ("false",) for t in alternative
        )
        if not present:
            return False
    if base_l not in _CONFINING:
        return False
    patterns = base_l in ("stringlike", "arnlike", "arnequals")
    return all(_value_pins(key, v, patterns) for v in term.values)


def bounded(alternative: Sequence[ConditionTerm], keys: frozenset[str]) -> bool:
    """Whether some term of the alternative fixes one of ``keys``."""
    return any(term_pins(t, alternative, keys) for t in alternative)


def via_url_only(alternative: Sequence[ConditionTerm]) -> bool:
    """Whether the alternative needs ``lambda:InvokedViaFunctionUrl`` to be true (only a URL sets it)."""
    return any(
        t.key.lower() == VIA_URL_KEY and t.operator == "Bool" and t.values == ("true",) for t in alternative
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """The engine's answer to one check of a probe, over an open context, with its scenario."""

    name: str
    action: str
    decision: Decision
    decided_by: tuple[DecidingStatement, ...]
    allowed_if: tuple[tuple[ConditionTerm, ...], ...]
    warnings: tuple[EngineWarning, ...]
    scenario: Mapping[str, Any]
    required: bool = True

    @property
    def grants(self) -> bool:
        """Allowed, or allowed under some condition."""
        return self.decision in (Decision.ALLOWED, Decision.CONDITIONAL)

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        """The statements that granted (or conditionally grant)."""
        return tuple(StatementRef.of(d) for d in self.decided_by)

    @property
    def resource_statements(self) -> tuple[StatementRef, ...]:
        """The resource-policy statements among them (what a resource finding is about; the others are
        the caller's side, e.g. another account's identity policies taken as allowing)."""
        return tuple(StatementRef.of(d) for d in self.decided_by if d.policy_type == "resource")

    def open_alternatives(self, keys: frozenset[str]) -> tuple[tuple[ConditionTerm, ...], ...]:
        """The alternatives none of whose terms fixes one of ``keys`` (all of them, as ``((),)``, when
        allowed outright; none when denied)."""
        if self.decision is Decision.ALLOWED:
            return ((),)
        if self.decision is not Decision.CONDITIONAL:
            return ()
        return tuple(alt for alt in self.allowed_if if not bounded(alt, keys))


@dataclass
class Prober:
    """Asks the engine, remembering what could not be decided (``unknown``)."""

    inv: Inventory
    unknown: list[str] = field(default_factory=list)
    loader: ScenarioLoader = field(default_factory=ScenarioLoader)

    def ask(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str] | None = None,
        *,
        external: bool = False,
    ) -> tuple[Outcome, ...]:
        """Every check AWS makes for the request (two for ``lambda:InvokeFunctionUrl`` on a URL), each
        over an open context; ``()`` when the answer is unknown (the reason is kept in ``unknown``).

        ``external``: the caller is outside the account (anonymous, another account, a service) and the
        resource's policy slot is known. Such an answer depends on nothing else of the inventory, so an
        "unknown" from ``simulate`` can only mean a key of the caller it cannot fill (its organization
        or tags): the open context leaves exactly those open, and the replay decides."""
        try:
            answer = simulate(self.inv, principal, action, resource, dict(context or {}), explain=False)
        except InputError as exc:
            self._note(f"{action} on {resource} for {principal}: {exc}")
            return ()
        if answer.decision == "unknown" and not (external and all(c.scenario for c in answer.checks)):
            reason = answer.unknown_because[0] if answer.unknown_because else "unknown"
            self._note(f"{action} on {resource} for {principal}: {reason}")
            return ()
        out = []
        for check in answer.checks:
            if check.result is None:
                continue
            if (
                check.result.explanation is not None
                and check.result.explanation.layers[:1]
                and (check.result.explanation.layers[0].kind is LayerKind.AUTHENTICATION)
            ):
                # Rejected before any policy (an unsigned request to an AWS_IAM URL): nothing to replay.
                continue
            out.append(self.replay(check.name, check.action, check.scenario, check.required))
        return tuple(o for o in out if o is not None)

    def replay(
        self, name: str, action: str, scenario: Mapping[str, Any], required: bool = True
    ) -> Outcome | None:
        """Evaluate ``scenario`` over an open context; the outcome carries it (with ``open_context`` and
        ``expected``) as the proof."""
        proof = proof_document(scenario)
        try:
            request, policies = load_scenario(proof, loader=self.loader)
        except InputError as exc:
            self._note(f"{action} on {proof.get('resource')}: the scenario cannot be replayed: {exc}")
            return None
        result = evaluate(request, policies, explain=False)
        proof["expected"] = result.decision.value
        return Outcome(
            name,
            action,
            result.decision,
            result.decided_by,
            result.allowed_if,
            result.warnings,
            proof,
            required,
        )

    def _note(self, text: str) -> None:
        if text not in self.unknown:
            self.unknown.append(text)
