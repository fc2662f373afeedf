"""What can invoke a function, per qualifier: event source mappings, and every principal who-can finds.

Each function, version and alias has its own resource policy, and a function URL is invoked through its
own permission (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html,
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). So the view is one list per qualifier:
the unqualified function (``$LATEST`` shares its policy), each version, each alias and each URL. For each:

- the event source mappings that name exactly that qualifier, enabled or not. Lambda invokes through a
  mapping with no resource-policy check, but it reads the source with the execution role, so a mapping
  whose role cannot read its source does not invoke (its answer is the worst of those needs);
- every principal ``who_can`` lists for ``lambda:InvokeFunction`` (``lambda:InvokeFunctionUrl`` for a
  URL): services with their ``SourceArn``/``SourceAccount``, other accounts, organizations, the public
  (from the resource policy), and the account's roles and users allowed by identity policies. Principals
  of the account that are denied are left out (they are every other role); the resource policy's denied
  principals stay, since the policy names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..iam.result import ConditionTerm, DecidingStatement
from ..inventory.model import EventSourceMapping, Function, Inventory
from .answer import Answer, Question
from .needs import (
    NeedDecision,
    NeedsReport,
    _base_arn,
    _find_function,
    function_mappings,
    function_needs,
    source_kind,
)
from .whocan import WhoCanRow, who_can

TriggerKind = Literal[
    "event-source-mapping", "service", "account", "organization", "public", "role", "user", "session", "other"
]

_DECISIONS: dict[str, NeedDecision] = {
    "allowed": "allowed",
    "conditional": "conditional",
    "explicit_deny": "denied",
    "implicit_deny": "denied",
    "unknown": "unknown",
}
# Mapping states in which Lambda polls (or is about to) and invokes
# (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html, State).
_POLLING = frozenset({"Enabled", "Enabling", "Creating", "Updating"})


@dataclass(frozen=True, slots=True)
class Trigger:
    """One thing that may invoke a qualifier, with its decision.

    ``principal`` is what was evaluated (None for a mapping); ``context`` the source the row stands for
    (e.g. ``aws:SourceArn``); ``mapping`` the event source mapping.
    """

    kind: TriggerKind
    label: str
    decision: NeedDecision
    principal: str | None = None
    answer: Answer | None = None
    context: tuple[tuple[str, str], ...] = ()
    mapping: EventSourceMapping | None = None
    unknown_because: tuple[str, ...] = ()
    assumes: tuple[str, ...] = ()

    @property
    def allowed_if(self) -> tuple[tuple[ConditionTerm, ...], ...]:
        """For a conditional trigger: the alternatives of conditions under which it may invoke."""
        result = self.answer.result if self.answer else None
        return result.allowed_if if result and self.decision == "conditional" else ()

    @property
    def decided_by(self) -> tuple[DecidingStatement, ...]:
        """The statements that decided (none for a mapping)."""
        result = self.answer.result if self.answer else None
        return result.decided_by if result else ()

    def to_json(self) -> dict[str, Any]:
        """One trigger of ``triggers --json``."""
        m = self.mapping
        return {
            "kind": self.kind,
            "label": self.label,
            "principal": self.principal,
            "decision": self.decision,
            "context": dict(self.context),
            "allowed_if": [[t.to_json() for t in alt] for alt in self.allowed_if],
            "decided_by": [d.to_json() for d in self.decided_by],
            "unknown_because": list(self.unknown_because),
            "assumes": list(self.assumes),
            "mapping": None
            if m is None
            else {
                "uuid": m.uuid,
                "event_source_arn": m.event_source_arn,
                "source": source_kind(m),
                "state": m.state,
                "batch_size": m.batch_size,
            },
        }


@dataclass(frozen=True, slots=True)
class QualifierTriggers:
    """The triggers of one qualifier: the unqualified function, a version, an alias or a URL."""

    arn: str
    label: str
    action: str
    triggers: tuple[Trigger, ...]
    url: str | None = None

    def question(self, trigger: Trigger) -> Question | None:
        """What the simulator asks to decide ``trigger`` on this qualifier (with the source it stands for);
        None for an event source mapping, which Lambda invokes without a resource-policy check."""
        if trigger.principal is None:
            return None
        return Question(trigger.principal, self.action, self.arn, trigger.context)

    def to_json(self) -> dict[str, Any]:
        """One qualifier of ``triggers --json``."""
        return {
            "arn": self.arn,
            "label": self.label,
            "action": self.action,
            "url": self.url,
            "triggers": [t.to_json() for t in self.triggers],
        }


@dataclass(frozen=True, slots=True)
class TriggersReport:
    """What can invoke one function, per qualifier; ``unread`` says what could not be read."""

    function: str
    qualifiers: tuple[QualifierTriggers, ...]
    unread: tuple[str, ...] = ()

    @property
    def decision(self) -> NeedDecision:
        """``allowed`` when something can invoke for certain; else conditional, unknown, denied."""
        decisions = {t.decision for q in self.qualifiers for t in q.triggers}
        if "allowed" in decisions:
            return "allowed"
        if "conditional" in decisions:
            return "conditional"
        return "unknown" if "unknown" in decisions or self.unread else "denied"

    def to_json(self) -> dict[str, Any]:
        """The ``triggers --json`` object."""
        return {
            "function": self.function,
            "decision": self.decision,
            "qualifiers": [q.to_json() for q in self.qualifiers],
            "unread": list(self.unread),
        }


_ROW_KINDS: dict[str, TriggerKind] = {
    "service": "service",
    "account": "account",
    "organization": "organization",
    "public": "public",
    "role": "role",
    "user": "user",
    "session": "session",
}


def _principal_triggers(inv: Inventory, action: str, arn: str) -> list[Trigger]:
    out: list[Trigger] = []
    rows: tuple[WhoCanRow, ...] = who_can(inv, action, arn)
    for row in rows:
        decision = _DECISIONS.get(row.decision, "unknown")
        if row.origin == "account" and decision == "denied":
            continue
        out.append(
            Trigger(
                _ROW_KINDS.get(row.kind, "other"),
                row.label,
                decision,
                row.principal,
                row.answer,
                tuple(sorted(row.context.items())),
                unknown_because=row.answer.unknown_because,
                assumes=row.answer.assumes,
            )
        )
    return out


def _mapping_trigger(m: EventSourceMapping, needs: NeedsReport) -> Trigger:
    source = m.event_source_arn or ", ".join(m.kafka_bootstrap_servers) or "self-managed source"
    label = f"{source_kind(m)} event source mapping {m.uuid} from {source} ({m.state or 'state unknown'})"
    reads = [n for n in needs.of_source(m.uuid) if n.requirement.setting == "event-source"]
    worst: NeedDecision = "allowed"
    for n in reads:
        if n.decision == "denied" or (n.decision == "unknown" and worst != "denied"):
            worst = n.decision
        elif n.decision == "conditional" and worst == "allowed":
            worst = "conditional"
    unknown = tuple(u for n in reads for u in n.unknown_because)
    if m.state is None:
        return Trigger(
            "event-source-mapping", label, "unknown", mapping=m, unknown_because=("state not read",)
        )
    if m.state not in _POLLING:
        return Trigger("event-source-mapping", label, "denied", mapping=m)
    assumes = tuple(dict.fromkeys(a for n in reads for a in n.assumes))
    return Trigger("event-source-mapping", label, worst, mapping=m, unknown_because=unknown, assumes=assumes)


def function_triggers(inv: Inventory, function: str) -> TriggersReport:
    """What can invoke ``function`` (an ARN or name), per qualifier. Raises ``InputError`` if unknown."""
    fn: Function = _find_function(inv, function)
    mappings, unread = function_mappings(inv, fn)
    needs = function_needs(inv, fn.arn)
    views: list[QualifierTriggers] = []
    targets = [(fn.arn, "unqualified (and $LATEST)")]
    targets += [(v.arn, f"version {v.version}") for v in fn.versions]
    targets += [(a.arn, f"alias {a.name} (version {a.function_version})") for a in fn.aliases]
    for arn, label in targets:
        triggers = [
            _mapping_trigger(m, needs)
            for m in mappings
            if m.function_arn == arn
            or (arn == fn.arn and m.function_arn in (f"{arn}:$LATEST", _base_arn(arn)))
        ]
        triggers += _principal_triggers(inv, "lambda:InvokeFunction", arn)
        views.append(QualifierTriggers(arn, label, "lambda:InvokeFunction", tuple(triggers)))
    if fn.urls is None:
        unread.append(f"function URLs of {fn.name}: {fn.urls_unknown or 'not read'}")
    for url in fn.urls or ():
        where = f"alias {url.qualifier}" if url.qualifier else "the function"
        label = f"URL of {where} (AuthType {url.auth_type})"
        triggers = _principal_triggers(inv, "lambda:InvokeFunctionUrl", url.function_arn)
        views.append(
            QualifierTriggers(url.function_arn, label, "lambda:InvokeFunctionUrl", tuple(triggers), url.url)
        )
    if fn.details_unknown:
        unread.append(f"versions and aliases of {fn.name}: {fn.details_unknown}")
    return TriggersReport(fn.arn, tuple(views), tuple(unread))


__all__ = ["QualifierTriggers", "Trigger", "TriggerKind", "TriggersReport", "function_triggers"]
