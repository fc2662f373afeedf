"""needs / triggers benchmark (not a test): how long the execution-role and trigger answers take over the
demo account, and what the load costs in calls.

Run: ``.venv/bin/python benchmarks/needs.py`` (``--quick`` for fewer repetitions).

Printed figures: the demo's load (wall time, ListEventSourceMappings and ListFunctionEventInvokeConfigs
calls); then, median of the repetitions, the time of ``function_needs`` and of ``function_triggers`` for
every function of the account (total and per function), and the number of needs and triggers answered.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lambdaperm_tui.analysis.needs import function_needs  # noqa: E402
from lambdaperm_tui.analysis.triggers import function_triggers  # noqa: E402
from lambdaperm_tui.aws.clients import ClientFactory  # noqa: E402
from lambdaperm_tui.aws.loader import Loader  # noqa: E402
from lambdaperm_tui.demo.server import DemoAccount  # noqa: E402


def main() -> None:
    """Load the demo, then time needs and triggers over every function."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    runs = 2 if parser.parse_args().quick else 5
    with DemoAccount(account_id="975318642086") as demo:
        factory = ClientFactory(
            region=demo.regions[0], endpoint_url=demo.endpoint_url, credentials=demo.credentials
        )
        loader = Loader(factory, demo.regions, rate_limits=False, event_invoke_configs=("*",))
        began = time.perf_counter()
        inv = loader.run()
        load_s = time.perf_counter() - began
    arns = [f.arn for f in inv.functions]
    print(
        f"demo load: {load_s:.2f} s for {len(arns)} functions in {len(inv.regions)} regions; "
        f"ListEventSourceMappings calls: {loader.calls.get('ListEventSourceMappings', 0)}, "
        f"ListFunctionEventInvokeConfigs calls: {loader.calls.get('ListFunctionEventInvokeConfigs', 0)}"
    )
    for name, answer in (("needs", function_needs), ("triggers", function_triggers)):
        times: list[float] = []
        count = 0
        for _ in range(runs):
            began = time.perf_counter()
            reports = [answer(inv, arn) for arn in arns]
            times.append(time.perf_counter() - began)
            count = sum(
                len(r.needs) if hasattr(r, "needs") else sum(len(q.triggers) for q in r.qualifiers)
                for r in reports
            )
        median = statistics.median(times)
        print(
            f"{name}: {median * 1000:.0f} ms for all {len(arns)} functions "
            f"({median * 1000 / len(arns):.1f} ms each), {count} answers, median of {runs}"
        )


if __name__ == "__main__":
    main()
