"""The parts of a detail that answer or lead somewhere: a function's **Needs** (what its configuration
requires of the execution role, each need decided by the engine) and **Triggers** (what can invoke each
qualifier), an event source mapping's own detail, and the links between related items.

Pure: typed analysis reports and inventory records in, rich ``Text`` and targets out. A line that does
something on Enter is an ``ActionRow`` whose target is a ``Jump`` (go to a related item of a list) or an
``Ask`` (open the simulator with that question); the detail widget draws the rows and the explorer acts
on their targets. Every string from the account goes through ``render.plain`` (inert, never markup).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..iam.render import (
    allowed_if_words,
    blocked_by_words,
    deciding_statement_words,
    verdict_words,
)
from ..inventory.model import EventSourceMapping, Function, Inventory, Layer, LayerVersion
from .render import STYLES, facts_table, plain

if TYPE_CHECKING:  # the explorer's first frame comes before the analysis layer is imported
    from ..analysis.answer import Question
    from ..analysis.needs import Need, NeedsReport
    from ..analysis.principals import NamedPrincipal
    from ..analysis.triggers import QualifierTriggers, Trigger, TriggersReport
    from ..analysis.whatif import PolicyRef

PaneName = Literal["functions", "layers", "roles", "principals"]

# Account principals listed per qualifier before "and N more" (the who-can screen lists them all).
ACCOUNT_TRIGGERS_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Jump:
    """Enter goes to a related item: the row ``key`` of the ``pane`` list; ``within`` is the list's
    top-level row to expand first (the function of an alias, version or mapping; the layer of a version).
    """

    pane: PaneName
    key: str
    within: str | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    """Enter opens the simulator with this question."""

    question: Question


@dataclass(frozen=True, slots=True)
class Marked:
    """A mark (a verdict, an effect) and what it is about, in two columns, so the lines of the second
    (a wrapped ARN, why, what decided) stay indented under it."""

    mark: Text
    body: Text

    def __rich__(self) -> Table:
        """A two-column grid."""
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold", ratio=1)
        grid.add_row(self.mark, self.body)
        return grid

    @property
    def plain(self) -> str:
        """The text without styles: the mark, two spaces, then the body."""
        return f"{self.mark.plain}  {self.body.plain}"


@dataclass(frozen=True, slots=True)
class ActionRow:
    """Lines of a detail that do something on Enter; ``hint`` says what (shown while it is selected)."""

    text: Text | Marked
    target: Jump | Ask
    hint: str


# What a detail is made of: renderables drawn as they are, and rows that act.
Block = RenderableType | ActionRow


@dataclass(frozen=True, slots=True)
class FunctionAnswers:
    """A function's needs and triggers, as decided over one inventory (the detail draws both)."""

    needs: NeedsReport
    triggers: TriggersReport


def heading(title: str) -> Text:
    """A section title."""
    return Text("\n" + title, style="bold underline")


def verdict_text(verdict: str) -> Text:
    """``✔ ALLOWED`` / ``✘ DENIED`` / ``◐ ALLOWED IF`` / ``? UNKNOWN``, styled."""
    return Text(verdict_words(verdict), style=STYLES.get(verdict, STYLES["unknown"]))


def _more(text: Text, label: str, value: str, style: str = "") -> None:
    text.append(f"\n{label}: ", style="dim")
    text.append_text(plain(value, style))


# ------------------------------------------------------------------------------------------- needs


def need_text(need: Need) -> Marked:
    """One need: its verdict, action and resource, why (the setting), and what decided or blocked it."""
    r = need.requirement
    text = plain(r.action, "bold")
    text.append(" on ")
    text.append_text(plain(r.resource))
    _more(text, "why", r.why)
    if need.allowed_if:
        _more(text, "only if", allowed_if_words(need.allowed_if), "cyan")
    if need.explicit_deny:
        _more(text, "blocked", "an explicit Deny", "red")
    elif need.blocked_by is not None:
        _more(text, "blocked", blocked_by_words(need.blocked_by), "red")
    for d in need.decided_by:
        _more(text, "decided by", deciding_statement_words(d))
    for reason in need.unknown_because:
        _more(text, "unknown because", reason, "yellow")
    for assumption in need.assumes:
        _more(text, "assumes", assumption)
    return Marked(verdict_text(need.decision), text)


