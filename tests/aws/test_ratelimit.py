"""Client-side token buckets for Lambda's control-plane quotas.

Quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html ("API requests":
GetFunction 100/s, GetPolicy 15/s, other control-plane APIs 15/s combined).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.aws.ratelimit import LAMBDA_QUOTAS, RateLimits, TokenBucket


def test_published_quotas() -> None:
    assert LAMBDA_QUOTAS == {"GetFunction": 100.0, "GetPolicy": 15.0, "control-plane": 15.0}
    limits = RateLimits()
    assert limits.bucket_name("GetPolicy") == "GetPolicy"
    assert (
        limits.bucket_name("ListAliases") == limits.bucket_name("ListVersionsByFunction") == "control-plane"
    )
    # Same Region and quota share one bucket; another Region has its own.
    assert limits.bucket("us-east-1", "ListAliases") is limits.bucket("us-east-1", "ListFunctions")
    assert limits.bucket("us-east-1", "ListAliases") is not limits.bucket("eu-west-1", "ListAliases")


def test_bucket_rate_across_threads() -> None:
    bucket = TokenBucket(rate=40.0, burst=1.0)
    taken = []

    def worker() -> None:
        for _ in range(5):
            bucket.acquire()
            taken.append(time.monotonic())

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert len(taken) == 20
    assert elapsed >= 19 / 40.0 * 0.95  # 20 tokens at 40/s with a burst of 1: at least ~0.475 s


def test_acquire_returns_false_on_cancel() -> None:
    bucket = TokenBucket(rate=0.5, burst=1.0)
    assert bucket.acquire()
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    started = time.monotonic()
    assert bucket.acquire(cancel) is False
    assert time.monotonic() - started < 1.0


def test_projection_takes_the_slowest_bucket() -> None:
    limits = RateLimits()
    calls = {"GetPolicy": 150, "ListAliases": 30, "ListVersionsByFunction": 30, "GetFunction": 100}
    assert limits.projected_seconds(calls) == 10.0  # 150 GetPolicy at 15/s


def test_on_for_aws_off_for_a_custom_endpoint(aws_env: Path, moto_server: str) -> None:
    aws = Loader(ClientFactory(region="us-east-1"), ["us-east-1"], account_id="111122223333")
    local = Loader(ClientFactory(region="us-east-1", endpoint_url=moto_server), ["us-east-1"])
    assert isinstance(aws.rate_limits, RateLimits)
    assert local.rate_limits is None
    forced = Loader(ClientFactory(region="us-east-1"), ["us-east-1"], rate_limits=False)
    assert forced.rate_limits is None


def test_loader_waits_for_tokens(aws_env: Path, moto_server: str, moto_account: str) -> None:
    from tests.aws.accounts import seed_account
    from tests.conftest import account_header_hook

    seed_account(moto_server, moto_account, functions_per_region=3)
    factory = ClientFactory(region="us-east-1", endpoint_url=moto_server)
    factory.register("before-send", account_header_hook(moto_account))
    # A slow bucket so the effect is measurable: 5 control-plane calls/s with a burst of 5.
    limits = RateLimits(quotas={"GetFunction": 1000.0, "GetPolicy": 1000.0, "control-plane": 5.0})
    loader = Loader(
        factory, ["us-east-1"], rate_limits=limits, account_id=moto_account, load_iam=False, load_layers=False
    )
    started = time.monotonic()
    inv = loader.run()
    elapsed = time.monotonic() - started
    lambda_ops = {"ListFunctions", "ListVersionsByFunction", "ListAliases", "ListFunctionUrlConfigs"}
    control_plane = sum(n for op, n in loader.calls.items() if op in lambda_ops)
    assert len(inv.functions) == 3 and inv.failures == ()
    assert control_plane > 5  # more than the burst, so some calls had to wait
    assert elapsed >= (control_plane - 5) / 5.0 * 0.9
