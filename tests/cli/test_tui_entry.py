"""`lambdaperm-tui [SOURCE]`: how the CLI starts the UI (colour, mouse, credentials before the screen).

``run_app`` is replaced by a recorder: these tests check the CLI's wiring, the UI has its own tests.
NO_COLOR: https://no-color.org
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.inventory.snapshot import save_snapshot

from .conftest import Run

Runner = Callable[..., Run]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import lambdaperm_tui.ui.app as app

    seen: list[dict[str, Any]] = []

    def fake_run_app(source: Any, *, color: str | None = None, mouse: bool = True) -> int:
        seen.append({"source": source, "color": color, "mouse": mouse})
        return 0

    monkeypatch.setattr(app, "run_app", fake_run_app)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return seen


@pytest.fixture
def snapshot(tmp_path: Path) -> str:
    path = tmp_path / "empty.json"
    inv = Inventory(
        account_id="123456789012", regions=("us-east-1",), captured_at="2026-01-01T00:00:00Z", source="t"
    )
    save_snapshot(inv, path)
    return str(path)


def test_defaults_and_flags(run: Runner, calls: list[dict[str, Any]], snapshot: str) -> None:
    assert run("--snapshot", snapshot).code == 0
    assert run("--snapshot", snapshot, "--color", "16", "--no-mouse").code == 0
    assert run("--color", "auto", "--snapshot", snapshot).code == 0
    assert [(c["color"], c["mouse"]) for c in calls] == [(None, True), ("16", False), (None, True)]
    assert calls[0]["source"].kind == "snapshot" and calls[0]["source"].snapshot == snapshot


def test_no_color_environment(
    run: Runner, calls: list[dict[str, Any]], snapshot: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert run("--snapshot", snapshot).code == 0
    assert run("--snapshot", snapshot, "--color", "256").code == 0  # an explicit choice wins
    assert [c["color"] for c in calls] == ["none", "256"]


def test_missing_credentials_stop_before_the_ui(
    run: Runner, calls: list[dict[str, Any]], no_aws_credentials: Path
) -> None:
    result = run()
    assert result.code == 2
    assert result.err.startswith("lambdaperm-tui: error: ") and result.err.count("\n") == 1
    assert "credentials" in result.err.lower()
    assert calls == []


def test_live_endpoint_credentials_checked_then_ui(
    run: Runner, calls: list[dict[str, Any]], aws_env: Path, moto_server: str
) -> None:
    result = run("--endpoint-url", moto_server, "--region", "us-east-1", "--region", "eu-west-1")
    assert result.code == 0, result.err
    source = calls[0]["source"]
    assert (source.kind, source.endpoint_url, source.regions) == (
        "live",
        moto_server,
        ("us-east-1", "eu-west-1"),
    )


def test_version(run: Runner) -> None:
    result = run("--version")
    assert result.code == 0 and result.out.startswith("lambdaperm-tui ")


def test_missing_snapshot_stops_before_the_ui(
    run: Runner, calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Issue 9, 13: `--snapshot /nope.json` opened the TUI, failed there, and `q` exited 0."""
    result = run("--snapshot", str(tmp_path / "nope.json"))
    assert result.code == 2
    assert result.err.startswith("lambdaperm-tui: error: ") and result.err.count("\n") == 1
    assert "nope.json" in result.err
    assert calls == []


def test_damaged_snapshot_stops_before_the_ui(
    run: Runner, calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "damaged.json"
    path.write_text('{"format": "lambdaperm-tui-snapshot", ')
    result = run("--snapshot", str(path))
    assert result.code == 2 and "damaged snapshot" in result.err and result.err.count("\n") == 1
    assert calls == []


def test_snapshot_read_before_the_ui_is_what_the_ui_opens(
    run: Runner, calls: list[dict[str, Any]], snapshot: str
) -> None:
    """The file is read once, before the screen: the UI's load gets that inventory, not a second read."""
    from lambdaperm_tui.sources import open_inventory

    assert run("--snapshot", snapshot).code == 0
    Path(snapshot).unlink()  # a second read would fail now
    inv = open_inventory(calls[0]["source"])
    assert inv.account_id == "123456789012"


def test_no_credentials_and_no_region_say_both_and_offer_the_demo(
    run: Runner, calls: list[dict[str, Any]], no_aws_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9, 13: with neither, the first error named only the region, and no error named --demo."""
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    result = run()
    assert result.code == 2 and result.err.count("\n") == 1
    err = result.err.lower()
    assert "credentials" in err and "region" in err and "--demo" in err
    assert calls == []


def test_no_credentials_offer_the_demo(
    run: Runner, calls: list[dict[str, Any]], no_aws_credentials: Path
) -> None:
    result = run()
    assert result.code == 2 and "credentials" in result.err and "--demo" in result.err
    assert "region" not in result.err  # the region is set: only what is missing is named
