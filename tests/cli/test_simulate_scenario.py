"""`simulate --scenario FILE [--json]`: the scenario contract end to end, exit codes, output, errors.

Decisions follow AWS's evaluation logic:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaperm_tui.cli import main

from .conftest import ACCOUNT, FUNCTION, ROLE, Run, allowed, explicit_deny, implicit_deny, policy, scenario

Runner = Callable[..., Run]
Writer = Callable[[str, Any], str]


def test_allowed_json(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("s.json", allowed()), "--json")
    assert result.code == 0
    body = result.json()
    assert body["decision"] == "allowed"
    assert body["decided_by"] == [
        {
            "policy_type": "identity",
            "policy": "orders-api/inline/invoke",
            "statement_index": 0,
            "sid": "AllowInvoke",
            "effect": "Allow",
        }
    ]
    assert isinstance(body["explanation"], dict)
    assert result.err == ""


def test_explicit_deny_json(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("s.json", explicit_deny()), "--json")
    assert result.code == 1
    body = result.json()
    assert body["decision"] == "explicit_deny"
    assert [(d["policy"], d["sid"], d["effect"]) for d in body["decided_by"]] == [
        ("deny-billing", "NoBilling", "Deny")
    ]


def test_implicit_deny_json(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("s.json", implicit_deny()), "--json")
    assert result.code == 1
    assert result.json()["decision"] == "implicit_deny"
    assert result.json()["decided_by"] == []


def test_human_output_has_words_symbols_and_deciding_statement(run: Runner, write: Writer) -> None:
    ok = run("simulate", "--scenario", write("a.json", allowed()))
    assert ok.code == 0
    assert "✔ ALLOWED" in ok.out
    assert 'identity policy "orders-api/inline/invoke" statement 0 (Sid "AllowInvoke")' in ok.out

    deny = run("simulate", "--scenario", write("d.json", explicit_deny()))
    assert deny.code == 1
    assert "✘ DENIED (explicit deny)" in deny.out
    assert '"deny-billing" statement 0 (Sid "NoBilling"): Deny' in deny.out

    implicit = run("simulate", "--scenario", write("i.json", implicit_deny()))
    assert implicit.code == 1
    assert "✘ DENIED (implicit deny" in implicit.out


def test_human_output_names_the_blocking_scp_level(run: Runner, write: Writer) -> None:
    """Every SCP level must allow; a level without an Allow denies implicitly.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"""
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    only_s3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    blocked = allowed() | {
        "scps": [[{"name": "FullAWSAccess", "document": full}], [{"name": "ou-s3-only", "document": only_s3}]]
    }
    result = run("simulate", "--scenario", write("scp.json", blocked))
    assert result.code == 1
    assert "DENIED" in result.out
    assert "blocked at" in result.out and "scp" in result.out.lower()


def test_untrusted_text_cannot_drive_the_terminal(run: Runner, write: Writer) -> None:
    evil = scenario(identity_policies=[{"name": "x\x1b[2Jy", "document": policy(sid="S1")}])
    result = run("simulate", "--scenario", write("e.json", evil))
    assert "\x1b" not in result.out
    assert "x\\x1b[2Jy" in result.out


BAD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allowed", "Action": "*", "Resource": "*"}]}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"principal": ', "invalid JSON at line 1, column"),
        ('{\n  "principal": "a",\n  oops\n}', "invalid JSON at line 3, column 3"),
        (b"\xff\xfe\x00garbage", "s.json: "),
        (scenario(principal="arn:aws:iam::1:role/x"), "principal:"),
        (scenario(principal="bob"), "principal:"),
        (scenario(resource="billing"), "resource:"),
        (scenario(action="InvokeFunction"), "action:"),
        (
            scenario(
                identity_policies=[{"name": "a", "document": policy()}, {"name": "b", "document": BAD_POLICY}]
            ),
            "identity_policies[1].document: Statement[0].Effect",
        ),
        (scenario(context={"aws:SourceIp": "300.1.1.1"}), "context.aws:SourceIp:"),
        (scenario(scp=[]), "scp: unknown field"),
        ([1, 2], "scenario: expected a JSON object"),
    ],
)
def test_invalid_input_exit_2_one_line_naming_the_field(
    run: Runner, write: Writer, tmp_path: Any, content: Any, expected: str
) -> None:
    if isinstance(content, bytes):
        path = tmp_path / "s.json"
        path.write_bytes(content)
        name = str(path)
    else:
        name = write("s.json", content if isinstance(content, str) else json.dumps(content))
    result = run("simulate", "--scenario", name)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1, result.err
    assert expected in result.err
    assert result.err.startswith("lambdaperm-tui: error: ")
    assert "Traceback" not in result.err


def test_invalid_input_with_json_also_prints_an_error_object(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("s.json", scenario(resource="x")), "--json")
    assert result.code == 2
    assert result.json()["error"].startswith("resource:")
    assert "resource:" in result.err


def test_missing_file_directory_and_empty(run: Runner, write: Writer, tmp_path: Any) -> None:
    missing = run("simulate", "--scenario", str(tmp_path / "nope.json"))
    assert (missing.code, "no such scenario file" in missing.err) == (2, True)
    directory = run("simulate", "--scenario", str(tmp_path))
    assert (directory.code, "directory" in directory.err) == (2, True)
    empty = run("simulate", "--scenario", write("e.json", ""))
    assert (empty.code, "invalid JSON" in empty.err) == (2, True)


def test_scenario_and_request_flags_are_exclusive(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("s.json", allowed()), "--principal", ROLE)
    assert result.code == 2 and "not both" in result.err
    result = run("simulate", "--scenario", write("s.json", allowed()), "--demo")
    assert result.code == 2 and "offline" in result.err


def test_usage_errors_exit_2_without_traceback(run: Runner) -> None:
    result = run("simulate", "--bogus")
    assert result.code == 2 and "unrecognized arguments" in result.err
    result = run("simulate", "--principal", ROLE)
    assert result.code == 2 and "--action" in result.err and "--resource" in result.err
    result = run("who-can", "--action", "lambda:InvokeFunction")
    assert result.code == 2 and "--resource" in result.err


def test_help_exits_0(run: Runner) -> None:
    result = run("--help")
    assert result.code == 0 and "simulate" in result.out and "who-can" in result.out


# -- batch ----------------------------------------------------------------------------------------


def test_batch_one_result_per_line_in_order(run: Runner, write: Writer) -> None:
    lines = [allowed(), implicit_deny(), explicit_deny(), allowed()]
    result = run("simulate", "--scenario", write("b.jsonl", lines), "--json")
    assert [r["decision"] for r in result.lines()] == ["allowed", "implicit_deny", "explicit_deny", "allowed"]
    assert result.code == 1


def test_batch_extension_is_case_insensitive(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("B.JSONL", [allowed(), implicit_deny()]), "--json")
    assert [r["decision"] for r in result.lines()] == ["allowed", "implicit_deny"]


def test_batch_all_allowed_exits_0(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("b.jsonl", [allowed(), allowed()]), "--json")
    assert result.code == 0
    assert len(result.lines()) == 2


def test_batch_invalid_line_gives_error_object_and_exit_2(run: Runner, write: Writer) -> None:
    content = "\n".join(
        [
            json.dumps(allowed()),
            '{"principal": ',
            json.dumps(scenario(resource="nope")),
            json.dumps(explicit_deny()),
        ]
    )
    result = run("simulate", "--scenario", write("b.jsonl", content), "--json")
    assert result.code == 2
    out = result.lines()
    assert len(out) == 4
    assert out[0]["decision"] == "allowed"
    assert out[1] == {"error": out[1]["error"]} and out[1]["error"].startswith("line 2: invalid JSON")
    assert out[2]["error"].startswith("line 3: resource:")
    assert out[3]["decision"] == "explicit_deny"
    assert "Traceback" not in result.err


def test_batch_duplicate_lines_keep_their_own_line_numbers(run: Runner, write: Writer) -> None:
    bad = json.dumps(scenario(resource="nope"))
    result = run("simulate", "--scenario", write("b.jsonl", f"{bad}\n{bad}\n"), "--json")
    assert [r["error"][:7] for r in result.lines()] == ["line 1:", "line 2:"]


def test_batch_skips_blank_lines_and_accepts_no_trailing_newline(run: Runner, write: Writer) -> None:
    content = json.dumps(allowed()) + "\n\n   \n" + json.dumps(explicit_deny())
    result = run("simulate", "--scenario", write("b.jsonl", content), "--json")
    assert [r["decision"] for r in result.lines()] == ["allowed", "explicit_deny"]


def test_batch_human_output(run: Runner, write: Writer) -> None:
    result = run("simulate", "--scenario", write("b.jsonl", [allowed(), explicit_deny(), {"x": 1}]))
    assert result.code == 2
    lines = result.out.splitlines()
    assert lines[0].startswith("line 1: ✔ ALLOWED")
    assert lines[1].startswith("line 2: ✘ DENIED (explicit deny)") and "NoBilling" in lines[1]
    assert lines[2].startswith("line 3: error: ")


def test_batch_results_equal_single_results(run: Runner, write: Writer) -> None:
    cases = [allowed(), explicit_deny(), implicit_deny()]
    batch = run("simulate", "--scenario", write("b.jsonl", cases), "--json").lines()
    singles = [
        run("simulate", "--scenario", write(f"{i}.json", c), "--json").json() for i, c in enumerate(cases)
    ]
    assert batch == singles


def test_resource_account_default_and_cross_account(run: Runner, write: Writer) -> None:
    """Cross account: the identity policy alone is not enough; the resource policy must allow too.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"""
    other_fn = FUNCTION.replace(ACCOUNT, "444455556666")
    cross = scenario(
        resource=other_fn,
        identity_policies=[{"name": "invoke", "document": policy(resource=other_fn)}],
    )
    result = run("simulate", "--scenario", write("c.json", cross), "--json")
    assert result.json()["decision"] == "implicit_deny"
    # Declaring the resource to be in the caller's own account makes it a same-account request.
    same = cross | {"resource_account": ACCOUNT}
    result = run("simulate", "--scenario", write("c2.json", same), "--json")
    assert result.json()["decision"] == "allowed"


def test_explain_modes_keep_decision_and_deciders(run: Runner, write: Writer) -> None:
    path = write("b.jsonl", [allowed(), explicit_deny(), implicit_deny()])
    full = run("simulate", "--scenario", path, "--json", "--explain", "full").lines()
    summary = run("simulate", "--scenario", path, "--json", "--explain", "summary").lines()
    none = run("simulate", "--scenario", path, "--json", "--explain", "none").lines()
    for f, s, n in zip(full, summary, none, strict=True):
        assert f["decision"] == s["decision"] == n["decision"]
        assert f["decided_by"] == s["decided_by"] == n["decided_by"]
        assert n["explanation"] is None
        assert set(s["explanation"]) == {"summary", "layers"}
        assert s["explanation"]["summary"] == f["explanation"]["summary"]
        assert s["explanation"]["layers"] == f["explanation"]["layers"]
        assert "policies" in f["explanation"]
    single = run("simulate", "--scenario", write("s.json", allowed()), "--json", "--explain", "none")
    assert single.code == 0 and single.json()["explanation"] is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.binary(max_size=40)
        | st.builds(json.dumps, st.dictionaries(st.text(max_size=5), st.text(max_size=5))),
        max_size=5,
    )
)
def test_batch_of_garbage_never_raises(tmp_path: Any, lines: list[Any]) -> None:
    """Any bytes as batch lines: one result or error per non-blank line, exit 0-2, never an exception."""
    path = tmp_path / "g.jsonl"
    raw = [x if isinstance(x, bytes) else x.encode() for x in lines]
    raw = [x.replace(b"\n", b" ").replace(b"\r", b" ") for x in raw]
    path.write_bytes(b"\n".join(raw))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["simulate", "--scenario", str(path), "--json"])
    assert code in (0, 1, 2)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == sum(1 for x in b"\n".join(raw).split(b"\n") if x.strip())


def test_batch_written_in_chunks_keeps_every_line_in_order(
    run: Runner, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lambdaperm_tui.cli as cli

    monkeypatch.setattr(cli, "_CHUNK", 2)
    cases = [allowed(), explicit_deny(), implicit_deny(), allowed(), {"bad": 1}]
    result = run("simulate", "--scenario", write("c.jsonl", cases), "--json")
    decisions = [r.get("decision", "error") for r in result.lines()]
    assert decisions == ["allowed", "explicit_deny", "implicit_deny", "allowed", "error"]
    assert result.code == 2


def _mixed_scenario() -> dict[str, Any]:
    """An identity policy with one statement on another action, one NotAction statement excluding the
    action, and one statement on the action; only the last is about the request (the Action element
    decides that: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html)."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "S3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Sid": "NotLambda", "Effect": "Deny", "NotAction": "lambda:*", "Resource": "*"},
            policy()["Statement"][0],
        ],
    }
    return scenario(identity_policies=[{"name": "orders-api/inline/mixed", "document": document}])


