"""Policy variables: substitution, defaults, escapes, case, missing and multi-valued keys.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- "${aws:username}" is replaced with the value of the request context key; key names are
  case-insensitive ("aws:CurrentTime is equivalent to AWS:currenttime").
- Defaults: "${aws:userid, 'anonymous'}" (single quotes, comma and space).
- Special characters: ${*}, ${?} and ${$} stand for literal *, ? and $.
- A key that is not present cannot be matched ("any attempt to match it fails"); multivalued keys
  cannot be used as variables (reference_policies_condition-single-vs-multi-valued-context-keys.html).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam.context import RequestContext
from lambdaperm_tui.iam.variables import (
    compile_pattern,
    has_variables,
    parse_template,
    substitute,
)

CTX = RequestContext(
    {
        "aws:username": "bob",
        "aws:PrincipalTag/team": "payments",
        "aws:PrincipalTag/cost center": "cc 42",
        "aws:TagKeys": ["a", "b"],
        "aws:Empty": [],
        "aws:Star": "b*",
    }
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${aws:username}", True),
        ("home/${aws:username}/*", True),
        ("${aws:PrincipalTag/team, 'none'}", True),
        ("${*}", True),
        ("${?}", True),
        ("${$}", True),
        ("plain", False),
        ("$aws:username", False),
        ("${aws:username", False),  # unterminated: literal text
        ("${}", False),
        ("", False),
    ],
)
def test_has_variables(text: str, expected: bool) -> None:
    assert has_variables(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("home/${aws:username}/", "home/bob/"),
        ("${AWS:UserName}", "bob"),  # key names are case-insensitive
        ("${aws:PrincipalTag/team}-${aws:username}", "payments-bob"),
        ("${aws:PrincipalTag/cost center}", "cc 42"),  # tag keys may contain spaces
        ("${aws:PrincipalTag/team, 'company-wide'}", "payments"),  # a value beats the default
        ("${aws:PrincipalTag/missing, 'company-wide'}", "company-wide"),
        ("${aws:PrincipalTag/missing,'x y'}", "x y"),
        ("${aws:PrincipalTag/missing, ''}", ""),
        ("${aws:TagKeys, 'multi'}", "multi"),  # multi-valued keys have no value as variables
        ("${aws:Empty, 'none'}", "none"),
        ("a${*}b${?}c${$}d", "a*b?c$d"),
        ("no variables at all", "no variables at all"),
        ("${aws:username", "${aws:username"),  # not a variable
        ("$${aws:username}", "$bob"),
    ],
)
def test_substitute(text: str, expected: str) -> None:
    assert substitute(text, CTX) == expected


@pytest.mark.parametrize(
    "text",
    [
        "${aws:userid}",
        "home/${aws:PrincipalTag/missing}/",
        "${aws:TagKeys}",
        "${aws:Empty}",
        "${aws:username}${x:y}",
    ],
)
def test_substitute_without_value_or_default_fails(text: str) -> None:
    assert substitute(text, CTX) is None


def test_template_reports_variables_and_pieces() -> None:
    template = parse_template("home/${aws:username}/${*}")
    assert template.has_variables
    assert template.pieces(CTX) == (("home/", True), ("bob", False), ("/", True), ("*", False))
    assert not parse_template("home/*").has_variables


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("home/${aws:username}/*", "home/bob/notes.txt", True),
        ("home/${aws:username}/*", "home/alice/notes.txt", False),
        ("report${*}", "report*", True),  # ${*} is a literal asterisk, not a wildcard
        ("report${*}", "report-2024", False),
        ("what${?}", "what?", True),
        ("what${?}", "whatX", False),
        ("cost${$}", "cost$", True),
        ("${aws:Star}/x", "b*/x", True),  # a substituted value is literal too
        ("${aws:Star}/x", "bzz/x", False),
        ("a.b", "axb", False),  # regex characters in policy text are literal
        ("a?b", "axb", True),
    ],
)
def test_compile_pattern_keeps_escapes_and_values_literal(pattern: str, value: str, matches: bool) -> None:
    compiled = compile_pattern(pattern, CTX)
    assert compiled is not None
    assert compiled.matches(value) is matches


def test_pattern_without_variables_in_force_takes_text_as_written() -> None:
    # Version 2008-10-17 or no Version: ${...} is literal text (and * inside it is still a wildcard).
    compiled = compile_pattern("home/${aws:username}/*", None)
    assert compiled is not None
    assert compiled.matches("home/${aws:username}/x")
    assert not compiled.matches("home/bob/x")


def test_pattern_with_missing_variable_is_none() -> None:
    assert compile_pattern("home/${aws:userid}/*", CTX) is None


def test_ignore_case_pattern() -> None:
    compiled = compile_pattern("Home/${aws:username}", CTX, ignore_case=True)
    assert compiled is not None and compiled.matches("HOME/BOB")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="${}*?,' :abc/", max_size=30))
def test_fuzz_substitution_never_raises(text: str) -> None:
    # Any text: substitution gives a string or None, and a pattern compiles.
    ctx = RequestContext({"a:b": "v", "c": ["x", "y"]})
    result = substitute(text, ctx)
    assert result is None or isinstance(result, str)
    if not has_variables(text):
        assert result == text
    compiled = compile_pattern(text, ctx)
    assert (compiled is None) is (result is None)
    if compiled is not None and result is not None and not any(c in text for c in "*?"):
        # Without wildcards in the policy text, the pattern matches exactly the substituted text.
        assert compiled.matches(result)
