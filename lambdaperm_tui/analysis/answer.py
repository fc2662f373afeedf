"""What ``simulate`` answers: one ``Check`` per authorization check AWS makes, and the ``Answer``.

Defined here and re-exported by ``analysis.resolve`` (where the UI and CLI import them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..iam.result import BlockedBy, ConditionTerm, EngineWarning, Result
from .whatif import PolicyRef

AnswerDecision = Literal["allowed", "explicit_deny", "implicit_deny", "conditional", "unknown"]


@dataclass(frozen=True, slots=True)
class Check:
    """One authorization check AWS performs for the question (a function URL question has two).

    ``required`` is False for a check shown for information only (e.g. the ``lambda:InvokeFunction``
    check of a URL created before October 2025). ``scenario`` replays the check with ``--scenario``.
    """

    name: str
    action: str
    result: Result | None
    decision: AnswerDecision = "unknown"
    required: bool = True
    note: str = ""
    scenario: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Words for a person: ``function URL permission (lambda:InvokeFunctionUrl)``."""
        return f"{self.name} ({self.action})" + ("" if self.required else " [informational]")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, as listed under ``checks`` in the answer."""
        return {
            "name": self.name,
            "action": self.action,
            "decision": self.decision,
            "allowed_if": [[t.to_json() for t in alt] for alt in self.result.allowed_if]
            if self.result
            else [],
            "blocked_by": self.result.blocked_by.value
            if self.result and self.result.blocked_by and self.decision == "implicit_deny"
            else None,
            "required": self.required,
            "note": self.note,
            "decided_by": [d.to_json() for d in self.result.decided_by] if self.result else [],
            "scenario": dict(self.scenario),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one question over an inventory.

    ``decision`` is the engine's decision, or ``"unknown"`` when something the answer depends on could
    not be read (``unknown_because`` says what). ``result`` is what the engine said for the deciding
    check (it may be present even when the decision is unknown: it shows what the known parts say).
    ``assumes`` lists what lies outside the inventory and was taken as given. ``scenario`` is the
    scenario file (README.md, "The scenario file") of the deciding check, so ``simulate --scenario``
    replays it. ``sources`` maps each policy name used in the explanation to its ``PolicyRef`` (for
    what-if editing).

    ``allowed_if`` (``"conditional"``): allowed exactly when some alternative's terms all hold, over
    the context keys the inventory and the given context leave open; ``allowed_if_complete`` is False
    when not all of it could be written. ``blocked_by`` (``"implicit_deny"``): the layer that stopped
    the request. ``warnings``: statements whose meaning AWS leaves open (see ``iam.result``).
    """

    decision: AnswerDecision
    result: Result | None
    principal: str = ""
    action: str = ""
    resource: str = ""
    checks: tuple[Check, ...] = ()
    unknown_because: tuple[str, ...] = ()
    assumes: tuple[str, ...] = ()
    scenario: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    sources: Mapping[str, PolicyRef] = field(default_factory=dict)
    allowed_if: tuple[tuple[ConditionTerm, ...], ...] = ()
    allowed_if_complete: bool = True
    blocked_by: BlockedBy | None = None
    warnings: tuple[EngineWarning, ...] = ()

    @property
    def allowed(self) -> bool:
        """True only for a definite Allow."""
        return self.decision == "allowed"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` output: the scenario result object plus ``scenario``, ``assumes``,
        ``unknown_because``, ``checks`` and ``notes`` (README.md, "Command line")."""
        res = self.result
        return {
            "decision": self.decision,
            "allowed_if": [[t.to_json() for t in alt] for alt in self.allowed_if],
            "allowed_if_complete": self.allowed_if_complete,
            "blocked_by": None if self.blocked_by is None else self.blocked_by.value,
            "warnings": [w.to_json() for w in self.warnings],
            "decided_by": [d.to_json() for d in res.decided_by] if res else [],
            "explanation": res.explanation.to_json() if res and res.explanation else None,
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "scenario": dict(self.scenario),
            "assumes": list(self.assumes),
            "unknown_because": list(self.unknown_because),
            "checks": [c.to_json() for c in self.checks],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Question:
    """One question to ``simulate``, as a row of an answer asks it (a screen prefills its simulator with it).

    ``context``: request context the row stands for (e.g. ``aws:SourceArn`` of a trigger), as pairs.
    """

    principal: str
    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


__all__ = ["Answer", "AnswerDecision", "Check", "Question"]
