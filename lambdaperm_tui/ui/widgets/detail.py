"""The detail of the selected row: facts, the rows that lead to related items, a function's Needs and
Triggers, then every policy as a statement table (or raw JSON). ``render_entry`` returns the blocks that
``detail_view.DetailView`` draws (``sections.Block``: renderables, and rows that act on Enter)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from rich.console import RenderableType
from rich.rule import Rule
from rich.text import Text

from ...analysis.principals import NamedPrincipal
from ...analysis.whatif import PolicyRef
from ...inventory.model import (
    Alias,
    EventSourceMapping,
    Function,
    Inventory,
    Layer,
    LayerVersion,
    PolicySlot,
    Role,
    Version,
    function_failures,
)
from ...inventory.redact import shown_tags
from ...inventory.text import inert
from ..render import facts_table, json_syntax, plain, slot_summary, statement_table
from ..sections import (
    ActionRow,
    Block,
    FunctionAnswers,
    function_links,
    heading,
    layer_users,
    mapping_detail,
    named_at_links,
    needs_section,
    triggers_section,
    used_by_links,
)
from .detail_view import DetailView
from .panes import Entry

if TYPE_CHECKING:
    from ...analysis.principals import NamedPrincipal

# How policies are shown: "table" (wide), "cards" (narrow) or "json" (raw).
# (owner key, policy name) -> edited by what-if?
EditedFn = Callable[[PolicyRef], bool]


@dataclass(frozen=True, slots=True)
class FunctionExtras:
    """What the explorer computed for the function on screen (or its mapping): its answers (None while
    first computed), whether they are being recomputed for a newer inventory, a read in flight, and the
    named principals (for the links to them)."""

    answers: FunctionAnswers | None = None
    updating: bool = False
    reading: str | None = None
    principals: Sequence[NamedPrincipal] = ()


NO_EXTRAS = FunctionExtras()


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


def function_detail(
    fn: Function, inv: Inventory, *, raw: str, edited: EditedFn, extras: FunctionExtras = NO_EXTRAS
) -> list[Block]:
    """Everything about one function: facts, its role and layers, Needs, Triggers, a policy per qualifier."""
    facts: list[tuple[str, str | Text]] = [
        ("Function", fn.name),
        ("ARN", fn.arn),
        ("Region", fn.region),
        ("Runtime", fn.runtime or "—"),
    ]
    if not fn.role:
        facts.append(("Role", "—"))
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
    out: list[Block] = [facts_table(facts), *function_links(fn, inv, extras.principals)]
    answers = extras.answers
    if extras.updating:
        out.append(Text("\n… updating the answers below for what changed", style="dim italic"))
    out += needs_section(answers.needs if answers else None, reading=extras.reading)
    out += triggers_section(answers.triggers if answers else None)
    out += _policy_block(
        f"Resource policy of {fn.name} (unqualified / $LATEST)",
        fn.policy,
        raw=raw,
        edited=edited(PolicyRef("function-policy", fn.arn)),
    )
    for version in fn.versions:
        out += _policy_block(
            f"Resource policy of {fn.name}:{version.version}",
            version.policy,
            raw=raw,
            edited=edited(PolicyRef("version-policy", version.arn)),
        )
    for alias in fn.aliases:
        out += _policy_block(
            f"Resource policy of alias {fn.name}:{alias.name} (→ version {alias.function_version})",
            alias.policy,
            raw=raw,
            edited=edited(PolicyRef("alias-policy", alias.arn)),
        )
    return out


def _used_by(inv: Inventory, functions: Sequence[Function]) -> tuple[str, list[Block]]:
    """The "Used by" fact (names, with the region when the inventory spans several) and a row to each."""
    # Two functions of one name in two regions are two functions: say where each runs.
    regional = len({f.region for f in inv.functions}) > 1
    users = [f"{f.name} ({f.region})" if regional else f.name for f in functions]
    return ", ".join(users) if users else "no function in this inventory", used_by_links(
        functions, show_region=regional
    )


def layer_detail(layer: Layer, inv: Inventory, *, raw: str, edited: EditedFn) -> list[Block]:
    """A layer, the functions that use any of its versions, and each version's policy."""
    used, rows = _used_by(inv, layer_users(inv, layer))
    out: list[Block] = [
        facts_table([("Layer", layer.name), ("ARN", layer.arn), ("Region", layer.region), ("Used by", used)]),
        *rows,
    ]
    if layer.versions_unknown:
        out.append(plain(f"? versions unknown: {layer.versions_unknown}", "bold yellow", multiline=True))
    for lv in layer.versions:
        out += _policy_block(
            f"Policy of version {lv.version}",
            lv.policy,
            raw=raw,
            edited=edited(PolicyRef("layer-version-policy", lv.arn)),
        )
    return out


def layer_version_detail(lv: LayerVersion, inv: Inventory, *, raw: str, edited: EditedFn) -> list[Block]:
    """One layer version, the functions that use it, and its policy."""
    facts: list[tuple[str, str | Text]] = [
        ("Layer", f"{lv.layer_name} version {lv.version}"),
        ("ARN", lv.arn),
        ("Runtimes", ", ".join(lv.compatible_runtimes) or "—"),
    ]
    if lv.description:
        facts.append(("About", lv.description))
    used, rows = _used_by(inv, layer_users(inv, lv))
    facts.append(("Used by", used))
    return [
        facts_table(facts),
        *rows,
        *_policy_block(
            "Layer version policy",
            lv.policy,
            raw=raw,
            edited=edited(PolicyRef("layer-version-policy", lv.arn)),
        ),
    ]


