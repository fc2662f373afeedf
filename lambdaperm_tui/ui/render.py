"""Pure helpers that turn inventory records and answers into rich ``Text`` for the widgets.

Everything here builds ``rich.text.Text`` objects from plain strings, never markup: policy documents,
ARNs and tags come from an AWS account and are untrusted, so a ``[`` in them must stay a ``[``. Every
such string is passed through ``inventory.text.inert`` on its way in (control and bidi characters shown
as escapes, huge strings cut); ``inert_label`` does the same to a finished ``Text`` and is the last step
of every tree label, table cell and input (``panes.ResourceTree``, ``screens``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from rich.console import RenderableType
from rich.highlighter import Highlighter
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Span, Text

from ..analysis.answer import Answer
from ..analysis.principals import NotACaller
from ..iam.render import decision_words, verdict_words
from ..inventory.model import Function, LayerVersion, PolicySlot, Role
from ..inventory.text import DOCUMENT_LIMIT, LINE_LIMIT, cut_marker, inert
from .explain import short_arns

# Symbols and words carry the meaning so that colour is never the only signal (16 colours, NO_COLOR,
# screen readers); the words come from the engine's one renderer (iam/render.py).
STYLES = {
    "allowed": "bold green",
    "conditional": "bold cyan",
    "explicit_deny": "bold red",
    "implicit_deny": "bold red",
    "denied": "bold red",  # a need's or trigger's verdict
    "unknown": "bold yellow",
}
DECIDING_MARK = "★"


def plain(text: str, style: str = "", *, multiline: bool = False, limit: int = LINE_LIMIT) -> Text:
    """Untrusted ``text`` as a ``Text``: inert (escaped controls and bidi, cut when huge), never markup."""
    return Text(inert(text, multiline=multiline, limit=limit), style=style)


# Where an elided ARN or name resumes: after a separator, so what is kept starts with a whole part.
_ARN_SEPARATORS = ":/"
# A foreign account's IAM ARN: ``arn:aws:iam::`` says nothing the account and resource part do not.
_IAM_PREFIX = ("arn:aws:iam::", "arn:aws-cn:iam::", "arn:aws-us-gov:iam::")


def keep_end(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters with its distinguishing end kept: the start is replaced by
    ``…``, resuming after a ``:`` or ``/`` when that keeps at least half the room
    (``arn:aws:lambda:us-east-1:123456789012:function:admin-console-api:live`` in 30 ->
    ``…admin-console-api:live``). ARNs and principal names differ at their end (function name, qualifier,
    role name), so that is the part a narrow cell must not lose."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    tail = text[len(text) - (width - 1) :]
    for i, ch in enumerate(tail[:-1]):
        if ch in _ARN_SEPARATORS:
            if len(tail) - i - 1 >= (width - 1) // 2:
                tail = tail[i + 1 :]
            break
    return "…" + tail


def arn_cell(arn: str, account: str, width: int | None = None) -> str:
    """An ARN (or principal) for a narrow cell, inert, its distinguishing end kept: the own account's ARNs
    without their shared prefix (``short_arns``: ``role/x``, ``us-east-1:function:f:live``), another
    account's IAM ARN without ``arn:aws:iam::`` (``…444455556666:role/x``), then, when still wider than
    ``width``, cut at the start (``keep_end``). The one rule for every narrow cell; the full text is
    shown where the row is shown whole (the detail, the line under a table)."""
    shown = short_arns(arn, account)
    if shown == arn and arn.startswith(_IAM_PREFIX):
        shown = "…" + arn.split("::", 1)[1]
    shown = inert(shown)
    return shown if width is None else keep_end(shown, width)


def inert_label(label: Text, *, multiline: bool = False, limit: int = LINE_LIMIT) -> Text:
    """``label`` with its text made inert and its styles kept (each span follows its characters).

    The last step before a widget draws a label or cell built elsewhere, so a string that reached a
    ``Text`` without ``plain`` still cannot drive the terminal.
    """
    cut = len(label.plain) - limit
    if cut <= 0 and inert(label.plain, multiline=multiline) == label.plain:
        return label
    end = label.end  # slicing a Text forgets it
    if cut > 0:
        label = label[:limit]
    # Cut around every character that shows differently, so each span stays on its own characters.
    offsets = sorted(
        {j for i, ch in enumerate(label.plain) if inert(ch, multiline=multiline) != ch for j in (i, i + 1)}
    )
    # ``end`` too: an Input's value has ``end=""``, and a newline after it is drawn once the field scrolls.
    out = Text(
        style=label.style, justify=label.justify, overflow=label.overflow, no_wrap=label.no_wrap, end=end
    )
    for piece in label.divide(offsets):
        shown = inert(piece.plain, multiline=multiline)
        if shown == piece.plain:
            out.append_text(piece)
        else:
            out.append_text(Text(shown, spans=[Span(0, len(shown), s.style) for s in piece.spans]))
    if cut > 0:
        out.append(cut_marker(cut), style="dim")
    return out


class InertHighlighter(Highlighter):
    """For ``Input(highlighter=...)``: the value is drawn inert (a prefilled ARN from a snapshot may hold
    control characters; the value itself, which the question uses, is left exact)."""

    def __call__(self, text: str | Text) -> Text:
        """The text to draw for ``text``."""
        return inert_label(text if isinstance(text, Text) else Text(text))

    def highlight(self, text: Text) -> None:
        """Nothing to colour (``__call__`` does the work)."""


def decision_text(decision: str, *, short: bool = False) -> Text:
    """``✔ ALLOWED`` / ``✘ DENIED ...`` / ``? UNKNOWN``: symbol and words, never colour alone; ``short``
    is the mark and word alone (``verdict_words``)."""
    key = decision if decision in STYLES else "unknown"
    return Text(verdict_words(key) if short else decision_words(key), style=STYLES[key])


def answer_text(answer: Answer, *, short: bool = False) -> Text:
    """An answer's decision in words: ``◐ ALLOWED IF aws:MultiFactorAuthPresent = true``, ``✘ DENIED
    (implicit deny: blocked by the permissions boundary)``; ``short`` drops a denial's reason."""
    key = answer.decision if answer.decision in STYLES else "unknown"
    if short and key != "conditional":
        return Text(verdict_words(key), style=STYLES[key])
    words = decision_words(
        key,
        allowed_if=answer.allowed_if,
        complete=answer.allowed_if_complete,
        blocked_by=answer.blocked_by,
    )
    return Text(inert(words), style=STYLES[key])


