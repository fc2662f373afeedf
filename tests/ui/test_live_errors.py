"""The explorer over the real loader and a moto account, with AWS errors injected (botocore hooks).

Errors must become row badges and notifications; the rest of the account still loads and the app keeps
working. Fault injection and the moto server come from the AWS layer's test fixtures.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.ui.app import LambdaPermApp
from tests.aws.accounts import GeneratedAccount, seed_account
from tests.aws.faults import FaultInjector, access_denied, throttled
from tests.conftest import account_header_hook

from .helpers import Toasts, label_text, loaded, wait_for

REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture
def generated(aws_env: Path, moto_server: str, moto_account: str) -> GeneratedAccount:
    return seed_account(moto_server, moto_account)


def live_load(endpoint: str, account: str) -> Callable[[Callable[[Any], None], threading.Event], Inventory]:
    factory = ClientFactory(region="us-east-1", endpoint_url=endpoint, max_attempts=2, retry_mode="standard")
    factory.register("before-send", account_header_hook(account))
    factory.register(
        "before-send.lambda.GetPolicy",
        FaultInjector(
            {
                "/functions/us-east-1-fn1/policy": access_denied("GetPolicy"),
                "/functions/us-east-1-fn2/policy": throttled,
            }
        ),
    )
    loader = Loader(factory, REGIONS)
    return lambda on_event, cancel: loader.run(on_event, cancel)


async def test_aws_errors_become_row_badges_and_notifications(
    generated: GeneratedAccount, moto_server: str
) -> None:
    app = LambdaPermApp(live_load(moto_server, generated.account), source_label="moto", regions=REGIONS)
    toasts = Toasts()
    async with app.run_test(size=(80, 24), message_hook=toasts) as pilot:
        await wait_for(pilot, lambda: loaded(app), timeout=120)
        rows = {
            n.data.obj.name: label_text(n.label)
            for n in app.main.pane("functions").rows_tree.root.children
            if n.data is not None
        }
        assert "? unknown: AccessDenied" in rows["us-east-1-fn1"]
        assert "? unknown: TooManyRequests" in rows["us-east-1-fn2"]
        assert "unknown" not in rows["us-east-1-fn0"]
        await wait_for(pilot, lambda: any("AccessDenied" in (n.title or "") for n in toasts.seen))
        # The unreadable policy is unknown in answers too, never guessed as "no policy".
        await pilot.press("slash", *"us-east-1-fn1", "enter")
        main = app.main
        wanted = ":us-east-1-fn1"
        await wait_for(pilot, lambda: main.current is not None and main.current.key.endswith(wanted))
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SimulatorScreen")
        screen: Any = app.screen
        screen.query_one("#sim-principal").value = "s3.amazonaws.com"
        await wait_for(pilot, lambda: screen.answer is not None)
        assert screen.answer.decision == "unknown"
