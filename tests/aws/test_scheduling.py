"""The loader's scheduler with quotas on: every Lambda request is a task in the lane of its quota bucket,
and a worker is given a task only once its bucket has a token (aws/loader.py), so no worker waits inside
one bucket while another bucket or Region could send. Against the session's moto server (real HTTP).

The buckets are Lambda's API request quotas, per Region
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): GetFunction, GetPolicy, and the
rest of the control plane.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.aws.ratelimit import RateLimits
from lambdaperm_tui.inventory.model import Inventory
from tests.aws.accounts import seed_account
from tests.conftest import account_header_hook

REGIONS = ("us-east-1", "eu-west-1")


@dataclass
class CountingLimits(RateLimits):
    """Lambda's buckets (fast rates, so the test is quick), counting requests that had to wait inside a
    bucket (``acquire``) instead of being sent with the token the scheduler took for their task."""

    waited_inside: list[str] = field(default_factory=list)
    _count_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def acquire(
        self, service: str, region: str, operation: str, cancel: threading.Event | None = None
    ) -> bool:
        if service == "lambda":
            with self._count_lock:
                self.waited_inside.append(f"{region} {operation}")
        return super().acquire(service, region, operation, cancel)


def _load(endpoint: str, account: str, rate_limits: RateLimits | bool) -> tuple[Inventory, Loader]:
    factory = ClientFactory(region=REGIONS[0], endpoint_url=endpoint, max_attempts=2, retry_mode="standard")
    factory.register("before-send", account_header_hook(account))
    loader = Loader(factory, REGIONS, max_workers=3, rate_limits=rate_limits, account_id=account)
    return loader.run(), loader


def _facts(inv: Inventory) -> list[object]:
    return [
        (f.arn, f.tags, f.policy, f.versions, f.aliases, f.urls, f.details_unknown, f.tags_unknown)
        for f in inv.functions
    ]


def test_every_lambda_request_is_sent_with_the_token_its_task_was_given(
    aws_env: Path, moto_server: str, moto_account: str
) -> None:
    seed_account(moto_server, moto_account, functions_per_region=4)
    limits = CountingLimits(quotas={"GetFunction": 500.0, "GetPolicy": 200.0, "control-plane": 200.0})
    inv, loader = _load(moto_server, moto_account, limits)
    assert inv.failures == () and len(inv.functions) == 8
    lambda_requests = sum(loader.lambda_calls.values())
    assert lambda_requests > 40
    # No page of any list ran past one page here, so every request was the first of its task.
    assert limits.waited_inside == []
    # Split into one task per request, a function is assembled exactly as a load without quotas has it.
    plain, _ = _load(moto_server, moto_account, False)
    assert _facts(inv) == _facts(plain)
    first = next(f for f in inv.functions if f.name == "us-east-1-fn0")
    assert [v.version for v in first.versions] == ["1"] and first.versions[0].policy.is_known
    assert [a.name for a in first.aliases] == ["prod"] and first.aliases[0].policy.document is not None


def test_without_quotas_every_task_shares_one_lane(
    aws_env: Path, moto_server: str, moto_account: str
) -> None:
    seed_account(moto_server, moto_account, functions_per_region=2)
    inv, loader = _load(moto_server, moto_account, False)
    assert inv.failures == () and loader.rate_limits is None
    assert list(loader._lanes) == [None]