def not_a_caller_words(reason: NotACaller, principal: str) -> str:
    """Why a principal of the Principals list has nothing to ask the engine about (what-can, simulate)."""
    match reason:
        case NotACaller.FEDERATED:
            return (
                f"{principal} is an identity provider: it calls no Lambda API itself. Its users act through "
                "the roles whose trust policies name it; ask what those roles can do (3 Roles, w)."
            )
        case NotACaller.ORGANIZATION_PATTERN:
            return (
                f"{principal} is an organization path or pattern, not one organization: no single member "
                "account stands for it. The statements naming it are in its detail."
            )
        case NotACaller.NOT_A_LAMBDA_CALLER:
            return (
                f"{principal} is not a principal Lambda authorizes (a canonical user or an unrecognised "
                "form): there is no caller to ask about. The statements naming it are in its detail."
            )


def short_reason(reason: str) -> str:
    """The error code of a failure reason, inert: ``AccessDeniedException: ...`` -> ``AccessDenied``."""
    head = reason[:200].split(":", 1)[0].strip() or reason[:200].strip()
    head = head.split()[0] if head.split() else head
    if head.endswith("Exception") and len(head) > len("Exception"):
        head = head[: -len("Exception")]
    return inert(head[:40])


def unknown_badge(reason: str) -> Text:
    """The row badge for data we could not read, e.g. ``? unknown: AccessDenied``."""
    return Text(f" ? unknown: {short_reason(reason)}", style="bold yellow")


def slot_summary(slot: PolicySlot) -> Text:
    """One line saying what a policy slot holds."""
    if not slot.fetched:
        return Text("… not loaded yet", style="dim")
    if slot.unknown is not None:
        return plain(f"? unknown: {slot.unknown}", "bold yellow")
    if slot.document is None:
        return Text("no policy", style="dim")
    stmts = statements_of(slot.document)
    n = len(stmts) if stmts is not None else 0
    return Text(f"{n} statement{'s' if n != 1 else ''}")