def role_detail(role: Role, inv: Inventory, *, raw: str, edited: EditedFn) -> list[Block]:
    """A role: the functions that run as it, then trust, managed, inline and boundary policies."""
    used, rows = _used_by(inv, [f for f in inv.functions if f.role == role.arn])
    facts: list[tuple[str, str | Text]] = [("Role", role.name), ("ARN", role.arn), ("Path", role.path)]
    facts.append(("Used by", used))
    if role.boundary_arn:
        facts.append(("Boundary", role.boundary_arn))
    if role.tags or role.redacted_tag_keys:
        facts.append(
            ("Tags", ", ".join(f"{k}={v}" for k, v in shown_tags(role.tags, role.redacted_tag_keys)))
        )
    if role.policies_unknown:
        facts.append(("Policies", Text(f"? unknown: {role.policies_unknown}", style="bold yellow")))
    out: list[Block] = [facts_table(facts), *rows]
    out += _policy_block(
        "Trust policy", role.trust_policy, raw=raw, edited=edited(PolicyRef("role-trust", role.arn))
    )
    managed = {m.arn: m for m in inv.managed_policies}
    for arn in role.managed_policy_arns:
        mp = managed.get(arn)
        slot = mp.slot if mp else PolicySlot(unknown="document not in the inventory")
        out += _policy_block(f"Managed policy {arn}", slot, raw=raw, edited=edited(PolicyRef("managed", arn)))
    for named in role.inline_policies:
        out += _policy_block(
            f"Inline policy {named.name}",
            named.slot,
            raw=raw,
            edited=edited(PolicyRef("role-inline", role.arn, named.name)),
        )
    if role.boundary_arn:
        mp = managed.get(role.boundary_arn)
        slot = mp.slot if mp else PolicySlot(unknown="document not in the inventory")
        out += _policy_block(
            f"Permissions boundary {role.boundary_arn}",
            slot,
            raw=raw,
            edited=edited(PolicyRef("managed", role.boundary_arn)),
        )
    return out


def principal_detail(p: NamedPrincipal) -> list[Block]:
    """A principal named in policies, and every place it is named (each a row to that resource)."""
    facts: list[tuple[str, str | Text]] = [("Principal", p.principal), ("Kind", p.kind)]
    if p.account:
        facts.append(("Account", p.account))
    if p.external:
        facts.append(("Scope", Text("outside this account", style="yellow")))
    out: list[Block] = [facts_table(facts)]
    if p.where:
        out.append(heading(f"Named in {len(p.where)} statement{'s' if len(p.where) != 1 else ''}"))
        out += named_at_links(p)
    return out


def render_entry(
    entry: Entry | None, inv: Inventory, *, raw: str, edited: EditedFn, extras: FunctionExtras = NO_EXTRAS
) -> list[Block]:
    """The detail of an entry (or a hint when nothing is selected); ``extras``: what the explorer computed
    for the function on screen (or the function of the mapping on screen)."""
    if entry is None:
        return [
            Text("Select a row: ↑/↓ or j/k to move, Enter to open, / to filter, ? for help.", style="dim")
        ]
    parts: list[Block]
    obj: Any = entry.obj
    if entry.kind == "function" and isinstance(obj, Function):
        parts = function_detail(obj, inv, raw=raw, edited=edited, extras=extras)
    elif (
        entry.kind == "mapping" and isinstance(obj, EventSourceMapping) and isinstance(entry.parent, Function)
    ):
        answers = extras.answers
        parts = mapping_detail(obj, entry.parent, answers.needs if answers else None)
    elif entry.kind in ("version", "alias") and isinstance(obj, (Version, Alias)):
        fn = entry.parent if isinstance(entry.parent, Function) else None
        title = f"{fn.name if fn else '?'}:{obj.version if isinstance(obj, Version) else obj.name}"
        facts: list[tuple[str, str | Text]] = [
            ("Alias" if entry.kind == "alias" else "Version", title),
            ("ARN", entry.key),
        ]
        for url in fn.urls or () if fn else ():
            if isinstance(obj, Alias) and url.qualifier == obj.name:
                facts.append(("URL", Text(f"{url.url}  auth {url.auth_type}")))
        if isinstance(obj, Alias):
            facts.append(("Points at", f"version {obj.function_version}"))
            if obj.routing:
                facts.append(("Routing", ", ".join(f"{v}: {w:.0%}" for v, w in obj.routing)))
        parts = [
            facts_table(facts),
            *_policy_block(
                f"Resource policy of {title}",
                obj.policy,
                raw=raw,
                edited=edited(
                    PolicyRef("alias-policy" if isinstance(obj, Alias) else "version-policy", entry.key)
                ),
            ),
        ]
    elif entry.kind == "layer" and isinstance(obj, Layer):
        parts = layer_detail(obj, inv, raw=raw, edited=edited)
    elif entry.kind == "layer_version" and isinstance(obj, LayerVersion):
        parts = layer_version_detail(obj, inv, raw=raw, edited=edited)
    elif entry.kind == "role" and isinstance(obj, Role):
        parts = role_detail(obj, inv, raw=raw, edited=edited)
    elif entry.kind == "principal" and _is_named_principal(obj):
        parts = principal_detail(obj)
    else:
        parts = [plain(entry.key)]
    keys = (
        "v raw JSON · s simulate · w who-can · e edit a policy (what-if) · y copy ARN"
        if raw != "json"
        else "v statement tables · e edit a policy (what-if)"
    )
    if any(isinstance(p, ActionRow) for p in parts):
        keys = "↑/↓ select a row · Enter go there / simulate · Esc back · " + keys
    return [*parts, Rule(style="dim"), Text(keys, style="dim")]


def _is_named_principal(obj: object) -> TypeGuard[NamedPrincipal]:
    from ...analysis.principals import NamedPrincipal

    return isinstance(obj, NamedPrincipal)


__all__ = ["NO_EXTRAS", "DetailView", "FunctionExtras", "render_entry"]
