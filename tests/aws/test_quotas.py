"""``--quotas {auto,aws,off}``: Lambda's API request quotas applied client-side, on against AWS by default
and on demand against any endpoint, so their effect can be measured on a local one.

The quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "Lambda API
requests"): GetFunction API requests 100 per second, GetPolicy API requests 15 per second, the remainder of
the control plane API requests (invocation, GetFunction and GetPolicy excluded) 15 per second across all
APIs; none can be increased.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.aws.ratelimit import LAMBDA_QUOTAS, RateLimits
from lambdaperm_tui.aws.source import Source, SourceError
from lambdaperm_tui.cli import CliError, _make_source, build_parser


def test_the_buckets_are_the_documented_quotas() -> None:
    assert dict(LAMBDA_QUOTAS) == {"GetFunction": 100.0, "GetPolicy": 15.0, "control-plane": 15.0}
    limits = RateLimits()
    for operation in ("ListFunctions", "ListAliases", "ListFunctionUrlConfigs", "ListEventSourceMappings"):
        assert limits.bucket_name(operation) == "control-plane"
    # One bucket per Region: two Regions' GetPolicy calls do not share a budget.
    assert limits.bucket("us-east-1", "GetPolicy") is not limits.bucket("eu-west-1", "GetPolicy")
    assert limits.bucket("us-east-1", "GetPolicy") is limits.bucket("us-east-1", "GetPolicy")


def test_the_floor_is_per_region_and_bucket() -> None:
    calls = {
        ("us-east-1", "GetPolicy"): 300,
        ("us-east-1", "ListAliases"): 100,
        ("us-east-1", "ListFunctions"): 50,
        ("us-east-1", "GetFunction"): 100,
        ("eu-west-1", "GetPolicy"): 30,
    }
    assert RateLimits().floor(calls) == {
        ("us-east-1", "GetPolicy"): 20.0,
        ("us-east-1", "control-plane"): 10.0,
        ("us-east-1", "GetFunction"): 1.0,
        ("eu-west-1", "GetPolicy"): 2.0,
    }


@pytest.mark.parametrize(
    ("quotas", "endpoint", "on"),
    [
        ("auto", None, True),  # AWS's own endpoint
        ("auto", "http://127.0.0.1:9", False),
        ("aws", "http://127.0.0.1:9", True),
        ("off", None, False),
    ],
)
def test_quotas_choice_decides_the_loaders_rate_limits(
    aws_env: Path, quotas: str, endpoint: str | None, on: bool
) -> None:
    argv = ["snapshot", "-o", "x.json", "--region", "us-east-1", "--quotas", quotas]
    if endpoint:
        argv += ["--endpoint-url", endpoint]
    source = _make_source(build_parser().parse_args(argv))
    assert source.rate_limits == {"auto": None, "aws": True, "off": False}[quotas]
    factory = ClientFactory(region="us-east-1", endpoint_url=endpoint)
    loader = Loader(factory, ["us-east-1"], rate_limits=source.rate_limits, account_id="111122223333")
    assert isinstance(loader.rate_limits, RateLimits) is on


def test_quotas_on_the_tui_start_and_bad_choices() -> None:
    args = build_parser().parse_args(["--quotas", "aws", "--endpoint-url", "http://127.0.0.1:9"])
    assert args.command is None and _make_source(args).rate_limits is True
    with pytest.raises(CliError, match="--quotas"):
        build_parser().parse_args(["snapshot", "-o", "x.json", "--quotas", "fast"])
    with pytest.raises(CliError, match="--quotas applies to a live account or --demo"):
        _make_source(
            build_parser().parse_args(
                [
                    "who-can",
                    "--snapshot",
                    "s.json",
                    "--quotas",
                    "aws",
                    "--action",
                    "lambda:InvokeFunction",
                    "--resource",
                    "*",
                ]
            )
        )
    with pytest.raises(SourceError, match="--quotas: one of auto, aws, off"):
        Source.from_options(quotas="fast")
