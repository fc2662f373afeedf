"""Short, verdict-first lines for the simulator's explanation tree, and their full text.

The engine explains each element as ``"<request value>" matches none of {"Service": "x"}``; with account ARNs
that is wider than 80 columns and the key fact (what it was compared with) falls off the right edge. The
tree shows a compact line instead (``✘ Principal  role/orders-api-role ≠ Service x``): the request's value
first, ARNs of the inventory's own account without their ``arn:aws:<service>`` / account prefix. The full
engine text stays on the node (``node.data``) and is shown under the tree for the highlighted line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.text import Text

from ..inventory.text import inert

# arn:<partition>:<service>:<region>:<account>:<rest>; the region may be empty (IAM) or a wildcard.
_ARN = re.compile(r"arn:aws[\w-]*:([\w-]+):([\w*?-]*):(\d{12}|\*):")
_AWS_MANAGED = re.compile(r"arn:aws[\w-]*:iam::aws:policy/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)")
_QUOTED_ENTRY = re.compile(r'\{"([^"]+)": "([^"]*)"\}')
_QUOTED = re.compile(r'"([^"]*)"')
_PRINCIPAL_HIT = re.compile(r"^(\w+) (\S+)(?: \((.*)\))?$", re.S)  # AWS role/x (names the role)
_ELEMENT = re.compile(r'^"(?P<req>[^"]*)" (?P<rest>.*)$', re.S)


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


def _values(text: str, account: str) -> str:
    """Engine value lists (``{"AWS": "x"}, "y"``) without JSON punctuation, ARNs shortened."""
    text = _QUOTED_ENTRY.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
    text = _QUOTED.sub(lambda m: m.group(1), text)
    return short_arns(text, account)


def element_label(element: str, matched: bool, detail: str, account: str) -> Text:
    """One Action/Resource/Principal line: mark, element, the request's value, what it was compared with."""
    line = Text(f"{mark(matched)} {inert(element)}  ", style="bold" if matched else "")
    m = _ELEMENT.match(detail)
    if m is None:
        line.append(inert(_values(detail, account)))
        return line
    req = short_arns(m.group("req"), account)
    rest = m.group("rest")
    if rest.startswith("matches none of "):
        shown = f"{req} ≠ {_values(rest[len('matches none of ') :], account)}"
    elif rest.startswith("matches "):
        hit = _values(rest[len("matches ") :], account)
        entry = _PRINCIPAL_HIT.match(hit)
        if hit.lower() == req.lower():
            shown = req
        elif entry is not None and entry.group(2).lower() == req.lower():
            # A principal named as itself: say how it was granted, not the same ARN twice.
            shown = req + (f" — {entry.group(3)}" if entry.group(3) else "")
        else:
            shown = f"{req} matches {hit}"
    elif rest.startswith("is excluded by "):
        shown = f"{req} excluded by {_values(rest[len('is excluded by ') :], account)}"
    elif rest.startswith("is not among "):
        shown = f"{req} not in {_values(rest[len('is not among ') :], account)}"
    else:
        shown = f"{req} {_values(rest, account)}"
    line.append(inert(shown))
    return line


def element_full(element: str, matched: bool, detail: str) -> Text:
    """The engine's own words for an element, unshortened."""
    return Text(inert(f"{mark(matched)} {element}: {detail}"))


def condition_label(c: Any, account: str) -> Text:
    """``✘ AWS:SourceArn (absent) vs ArnLike execute-api:us-east-1:abc/*``: the request side first."""
    line = Text(f"{mark(c.matched)} {inert(c.key)} ", style="bold" if c.matched else "")
    if c.request_values is None:
        line.append("(absent)", style="italic")
    else:
        line.append(", ".join(inert(short_arns(v, account)) for v in c.request_values) or '""')
    line.append(f" vs {inert(c.operator)} ")
    line.append(", ".join(inert(short_arns(v, account)) for v in c.policy_values))
    return line


def condition_full(c: Any) -> Text:
    """A condition with both sides in full: ``ArnLike AWS:SourceArn: policy [...] vs request [...]``."""
    line = Text(inert(f"{mark(c.matched)} {c.operator} {c.key}: policy "))
    line.append(inert(json.dumps(list(c.policy_values))))
    line.append(" vs request ")
    line.append("(absent)" if c.request_values is None else inert(json.dumps(list(c.request_values))))
    return line
