"""The findings read Action patterns with the engine's matcher (``iam/wildcard.py``), not ``fnmatch``.

IAM action patterns know two wildcards, ``*`` and ``?``, and compare case-insensitively; brackets are
plain characters
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
"""

from __future__ import annotations

from lambdaperm_tui.analysis.findings import lint, roles


def test_lint_expands_actions_as_the_engine_matches_them() -> None:
    expanded = lint._actions({"Action": ["LAMBDA:getfunction*", "lambda:Get[F]unction"]})
    assert "lambda:GetFunction" in expanded
    assert "lambda:GetFunctionConfiguration" in expanded
    # fnmatch would read [F] as a character class and match lambda:GetFunction a second time.
    assert expanded.count("lambda:GetFunction") == 1
    assert lint._actions({"Action": "lambda:Invoke?unction"}) == ["lambda:InvokeFunction"]


def test_role_findings_match_actions_as_the_engine_does() -> None:
    assert roles._matches("Lambda:invoke*", "lambda:InvokeFunction")
    assert roles._matches("lambda:Invoke?unction", "lambda:InvokeFunction")
    assert not roles._matches("lambda:Invoke[F]unction", "lambda:InvokeFunction")
    assert not roles._matches(["lambda:*"], "lambda:InvokeFunction")
