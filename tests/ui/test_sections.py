"""The detail's Needs and Triggers sections, the mapping detail and the links between related items
(ui/sections.py): what they say for typed analysis reports, and where each row leads on Enter."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from lambdaperm_tui.analysis.needs import function_needs
from lambdaperm_tui.analysis.principals import named_principals
from lambdaperm_tui.analysis.triggers import function_triggers
from lambdaperm_tui.analysis.whatif import PolicyRef
from lambdaperm_tui.inventory.model import (
    EventSourceMapping,
    Inventory,
    Layer,
    LayerVersion,
    PolicySlot,
    Role,
)
from lambdaperm_tui.ui.sections import (
    ACCOUNT_TRIGGERS_SHOWN,
    ActionRow,
    Ask,
    Block,
    Jump,
    Marked,
    function_links,
    jump_to_owner,
    layer_users,
    mapping_detail,
    mapping_key,
    mapping_label,
    named_at_links,
    needs_section,
    questions_of,
    triggers_section,
    used_by_links,
)
from tests.analysis.test_needs import (
    CREATE_GROUP,
    FN,
    QUEUE,
    ROLE,
    A,
    R,
    _allow,
    _basic,
    _fn,
    _inv,
    _mapping,
    _role,
)
from tests.analysis.test_triggers import _build


def _text(block: Block) -> str:
    if isinstance(block, ActionRow):
        return block.text.plain
    assert isinstance(block, (Text, Marked)), f"expected text, got {type(block).__name__}"
    return block.plain


def _rows(blocks: list[Block]) -> list[ActionRow]:
    return [b for b in blocks if isinstance(b, ActionRow)]


def _sqs_worker() -> tuple[Inventory, EventSourceMapping]:
    # The role may delete and read attributes but not receive: the SQS page's three actions
    # (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
    role = _role(
        "r", CREATE_GROUP, _basic("f"), _allow(["sqs:DeleteMessage", "sqs:GetQueueAttributes"], QUEUE)
    )
    mapping = _mapping(QUEUE, state="Enabled", arn=f"arn:aws:lambda:{R}:{A}:event-source-mapping:m-1")
    inv = _inv([_fn("f", "r")], [role], (mapping,))
    return inv, mapping


def test_needs_show_each_verdict_why_and_what_decided_and_ask_the_simulator() -> None:
    inv, _ = _sqs_worker()
    report = function_needs(inv, "f")
    blocks = needs_section(report)
    title = _text(blocks[0])
    assert f"Needs of the execution role {ROLE}/r" in title and "✘ DENIED" in title
    by_action = {r.text.plain.split("  ")[1].split(" on ")[0]: r for r in _rows(blocks)}
    receive = by_action["sqs:ReceiveMessage"].text.plain
    assert receive.startswith(f"✘ DENIED  sqs:ReceiveMessage on {QUEUE}")
    assert "why: Lambda polls the SQS queue, mapping m-1" in receive
    assert "blocked: no statement allows" in receive
    delete = by_action["sqs:DeleteMessage"].text.plain
    assert delete.startswith("✔ ALLOWED  sqs:DeleteMessage")
    assert 'decided by: identity policy "r/inline/exec" statement 2: Allow' in delete
    # Enter on a need asks the simulator exactly that question, as the execution role.
    target = by_action["sqs:ReceiveMessage"].target
    assert isinstance(target, Ask)
    q = target.question
    assert (q.principal, q.action, q.resource) == (f"{ROLE}/r", "sqs:ReceiveMessage", QUEUE)
    assert len(questions_of(blocks)) == len(report.needs)
    # While computing, and while the async configs are read on demand, the section says so.
    assert [_text(b) for b in needs_section(None)][1] == "computing…"
    reading = needs_section(report, reading="reading its async invoke configs")
    assert _text(reading[-1]) == "… reading its async invoke configs"


def test_needs_of_a_function_without_a_known_role_are_not_asked() -> None:
    inv, _ = _sqs_worker()
    roleless = replace(inv, functions=tuple(replace(f, role=None) for f in inv.functions))
    blocks = needs_section(function_needs(roleless, "f"))
    assert "(unknown role)" in _text(blocks[0]) and "? UNKNOWN" in _text(blocks[0])
    assert _rows(blocks) == []  # nothing to ask the simulator as
    assert all(_text(b).startswith("? UNKNOWN") for b in blocks[1:] if "not read" not in _text(b))


def test_triggers_per_qualifier_lead_to_the_mapping_or_the_simulator() -> None:
    inv = _build()
    report = function_triggers(inv, "f")
    blocks = triggers_section(report)
    texts = [_text(b) for b in blocks]
    assert texts[0].strip().startswith("Triggers (what can invoke it)")
    assert f"unqualified (and $LATEST)  {FN}:f" in texts
    assert "URL of alias live (AuthType NONE)  https://abc.lambda-url.us-east-1.on.aws/" in texts
    mapping_rows = [r for r in _rows(blocks) if isinstance(r.target, Jump)]
    old = next(r for r in mapping_rows if "old-queue" in r.text.plain)
    assert old.text.plain.startswith("✘ DENIED  sqs event source mapping old-queue")
    assert old.target == Jump("functions", "event-source-mapping:old-queue", f"{FN}:f")
    s3 = next(r for r in _rows(blocks) if "s3.amazonaws.com" in r.text.plain and "when:" in r.text.plain)
    assert isinstance(s3.target, Ask)
    assert dict(s3.target.question.context) == {
        "AWS:SourceArn": "arn:aws:s3:::acme-uploads",
        "AWS:SourceAccount": A,
    }
    assert s3.target.question.resource == f"{FN}:f"


def test_many_account_principals_are_summed_up() -> None:
    inv = _build()
    callers = [_role(f"caller-{i:02}", _allow("lambda:InvokeFunction", f"{FN}:f")) for i in range(12)]
    inv = replace(inv, roles=inv.roles + tuple(callers))
    report = function_triggers(inv, "f")
    unqualified = triggers_section(replace(report, qualifiers=report.qualifiers[:1]))
    texts = [_text(b) for b in unqualified]
    assert len([t for t in texts if "  role caller-" in t]) == ACCOUNT_TRIGGERS_SHOWN
    assert f"  … and {12 - ACCOUNT_TRIGGERS_SHOWN} more principals of the account (w: who-can)" in texts
    # Services, accounts and the public are always listed in full.
    assert any("s3.amazonaws.com" in t for t in texts) and any("account root" in t for t in texts)


def test_a_mapping_row_and_its_detail() -> None:
    inv, mapping = _sqs_worker()
    fn = inv.functions[0]
    assert mapping_key(mapping) == mapping.arn
    assert mapping_label(mapping).plain == "⇄ sqs jobs  Enabled"
    qualified = replace(mapping, function_arn=f"{FN}:f:live", state="Disabled", arn=None)
    assert mapping_label(qualified).plain == "⇄ sqs jobs  Disabled  → live"
    assert mapping_key(qualified) == "event-source-mapping:m-1"
    blocks = mapping_detail(mapping, fn, function_needs(inv, "f"))
    rows = _rows(blocks)
    assert rows[0].target == Jump("functions", fn.arn)
    asked = questions_of(blocks)
    # Only the mapping's own needs (not the logs): the three SQS actions, on the queue.
    assert [(q.action, q.resource) for q in asked] == [
        ("sqs:ReceiveMessage", QUEUE),
        ("sqs:DeleteMessage", QUEUE),
        ("sqs:GetQueueAttributes", QUEUE),
    ]


def test_links_from_a_function_to_its_role_layers_and_named_principals() -> None:
    inv = _build()
    lv = LayerVersion(f"arn:aws:lambda:{R}:{A}:layer:shared:3", "shared", 3, R, policy=PolicySlot())
    layer = Layer(f"arn:aws:lambda:{R}:{A}:layer:shared", "shared", R, versions=(lv,))
    foreign = "arn:aws:lambda:us-east-1:999999999999:layer:theirs:1"
    fn = replace(inv.functions[0], layers=(lv.arn, foreign))
    inv = replace(inv, functions=(fn,), layers=(layer,))
    blocks = function_links(fn, inv, named_principals(inv))
    targets = {_text(b): b.target for b in _rows(blocks)}
    assert targets[f"Role  {ROLE}/exec"] == Jump("roles", f"{ROLE}/exec")
    assert targets[f"Layer {lv.arn}"] == Jump("layers", lv.arn, layer.arn)
    assert f"Layer {foreign}  (not in the inventory: another account's, or not listed)" in [
        _text(b) for b in blocks
    ]
    named = {t.key for t in targets.values() if isinstance(t, Jump) and t.pane == "principals"}
    assert named == {"s3.amazonaws.com", "arn:aws:iam::444455556666:root", "*"}
    # A role that is not in the inventory is said so, without a link.
    gone = replace(fn, role=f"{ROLE}/deleted")
    assert "(not in the inventory)" in _text(function_links(gone, inv, ())[0])
    # The other way: the layer version is used by the function.
    assert layer_users(inv, lv) == [fn] and layer_users(inv, layer) == [fn]
    assert layer_users(inv, replace(lv, arn=lv.arn[:-1] + "9")) == []
    (used,) = used_by_links([fn], show_region=True)
    assert isinstance(used, ActionRow) and used.text.plain == f"↳ function f ({R})"
    assert used.target == Jump("functions", fn.arn)


def test_where_a_principal_is_named_leads_to_the_owner() -> None:
    inv = _build()
    public = next(p for p in named_principals(inv) if p.principal == "*")
    rows = _rows(named_at_links(public))
    assert rows and all(r.target == Jump("functions", f"{FN}:f:live", f"{FN}:f") for r in rows)
    assert rows[0].text.plain.startswith("Allow  alias policy f:live  #1 url")
    lv_arn = f"arn:aws:lambda:{R}:{A}:layer:shared:3"
    assert jump_to_owner(PolicyRef("layer-version-policy", lv_arn)) == Jump(
        "layers", lv_arn, f"arn:aws:lambda:{R}:{A}:layer:shared"
    )
    assert jump_to_owner(PolicyRef("role-trust", f"{ROLE}/exec")) == Jump("roles", f"{ROLE}/exec")
    assert jump_to_owner(PolicyRef("function-policy", f"{FN}:f")) == Jump("functions", f"{FN}:f", None)
    assert jump_to_owner(PolicyRef("scp", "level:0", "deny-all")) is None


def test_untrusted_text_is_inert_in_every_row() -> None:
    from tests.hostile import leaks

    inv, mapping = _sqs_worker()
    hostile = "q\x1b[31m[bold]x\u202e"
    bad_queue = f"arn:aws:sqs:{R}:{A}:{hostile}"
    role = _role("r", _allow("sqs:*", bad_queue))
    bad = replace(mapping, event_source_arn=bad_queue)
    inv = _inv([_fn("f", "r")], [role, Role(arn=f"{ROLE}/x", name="x")], (bad,))
    report = function_needs(inv, "f")
    for block in [*needs_section(report), *mapping_detail(bad, inv.functions[0], report)]:
        if isinstance(block, (ActionRow, Text, Marked)):
            for line in _text(block).split("\n"):  # rows hold several lines; each is drawn inert
                assert not leaks(line), line
    assert not leaks(mapping_label(bad).plain)
