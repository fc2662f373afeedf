"""What a finding is: a kind, a severity, the exact resource, the principal, the statements, why, and the
proof (a scenario of the contract in ``iam/scenario.py`` that ``simulate --scenario`` replays)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...iam.result import ConditionTerm, DecidingStatement


class FindingKind(str, enum.Enum):
    """The kinds of finding (issue 10's vocabulary; the values are the JSON ``kind``)."""

    PUBLIC_ACCESS = "public-access"
    CROSS_ACCOUNT = "cross-account"
    ORG_ACCESS = "org-access"
    CONFUSED_DEPUTY = "confused-deputy"
    FUNCTION_URL = "function-url"
    LAYER_SHARING = "layer-sharing"
    EXECUTION_ROLE = "execution-role"
    PRIVILEGE_ESCALATION = "privilege-escalation"
    POLICY_SIZE = "policy-size"
    LINT = "lint"


class Severity(str, enum.Enum):
    """How bad a finding is; ``rank`` orders them (critical first)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical ... 4 for info."""
        return _RANKS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """The severity named ``text`` (any case); raises ``ValueError`` naming the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f'unknown severity "{text}" (one of {choices})') from None


_RANKS = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class StatementRef:
    """One statement involved in a finding: the policy's name (as explanations name it), its index, Sid."""

    policy: str
    index: int
    sid: str | None

    @classmethod
    def of(cls, d: DecidingStatement) -> StatementRef:
        """The statement an engine result names."""
        return cls(d.policy, d.statement_index, d.sid)

    def to_json(self) -> dict[str, Any]:
        """``{"policy", "index", "sid"}``."""
        return {"policy": self.policy, "index": self.index, "sid": self.sid}

    def words(self) -> str:
        """``statement 1 (Sid "x") of billing:1``."""
        sid = f' (Sid "{self.sid}")' if self.sid else ""
        return f"statement {self.index}{sid} of {self.policy}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding.

    ``resource`` is the exact ARN (with its qualifier); ``principal`` who gains the access (``anonymous``,
    ``any AWS account``, an account or role ARN, a service principal, ``organization o-...``, or the
    attacker of an escalation). ``actions`` the actions concerned; ``allowed_if`` the condition under which
    the access holds (empty: unconditionally). ``proof`` is the scenario demonstrating it, with an
    ``expected`` annotation holding the decision the engine gives it; None for findings about a document's
    form (``policy-size``, ``lint``). ``fix``: a command that resolves it, when there is one. ``steps``:
    for an escalation path, the scenario of each permission the path needs.
    """

    kind: FindingKind
    severity: Severity
    resource: str
    principal: str
    why: str
    statements: tuple[StatementRef, ...] = ()
    actions: tuple[str, ...] = ()
    allowed_if: tuple[tuple[ConditionTerm, ...], ...] = ()
    proof: Mapping[str, Any] | None = None
    fix: str | None = None
    path: str | None = None  # privilege escalation: the id of the path proved (pathfinding.cloud lambda-00N)
    gains: str | None = None  # privilege escalation: the role gained
    paths: tuple[str, ...] = ()  # privilege escalation: the id of every path found to that role
    steps: tuple[Mapping[str, Any], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """One entry of ``findings --json`` (README, "Findings")."""
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "severity": self.severity.value,
            "resource": self.resource,
            "principal": self.principal,
            "actions": list(self.actions),
            "statements": [s.to_json() for s in self.statements],
            "why": self.why,
            "allowed_if": [[t.to_json() for t in alt] for alt in self.allowed_if],
            "proof": None if self.proof is None else dict(self.proof),
            "fix": self.fix,
        }
        if self.path is not None:
            out["path"] = self.path
            out["paths"] = list(self.paths)
            out["gains"] = self.gains
            out["steps"] = [dict(s) for s in self.steps]
        return out


@dataclass(frozen=True, slots=True)
class FindingsReport:
    """Every finding over an inventory (worst first), and what could not be decided (``unknown``)."""

    findings: tuple[Finding, ...]
    unknown: tuple[str, ...] = ()

    def at_least(self, level: Severity) -> tuple[Finding, ...]:
        """The findings at ``level`` or worse."""
        return tuple(f for f in self.findings if f.severity.rank <= level.rank)

    def to_json(self) -> dict[str, Any]:
        """``{"findings": [...], "unknown": [...]}``."""
        return {"findings": [f.to_json() for f in self.findings], "unknown": list(self.unknown)}


def sort_key(f: Finding) -> tuple[int, str, str, str]:
    """Worst first, then by kind, resource and principal (a stable order for output and tests)."""
    return (f.severity.rank, f.kind.value, f.resource, f.principal)
