"""``simulate --scenario --json`` output is valid against docs/result.schema.json (every doc scenario,
closed and with ``"open_context": true``, at every --explain level; and a batch). The schema is checked
with a small validator for the keywords it uses (type, enum, required, properties,
additionalProperties, items, $ref, oneOf), so the project needs no schema library."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Run

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "result.schema.json").read_text())
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*.json"))
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every place where ``value`` breaks ``schema`` (empty: valid)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(value, SCHEMA["$defs"][name], where)
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not errors(value, s, where)]
        return [] if len(matching) == 1 else [f"{where}: matches {len(matching)} of oneOf"]
    out: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not in {schema['enum']}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [*out, f"{where}: {value!r} is not {types}"]
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                out.append(f"{where}: missing {key}")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                out.extend(errors(item, props[key], f"{where}.{key}"))
            elif schema.get("additionalProperties") is False:
                out.append(f"{where}: unexpected {key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out.extend(errors(item, schema["items"], f"{where}[{i}]"))
    return out


def test_the_validator_rejects_what_the_schema_forbids() -> None:
    good = {
        "decision": "conditional",
        "allowed_if": [[{"key": "k", "operator": "Bool", "values": ["true"]}]],
        "allowed_if_complete": True,
        "blocked_by": None,
        "warnings": [],
        "decided_by": [],
        "explanation": None,
    }
    assert errors(good, SCHEMA) == []
    assert errors({**good, "decision": "maybe"}, SCHEMA)
    assert errors({**good, "blocked_by": "nobody"}, SCHEMA)
    assert errors({**good, "allowed_if": [[{"key": "k", "operator": "Bool"}]]}, SCHEMA)
    assert errors({k: v for k, v in good.items() if k != "warnings"}, SCHEMA)


@pytest.mark.parametrize("explain", ["relevant", "full", "summary", "none"])
def test_every_doc_scenario_json_is_valid(run: Callable[..., Run], tmp_path: Path, explain: str) -> None:
    seen: set[str] = set()
    lines: list[str] = []
    for path in SCENARIOS:
        obj = json.loads(path.read_text())
        for variant in (obj, {**obj, "open_context": True}):
            lines.append(json.dumps(variant))
    batch = tmp_path / "all.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    result = run("simulate", "--scenario", str(batch), "--json", "--explain", explain)
    bodies = result.lines()
    assert len(bodies) == len(lines)
    for body in bodies:
        if "error" in body:
            continue  # scenarios of invalid input (their tests check the message)
        assert errors(body, SCHEMA) == [], body
        seen.add(body["decision"])
    assert {"allowed", "explicit_deny", "implicit_deny", "conditional"} <= seen
    # One file on its own (not a batch) gives the same shape.
    single = run("simulate", "--scenario", str(SCENARIOS[0]), "--json", "--explain", explain)
    assert errors(single.json(), SCHEMA) == []
