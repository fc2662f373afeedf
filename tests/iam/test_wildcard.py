"""The wildcard matcher (``iam/wildcard.py``) agrees with a plain regular-expression reference on small
inputs, and stays linear on hostile ones.

Rules (one per flavor):
- Action and StringLike: ``*`` any run of characters, ``?`` any one character; StringLike is
  case-sensitive, actions are not
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
- Resource: "You can use wildcard characters (* and ?) within the individual segments of an ARN ...
  If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the
  colon boundaries"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards).
- ArnLike: "Each of the six colon-delimited components of the ARN is checked separately and each can
  include multi-character match wildcards (*) or single-character match wildcards (?)"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam import PolicySet, Request, evaluate, parse_policy, parse_principal
from lambdaperm_tui.iam.wildcard import Flavor, Pieces, wildcard, wildcard_of_pieces

A = "111122223333"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing"


def _reference(pieces: Pieces, flavor: Flavor, ignore_case: bool = False) -> re.Pattern[str] | None:
    """The rule written as a regular expression, character by character (fine on small inputs)."""
    chars = [(c, wild) for text, wild in pieces for c in text]
    if flavor is Flavor.ARN and sum(1 for c, _ in chars if c == ":") < 5:
        return None
    out = []
    colons = 0
    for i, (c, wild) in enumerate(chars):
        in_segment = flavor is Flavor.RESOURCE or (flavor is Flavor.ARN and colons < 5)
        if c == ":":
            colons += 1
        if wild and c == "*":
            ends_segment = flavor is Flavor.RESOURCE and (i == len(chars) - 1 or chars[i + 1][0] == ":")
            out.append("[^:]*" if in_segment and not ends_segment else ".*")
        elif wild and c == "?":
            out.append("[^:]" if in_segment else ".")
        else:
            out.append(re.escape(c))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _agrees(pieces: Pieces, flavor: Flavor, subject: str, ignore_case: bool = False) -> None:
    ref = _reference(pieces, flavor, ignore_case)
    expected = ref is not None and ref.fullmatch(subject) is not None
    assert wildcard_of_pieces(pieces, flavor, ignore_case=ignore_case).matches(subject) is expected


_ALPHABET = "ab:*?/"
_SUBJECT = st.text(alphabet="ab:/", max_size=14)
_PIECES = st.lists(
    st.tuples(st.text(alphabet=_ALPHABET, min_size=1, max_size=6), st.booleans()), max_size=4
).map(tuple)


@settings(max_examples=1500, deadline=None)
@given(pieces=_PIECES, subject=_SUBJECT, flavor=st.sampled_from(list(Flavor)))
def test_matches_the_reference(pieces: Pieces, subject: str, flavor: Flavor) -> None:
    """Every flavor, with substituted (literal) pieces mixed in, answers as the reference does."""
    _agrees(pieces, flavor, subject)


@settings(max_examples=800, deadline=None)
@given(
    pattern=st.text(alphabet="ab*?", max_size=8),
    subject=st.text(alphabet="ab", max_size=12).flatmap(
        lambda s: st.sampled_from([s, s.upper(), s.swapcase()])
    ),
)
def test_ignore_case_matches_the_reference(pattern: str, subject: str) -> None:
    _agrees(((pattern, True),), Flavor.TEXT, subject, ignore_case=True)


@settings(max_examples=500, deadline=None)
@given(
    literal=st.text(alphabet="ab:", max_size=6),
    shape=st.sampled_from(["{}", "{}*", "*{}", "*{}*", "{}*{}", "*{}*{}*"]),
    subject=_SUBJECT,
    flavor=st.sampled_from(list(Flavor)),
)
def test_prefix_suffix_and_literal_shapes(literal: str, shape: str, subject: str, flavor: Flavor) -> None:
    """The shapes matched with plain string operations (no automaton) agree too."""
    pattern = shape.format(literal, literal)
    _agrees(((pattern, True),), flavor, subject)
    _agrees(((pattern, True),), flavor, subject + literal)


@pytest.mark.parametrize(
    ("pattern", "flavor", "subject", "expected"),
    [
        ("lambda:get*", Flavor.TEXT, "lambda:getfunction", True),
        ("a?b", Flavor.TEXT, "a:b", True),  # StringLike's ? crosses a colon
        ("a?b", Flavor.RESOURCE, "a:b", False),  # a Resource's does not
        ("a*", Flavor.RESOURCE, "a:b:c", True),  # a * ending its segment crosses colons
        ("a*b", Flavor.RESOURCE, "a:b", False),  # one inside its segment does not
        ("a**:b", Flavor.RESOURCE, "ax:y:b", True),  # ** ending a segment acts as one such *
        (f"arn:aws:lambda:*:{A}:function:*", Flavor.ARN, FN + ":prod", True),
        (f"arn:aws:lambda:us*1:{A}:function:b*", Flavor.ARN, FN, True),
        ("arn:aws:lambda:*", Flavor.ARN, FN, False),  # fewer than six components: no ARN
        ("arn:aws:*:*:*:*", Flavor.ARN, FN, True),
        ("arn:aws:lambda:us-east-1:*", Flavor.ARN, FN, False),  # the account is its own component
        ("a.b", Flavor.TEXT, "axb", False),  # regular-expression characters are literal
        ("", Flavor.TEXT, "", True),
        ("", Flavor.TEXT, "a", False),
    ],
)
def test_examples(pattern: str, flavor: Flavor, subject: str, expected: bool) -> None:
    assert wildcard(pattern, flavor).matches(subject) is expected


def test_case_sensitivity_of_stringlike_and_resource() -> None:
    assert not wildcard("Bill*").matches("billing")
    assert not wildcard(FN.upper(), Flavor.RESOURCE).matches(FN)
    assert wildcard("Bill*", ignore_case=True).matches("BILLING")


def test_substituted_values_are_literal() -> None:
    """A policy variable's value never acts as a wildcard
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    pieces: Pieces = (("home/", True), ("b*", False), ("/*", True))
    assert wildcard_of_pieces(pieces).matches("home/b*/x")
    assert not wildcard_of_pieces(pieces).matches("home/bob/x")