def _ask_hint(question: Question) -> str:
    return f"Enter: simulate {question.action} on this resource as the execution role"


def need_blocks(report: NeedsReport, needs: Iterable[Need]) -> list[Block]:
    """Each need as a row that opens the simulator (plain text when the role is unknown)."""
    out: list[Block] = []
    for need in needs:
        question = report.question(need)
        text = need_text(need)
        out.append(text if question is None else ActionRow(text, Ask(question), _ask_hint(question)))
    return out


def needs_section(report: NeedsReport | None, *, reading: str | None = None) -> list[Block]:
    """The **Needs** section of a function: every need decided, and what could not be read.

    ``report`` None: still being computed. ``reading``: a read in flight that will add needs (the async
    invoke configs, read on demand).
    """
    if report is None:
        return [heading("Needs of the execution role"), Text("computing…", style="dim italic")]
    title = heading(f"Needs of the execution role {report.role or '(unknown role)'}  ")
    title.append_text(verdict_text(report.decision))
    out: list[Block] = [title]
    if not report.needs:
        out.append(Text("nothing in its configuration needs the role", style="dim"))
    out += need_blocks(report, report.needs)
    for unread in report.unread:
        out.append(plain(f"? not read: {unread}", "yellow"))
    if reading:
        out.append(plain(f"… {reading}", "dim italic"))
    return out


# ------------------------------------------------------------------------------------------ triggers


def trigger_text(trigger: Trigger) -> Marked:
    """One trigger: its verdict and label, the source it stands for, and what decided."""
    text = plain(trigger.label, "bold")
    if trigger.context:
        _more(text, "when", ", ".join(f"{k}={v}" for k, v in trigger.context))
    if trigger.allowed_if:
        _more(text, "only if", allowed_if_words(trigger.allowed_if), "cyan")
    for d in trigger.decided_by:
        _more(text, "decided by", deciding_statement_words(d))
    for reason in trigger.unknown_because:
        _more(text, "unknown because", reason, "yellow")
    return Marked(verdict_text(trigger.decision), text)


def mapping_key(m: EventSourceMapping) -> str:
    """The Functions list's key of a mapping row: its ARN, or its UUID when AWS gave no ARN."""
    return m.arn or f"event-source-mapping:{m.uuid}"


def _trigger_block(view: QualifierTriggers, trigger: Trigger, function_arn: str) -> Block:
    text = trigger_text(trigger)
    if trigger.mapping is not None:
        hint = "Enter: go to this event source mapping (its needs, under the function)"
        return ActionRow(text, Jump("functions", mapping_key(trigger.mapping), function_arn), hint)
    question = view.question(trigger)
    if question is None:
        return text
    return ActionRow(text, Ask(question), f"Enter: simulate {question.action} as this principal")


def triggers_section(report: TriggersReport | None) -> list[Block]:
    """The **Triggers** section: per qualifier (function, version, alias, URL), what can invoke it."""
    if report is None:
        return [heading("Triggers (what can invoke it)"), Text("computing…", style="dim italic")]
    title = heading("Triggers (what can invoke it)  ")
    title.append_text(verdict_text(report.decision))
    out: list[Block] = [title]
    for view in report.qualifiers:
        head = plain(view.label, "bold cyan")
        head.append("  ")
        head.append_text(plain(view.url or view.arn, "dim"))
        out.append(head)
        if not view.triggers:
            out.append(Text("  nothing can invoke it", style="dim"))
        shown = 0
        hidden = 0
        for trigger in view.triggers:
            # The account's own roles and users allowed by identity policies can be many: the first few
            # here, all of them in who-can.
            if trigger.kind in ("role", "user", "session") and trigger.principal is not None:
                shown += 1
                if shown > ACCOUNT_TRIGGERS_SHOWN:
                    hidden += 1
                    continue
            out.append(_trigger_block(view, trigger, report.function))
        if hidden:
            out.append(Text(f"  … and {hidden} more principals of the account (w: who-can)", style="dim"))
    for unread in report.unread:
        out.append(plain(f"? not read: {unread}", "yellow"))
    return out


