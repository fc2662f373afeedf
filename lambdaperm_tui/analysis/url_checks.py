"""The checks AWS makes for one question: one authorization check, or two for a function URL, and how
their decisions combine (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..iam.request import ContextValue, PrincipalKind
from ..inventory.model import FunctionUrl
from .answer import AnswerDecision, Check
from .targets import _Target, _Who

# Function URLs created since October 2025 need lambda:InvokeFunction (with
# lambda:InvokedViaFunctionUrl) as well as lambda:InvokeFunctionUrl:
# https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html ("Starting in October 2025, new function
# URLs will require both lambda:InvokeFunctionUrl and lambda:InvokeFunction permissions.")
URL_DUAL_CHECK_SINCE = "2025-10-01"
# URLs created before then had a temporary exception, which ended on November 1, 2026: from that day
# every URL needs both permissions. The date is in AWS's Health notice to the accounts concerned ("update
# them to align with the new authorization model by November 1, 2026", quoted in
# https://github.com/serverless/serverless/issues/13147) beside https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
URL_EXCEPTION_ENDS = "2026-11-01"


@dataclass(frozen=True, slots=True)
class _CheckSpec:
    name: str
    action: str
    extra_context: Mapping[str, ContextValue]
    anonymous: bool = False  # auth type NONE: Lambda does not authenticate the caller
    required: bool = True
    # Whether AWS requires this check is not known (a function URL of unknown creation time): it is
    # evaluated as required, and ``_combine`` makes a denial of it ``unknown`` rather than a deny.
    required_unknown: bool = False
    note: str = ""
    authn_reject: str | None = None  # AWS_IAM URL + anonymous caller: rejected before authorization


def _url_for(target: _Target) -> FunctionUrl | None:
    fn = target.function
    if fn is None or not fn.urls:
        return None
    for url in fn.urls:
        if url.qualifier == target.qualifier or url.function_arn == target.arn:
            return url
    return None


def _url_specs(
    target: _Target, who: _Who, g_unknown: list[str], notes: list[str], as_of: str
) -> list[_CheckSpec]:
    """The checks AWS makes for lambda:InvokeFunctionUrl (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html),
    for a request on the date ``as_of`` (YYYY-MM-DD: the inventory's capture time, or today)."""
    fn = target.function
    if fn is None:
        return [_CheckSpec("function URL permission", "lambda:InvokeFunctionUrl", {})]
    if fn.urls is None:
        g_unknown.append(f"function URL config of {fn.name}: " + (fn.urls_unknown or "not loaded yet"))
        return [_CheckSpec("function URL permission", "lambda:InvokeFunctionUrl", {})]
    url = _url_for(target)
    if url is None:
        notes.append(
            f"{target.arn} has no function URL; only the lambda:InvokeFunctionUrl permission was evaluated"
        )
        return [_CheckSpec("function URL permission", "lambda:InvokeFunctionUrl", {})]
    anonymous = url.auth_type == "NONE"
    authn_reject = None
    if url.auth_type == "AWS_IAM" and who.principal.kind == PrincipalKind.ANONYMOUS:
        authn_reject = (
            "the function URL uses AWS_IAM auth: Lambda rejects unsigned (anonymous) requests "
            "before any policy is evaluated"
        )
        notes.append(
            "the scenario of this answer holds the policies only; replayed with --scenario it cannot show "
            "that AWS_IAM auth rejects anonymous callers first"
        )
    if anonymous and who.principal.kind != PrincipalKind.ANONYMOUS:
        notes.append(
            "the function URL uses auth type NONE: Lambda does not authenticate callers, so the request "
            "was evaluated as an anonymous caller (only a public grant in the resource policy allows it)"
        )
    dual_required: bool | None
    if as_of >= URL_EXCEPTION_ENDS:
        dual_required = True
        dual_note = (
            f"AWS's temporary exception for URLs created before October 2025 ended on {URL_EXCEPTION_ENDS}; "
            f"as of {as_of} every function URL needs this check too"
        )
    elif url.created is None:
        dual_required = None
        dual_note = "the URL's creation time is unknown; URLs created since October 2025 also need this check"
    elif url.created[:10] >= URL_DUAL_CHECK_SINCE:
        dual_required = True
        dual_note = "the URL was created since October 2025, so AWS also requires this check"
    else:
        dual_required = False
        dual_note = (
            "the URL was created before October 2025; AWS gave such URLs a temporary exception, so this "
            "check is shown for information (once the exception ends for the account, it is required too)"
        )
    return [
        _CheckSpec(
            "function URL permission",
            "lambda:InvokeFunctionUrl",
            {"lambda:FunctionUrlAuthType": url.auth_type},
            anonymous=anonymous,
            authn_reject=authn_reject,
            note=f"auth type {url.auth_type}",
        ),
        _CheckSpec(
            "invoke via function URL",
            "lambda:InvokeFunction",
            {"lambda:InvokedViaFunctionUrl": "true"},
            anonymous=anonymous,
            authn_reject=authn_reject,
            required=dual_required is not False,
            required_unknown=dual_required is None,
            note=dual_note,
        ),
    ]


def _combine(checks: Sequence[Check], specs: Sequence[_CheckSpec]) -> tuple[AnswerDecision, int, list[str]]:
    """The decision over several checks (``specs[i]`` made ``checks[i]``): every required check must
    allow; the deciding check's index. A denial by a check whose requirement is unknown
    (``_CheckSpec.required_unknown``) while the other required checks allow is ``unknown``."""
    unknown: list[str] = []
    required = [i for i, c in enumerate(checks) if c.required]
    for want in ("explicit_deny", "implicit_deny"):
        for i in required:
            c = checks[i]
            if c.decision == want:
                if specs[i].required_unknown and all(
                    checks[j].decision == "allowed" for j in required if j != i
                ):
                    unknown.append(
                        "the function URL's creation time is unknown, and the lambda:InvokeFunction check "
                        "it may need does not allow"
                    )
                    return "unknown", i, unknown
                return want, i, unknown
    for want in ("unknown", "conditional"):
        for i in required:
            if checks[i].decision == want:
                return want, i, unknown
    return "allowed", 0, unknown
