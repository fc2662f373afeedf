"""needs / triggers benchmark (not a test): how long the execution-role and trigger answers take over the
demo account, against baselines from the same run, and what async invoke configs cost to read.

Run: ``.venv/bin/python benchmarks/needs.py`` (``--quick`` for fewer repetitions).

Printed figures, medians of the repetitions:
- the demo's load with every function's async invoke configs (``--event-invoke-configs``) and without
  (the explorer's default: read on demand), wall time and ListFunctionEventInvokeConfigs calls; then one
  on-demand read for one function (what the explorer does when it shows a function);
- ``function_needs`` for every function, against the baseline of asking ``simulate`` the same questions
  directly (``NeedsReport.question`` of each need): the ratio is what building and deciding the needs
  costs over the engine calls themselves;
- ``function_triggers`` for every function, against the baseline of ``who_can`` over the same
  qualifiers and actions (the bulk of a trigger view).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lambdaperm_tui.analysis.needs import function_needs  # noqa: E402
from lambdaperm_tui.analysis.resolve import simulate  # noqa: E402
from lambdaperm_tui.analysis.triggers import function_triggers  # noqa: E402
from lambdaperm_tui.analysis.whocan import who_can  # noqa: E402
from lambdaperm_tui.aws.clients import ClientFactory  # noqa: E402
from lambdaperm_tui.aws.loader import Loader  # noqa: E402
from lambdaperm_tui.demo.server import DemoAccount  # noqa: E402
from lambdaperm_tui.inventory.model import Inventory  # noqa: E402


def _median_s(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _loads(demo: DemoAccount, runs: int) -> Inventory:
    """Time the load with and without every async invoke config, then one on-demand read."""

    def factory() -> ClientFactory:
        return ClientFactory(
            region=demo.regions[0], endpoint_url=demo.endpoint_url, credentials=demo.credentials
        )

    inv: Inventory | None = None
    for label, wanted in (("with --event-invoke-configs", ("*",)), ("without (on demand)", ())):
        loaders: list[Loader] = []

        def load(wanted: tuple[str, ...] = wanted, loaders: list[Loader] = loaders) -> Inventory:
            loader = Loader(factory(), demo.regions, rate_limits=False, event_invoke_configs=wanted)
            loaders.append(loader)
            return loader.run()

        seconds = _median_s(runs, load)
        calls = loaders[-1].calls.get("ListFunctionEventInvokeConfigs", 0)
        print(f"demo load {label}: {seconds:.2f} s, ListFunctionEventInvokeConfigs calls: {calls}")
        if wanted:
            inv = load()
    assert inv is not None
    loader = Loader(factory(), demo.regions, rate_limits=False)
    plain = loader.run()
    fn = next(f for f in plain.functions if f.name == "async-notifier")
    seconds = _median_s(runs, lambda: loader.read_event_invoke_configs(fn))
    print(f"one on-demand read (async-notifier): {seconds * 1000:.1f} ms, 1 call")
    return inv


def main() -> None:
    """Load the demo, then time needs and triggers over every function against their baselines."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    runs = 2 if parser.parse_args().quick else 5
    with DemoAccount(account_id="975318642086") as demo:
        inv = _loads(demo, runs)
    arns = [f.arn for f in inv.functions]

    reports = [function_needs(inv, arn) for arn in arns]
    questions = [q for r in reports for q in (r.question(n) for n in r.needs) if q is not None]
    needs_s = _median_s(runs, lambda: [function_needs(inv, arn) for arn in arns])
    direct_s = _median_s(
        runs, lambda: [simulate(inv, q.principal, q.action, q.resource, dict(q.context)) for q in questions]
    )
    count = sum(len(r.needs) for r in reports)
    print(
        f"needs: {needs_s * 1000:.0f} ms for all {len(arns)} functions ({needs_s * 1000 / len(arns):.1f} ms "
        f"each, {count} needs); the same {len(questions)} questions asked of simulate directly: "
        f"{direct_s * 1000:.0f} ms; ratio {needs_s / direct_s:.2f}x; median of {runs}"
    )

    views = [function_triggers(inv, arn) for arn in arns]
    asked = [(q.action, q.arn) for v in views for q in v.qualifiers]
    triggers_s = _median_s(runs, lambda: [function_triggers(inv, arn) for arn in arns])
    whocan_s = _median_s(runs, lambda: [who_can(inv, action, arn) for action, arn in asked])
    count = sum(len(q.triggers) for v in views for q in v.qualifiers)
    print(
        f"triggers: {triggers_s * 1000:.0f} ms for all {len(arns)} functions "
        f"({triggers_s * 1000 / len(arns):.1f} ms each, {count} triggers over {len(asked)} qualifiers); "
        f"who-can over the same qualifiers: {whocan_s * 1000:.0f} ms; ratio {triggers_s / whocan_s:.2f}x; "
        f"median of {runs}"
    )


if __name__ == "__main__":
    main()