# -- hostile inputs: the cost is bounded by the lengths (generous budgets: the old regex took minutes)

_BUDGET_S = 1.0


def _timed(pattern: str, flavor: Flavor, subject: str) -> tuple[bool, float]:
    t0 = time.process_time()
    hit = wildcard(pattern, flavor).matches(subject)
    return hit, time.process_time() - t0


@pytest.mark.parametrize("flavor", list(Flavor))
@pytest.mark.parametrize(
    "pattern",
    [
        "*a" * 30 + "b",  # * only: matched piece by piece
        "*a?" * 30 + "b",  # ? among them: the automaton
        "arn:aws:lambda:us-east-1:111122223333:function:" + "*a" * 30 + "b",
    ],
)
def test_thirty_stars_against_ten_thousand_characters(pattern: str, flavor: Flavor) -> None:
    arn = pattern.startswith("arn:")
    subject = ("arn:aws:lambda:us-east-1:111122223333:function:" if arn else "") + "a" * 10_000
    hit, seconds = _timed(pattern, flavor, subject)
    assert hit is False  # no "b" anywhere: every placement of the stars must fail
    assert seconds < _BUDGET_S, f"{seconds:.2f} s"
    ok, seconds = _timed(pattern, flavor, subject + "b")
    assert ok is (arn or flavor is not Flavor.ARN)  # ArnLike needs six components
    assert seconds < _BUDGET_S, f"{seconds:.2f} s"


def test_hostile_statement_evaluates_quickly() -> None:
    """A Resource and a StringLike with many * against a long name: one decision well under a second."""
    stars = "*a" * 12 + "b"
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "lambda:*",
                    "Resource": f"arn:aws:lambda:*:{A}:function:{stars}",
                    "Condition": {"StringLike": {"aws:PrincipalTag/team": stars}},
                }
            ],
        },
        "hostile",
    )
    name = "a" * 140
    request = Request(
        principal=parse_principal(f"arn:aws:iam::{A}:role/r"),
        action="lambda:InvokeFunction",
        resource=f"arn:aws:lambda:us-east-1:{A}:function:{name}",
        resource_account=A,
        context={"aws:PrincipalTag/team": "a" * 10_000},
    )
    t0 = time.process_time()
    result = evaluate(request, PolicySet(identity=(policy,)), explain=True)
    assert time.process_time() - t0 < _BUDGET_S
    assert result.decision.value == "implicit_deny"
