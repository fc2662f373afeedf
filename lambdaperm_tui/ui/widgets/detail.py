"""The detail view of the selected row: facts, then every policy as a statement table (or raw JSON)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...inventory.model import Function, Inventory, Layer, LayerVersion, PolicySlot, Role, function_failures
from ...inventory.redact import shown_tags
from ...inventory.text import inert
from ..render import facts_table, json_syntax, plain, slot_summary, statement_table
from .panes import Entry

# How policies are shown: "table" (wide), "cards" (narrow) or "json" (raw).
# (owner key, policy name) -> edited by what-if?
EditedFn = Callable[[str, str], bool]


def _policy_block(title: str, slot: PolicySlot, *, raw: str, edited: bool = False) -> list[RenderableType]:
    head = plain(title, "bold underline")
    head.append("  ")
    head.append_text(slot_summary(slot))
    if edited:
        head.append("  ✎ edited (what-if; E resets)", style="bold magenta")
    out: list[RenderableType] = [Text(""), head]
    if slot.fetched and slot.unknown is None and slot.document is not None:
        if raw == "json":
            out.append(json_syntax(slot.document))
        else:
            out.append(statement_table(slot.document, compact=raw == "cards"))
    return out


def function_detail(fn: Function, inv: Inventory, *, raw: str, edited: EditedFn) -> list[RenderableType]:
    """Everything about one function, with its policy per qualifier."""
    facts: list[tuple[str, str | Text]] = [
        ("Function", fn.name),
        ("ARN", fn.arn),
        ("Region", fn.region),
        ("Runtime", fn.runtime or "—"),
        ("Role", fn.role or "—"),
    ]
    if fn.layers:
        facts.append(("Layers", Text("\n".join(inert(arn) for arn in fn.layers))))
    if fn.last_modified:
        facts.append(("Modified", fn.last_modified))
    if fn.description:
        facts.append(("About", fn.description))
    if fn.tags or fn.redacted_tag_keys:
        facts.append(("Tags", ", ".join(f"{k}={v}" for k, v in shown_tags(fn.tags, fn.redacted_tag_keys))))
    elif fn.tags_unknown:
        facts.append(("Tags", Text(f"? unknown: {inert(fn.tags_unknown)}", style="bold yellow")))
    if fn.urls_unknown:
        facts.append(("URL", Text(f"? unknown: {fn.urls_unknown}", style="bold yellow")))
    elif fn.urls is None:
        facts.append(("URL", Text("… not loaded yet", style="dim")))
    elif not fn.urls:
        facts.append(("URL", "none"))
    else:
        for url in fn.urls:
            line = Text(url.url)
            auth = Text(
                f"  auth {url.auth_type}" + ("  (public: no IAM auth)" if url.auth_type == "NONE" else ""),
                style="bold magenta" if url.auth_type == "NONE" else "cyan",
            )
            line.append_text(auth)
            line.append(f"  on {url.qualifier or '$LATEST (unqualified)'}", style="dim")
            if url.created:
                line.append(f"  created {url.created}", style="dim")
            facts.append(("URL", line))
    if fn.details_unknown:
        facts.append(("Versions", Text(f"? unknown: {fn.details_unknown}", style="bold yellow")))
    failures = function_failures(inv, fn)
    for failure in failures:
        facts.append(("Failure", Text(f"{failure.operation}: {failure.reason}", style="yellow")))
    out: list[RenderableType] = [facts_table(facts)]
    out += _policy_block(
        f"Resource policy of {fn.name} (unqualified / $LATEST)",
        fn.policy,
        raw=raw,
        edited=edited(fn.arn, "policy"),
    )
    for version in fn.versions:
        out += _policy_block(
            f"Resource policy of {fn.name}:{version.version}",
            version.policy,
            raw=raw,
            edited=edited(version.arn, "policy"),
        )
    for alias in fn.aliases:
        out += _policy_block(
            f"Resource policy of alias {fn.name}:{alias.name} (→ version {alias.function_version})",
            alias.policy,
            raw=raw,
            edited=edited(alias.arn, "policy"),
        )
    return out


def layer_detail(layer: Layer, *, raw: str, edited: EditedFn) -> list[RenderableType]:
    """A layer and each version's policy."""
    out: list[RenderableType] = [
        facts_table([("Layer", layer.name), ("ARN", layer.arn), ("Region", layer.region)])
    ]
    if layer.versions_unknown:
        out.append(plain(f"? versions unknown: {layer.versions_unknown}", "bold yellow", multiline=True))
    for lv in layer.versions:
        out += _policy_block(
            f"Policy of version {lv.version}", lv.policy, raw=raw, edited=edited(lv.arn, "policy")
        )
    return out


