"""`findings`: over an account (the demo, in process) and on one policy file (``--policy``), with --json,
--sarif (SARIF 2.1.0: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), --min-severity and
the exit statuses 0 (nothing at or above the level), 1 (something is), 2 (error), 3 (nothing found, some
data unknown). Every proof in the demo replays with `simulate --scenario` to the decision it records.
The verdicts themselves are tested, with their AWS pages, in tests/analysis/test_findings_policies.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.sources import stop_demo

from .conftest import Run

Runner = Callable[..., Run]
FN = "arn:aws:lambda:us-east-1:111122223333:function:f"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _public(action: str = "lambda:InvokeFunction", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": FN, **extra}


@pytest.fixture(scope="module")
def demo_json() -> Iterator[dict[str, Any]]:
    import contextlib
    import io

    from lambdaperm_tui.cli import main

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(["findings", "--demo", "--json"])
    finally:
        stop_demo()
    assert code == 1
    yield json.loads(out.getvalue())


def test_demo_json_shape(demo_json: dict[str, Any]) -> None:
    findings = demo_json["findings"]
    assert findings and demo_json["unknown"] == []
    kinds = {f["kind"] for f in findings}
    assert kinds == {
        "public-access", "cross-account", "org-access", "confused-deputy", "function-url", "layer-sharing",
        "execution-role", "privilege-escalation", "policy-size", "lint",
    }  # fmt: skip
    for f in findings:
        assert {"kind", "severity", "resource", "principal", "statements", "why", "proof"} <= set(f)
        assert f["severity"] in ("critical", "high", "medium", "low", "info")
        for s in f["statements"]:
            assert set(s) == {"policy", "index", "sid"}


def test_every_demo_proof_replays_with_simulate_scenario(
    demo_json: dict[str, Any], run: Runner, tmp_path: Path
) -> None:
    """Each proof, written to a file, replays to the decision it records; a finding about access (all but
    a URL that answers 403, an execution role lacking what its function needs, and the form findings
    without a proof) replays allowed or conditional."""
    replayed = 0
    for i, f in enumerate(demo_json["findings"]):
        proof = f["proof"]
        if proof is None:
            assert f["kind"] in ("policy-size", "lint")
            continue
        path = tmp_path / f"proof-{i}.json"
        path.write_text(json.dumps(proof))
        result = run("simulate", "--scenario", str(path), "--json")
        assert result.err == "", result.err
        decision = result.json()["decision"]
        assert decision == proof["expected"], f["why"]
        # An unmet need of an execution role (analysis/needs.py) proves a denial: the role lacks it.
        unmet_need = f["kind"] == "execution-role" and "but the role lacks" in f["why"]
        if "answers 403" not in f["why"] and not unmet_need:
            assert decision in ("allowed", "conditional"), f["why"]
        if unmet_need:
            assert decision in ("implicit_deny", "explicit_deny"), f["why"]
        replayed += 1
    assert replayed >= 20


def test_min_severity_filters_and_exit_status(run: Runner, write: Callable[[str, Any], str]) -> None:
    path = write("p.json", _policy(_public()))  # public invoke: high
    assert run("findings", "--policy", path, "--resource", FN, "--min-severity", "high").code == 1
    quiet = run("findings", "--policy", path, "--resource", FN, "--min-severity", "critical", "--json")
    assert quiet.code == 0 and quiet.json() == {"findings": [], "unknown": []}
    human = run("findings", "--policy", path, "--resource", FN)
    assert human.code == 1 and human.out.startswith("HIGH     public-access  " + FN)
    assert human.out.rstrip().endswith("1 findings: 1 high")


def test_nothing_found_but_unknown_is_exit_3(run: Runner, write: Callable[[str, Any], str]) -> None:
    # Null with IfExists: the engine refuses the document, so what it grants is unknown (the lint is low).
    doc = _policy(_public(Condition={"NullIfExists": {"aws:SourceIp": "true"}}))
    result = run("findings", "--policy", write("p.json", doc), "--resource", FN, "--min-severity", "high")
    assert result.code == 3
    assert "unknown" in result.err and "Traceback" not in result.err


def test_clean_policy_is_exit_0(run: Runner, write: Callable[[str, Any], str]) -> None:
    doc = _policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": FN,
            "Condition": {
                "ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads"},
                "StringEquals": {"aws:SourceAccount": "111122223333"},
            },
        }
    )
    result = run("findings", "--policy", write("p.json", doc), "--resource", FN)
    assert result.code == 0 and result.out.strip() == "0 findings"


def test_get_policy_response_is_accepted(run: Runner, write: Callable[[str, Any], str]) -> None:
    path = write("get-policy.json", {"Policy": json.dumps(_policy(_public())), "RevisionId": "x"})
    assert [
        f["kind"] for f in run("findings", "--policy", path, "--resource", FN, "--json").json()["findings"]
    ] == ["public-access"]


def test_sarif_locates_the_statement_line(run: Runner, tmp_path: Path) -> None:
    text = json.dumps(
        _policy(
            {
                "Sid": "Fine",
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "lambda:GetPolicy",
                "Resource": FN,
            },
            _public("lambda:GetFunction", Sid="Leak"),
        ),
        indent=2,
    )
    path = tmp_path / "policy.json"
    path.write_text(text)
    result = run("findings", "--policy", str(path), "--resource", FN, "--sarif")
    assert result.code == 1
    log = result.json()
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run0 = log["runs"][0]
    (res,) = [r for r in run0["results"] if r["ruleId"] == "public-access"]
    assert res["level"] == "error" and res["properties"]["severity"] == "critical"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == str(path)
    lines = text.splitlines()
    leak_line = next(i for i, line in enumerate(lines, 1) if '"Sid": "Leak"' in line)
    # The line of the opening brace of the statement holding Sid "Leak" (the second statement).
    opening = max(i for i, line in enumerate(lines[:leak_line], 1) if line.strip() == "{")
    assert loc["region"]["startLine"] == opening > 3
    assert [r["id"] for r in run0["tool"]["driver"]["rules"]][res["ruleIndex"]] == "public-access"


@pytest.mark.parametrize(
    "argv,message",
    [
        (["findings", "--policy", "p.json"], "--policy FILE and --resource ARN go together"),
        (["findings", "--resource", FN], "--policy FILE and --resource ARN go together"),
        (["findings", "--policy", "p.json", "--resource", "arn:aws:s3:::b"], "--resource"),
        (
            ["findings", "--policy", "p.json", "--resource", FN, "--min-severity", "severe"],
            "unknown severity",
        ),
        (["findings", "--policy", "p.json", "--resource", FN, "--json", "--sarif"], "not both"),
        (["findings", "--policy", "missing.json", "--resource", FN], "no such policy file"),
        (["findings", "--policy", "bad.json", "--resource", FN], "invalid JSON at line 1"),
        (["findings", "--policy", "notpolicy.json", "--resource", FN], "not a policy document"),
        (["findings", "--sarif", "--snapshot", "s.json"], "--sarif applies to --policy"),
        (["findings", "--policy", "p.json", "--resource", FN, "--demo"], "offline"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(_policy(_public())))
    (tmp_path / "bad.json").write_text("{nope")
    (tmp_path / "notpolicy.json").write_text("[1, 2]")
    result = run(*argv)
    assert result.code == 2, result
    assert message in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err


def test_untrusted_text_is_inert_in_human_output(run: Runner, write: Callable[[str, Any], str]) -> None:
    doc = _policy(_public(Sid="evil\x1b[31mred"))
    result = run("findings", "--policy", write("p.json", doc), "--resource", FN)
    assert "\x1b" not in result.out and result.code == 1
