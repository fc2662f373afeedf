"""Sources: options, labels, snapshot/live/demo through ``open_inventory``."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from lambdaperm_tui.aws.source import Source, SourceError, describe
from lambdaperm_tui.inventory.events import FunctionLoaded, FunctionsListed, LoadEvent, LoadFinished
from lambdaperm_tui.inventory.snapshot import SnapshotError, save_snapshot
from lambdaperm_tui.sources import demo_running, open_inventory, stop_demo
from tests.aws.accounts import seed_account
from tests.inventory.test_snapshot import sample


def test_from_options_and_labels() -> None:
    live = Source.from_options(profile="audit", regions=["us-east-1", "eu-west-1", "us-east-1"])
    assert live.kind == "live" and live.regions == ("us-east-1", "eu-west-1")
    assert describe(live) == "profile audit"
    assert Source.from_options().describe() == "profile default"
    assert describe(Source.from_options(endpoint_url="http://127.0.0.1:5000")).endswith(
        "at http://127.0.0.1:5000"
    )
    assert describe(Source.from_options(snapshot="s.json")) == "snapshot s.json"
    assert Source.from_options(demo=True).kind == "demo"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"snapshot": "a.json", "demo": True}, "--snapshot and --demo cannot be combined"),
        ({"snapshot": "a.json", "profile": "x"}, "apply to a live account, not to --snapshot"),
        ({"demo": True, "endpoint_url": "http://x"}, "apply to a live account, not to --demo"),
        ({"snapshot": "a.json", "regions": ["us-east-1"]}, "--region applies to a live account"),
        ({"workers": -1}, "--workers: must be at least 1"),
    ],
)
def test_bad_option_combinations(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SourceError, match=message):
        Source.from_options(**kwargs)  # type: ignore[arg-type]


def test_snapshot_source_replays_events(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    save_snapshot(sample(), path)
    events: list[LoadEvent] = []
    inv = open_inventory(Source.from_options(snapshot=str(path)), events.append)
    assert inv == sample()
    assert isinstance(events[0], FunctionsListed)
    assert sum(isinstance(e, FunctionLoaded) for e in events) == len(inv.functions)
    assert isinstance(events[-1], LoadFinished) and events[-1].inventory == inv


def test_snapshot_source_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such snapshot file"):
        open_inventory(Source.from_options(snapshot=str(tmp_path / "none.json")))


def test_live_source_with_aws_endpoint_url(
    aws_env: Path, moto_server: str, moto_account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_account(moto_server, moto_account, functions_per_region=2)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    # The server runs in this process: MOTO_ACCOUNT_ID routes the loader's requests to the seeded account.
    monkeypatch.setenv("MOTO_ACCOUNT_ID", moto_account)
    source = Source.from_options(regions=["us-east-1", "eu-west-1"], workers=4)
    inv = open_inventory(source, cancel=threading.Event())
    assert inv.account_id == moto_account
    assert inv.source == "profile default"
    assert len(inv.functions) == 4 and inv.failures == () and inv.complete


def test_demo_source_loads_through_the_live_loader(aws_env: Path) -> None:
    try:
        events: list[LoadEvent] = []
        inv = open_inventory(Source.from_options(demo=True), events.append)
        assert demo_running()
        assert inv.source == "demo" and set(inv.regions) == {"us-east-1", "eu-west-1"}
        assert len(inv.functions) >= 15
        assert {f.region for f in inv.functions} == {"us-east-1", "eu-west-1"}
        assert inv.failures == ()
        # Alias-scoped policies exist and are read per qualifier.
        assert any(a.policy.document for f in inv.functions for a in f.aliases)
        assert any(u.auth_type == "NONE" for f in inv.functions for u in f.urls or ())
        assert inv.roles and inv.users and inv.groups
        assert any(isinstance(e, FunctionsListed) for e in events)
    finally:
        stop_demo()
    assert not demo_running()


def test_preflight_resolves_once_and_open_inventory_reuses_it(
    aws_env: Path, moto_server: str, moto_account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdaperm_tui.aws import source as source_module
    from lambdaperm_tui.aws.clients import ClientFactory

    seed_account(moto_server, moto_account, functions_per_region=1)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", moto_account)
    source = Source.from_options(endpoint_url=moto_server, regions=["us-east-1"])
    assert source_module.preflight(source) == moto_account
    checks = []
    original = ClientFactory.check_credentials

    def counting(self: ClientFactory) -> str:
        checks.append(1)
        return original(self)

    monkeypatch.setattr(ClientFactory, "check_credentials", counting)
    inv = open_inventory(source)
    assert checks == []  # the preflighted factory (and its resolved credentials) was reused
    assert inv.account_id == moto_account and len(inv.functions) == 1
    assert source_module.preflight(Source.from_options(demo=True)) is None


def test_invoke_configs_on_demand_use_the_clients_of_the_last_load(
    aws_env: Path, moto_server: str, moto_account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from lambdaperm_tui.aws.clients import ClientFactory
    from lambdaperm_tui.sources import NOT_IN_SNAPSHOT, read_event_invoke_configs
    from tests.aws.accounts import seeding_client

    seed_account(moto_server, moto_account, functions_per_region=1)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", moto_account)
    source = Source.from_options(endpoint_url=moto_server, regions=["us-east-1"])
    fn = open_inventory(source).functions[0]
    assert fn.event_invoke_configs is None  # the load did not read them
    lam = seeding_client("lambda", moto_server, moto_account, region=fn.region)
    lam.put_function_event_invoke_config(FunctionName=fn.name, MaximumRetryAttempts=0)
    made: list[int] = []
    original = ClientFactory.__init__

    def counting(self: ClientFactory, *args: object, **kwargs: object) -> None:
        made.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ClientFactory, "__init__", counting)
    read = read_event_invoke_configs(source, fn)
    assert made == []  # no new session, credentials or clients: the load's own
    assert read.event_invoke_configs is not None and len(read.event_invoke_configs) == 1
    assert read.event_invoke_configs[0].maximum_retry_attempts == 0
    with pytest.raises(SourceError, match="not loaded in this process"):
        read_event_invoke_configs(Source.from_options(endpoint_url="http://127.0.0.1:9", regions=["x"]), fn)
    # A snapshot reads nothing: configs it was saved without are unknown, saying so.
    snap = Source.from_options(snapshot="any.json")
    assert read_event_invoke_configs(snap, fn).event_invoke_configs_unknown == NOT_IN_SNAPSHOT
    assert read_event_invoke_configs(snap, read) == read
    assert replace(read_event_invoke_configs(snap, fn), event_invoke_configs_unknown=None) == fn