# ------------------------------------------------------------------------------------------ mappings


def _kind(m: EventSourceMapping) -> str:
    from ..analysis.needs import source_kind

    return source_kind(m)


def mapping_label(m: EventSourceMapping) -> Text:
    """The tree label of a mapping under its function: ``⇄ sqs orders-to-fulfil  Enabled``."""
    source = m.event_source_arn or ", ".join(m.kafka_bootstrap_servers) or "self-managed source"
    name = source.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if m.event_source_arn else source
    label = Text("⇄ ", style="cyan")
    label.append_text(plain(f"{_kind(m)} {name}", "cyan"))
    state = m.state or "state unknown"
    label.append_text(plain(f"  {state}", "dim" if state == "Enabled" else "yellow"))
    qualifier = m.function_arn.split(":")[7:]
    if qualifier:
        label.append_text(plain(f"  → {qualifier[0]}", "dim"))
    return label


def mapping_detail(m: EventSourceMapping, fn: Function, needs: NeedsReport | None) -> list[Block]:
    """An event source mapping: its settings, the needs it adds to its function's role, and its function."""
    rows: list[tuple[str, str | Text]] = [
        ("Mapping", m.uuid),
        ("Source", m.event_source_arn or ", ".join(m.kafka_bootstrap_servers) or "—"),
        ("Kind", _kind(m)),
        ("State", m.state or "? unknown"),
        ("Function", m.function_arn),
    ]
    if m.arn:
        rows.append(("ARN", m.arn))
    if m.batch_size is not None:
        rows.append(("Batch size", str(m.batch_size)))
    if m.maximum_batching_window_seconds is not None:
        rows.append(("Batch window", f"{m.maximum_batching_window_seconds} s"))
    if m.starting_position:
        rows.append(("Starts at", m.starting_position))
    if m.function_response_types:
        rows.append(("Responses", ", ".join(m.function_response_types)))
    if m.on_failure_destination:
        rows.append(("On failure", m.on_failure_destination))
    if m.topics or m.queues:
        rows.append(("Topics", ", ".join(m.topics + m.queues)))
    if m.last_processing_result:
        rows.append(("Last result", m.last_processing_result))
    out: list[Block] = [
        facts_table(rows),
        ActionRow(
            plain(f"↳ function {fn.name}", "bold"), Jump("functions", fn.arn), "Enter: go to the function"
        ),
    ]
    if needs is None:
        return [*out, heading("What it needs of the role"), Text("computing…", style="dim italic")]
    own = needs.of_source(m.uuid)
    title = heading(f"What it needs of the role {needs.role or '(unknown role)'}")
    out.append(title)
    if not own:
        out.append(Text("nothing (Lambda reads this kind of source without the role)", style="dim"))
    out += need_blocks(needs, own)
    return out


# ------------------------------------------------------------------------------------------ links


def _within_function(arn: str) -> str | None:
    """The function ARN of a qualified function ARN (None when ``arn`` is unqualified)."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 else None


def jump_to_owner(ref: PolicyRef) -> Jump | None:
    """Where a policy's owner is listed: its function, alias or version, layer version or role."""
    if ref.kind in ("function-policy", "alias-policy", "version-policy"):
        return Jump("functions", ref.owner, _within_function(ref.owner))
    if ref.kind == "layer-version-policy":
        return Jump("layers", ref.owner, ref.owner.rsplit(":", 1)[0])
    if ref.kind in ("role-trust", "role-inline"):
        return Jump("roles", ref.owner)
    return None


