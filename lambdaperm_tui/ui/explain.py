"""Short, verdict-first lines for the simulator's explanation tree, and their full text.

The engine's element matches are data (``iam.result.ElementMatch``: the request's value, the element's
patterns, which one matched and why). With account ARNs the engine's sentence for one
(``iam.render.element_words``) is wider than 80 columns and the key fact (what it was compared with)
falls off the right edge, so the tree shows a compact line built from the same data
(``✘ Principal  role/orders-api-role ≠ Service x``): the request's value first, ARNs of the inventory's
own account without their ``arn:aws:<service>`` / account prefix. The renderer's full sentence stays on
the node (``node.data``) and is shown under the tree for the highlighted line.
"""

from __future__ import annotations

import json
import re

from rich.text import Text

from ..iam.render import element_words, grant_words
from ..iam.result import ConditionMatch, Element, ElementMatch, Grant, MatchReason
from ..inventory.redact import REDACTED, secret_context_key
from ..inventory.text import inert

# arn:<partition>:<service>:<region>:<account>:<rest>; the region may be empty (IAM) or a wildcard.
_ARN = re.compile(r"arn:aws[\w-]*:([\w-]+):([\w*?-]*):(\d{12}|\*):")
_AWS_MANAGED = re.compile(r"arn:aws[\w-]*:iam::aws:policy/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)")


def mark(ok: bool) -> str:
    """``✔`` for matched, ``✘`` for not matched (a symbol, never colour alone)."""
    return "✔" if ok else "✘"


def short_arns(text: str, account: str) -> str:
    """``text`` with the own account's ARNs shortened (``role/x``, ``lambda:us-east-1:function:f``) and
    AWS managed policy ARNs reduced to the policy's name; other accounts' ARNs are kept whole."""

    def own(m: re.Match[str]) -> str:
        service, region, acct = m.group(1), m.group(2), m.group(3)
        if acct != account:
            return m.group(0)
        # IAM and STS ARNs read well from the resource part on (role/..., assumed-role/...).
        if not region and service in ("iam", "sts"):
            return ""
        # Lambda's own resource words (function:, layer:) say the service; its region stays (two
        # functions of one name in two regions must not read as equal).
        return f"{region}:" if service == "lambda" else f"{service}:{region}:"

    text = _AWS_MANAGED.sub(lambda m: f"{m.group(1)} (AWS managed)", text)
    return _ARN.sub(own, text) if account else text


def _pattern(m: ElementMatch, i: int, account: str) -> str:
    """Pattern ``i`` without JSON punctuation (``Service events.amazonaws.com``, ``lambda:Invoke*``)."""
    value = short_arns(m.patterns[i], account)
    if not m.principal_keys:
        return value
    key = m.principal_keys[i]
    return "*" if key == "*" else f"{key} {value}"


def _patterns(m: ElementMatch, account: str) -> str:
    return ", ".join([_pattern(m, i, account) for i in range(len(m.patterns))])


def element_label(m: ElementMatch, account: str) -> Text:
    """One Action/Resource/Principal line: mark, element, the request's value, what it was compared with."""
    line = Text(f"{mark(m.matched)} {m.element.value}  ", style="bold" if m.matched else "")
    req = short_arns(m.value, account)
    reason = m.reason
    if reason is MatchReason.MATCHES and m.hit is not None:
        hit = m.patterns[m.hit]
        if m.element is Element.PRINCIPAL and hit.lower() == m.value.lower():
            # A principal named as itself: say how it was granted, not the same ARN twice.
            grant = m.grant
            shown = req + ("" if grant is None or grant is Grant.CALLER else f" — {grant_words(grant)}")
        elif hit.lower() == m.value.lower():
            shown = req
        else:
            words = ""
            if m.grant is not None and m.grant is not Grant.CALLER:
                words = f" ({grant_words(m.grant)})"
            shown = f"{req} matches {_pattern(m, m.hit, account)}{words}"
    elif reason is MatchReason.MATCHES_NONE:
        shown = f"{req} ≠ {_patterns(m, account)}"
    elif reason is MatchReason.EXCLUDED and m.hit is not None:
        shown = f"{req} excluded by {_pattern(m, m.hit, account)}"
    elif reason is MatchReason.EXCLUDED:
        shown = f"{req} excluded by {_patterns(m, account)}"
    elif reason is MatchReason.NOT_LISTED:
        shown = f"{req} not in {_patterns(m, account)}"
    elif reason in (MatchReason.NOT_EXEMPTED, MatchReason.BOUNDARY_NOT_EXEMPT):
        shown = f"{req} not exempted by {_patterns(m, account)}"
    else:
        # No comparison to show (an Allow with NotPrincipal, a missing Principal): the sentence itself.
        shown = short_arns(element_words(m), account)
    line.append(inert(shown))
    return line


def element_full(m: ElementMatch) -> Text:
    """The renderer's sentence for an element, unshortened."""
    return Text(inert(f"{mark(m.matched)} {m.element.value}: {element_words(m)}"))


def condition_label(c: ConditionMatch, account: str) -> Text:
    """``✘ AWS:SourceArn (absent) vs ArnLike execute-api:us-east-1:abc/*``: the request side first."""
    line = Text(f"{mark(c.matched)} {inert(c.key)} ", style="bold" if c.matched else "")
    if c.open:
        line.append("(unknown)", style="italic")
    elif c.request_values is None:
        line.append("(absent)", style="italic")
    elif secret_context_key(c.key):
        line.append(REDACTED, style="italic")
    else:
        line.append(", ".join(inert(short_arns(v, account)) for v in c.request_values) or '""')
    line.append(f" vs {inert(c.operator)} ")
    line.append(", ".join(inert(short_arns(v, account)) for v in c.policy_values))
    return line


def condition_full(c: ConditionMatch) -> Text:
    """A condition with both sides in full: ``ArnLike AWS:SourceArn: policy [...] vs request [...]``."""
    line = Text(inert(f"{mark(c.matched)} {c.operator} {c.key}: policy "))
    line.append(inert(json.dumps(list(c.policy_values))))
    line.append(" vs request ")
    if c.open:
        line.append("(unknown: the answer is conditional on it)")
    elif c.request_values is None:
        line.append("(absent)")
    elif secret_context_key(c.key):
        line.append(REDACTED)
    else:
        line.append(inert(json.dumps(list(c.request_values))))
    return line