def statements_of(document: Any) -> list[Any] | None:
    """The Statement list of a policy document, or None when the document has no such list."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if not isinstance(document, dict):
        return None
    stmt = document.get("Statement")
    if isinstance(stmt, dict):
        return [stmt]
    if isinstance(stmt, list):
        return stmt
    return None


def _as_list(value: Any) -> list[str]:
    """The values of a policy element, each inert on one line (a newline in a value must not read as a
    second value)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [inert(v if isinstance(v, str) else json.dumps(v)) for v in value]
    if isinstance(value, str):
        return [inert(value)]
    return [inert(json.dumps(value))]


def principal_cell(stmt: dict[str, Any]) -> str:
    """The Principal (or NotPrincipal) of a statement in one compact string."""
    key = "Principal" if "Principal" in stmt else "NotPrincipal" if "NotPrincipal" in stmt else None
    if key is None:
        return "—"
    value = stmt[key]
    prefix = "NOT " if key == "NotPrincipal" else ""
    if value == "*":
        return prefix + "* (anyone)"
    if isinstance(value, dict):
        parts = []
        for kind, names in value.items():
            for name in _as_list(names):
                who = f"{inert(kind)}: {name}" if kind != "AWS" else name
                parts.append("* (anyone)" if name == "*" else who)
        return prefix + "\n".join(parts)
    return prefix + "\n".join(_as_list(value))


def action_cell(stmt: dict[str, Any]) -> str:
    """Action or NotAction of a statement."""
    if "NotAction" in stmt:
        return "NOT " + ", ".join(_as_list(stmt["NotAction"]))
    return "\n".join(_as_list(stmt.get("Action"))) or "—"


def condition_cell(stmt: dict[str, Any]) -> str:
    """The Condition block as ``Operator key = values`` lines."""
    cond = stmt.get("Condition")
    if not cond:
        return ""
    if not isinstance(cond, dict):
        return inert(json.dumps(cond))
    lines = []
    for op, block in cond.items():
        if isinstance(block, dict):
            for key, values in block.items():
                lines.append(f"{inert(op)} {inert(key)} = {', '.join(_as_list(values))}")
        else:
            lines.append(f"{inert(op)} {inert(json.dumps(block))}")
    return "\n".join(lines)


def statement_cards(stmts: list[Any]) -> RenderableType:
    """Statements as short blocks (one field a line): readable in 80 columns where a table is not."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for i, stmt in enumerate(stmts):
        if not isinstance(stmt, dict):
            grid.add_row(Text(f"#{i}"), plain(json.dumps(stmt)))
            continue
        effect = inert(str(stmt.get("Effect", "?")))
        head = Text(("✔ " if effect == "Allow" else "✘ " if effect == "Deny" else "? ") + effect)
        head.stylize("bold green" if effect == "Allow" else "bold red" if effect == "Deny" else "yellow")
        sid = stmt.get("Sid")
        if isinstance(sid, str) and sid:
            head.append(f"  {inert(sid)}", style="dim")
        grid.add_row(Text(f"#{i}"), head)
        grid.add_row(Text("  who"), Text(principal_cell(stmt)))
        grid.add_row(Text("  does"), Text(action_cell(stmt)))
        if "NotResource" in stmt or "Resource" in stmt:
            res = stmt.get("Resource", stmt.get("NotResource"))
            prefix = "NOT " if "NotResource" in stmt else ""
            grid.add_row(Text("  on"), Text(prefix + "\n".join(_as_list(res))))
        cond = condition_cell(stmt)
        if cond:
            grid.add_row(Text("  when"), Text(cond))
    return grid


def statement_table(document: Any, *, title: str | None = None, compact: bool = False) -> RenderableType:
    """A readable table of a policy's statements: effect, principal, action, conditions.

    ``compact`` gives one block per statement instead, for narrow terminals.
    """
    stmts = statements_of(document)
    if stmts is None:
        return Text(
            "not an IAM policy document (no Statement list); press v for the raw JSON", style="yellow"
        )
    if compact:
        return statement_cards(stmts)
    table = Table(
        title=plain(title) if title else None,
        expand=True,
        show_lines=True,
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("#", no_wrap=True, width=2)
    table.add_column("Effect", no_wrap=True)
    table.add_column("Principal", ratio=3, overflow="fold")
    table.add_column("Action", ratio=2, overflow="fold")
    table.add_column("Condition", ratio=3, overflow="fold")
    for i, stmt in enumerate(stmts):
        if not isinstance(stmt, dict):
            table.add_row(Text(str(i)), Text("?"), plain(json.dumps(stmt)), Text(""), Text(""))
            continue
        effect = inert(str(stmt.get("Effect", "?")))
        sid = stmt.get("Sid")
        eff = Text(("✔ " if effect == "Allow" else "✘ " if effect == "Deny" else "") + effect)
        eff.stylize("green" if effect == "Allow" else "red" if effect == "Deny" else "yellow")
        if isinstance(sid, str) and sid:
            eff.append("\n" + inert(sid), style="dim")
        table.add_row(
            Text(str(i)),
            eff,
            Text(principal_cell(stmt)),
            Text(action_cell(stmt)),
            Text(condition_cell(stmt)),
        )
    return table


def json_syntax(document: Any) -> Syntax:
    """Highlighted JSON of a document (rich Syntax renders source, never markup). A document kept as a
    string (not JSON) is shown inert; ``json.dumps`` escapes controls and non-ASCII itself."""
    text = document if isinstance(document, str) else json.dumps(document, indent=2, sort_keys=False)
    text = inert(text, multiline=True, limit=DOCUMENT_LIMIT)
    return Syntax(text, "json", word_wrap=True, background_color="default", theme="ansi_dark")


def facts_table(rows: Sequence[tuple[str, str | Text]]) -> Table:
    """Label/value rows of a detail; every value is drawn inert (a ``str`` on one line; a ``Text`` may
    hold lines)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(
            Text(key), inert_label(value, multiline=True) if isinstance(value, Text) else plain(value)
        )
    return table