def layer_version_detail(lv: LayerVersion, *, raw: str, edited: EditedFn) -> list[RenderableType]:
    """One layer version and its policy."""
    facts: list[tuple[str, str | Text]] = [
        ("Layer", f"{lv.layer_name} version {lv.version}"),
        ("ARN", lv.arn),
        ("Runtimes", ", ".join(lv.compatible_runtimes) or "—"),
    ]
    if lv.description:
        facts.append(("About", lv.description))
    return [
        facts_table(facts),
        *_policy_block("Layer version policy", lv.policy, raw=raw, edited=edited(lv.arn, "policy")),
    ]


def role_detail(role: Role, inv: Inventory, *, raw: str, edited: EditedFn) -> list[RenderableType]:
    """A role: trust, managed, inline and boundary policies, and the functions that run as it."""
    functions = [f for f in inv.functions if f.role == role.arn]
    # Two functions of one name in two regions are two functions: say where each runs.
    regions = {f.region for f in inv.functions}
    users = [f"{f.name} ({f.region})" if len(regions) > 1 else f.name for f in functions]
    facts: list[tuple[str, str | Text]] = [("Role", role.name), ("ARN", role.arn), ("Path", role.path)]
    facts.append(("Used by", ", ".join(users) if users else "no function in this inventory"))
    if role.boundary_arn:
        facts.append(("Boundary", role.boundary_arn))
    if role.tags or role.redacted_tag_keys:
        facts.append(
            ("Tags", ", ".join(f"{k}={v}" for k, v in shown_tags(role.tags, role.redacted_tag_keys)))
        )
    if role.policies_unknown:
        facts.append(("Policies", Text(f"? unknown: {role.policies_unknown}", style="bold yellow")))
    out: list[RenderableType] = [facts_table(facts)]
    out += _policy_block("Trust policy", role.trust_policy, raw=raw, edited=edited(role.arn, "trust"))
    managed = {m.arn: m for m in inv.managed_policies}
    for arn in role.managed_policy_arns:
        mp = managed.get(arn)
        slot = mp.slot if mp else PolicySlot(unknown="document not in the inventory")
        out += _policy_block(f"Managed policy {arn}", slot, raw=raw, edited=edited(arn, "managed"))
    for named in role.inline_policies:
        out += _policy_block(
            f"Inline policy {named.name}",
            named.slot,
            raw=raw,
            edited=edited(role.arn, f"inline/{named.name}"),
        )
    if role.boundary_arn:
        mp = managed.get(role.boundary_arn)
        slot = mp.slot if mp else PolicySlot(unknown="document not in the inventory")
        out += _policy_block(
            f"Permissions boundary {role.boundary_arn}",
            slot,
            raw=raw,
            edited=edited(role.boundary_arn, "managed"),
        )
    return out


