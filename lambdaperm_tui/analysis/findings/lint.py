"""Findings on a policy document's form: ``lint`` (statements whose meaning differs from what they seem)
and ``policy-size`` (a resource policy near Lambda's size limit).

These read the document, not the engine: they are about how a statement is written. What a statement
*grants* is always decided by probing the engine (``resources``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ...iam.wildcard import wildcard_match
from .. import catalog
from ..principals import _as_list, _statements
from .model import Finding, FindingKind, Severity, StatementRef

# Lambda's limit on a function's (or layer version's) resource-based policy: 20 KB
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); past it AddPermission fails.
POLICY_SIZE_LIMIT = 20_480
POLICY_SIZE_WARN = 0.8
_LIKE = ("stringlike", "stringnotlike", "arnlike", "arnnotlike", "arnequals", "arnnotequals")


def _sid(st: dict[str, Any]) -> str | None:
    sid = st.get("Sid")
    return sid if isinstance(sid, str) else None


def _conditions(st: dict[str, Any]) -> Iterator[tuple[str, str, list[Any]]]:
    block = st.get("Condition")
    if not isinstance(block, dict):
        return
    for op, keys in block.items():
        if isinstance(keys, dict):
            for key, values in keys.items():
                yield str(op), str(key), _as_list(values)


def _actions(st: dict[str, Any]) -> list[str]:
    """The catalog actions a statement's Action names (wildcards expanded); [] for NotAction."""
    out: list[str] = []
    for pattern in _as_list(st.get("Action", [])):
        if not isinstance(pattern, str) or ":" not in pattern:
            continue
        prefix = pattern.split(":", 1)[0].lower()
        known = catalog.all_actions_for_prefix(prefix)
        out += [a for a in known if wildcard_match(pattern, a, ignore_case=True)]
    return out


def _key_known(key: str, actions: list[str]) -> bool:
    folded = key.lower()
    for action in actions:
        for k in catalog.condition_keys_for(action):
            kl = k.lower()
            if kl == folded or ("${" in kl and folded.startswith(kl.split("${", 1)[0])):
                return True
    return False


def lint_document(document: Any, policy: str, resource: str) -> list[Finding]:
    """Every lint finding of one resource-based (or trust) policy document."""
    out: list[Finding] = []

    def add(index: int, st: dict[str, Any], severity: Severity, why: str) -> None:
        ref = StatementRef(policy, index, _sid(st))
        out.append(Finding(FindingKind.LINT, severity, resource, "", f"{ref.words()}: {why}", (ref,)))

    for i, st in _statements(document):
        effect = st.get("Effect")
        if effect == "Allow" and "NotPrincipal" in st:
            add(
                i,
                st,
                Severity.MEDIUM,
                "Allow with NotPrincipal: AWS documents it as not supported and gives no rule for it (older "
                "pages said it grants everyone not listed); use Principal with a condition instead",
            )
        principal = st.get("Principal")
        if isinstance(principal, dict):
            for value in _as_list(principal.get("AWS", [])):
                if isinstance(value, str) and value != "*" and ("*" in value or "?" in value):
                    add(
                        i,
                        st,
                        Severity.LOW,
                        f'the principal "{value}" has a wildcard inside an ARN, which never matches anyone '
                        '("You can\'t use a wildcard to match part of a principal name or ARN")',
                    )
        actions = _actions(st)
        for op, key, values in _conditions(st):
            prefix, _, base = op.rpartition(":")
            base_l = base.lower()
            if prefix.lower() == "forallvalues" and catalog.condition_key_multivalued(key) is False:
                add(
                    i,
                    st,
                    Severity.MEDIUM,
                    f"ForAllValues on the single-valued key {key}: it is also true when the key is absent "
                    "from the request, so the condition admits requests without it",
                )
            if base_l.startswith("null") and base_l.endswith("ifexists"):
                add(
                    i,
                    st,
                    Severity.LOW,
                    f"{op} on {key}: Null with IfExists is contradictory (IfExists makes "
                    "the test true when the key is absent, which is what Null tests)",
                )
            if (
                base_l.removesuffix("ifexists") not in _LIKE
                and base_l.startswith("string")
                and any(isinstance(v, str) and ("*" in v or "?" in v) for v in values)
            ):
                add(
                    i,
                    st,
                    Severity.LOW,
                    f"{op} on {key} with a wildcard value: only the …Like operators expand * and ?, so this "
                    "matches the literal text",
                )
            if actions and not _key_known(key, actions):
                add(
                    i,
                    st,
                    Severity.LOW,
                    f"the condition key {key} is not one the catalog lists for "
                    f"{'these actions' if len(actions) > 1 else actions[0]}: the key is absent from those "
                    "requests, so the condition never holds as written (or holds only through IfExists)",
                )
    return out


def size_finding(document: Any, policy: str, resource: str) -> Finding | None:
    """A ``policy-size`` finding when the document exceeds 80% of Lambda's 20,480-character limit."""
    size = len(json.dumps(document, separators=(",", ":")))
    if size <= POLICY_SIZE_LIMIT * POLICY_SIZE_WARN:
        return None
    headroom = POLICY_SIZE_LIMIT - size
    return Finding(
        FindingKind.POLICY_SIZE,
        Severity.HIGH if headroom <= 0 else Severity.MEDIUM,
        resource,
        "",
        f"the resource policy of {policy} is {size:,} characters, {size * 100 // POLICY_SIZE_LIMIT}% of "
        f"Lambda's {POLICY_SIZE_LIMIT:,}-character limit ({headroom:,} left): AWS refuses new permissions "
        "past it, and the usual workaround (one broad statement) widens access",
    )
