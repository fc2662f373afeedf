"""Resource-element wildcards stay inside a colon-separated ARN segment, except a ``*`` that ends its
segment (``iam/wildcard.py``: ``Flavor.RESOURCE``, and ``compile_pattern(flavor=Flavor.RESOURCE)``).

"You can use wildcard characters (* and ?) within the individual segments of an ARN (the parts separated
by colons) ... If the * wildcard is the last character of a resource ARN segment, it can expand to match
beyond the colon boundaries."
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdaperm_tui.iam.context import RequestContext
from lambdaperm_tui.iam.variables import compile_pattern
from lambdaperm_tui.iam.wildcard import Flavor, wildcard, wildcard_match

A = "111122223333"
F = f"arn:aws:lambda:us-east-1:{A}:function:billing"


def _match(pattern: str, value: str) -> bool:
    return wildcard(pattern, Flavor.RESOURCE).matches(value)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        # A trailing * crosses colons: function:f* covers the qualified ARNs (Lambda's own examples).
        (f"arn:aws:lambda:us-east-1:{A}:function:bill*", F + ":prod", True),
        (f"arn:aws:lambda:us-east-1:{A}:function:*", F + ":7", True),
        ("*", F + ":prod", True),
        ("arn:aws:lambda:*", F, True),
        # A * that ends an inner segment also may expand past the colon.
        (f"arn:aws:lambda:*:{A}:function:billing", F, True),
        (f"arn:aws:lambda:us-*-1:{A}:function:billing", F, True),
        # ? is one character inside its segment: never a colon.
        (F + "?prod", F + ":prod", False),
        (F + "-v?", F + "-v2", True),
        # A * followed by more text in its segment stays in the segment.
        (f"arn:aws:lambda:us-east-1:{A}:function:*-prod", F + ":x-prod", False),
        (
            f"arn:aws:lambda:us-east-1:{A}:function:*-prod",
            f"arn:aws:lambda:us-east-1:{A}:function:b-prod",
            True,
        ),
        ("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/test/c", True),
        # Regular-expression characters in the pattern are literal.
        ("arn:aws:s3:::a.b", "arn:aws:s3:::axb", False),
    ],
)
def test_resource_wildcards_follow_segments(pattern: str, value: str, expected: bool) -> None:
    assert _match(pattern, value) is expected


def test_variables_resolved_then_segment_rule_applies() -> None:
    """Substituted values are literal; the segment rule applies to the policy's own wildcards."""
    ctx = RequestContext({"aws:username": "alice"})
    pat = compile_pattern(f"arn:aws:lambda:*:{A}:function:${{aws:username}}-?", ctx, flavor=Flavor.RESOURCE)
    assert pat is not None
    assert pat.matches(f"arn:aws:lambda:us-east-1:{A}:function:alice-1")
    assert not pat.matches(f"arn:aws:lambda:us-east-1:{A}:function:alice-:")
    star = compile_pattern(f"arn:aws:lambda:*:{A}:function:${{aws:username}}*", ctx, flavor=Flavor.RESOURCE)
    assert star is not None and star.matches(f"arn:aws:lambda:us-east-1:{A}:function:alice:prod")


def test_default_matching_unchanged_without_arn_segments() -> None:
    """Condition operators (StringLike) keep whole-string wildcards: only Resource patterns segment."""
    pat = compile_pattern("a?b", None)
    assert pat is not None and pat.matches("a:b")
    assert compile_pattern("a?b", None, flavor=Flavor.RESOURCE) is not None
    seg = compile_pattern("a?b", None, flavor=Flavor.RESOURCE)
    assert seg is not None and not seg.matches("a:b")


@given(st.text(alphabet="ab:*?", max_size=8), st.text(alphabet="ab:", max_size=8))
def test_segment_rule_never_matches_more_than_plain_glob(pattern: str, value: str) -> None:
    """Every value the segment rule accepts is one the plain glob accepts (it only narrows)."""
    if _match(pattern, value):
        assert wildcard_match(pattern, value)
