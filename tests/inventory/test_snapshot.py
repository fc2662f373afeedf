"""Snapshots: round trip, schema shape, no credentials, and clear errors for bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.inventory.model import (
    Alias,
    Failure,
    Function,
    FunctionUrl,
    Group,
    Inventory,
    Layer,
    LayerVersion,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    Unlisted,
    User,
    Version,
)
from lambdaperm_tui.inventory.snapshot import (
    SNAPSHOT_FORMAT_VERSION,
    SnapshotError,
    dump_snapshot,
    load_snapshot,
    read_snapshot,
    save_snapshot,
)

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "snapshot.schema.json").read_text())
A = "111122223333"
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]}


def sample() -> Inventory:
    fn_arn = f"arn:aws:lambda:us-east-1:{A}:function:billing"
    return Inventory(
        account_id=A,
        regions=("us-east-1", "eu-west-1"),
        captured_at="2026-11-28T10:00:00Z",
        source="profile audit",
        functions=(
            Function(
                arn=fn_arn,
                name="billing",
                region="us-east-1",
                account=A,
                runtime="python3.12",
                role=f"arn:aws:iam::{A}:role/exec",
                layers=(f"arn:aws:lambda:us-east-1:{A}:layer:shared:1",),
                tags=(("env", "prod"), ("team", "pay")),
                description="bills <b>[red]markup[/red]</b>",
                policy=PolicySlot(document=DOC),
                versions=(
                    Version(arn=fn_arn + ":1", version="1", policy=PolicySlot()),
                    Version(
                        arn=fn_arn + ":2", version="2", policy=PolicySlot(unknown="AccessDeniedException: no")
                    ),
                ),
                aliases=(
                    Alias(
                        arn=fn_arn + ":prod",
                        name="prod",
                        function_version="2",
                        routing=(("1", 0.25),),
                        policy=PolicySlot(document=["any", {"json": True}]),
                    ),
                ),
                urls=(
                    FunctionUrl(
                        fn_arn, None, "https://abc.lambda-url.us-east-1.on.aws/", "NONE", "2026-01-01"
                    ),
                    FunctionUrl(
                        fn_arn + ":prod", "prod", "https://def.lambda-url.us-east-1.on.aws/", "AWS_IAM"
                    ),
                ),
            ),
            Function(
                arn=fn_arn + "2",
                name="billing2",
                region="eu-west-1",
                account=A,
                urls_unknown="Timeout: x",
                tags_unknown="ServiceException: tags",
            ),
        ),
        layers=(
            Layer(
                arn=f"arn:aws:lambda:us-east-1:{A}:layer:shared",
                name="shared",
                region="us-east-1",
                versions=(
                    LayerVersion(
                        arn=f"arn:aws:lambda:us-east-1:{A}:layer:shared:1",
                        layer_name="shared",
                        version=1,
                        region="us-east-1",
                        compatible_runtimes=("python3.12",),
                        policy=PolicySlot(document=DOC),
                    ),
                ),
            ),
        ),
        roles=(
            Role(
                arn=f"arn:aws:iam::{A}:role/exec",
                name="exec",
                trust_policy=PolicySlot(document=DOC),
                inline_policies=(NamedPolicy("logs", PolicySlot(document=DOC)),),
                managed_policy_arns=(f"arn:aws:iam::{A}:policy/p",),
                boundary_arn=f"arn:aws:iam::{A}:policy/b",
                tags=(("k", "v"),),
            ),
        ),
        users=(
            User(
                arn=f"arn:aws:iam::{A}:user/alice",
                name="alice",
                groups=("devs",),
                tags_unknown="AccessDenied: u",
            ),
        ),
        groups=(Group(arn=f"arn:aws:iam::{A}:group/devs", name="devs"),),
        managed_policies=(ManagedPolicy(f"arn:aws:iam::{A}:policy/p", "p", PolicySlot(document=DOC)),),
        failures=(Failure("function-policy", fn_arn + ":2", "GetPolicy", "AccessDeniedException: no"),),
        organization_id="o-abc",
        scps=((NamedPolicy("FullAWSAccess", PolicySlot(document=DOC)),), ()),
        rcps=None,
        complete=False,
        extra={"note": "kept"},
        unlisted=(
            Unlisted("layers", "eu-west-1", "AccessDeniedException: layers"),
            Unlisted("roles", None, "x"),
        ),
    )


def validate(instance: Any) -> None:
    """Validate against docs/snapshot.schema.json (jsonschema when installed, else the top-level shape)."""
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - jsonschema is in the dev environment
        for key in SCHEMA["required"]:
            assert key in instance, key
        assert instance["format_version"] == SCHEMA["properties"]["format_version"]["const"]
        return
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(instance)


def test_round_trip_is_exact() -> None:
    inv = sample()
    dumped = json.loads(json.dumps(dump_snapshot(inv)))
    assert load_snapshot(dumped) == inv


def test_dump_matches_schema_and_slot_states() -> None:
    dumped = dump_snapshot(sample())
    validate(dumped)
    fn = dumped["functions"][0]
    assert fn["policy"] == {"state": "document", "document": DOC}
    assert fn["versions"][0]["policy"] == {"state": "none"}
    assert fn["versions"][1]["policy"] == {"state": "unknown", "reason": "AccessDeniedException: no"}
    assert dumped["functions"][1]["policy"] == {"state": "not_loaded"}
    assert dumped["format_version"] == SNAPSHOT_FORMAT_VERSION


def test_unknown_facts_and_unlisted_lists_are_saved() -> None:
    """Unread tags and lists not read in full survive a snapshot: an answer over the file is as unknown as
    one over the live load (never "no tags" or "no such function")."""
    dumped = dump_snapshot(sample())
    assert dumped["functions"][1]["tags_unknown"] == "ServiceException: tags"
    assert dumped["users"][0]["tags_unknown"] == "AccessDenied: u"
    assert dumped["unlisted"] == [
        {"kind": "layers", "region": "eu-west-1", "reason": "AccessDeniedException: layers"},
        {"kind": "roles", "region": None, "reason": "x"},
    ]
    loaded = load_snapshot(json.loads(json.dumps(dumped)))
    assert loaded.unlisted_of("roles") == Unlisted("roles", None, "x")
    import jsonschema

    dumped["unlisted"][0]["kind"] = "buckets"
    with pytest.raises(jsonschema.ValidationError):
        validate(dumped)
    with pytest.raises(SnapshotError, match=r"unlisted\[0\]\.kind"):
        load_snapshot(dumped)


def test_schema_rejects_a_bad_slot() -> None:
    import jsonschema

    dumped = dump_snapshot(sample())
    dumped["functions"][0]["policy"] = {"state": "unknown"}  # no reason
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(dumped)


def test_credential_like_extra_keys_are_dropped() -> None:
    inv = sample()
    inv.extra.update({"aws_secret_access_key": "wJalrXUtnFEMI", "nested": {"SessionToken": "IQoJb3JpZ2lu"}})
    text = json.dumps(dump_snapshot(inv))
    assert "wJalrXUtnFEMI" not in text and "IQoJb3JpZ2lu" not in text
    assert '"note": "kept"' in text


def test_save_is_atomic_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text("old")
    save_snapshot(sample(), path)
    assert read_snapshot(path) == sample()
    assert os.listdir(tmp_path) == ["snap.json"]  # no temporary file left behind


def test_save_into_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot write snapshot"):
        save_snapshot(sample(), tmp_path / "nope" / "snap.json")


def _dumped() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(dump_snapshot(sample())))
    return result


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format_version=3), r"format version 3 is newer .* upgrade lambdaperm-tui"),
        (lambda d: d.update(format_version="1"), r"format_version: unknown snapshot format version '1'"),
        (lambda d: d.update(format_version=0), r"format_version: unknown snapshot format version 0"),
        (lambda d: d.pop("format"), r"not a lambdaperm-tui snapshot"),
        (lambda d: d.pop("account_id"), r"^account_id: missing field"),
        (lambda d: d["functions"][0].pop("arn"), r"^functions\[0\]\.arn: missing field"),
        (
            lambda d: d["functions"][0]["aliases"][0]["policy"].update(state="maybe"),
            r"^functions\[0\]\.aliases\[0\]\.policy\.state: expected one of document, none, unknown",
        ),
        (
            lambda d: d["functions"][0]["versions"][1]["policy"].pop("reason"),
            r"functions\[0\]\.versions\[1\]\.policy\.reason",
        ),
        (lambda d: d["functions"][0]["urls"][0].update(auth_type="OPEN"), r"auth_type: expected one of NONE"),
        (lambda d: d["layers"][0]["versions"][0].update(version="1"), r"layers\[0\]\.versions\[0\]\.version"),
        (lambda d: d.update(functions={}), r"^functions: expected a list"),
        (lambda d: d["roles"][0].update(tags=[["k"]]), r"roles\[0\]\.tags\[0\]: expected a list of 2 items"),
    ],
)
def test_load_errors_name_the_field(mutate: Any, message: str) -> None:
    data = _dumped()
    mutate(data)
    with pytest.raises(SnapshotError, match=message):
        load_snapshot(data)


def test_read_errors_name_the_file(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(_dumped())[:200])
    with pytest.raises(SnapshotError, match=r"damaged\.json: damaged snapshot \(not valid JSON at line 1"):
        read_snapshot(damaged)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SnapshotError, match="not UTF-8"):
        read_snapshot(binary)
    with pytest.raises(SnapshotError, match="no such snapshot file"):
        read_snapshot(tmp_path / "missing.json")
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**_dumped(), "format_version": 99}))
    with pytest.raises(
        SnapshotError, match=r"newer\.json: format_version: snapshot format version 99 is newer"
    ):
        read_snapshot(newer)


def test_older_snapshot_without_optional_fields_loads() -> None:
    data = _dumped()
    for key in ("complete", "extra", "scps", "rcps", "organization_id", "failures"):
        data.pop(key)
    data["functions"][0].pop("urls_unknown")
    inv = load_snapshot(data)
    assert inv.complete is True and inv.scps is None and inv.failures == ()