def age_words(captured_at: str, now: datetime) -> str:
    """How long ago an ISO 8601 instant was, in words (``3h ago``), or the text itself if unparsable."""
    try:
        when = datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
    except ValueError:
        return inert(captured_at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    seconds = int((now - when).total_seconds())
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def function_badges(fn: Function, failures: Iterable[str] = ()) -> Text:
    """Badges for a function row: unknown data first (so the user sees what is missing), then a URL flag."""
    text = Text()
    reasons = [r for r in (fn.policy.unknown, fn.details_unknown, fn.urls_unknown) if r]
    reasons.extend(failures)
    if reasons:
        text.append_text(unknown_badge(reasons[0]))
    if fn.urls:
        public = any(u.auth_type == "NONE" for u in fn.urls)
        text.append(" URL:NONE(public)" if public else " URL:IAM", style="bold magenta" if public else "cyan")
    return text


def function_label(fn: Function, failures: Iterable[str] = (), *, show_region: bool = False) -> Text:
    """The tree label of a function: name, then what needs attention (unknown data, a public URL), then
    runtime and region (only when the inventory spans several); a narrow pane cuts the least important."""
    label = plain(fn.name, "bold")
    label.append_text(function_badges(fn, failures))
    if fn.policy.fetched and fn.policy.unknown is None and fn.policy.document is not None:
        label.append("  policy", style="dim")  # as alias and version rows say it
    if fn.runtime:
        label.append(f"  {inert(fn.runtime)}", style="dim")
    if show_region:
        label.append(f"  {inert(fn.region)}", style="dim")
    if not fn.policy.fetched:
        label.append(" …", style="dim")  # listed, details still loading
    return label


def layer_version_label(lv: LayerVersion) -> Text:
    """The tree label of a layer version."""
    label = Text(f"version {lv.version}")
    if lv.compatible_runtimes:
        label.append("  " + inert(",".join(lv.compatible_runtimes)), style="dim")
    if lv.policy.unknown:
        label.append_text(unknown_badge(lv.policy.unknown))
    elif lv.policy.fetched and lv.policy.document is not None:
        label.append("  policy", style="cyan")
    return label


def role_label(role: Role, used_by: int) -> Text:
    """The list label of a role: name, how many functions use it, unknown badge."""
    label = plain(role.name, "bold" if used_by else "")
    if used_by:
        label.append(f"  runs {used_by} function{'s' if used_by != 1 else ''}", style="cyan")
    reason = role.policies_unknown or role.trust_policy.unknown
    if reason:
        label.append_text(unknown_badge(reason))
    return label