def function_links(fn: Function, inv: Inventory, principals: Sequence[NamedPrincipal]) -> list[Block]:
    """The items a function leads to: its role, its layers, the principals its policies name."""
    out: list[Block] = []
    if fn.role:
        if any(r.arn == fn.role for r in inv.roles):
            text = Text("Role  ", style="bold")
            text.append_text(plain(fn.role))
            out.append(ActionRow(text, Jump("roles", fn.role), "Enter: go to the execution role"))
        else:
            text = Text("Role  ", style="bold")
            text.append_text(plain(fn.role))
            text.append("  (not in the inventory)", style="dim")
            out.append(text)
    versions = {lv.arn: (layer, lv) for layer in inv.layers for lv in layer.versions}
    for arn in fn.layers:
        text = Text("Layer ", style="bold")
        text.append_text(plain(arn))
        found = versions.get(arn)
        if found is None:
            text.append("  (not in the inventory: another account's, or not listed)", style="dim")
            out.append(text)
        else:
            layer, _lv = found
            out.append(ActionRow(text, Jump("layers", arn, layer.arn), "Enter: go to this layer version"))
    qualifiers = {fn.arn, *(v.arn for v in fn.versions), *(a.arn for a in fn.aliases)}
    named = [p for p in principals if any(at.ref.owner in qualifiers for at in p.where)]
    for p in named:
        text = Text("Named ", style="bold")
        text.append_text(plain(p.label()))
        hint = "Enter: go to this principal and where it is named"
        out.append(ActionRow(text, Jump("principals", p.principal), hint))
    return out


def used_by_links(functions: Sequence[Function], *, show_region: bool) -> list[Block]:
    """Rows to the functions that use a role or a layer version."""
    out: list[Block] = []
    for f in functions:
        text = Text("↳ function ", style="bold")
        text.append_text(plain(f"{f.name} ({f.region})" if show_region else f.name))
        out.append(ActionRow(text, Jump("functions", f.arn), "Enter: go to this function"))
    return out


def layer_users(inv: Inventory, layer: Layer | LayerVersion) -> list[Function]:
    """The functions whose configuration names a version of ``layer`` (or that one version)."""
    arns = {layer.arn} if isinstance(layer, LayerVersion) else {lv.arn for lv in layer.versions}
    return [f for f in inv.functions if arns.intersection(f.layers)]


def named_at_links(principal: NamedPrincipal) -> list[Block]:
    """Rows to each resource whose policy names ``principal``."""
    out: list[Block] = []
    for at in principal.where:
        jump = jump_to_owner(at.ref)
        text = plain(at.ref.label(), "bold")
        text.append(f"  #{at.statement_index}", style="dim")
        if at.sid:
            text.append_text(plain(f" {at.sid}", "dim"))
        if at.actions:
            _more(text, "does", ", ".join(at.actions))
        for condition in at.conditions:
            _more(text, "when", condition)
        effect = ("NOT-principal " if at.not_principal else "") + at.effect
        row = Marked(plain(effect, "green" if at.effect == "Allow" else "red"), text)
        out.append(row if jump is None else ActionRow(row, jump, "Enter: go to where it is named"))
    return out


def questions_of(blocks: Iterable[Block]) -> list[Question]:
    """The questions of a detail's rows, in order (tests and the command palette read them)."""
    return [b.target.question for b in blocks if isinstance(b, ActionRow) and isinstance(b.target, Ask)]


__all__ = [
    "ACCOUNT_TRIGGERS_SHOWN",
    "ActionRow",
    "Ask",
    "Block",
    "FunctionAnswers",
    "Jump",
    "Marked",
    "PaneName",
    "function_links",
    "jump_to_owner",
    "layer_users",
    "mapping_detail",
    "mapping_key",
    "mapping_label",
    "named_at_links",
    "need_text",
    "needs_section",
    "questions_of",
    "trigger_text",
    "triggers_section",
    "used_by_links",
    "verdict_text",
]