def test_default_json_explains_the_statements_matching_the_action(run: Runner, write: Writer) -> None:
    path = write("m.json", _mixed_scenario())
    default = run("simulate", "--scenario", path, "--json")
    relevant = run("simulate", "--scenario", path, "--json", "--explain", "relevant")
    full = run("simulate", "--scenario", path, "--json", "--explain", "full")
    assert default.code == relevant.code == full.code == 0
    assert default.json() == relevant.json()
    (pol,) = default.json()["explanation"]["policies"]
    assert pol["statements_not_matching_action"] == 2
    (st,) = pol["statements"]
    assert (st["index"], st["sid"], st["applies"], st["deciding"]) == (2, "AllowInvoke", True, True)
    assert [(e["element"], e["matched"]) for e in st["elements"]] == [("Action", True), ("Resource", True)]
    (full_pol,) = full.json()["explanation"]["policies"]
    assert [s["sid"] for s in full_pol["statements"]] == ["S3", "NotLambda", "AllowInvoke"]
    assert full_pol["statements"][2] == st
    assert "statements_not_matching_action" not in full_pol
    for key in ("decision", "decided_by"):
        assert default.json()[key] == full.json()[key]
    assert default.json()["explanation"]["layers"] == full.json()["explanation"]["layers"]


def test_batch_default_matches_full_on_decisions_and_lists_fewer_statements(
    run: Runner, write: Writer
) -> None:
    path = write("m.jsonl", [_mixed_scenario(), allowed(), explicit_deny(), implicit_deny()])
    default = run("simulate", "--scenario", path, "--json")
    full = run("simulate", "--scenario", path, "--json", "--explain", "full")
    assert default.code == full.code == 1
    for d, f in zip(default.lines(), full.lines(), strict=True):
        assert (d["decision"], d["decided_by"]) == (f["decision"], f["decided_by"])
        for dp, fp in zip(d["explanation"]["policies"], f["explanation"]["policies"], strict=True):
            listed = len(dp["statements"])
            assert listed + dp["statements_not_matching_action"] == len(fp["statements"])
    # One compact line per scenario.
    assert all(", " not in line[:40] and '": ' not in line for line in default.out.splitlines())


def test_help_documents_explain_levels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "'relevant' (default)" in text and "statements_not_matching_action" in text
