"""The answer: a decision, the statements that decided it, and an explanation a person can read."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Literal

PolicyType = Literal["identity", "resource", "boundary", "session", "scp", "rcp"]


class Decision(str, enum.Enum):
    """The three outcomes of AWS's evaluation logic."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


@dataclass(frozen=True, slots=True)
class DecidingStatement:
    """A statement that decided the outcome (an Allow that granted, or a Deny that matched)."""

    policy_type: PolicyType
    policy: str
    statement_index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]

    def to_json(self) -> dict[str, Any]:
        """The ``decided_by`` entry of the scenario JSON contract."""
        return {
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement_index": self.statement_index,
            "sid": self.sid,
            "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class ElementMatch:
    """Whether one element (Action, Resource, Principal, ...) of a statement matched, and why."""

    element: str  # "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal"
    matched: bool
    detail: str  # e.g. 'lambda:invokefunction matches "lambda:Invoke*"'


@dataclass(frozen=True, slots=True)
class ConditionMatch:
    """One condition (operator, key) of a statement with the values compared."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None  # None: the key is absent from the request context
    matched: bool


@dataclass(frozen=True, slots=True)
class StatementExplanation:
    """One statement: each element's match, each condition's, and whether it applied or decided."""

    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    elements: tuple[ElementMatch, ...]
    conditions: tuple[ConditionMatch, ...]
    applies: bool  # every element and condition matched
    deciding: bool


@dataclass(frozen=True, slots=True)
class PolicyExplanation:
    """One policy document considered, with each statement's explanation."""

    policy_type: PolicyType
    name: str
    statements: tuple[StatementExplanation, ...]
    level: int | None = None  # SCP/RCP level (0 = root), else None


@dataclass(frozen=True, slots=True)
class LayerExplanation:
    """One layer of the evaluation (explicit deny, SCPs, RCPs, resource, identity, boundary, session)."""

    layer: str
    verdict: str  # short words: "allows", "denies", "no Allow", "not applicable", ...
    note: str  # a sentence, e.g. "no SCP at level 2 allows lambda:InvokeFunction"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the decision is what it is: a summary sentence, the layers in order, and every policy."""

    summary: str
    layers: tuple[LayerExplanation, ...]
    policies: tuple[PolicyExplanation, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, stable for ``--json`` output."""
        return {
            "summary": self.summary,
            "layers": [{"layer": x.layer, "verdict": x.verdict, "note": x.note} for x in self.layers],
            "policies": [
                {
                    "policy_type": p.policy_type,
                    "name": p.name,
                    "level": p.level,
                    "statements": [
                        {
                            "index": s.index,
                            "sid": s.sid,
                            "effect": s.effect,
                            "applies": s.applies,
                            "deciding": s.deciding,
                            "elements": [
                                {"element": e.element, "matched": e.matched, "detail": e.detail}
                                for e in s.elements
                            ],
                            "conditions": [
                                {
                                    "operator": c.operator,
                                    "key": c.key,
                                    "policy_values": list(c.policy_values),
                                    "request_values": None
                                    if c.request_values is None
                                    else list(c.request_values),
                                    "matched": c.matched,
                                }
                                for c in s.conditions
                            ],
                        }
                        for s in p.statements
                    ],
                }
                for p in self.policies
            ],
        }


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of evaluating one request. ``explanation`` is None when it was not asked for."""

    decision: Decision
    decided_by: tuple[DecidingStatement, ...]
    explanation: Explanation | None = None

    def to_json(self) -> dict[str, Any]:
        """The result object of the scenario contract (DESIGN.md)."""
        return {
            "decision": self.decision.value,
            "decided_by": [d.to_json() for d in self.decided_by],
            "explanation": self.explanation.to_json() if self.explanation else None,
        }