def principal_detail(entry: Entry) -> list[RenderableType]:
    """A principal named in policies (``analysis.principals.NamedPrincipal``), and every place it is named."""
    obj = entry.obj
    facts: list[tuple[str, str | Text]] = [("Principal", entry.key)]
    facts.append(("Kind", str(getattr(obj, "kind", "?"))))
    account = getattr(obj, "account", None)
    if account:
        facts.append(("Account", str(account)))
    if getattr(obj, "external", False):
        facts.append(("Scope", Text("outside this account", style="yellow")))
    out: list[RenderableType] = [facts_table(facts)]
    where = tuple(getattr(obj, "where", ()))
    if where:
        out.append(
            Text(f"\nNamed in {len(where)} statement{'s' if len(where) != 1 else ''}", style="bold underline")
        )
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column(overflow="fold")
        for at in where:
            label = at.ref.label() if hasattr(at.ref, "label") else str(at.ref)
            head = plain(label, "bold")
            head.append(f"  #{at.statement_index}" + (f" {inert(at.sid)}" if at.sid else ""), style="dim")
            grid.add_row(Text("•"), head)
            effect = plain(("NOT-principal " if at.not_principal else "") + at.effect)
            effect.stylize("green" if at.effect == "Allow" else "red")
            grid.add_row(Text("  effect"), effect)
            grid.add_row(Text("  does"), Text("\n".join(inert(a) for a in at.actions)))
            if at.conditions:
                grid.add_row(Text("  when"), Text("\n".join(inert(c) for c in at.conditions)))
        out.append(grid)
    return out


def render_entry(entry: Entry | None, inv: Inventory, *, raw: str, edited: EditedFn) -> RenderableType:
    """The detail renderable of an entry (or a hint when nothing is selected)."""
    if entry is None:
        return Text("Select a row: ↑/↓ or j/k to move, Enter to open, / to filter, ? for help.", style="dim")
    parts: list[RenderableType]
    obj: Any = entry.obj
    if entry.kind == "function" and isinstance(obj, Function):
        parts = function_detail(obj, inv, raw=raw, edited=edited)
    elif entry.kind in ("version", "alias"):
        fn = entry.parent
        title = f"{getattr(fn, 'name', '?')}:{getattr(obj, 'version', None) or getattr(obj, 'name', '?')}"
        facts: list[tuple[str, str | Text]] = [
            ("Alias" if entry.kind == "alias" else "Version", title),
            ("ARN", entry.key),
        ]
        urls = getattr(fn, "urls", None) or ()
        for url in urls:
            if entry.kind == "alias" and url.qualifier == obj.name:
                facts.append(("URL", Text(f"{url.url}  auth {url.auth_type}")))
        if entry.kind == "alias":
            facts.append(("Points at", f"version {obj.function_version}"))
            if obj.routing:
                facts.append(("Routing", ", ".join(f"{v}: {w:.0%}" for v, w in obj.routing)))
        parts = [
            facts_table(facts),
            *_policy_block(
                f"Resource policy of {title}", obj.policy, raw=raw, edited=edited(entry.key, "policy")
            ),
        ]
    elif entry.kind == "layer" and isinstance(obj, Layer):
        parts = layer_detail(obj, raw=raw, edited=edited)
    elif entry.kind == "layer_version" and isinstance(obj, LayerVersion):
        parts = layer_version_detail(obj, raw=raw, edited=edited)
    elif entry.kind == "role" and isinstance(obj, Role):
        parts = role_detail(obj, inv, raw=raw, edited=edited)
    elif entry.kind == "principal":
        parts = principal_detail(entry)
    else:
        parts = [plain(entry.key)]
    hint = Text(
        "v raw JSON · s simulate · w who-can · e edit a policy (what-if) · y copy ARN"
        if raw != "json"
        else "v statement tables · e edit a policy (what-if)",
        style="dim",
    )
    return Group(*parts, Rule(style="dim"), hint)


class DetailView(VerticalScroll):
    """Scrollable detail of the selected entry."""

    can_focus = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def show(self, renderable: RenderableType, *, keep_scroll: bool = False) -> None:
        """Replace the content."""
        self.query_one("#detail-body", Static).update(renderable)
        if not keep_scroll:
            self.scroll_home(animate=False)
