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
    # With evaluate(..., explain="relevant"): how many statements were left out because their
    # Action/NotAction does not match the requested action (``statements`` lists the others); None when
    # every statement is listed.
    statements_not_matching_action: int | None = None


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
        """A JSON-ready form, stable for ``--json`` output.

        A policy explained with ``explain="relevant"`` also has ``statements_not_matching_action``.
        Built with plain loops and local names: in a ``--json`` batch this runs once per scenario and
        was a sizeable share of the time.
        """
        policies: list[dict[str, Any]] = []
        for p in self.policies:
            statements: list[dict[str, Any]] = []
            for s in p.statements:
                conditions: list[dict[str, Any]] = []
                for c in s.conditions:
                    rv = c.request_values
                    conditions.append(
                        {
                            "operator": c.operator,
                            "key": c.key,
                            "policy_values": list(c.policy_values),
                            "request_values": None if rv is None else list(rv),
                            "matched": c.matched,
                        }
                    )
                statements.append(
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
                        "conditions": conditions,
                    }
                )
            body: dict[str, Any] = {
                "policy_type": p.policy_type,
                "name": p.name,
                "level": p.level,
                "statements": statements,
            }
            if p.statements_not_matching_action is not None:
                body["statements_not_matching_action"] = p.statements_not_matching_action
            policies.append(body)
        return {
            "summary": self.summary,
            "layers": [{"layer": x.layer, "verdict": x.verdict, "note": x.note} for x in self.layers],
            "policies": policies,
        }


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of evaluating one request. ``explanation`` is None when it was not asked for."""

    decision: Decision
    decided_by: tuple[DecidingStatement, ...]
    explanation: Explanation | None = None

    def to_json(self) -> dict[str, Any]:
        """The result object of the scenario contract (DESIGN.md)."""
        explanation = self.explanation
        return {
            "decision": self.decision.value,
            "decided_by": [
                {
                    "policy_type": d.policy_type,
                    "policy": d.policy,
                    "statement_index": d.statement_index,
                    "sid": d.sid,
                    "effect": d.effect,
                }
                for d in self.decided_by
            ],
            "explanation": None if explanation is None else explanation.to_json(),
        }
