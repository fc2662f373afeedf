"""What can invoke a function, per qualifier: mappings, services with their source, accounts, the public,
and the account's principals (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html)."""

from __future__ import annotations

from typing import Any

from lambdaperm_tui.analysis.triggers import QualifierTriggers, TriggersReport, function_triggers
from lambdaperm_tui.inventory.model import Alias, FunctionUrl, PolicySlot, Version

from .test_needs import CREATE_GROUP, FN, QUEUE, A, R, _allow, _basic, _doc, _fn, _inv, _mapping, _role

OTHER = "444455556666"
BUCKET = "arn:aws:s3:::acme-uploads"


def _grant(
    sid: str, principal: Any, action: str = "lambda:InvokeFunction", **condition: Any
) -> dict[str, Any]:
    st: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": "*",
    }
    if condition:
        st["Condition"] = condition
    return st


def _view(report: TriggersReport, label_start: str) -> QualifierTriggers:
    return next(q for q in report.qualifiers if q.label.startswith(label_start))


def _build() -> Any:
    s3 = _grant(
        "s3",
        {"Service": "s3.amazonaws.com"},
        ArnLike={"AWS:SourceArn": BUCKET},
        StringEquals={"AWS:SourceAccount": A},
    )
    partner = _grant("partner", {"AWS": f"arn:aws:iam::{OTHER}:root"})
    url_public = _grant(
        "url", "*", "lambda:InvokeFunctionUrl", StringEquals={"lambda:FunctionUrlAuthType": "NONE"}
    )
    url_invoke = _grant("url-invoke", "*", Bool={"lambda:InvokedViaFunctionUrl": "true"})
    fn = _fn(
        "f",
        "exec",
        policy=PolicySlot(document=_doc(s3)),
        versions=(Version(f"{FN}:f:1", "1", policy=PolicySlot()),),
        aliases=(
            Alias(
                f"{FN}:f:live", "live", "1", policy=PolicySlot(document=_doc(partner, url_public, url_invoke))
            ),
        ),
        urls=(FunctionUrl(f"{FN}:f:live", "live", "https://abc.lambda-url.us-east-1.on.aws/", "NONE"),),
    )
    exec_role = _role("exec", CREATE_GROUP, _basic("f"))  # cannot read the queue
    caller = _role("caller", _allow("lambda:InvokeFunction", f"{FN}:f:*"))
    idle = _role("idle", _allow("s3:GetObject"))
    mappings = (
        _mapping(QUEUE, uuid="live-queue", function_arn=f"{FN}:f:live", state="Enabled"),
        _mapping(QUEUE, uuid="old-queue", function_arn=f"{FN}:f", state="Disabled"),
    )
    return _inv([fn], [exec_role, caller, idle], mappings)


def test_each_qualifier_has_its_own_triggers() -> None:
    report = function_triggers(_build(), "f")
    assert [q.label for q in report.qualifiers] == [
        "unqualified (and $LATEST)",
        "version 1",
        "alias live (version 1)",
        "URL of alias live (AuthType NONE)",
    ]
    unqualified = _view(report, "unqualified")
    s3_rows = [t for t in unqualified.triggers if t.kind == "service"]
    with_source = next(t for t in s3_rows if t.context)
    assert dict(with_source.context) == {"AWS:SourceArn": BUCKET, "AWS:SourceAccount": A}
    assert with_source.decision == "allowed"
    assert with_source.decided_by[0].sid == "s3"
    # The simulator is asked about this qualifier, with the source the row stands for.
    question = unqualified.question(with_source)
    assert question is not None and question.principal == "s3.amazonaws.com"
    assert (question.action, question.resource) == ("lambda:InvokeFunction", f"{FN}:f")
    assert dict(question.context) == {"AWS:SourceArn": BUCKET, "AWS:SourceAccount": A}
    plain = next(t for t in s3_rows if not t.context)
    # S3 from any bucket is not allowed: only if the source is that bucket in this account.
    assert plain.decision == "conditional"
    (alternative,) = plain.allowed_if
    assert {(t.key.lower(), t.values) for t in alternative} == {
        ("aws:sourcearn", (BUCKET,)),
        ("aws:sourceaccount", (A,)),
    }
    assert plain.to_json()["allowed_if"]
    # The disabled mapping names the unqualified function; it does not invoke.
    old = next(t for t in unqualified.triggers if t.kind == "event-source-mapping")
    assert old.mapping is not None and old.mapping.uuid == "old-queue" and old.decision == "denied"
    assert unqualified.question(old) is None  # a mapping is not a resource-policy question
    # The account's role allowed by its identity policy on f:* does not cover the unqualified ARN.
    assert "role caller" not in [t.label for t in unqualified.triggers]
    assert "role idle" not in [t.label for t in unqualified.triggers]


def test_alias_triggers_mapping_other_account_and_identity_principals() -> None:
    report = function_triggers(_build(), f"{FN}:f")
    live = _view(report, "alias live")
    by_label = {t.label: t for t in live.triggers}
    mapping = next(t for t in live.triggers if t.kind == "event-source-mapping")
    assert mapping.mapping is not None and mapping.mapping.uuid == "live-queue"
    # Enabled, but the execution role cannot receive from the queue: Lambda cannot invoke through it.
    assert mapping.decision == "denied"
    assert by_label[f"account {OTHER}"].decision == "allowed"
    assert by_label[f"account {OTHER}"].decided_by[0].sid == "partner"
    assert by_label["role caller"].decision == "allowed"
    assert by_label["role caller"].decided_by[0].policy_type == "identity"
    assert "s3.amazonaws.com" not in by_label  # the alias has its own policy, without S3
    version = _view(report, "version 1")
    assert f"account {OTHER}" not in {t.label for t in version.triggers}  # granted on the alias only


def test_a_public_url_and_the_json_form() -> None:
    report = function_triggers(_build(), "f")
    url = _view(report, "URL")
    assert url.action == "lambda:InvokeFunctionUrl"
    assert url.url == "https://abc.lambda-url.us-east-1.on.aws/"
    public = next(t for t in url.triggers if t.kind == "public")
    assert public.decision == "allowed"
    body = report.to_json()
    assert body["decision"] == "allowed"
    assert body["qualifiers"][3]["triggers"][0]["decision"] in ("allowed", "conditional", "denied", "unknown")
    assert {q["arn"] for q in body["qualifiers"]} == {f"{FN}:f", f"{FN}:f:1", f"{FN}:f:live"}


def test_a_region_whose_mappings_were_not_read_is_unread() -> None:
    inv = _build()
    from dataclasses import replace

    inv = replace(inv, event_source_mappings=())
    report = function_triggers(inv, "f")
    assert any(f"event source mappings of {R}: not read" in u for u in report.unread)
    assert not any(t.kind == "event-source-mapping" for q in report.qualifiers for t in q.triggers)
