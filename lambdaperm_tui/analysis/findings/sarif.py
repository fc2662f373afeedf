"""SARIF 2.1.0 for ``findings --policy``: each finding a result located on the policy file, at the line
of the statement involved (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html)."""

from __future__ import annotations

import json
import re
from typing import Any

from .model import FindingKind, FindingsReport, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# security-severity (0.0-10.0), which code-scanning tools use to rank results.
_SCORES = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
_RULES = {
    FindingKind.PUBLIC_ACCESS: "anyone can perform an action on the resource",
    FindingKind.CROSS_ACCOUNT: "another account can perform an action on the resource",
    FindingKind.ORG_ACCESS: "every account of an organization can perform an action on the resource",
    FindingKind.CONFUSED_DEPUTY: "a service principal is allowed without a condition fixing the source",
    FindingKind.FUNCTION_URL: "a function URL is public, broken or left exposed",
    FindingKind.LAYER_SHARING: "the layer version is shared outside the account",
    FindingKind.EXECUTION_ROLE: "an execution role is trusted or allowed too widely, or lacks what it needs",
    FindingKind.PRIVILEGE_ESCALATION: "a principal can gain a more privileged role through Lambda",
    FindingKind.POLICY_SIZE: "the resource policy is near Lambda's size limit",
    FindingKind.LINT: "a statement means something other than it seems",
}
_STATEMENT = re.compile(r'"Statement"\s*:\s*')


def statement_lines(text: str) -> dict[int, int]:
    """Statement index -> 1-based line where it starts, for a policy document's JSON text ({} when the
    text holds no Statement array at its top level, e.g. a single-object Statement)."""
    decoder = json.JSONDecoder()
    match = _STATEMENT.search(text)
    if match is None or text[match.end() : match.end() + 1] != "[":
        return {}
    pos = match.end() + 1
    lines: dict[int, int] = {}
    index = 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        lines[index] = text.count("\n", 0, pos) + 1
        try:
            _, pos = decoder.raw_decode(text, pos)
        except ValueError:
            break
        index += 1
    return lines


def to_sarif(report: FindingsReport, uri: str, text: str, version: str) -> dict[str, Any]:
    """The SARIF log of ``report`` for the policy file at ``uri`` whose content is ``text``."""
    lines = statement_lines(text)
    kinds = list(dict.fromkeys(f.kind for f in report.findings))
    results = []
    for f in report.findings:
        line = next((lines[s.index] for s in f.statements if s.index in lines), 1)
        results.append(
            {
                "ruleId": f.kind.value,
                "ruleIndex": kinds.index(f.kind),
                "level": _LEVELS[f.severity],
                "message": {"text": f.why},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri},
                            "region": {"startLine": line},
                        }
                    }
                ],
                "properties": {
                    "severity": f.severity.value,
                    "security-severity": _SCORES[f.severity],
                    "principal": f.principal,
                    "resource": f.resource,
                    "actions": list(f.actions),
                },
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lambdaperm-tui",
                        "version": version,
                        "rules": [
                            {
                                "id": k.value,
                                "name": k.value,
                                "shortDescription": {"text": _RULES[k]},
                                "properties": {"tags": ["security"]},
                            }
                            for k in kinds
                        ],
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "warning", "message": {"text": u}} for u in report.unknown
                        ],
                    }
                ],
            }
        ],
    }
