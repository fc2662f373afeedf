"""The ``findings`` command: what is exposed, through which statement, with the proof.

``findings [SOURCE]`` judges an account; ``findings --policy FILE --resource ARN`` one resource-policy
document with no account. Exit status: 0 nothing at or above ``--min-severity``, 1 something is, 2 an
error, 3 nothing found but some data was unknown (said on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from . import cli

if TYPE_CHECKING:  # the analysis layer is imported only when the command runs (the parser stays light)
    from .analysis.findings.model import Finding, FindingsReport, Severity

EXIT_NONE = 0
EXIT_FOUND = 1
EXIT_UNKNOWN = 3


def add_parser(sub: Any) -> None:
    """Register ``findings`` on the command line's subparsers."""
    p = sub.add_parser(
        "findings",
        help="what is exposed (public, cross-account, confused deputies, URLs, layers, roles, escalation)",
        description="Findings decided by the engine for every qualifier, each with the statements "
        "involved and the scenario that proves it. With --policy FILE --resource ARN: one resource-policy "
        "document judged as if attached to that resource, with no account. Exit status: 0 nothing at or "
        "above --min-severity, 1 something is, 2 error, 3 nothing found but some data was unknown.",
    )
    p.add_argument("--json", action="store_true", help='print {"findings": [...], "unknown": [...]}')
    p.add_argument(
        "--min-severity",
        metavar="LEVEL",
        default="info",
        help="report findings at this level or worse: critical, high, medium, low, info (default)",
    )
    p.add_argument("--policy", metavar="FILE", help="a resource-policy document to judge on its own")
    p.add_argument("--resource", metavar="ARN", help="with --policy: the resource it would be attached to")
    p.add_argument("--sarif", action="store_true", help="with --policy: write SARIF 2.1.0")
    cli._add_source_options(p, top=False)
    p.set_defaults(command="findings")


def run(args: argparse.Namespace) -> int:
    """Run ``findings``; a bad option or input raises ``CliError`` (exit 2)."""
    from .analysis.findings.model import Severity

    try:
        level = Severity.parse(args.min_severity)
    except ValueError as exc:
        raise cli.CliError(f"--min-severity: {exc}") from None
    if args.policy is not None or args.resource is not None:
        return _policy(args, level)
    if args.sarif:
        raise cli.CliError("--sarif applies to --policy FILE --resource ARN")
    # The execution-role findings need each function's async destinations: one call per function.
    inventory = cli._open(args, invoke_configs=("*",))
    from .analysis.findings import account_findings

    return _emit(account_findings(inventory), level, args.json)


def _policy(args: argparse.Namespace, level: Severity) -> int:
    if args.policy is None or args.resource is None:
        raise cli.CliError("findings: --policy FILE and --resource ARN go together")
    if cli._source_given(args):
        raise cli.CliError("findings --policy is offline: it takes no SOURCE option")
    if args.sarif and args.json:
        raise cli.CliError("findings: give --json or --sarif, not both")
    data = cli._read_bytes(args.policy, what="policy file")
    try:
        document = cli._parse_json(data)
    except ValueError as exc:
        raise cli.CliError(f"{args.policy}: {exc}") from None
    text = data.decode("utf-8", errors="replace")
    if isinstance(document, dict) and isinstance(document.get("Policy"), str) and "Statement" not in document:
        # A GetPolicy response: the document is the string it holds.
        text = document["Policy"]
        try:
            document = cli._parse_json(text)
        except ValueError as exc:
            raise cli.CliError(f"{args.policy}: Policy: {exc}") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise cli.CliError(f"{args.policy}: not a policy document (a JSON object with Statement)")
    from .analysis.findings import policy_findings
    from .iam.errors import InputError

    try:
        report = policy_findings(document, args.resource.strip())
    except InputError as exc:
        raise cli.CliError(str(exc)) from None
    if args.sarif:
        from .analysis.findings.model import FindingsReport
        from .analysis.findings.sarif import to_sarif

        shown = FindingsReport(report.at_least(level), report.unknown)
        cli._write_json(to_sarif(shown, args.policy, text, cli._version()))
        return _status(report, level)
    return _emit(report, level, args.json)


def _status(report: FindingsReport, level: Severity) -> int:
    if report.at_least(level):
        return EXIT_FOUND
    if report.unknown:
        for reason in report.unknown[:5]:
            print(f"{cli.PROG}: unknown: {cli._one_line(reason)}", file=sys.stderr)
        if len(report.unknown) > 5:
            print(f"{cli.PROG}: ... and {len(report.unknown) - 5} more unknown", file=sys.stderr)
        return EXIT_UNKNOWN
    return EXIT_NONE


def _emit(report: FindingsReport, level: Severity, as_json: bool) -> int:
    shown = report.at_least(level)
    if as_json:
        body = {"findings": [f.to_json() for f in shown], "unknown": list(report.unknown)}
        cli._write_json(body)
    else:
        lines: list[str] = []
        for f in shown:
            lines += _human(f)
        for reason in report.unknown:
            lines.append(f"? unknown: {cli._one_line(reason)}")
        counts = {s: sum(1 for f in shown if f.severity is s) for s in type(level)}
        summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        lines.append(f"{len(shown)} findings" + (f": {summary}" if summary else ""))
        cli._write(sys.stdout, lines)
    return _status(report, level)


def _human(f: Finding) -> list[str]:
    lines = [f"{f.severity.value.upper():8} {f.kind.value}  {cli._clean(f.resource)}"]
    if f.principal:
        lines.append(f"    principal: {cli._clean(f.principal)}")
    lines.append(f"    why: {cli._one_line(f.why)}")
    if f.fix:
        lines.append(f"    fix: {cli._clean(f.fix)}")
    return lines
