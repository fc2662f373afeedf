"""Measure the explorer's time to first frame and the time until the demo account is fully loaded.

Usage: ``.venv/bin/python benchmarks/ui.py [--runs N]``. Each run is a fresh interpreter (so imports
count), running the app headless at 80x24 on ``--demo``; times are from process start. ``--big N``
streams N synthetic functions and ``--roles M`` roles (default 5,000) into the app: first rows, key
latency while loading and while filtering, who-can (first, warm, another function) and peak memory.
``--huge`` opens
a snapshot of huge strings instead (a 10 MB description, 100,000-character names, a 1 MB Sid): first
frame, snapshot loaded, and the function's detail and raw JSON drawn.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import asyncio, json, sys, time
T0 = float(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from lambdaperm_tui.analysis import api
from lambdaperm_tui.aws.source import Source
from lambdaperm_tui.sources import stop_demo
from lambdaperm_tui.ui import backend
from lambdaperm_tui.ui.app import LambdaPermApp

async def main():
    source = Source(kind="demo")
    label, regions = backend.describe_source(source)
    app = LambdaPermApp(backend.make_loader(source), source_label=label, regions=regions)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.loaded_at is None:
            await pilot.pause(0.02)
        print(json.dumps({"first_frame": app.first_frame_at - T0, "loaded": app.loaded_at - T0,
                          "functions": len(app.fold.functions)}))
    stop_demo()

asyncio.run(main())
"""


BIG = r"""
import asyncio, json, sys, threading, time
sys.path.insert(0, sys.argv[2])
from dataclasses import replace
import resource
from lambdaperm_tui.aws.loader import FunctionsListed, FunctionLoaded, IamLoaded, LoadFinished, Progress
from lambdaperm_tui.inventory.model import Function, Inventory, NamedPolicy, PolicySlot, Role
from lambdaperm_tui.ui import backend
from lambdaperm_tui.ui.app import LambdaPermApp
from textual import events

N = int(sys.argv[1])
N_ROLES = int(sys.argv[3])
A = "111122223333"
fns = tuple(Function(arn=f"arn:aws:lambda:us-east-1:{A}:function:fn-{i:05d}", name=f"fn-{i:05d}",
                     region="us-east-1", account=A, runtime="python3.12", policy=PolicySlot(), urls=())
            for i in range(N))
sys.path.insert(0, sys.argv[2] + "/benchmarks")
from engine import Workload
w = Workload(7)
# Each role: 2 inline policies of 5 statements, distinct documents (the engine benchmark's generator).
roles = tuple(Role(arn=f"arn:aws:iam::{A}:role/role-{i:05d}", name=f"role-{i:05d}", trust_policy=PolicySlot(),
                   inline_policies=tuple(NamedPolicy(f"p{j}", PolicySlot(document=w.policy_document(5)))
                                         for j in range(2)))
              for i in range(N_ROLES))
inv = Inventory(A, ("us-east-1",), "2026-01-01T00:00:00+00:00", "synthetic", functions=fns, roles=roles,
                scps=())

def load(on_event, cancel):
    # Pages of 50 as ListFunctions returns them, then every function's details, paced like a fast account.
    for i in range(0, N, 50):
        page = tuple(replace(f, policy=PolicySlot(fetched=False)) for f in fns[i:i + 50])
        on_event(FunctionsListed("us-east-1", page))
        on_event(Progress("functions", 0, min(N, i + 50)))
        time.sleep(0.002)
    for i, f in enumerate(fns, 1):
        on_event(FunctionLoaded(f))
        if i % 50 == 0:
            on_event(Progress("functions", i, N))
            time.sleep(0.002)
    on_event(IamLoaded(roles, (), (), ()))
    on_event(LoadFinished(inv))
    return inv

async def main():
    app = LambdaPermApp(load, source_label="synthetic")
    t0 = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        # How long the UI's event loop is ever blocked while the load streams in: a 10 ms ticker
        # records how late it wakes up. Keys and repaints wait at most that long.
        lags = []
        async def ticker():
            while app.loaded_at is None:
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - t - 0.01)
        task = asyncio.create_task(ticker())
        first_rows = None
        while app.loaded_at is None:
            if first_rows is None and len(app.main.pane("functions").rows_tree.root.children):
                first_rows = time.perf_counter() - t0
            app.main.pane("functions").rows_tree.action_cursor_down()  # keep the detail view busy too
            await asyncio.sleep(0.03)
        await task
        loaded = time.perf_counter() - t0
        lags.sort()
        await pilot.pause(0.5)
        def shown():
            return len(app.main.pane("functions").rows_tree.root.children)  # clear() makes a new root
        # Typing as a person does: "/0427", one key every 80 ms, straight to the driver (no Pilot waits);
        # how late the loop runs while keys arrive, and how long after the last key the matches show.
        typing_lags = []
        done = False
        async def typing_ticker():
            while not done:
                t = time.perf_counter()
                await asyncio.sleep(0.005)
                typing_lags.append(time.perf_counter() - t - 0.005)
        tick = asyncio.create_task(typing_ticker())
        want = sum(1 for f in fns if "0427" in f.name) or 1  # or the "no match" line
        for key, char in (("slash", "/"), ("0", "0"), ("4", "4"), ("2", "2"), ("7", "7")):
            event = events.Key(key, char)
            event.set_sender(app)
            if key != "slash":
                await asyncio.sleep(0.08)
            app._driver.send_message(event)
            last_key = time.perf_counter()
        t_wait = time.perf_counter()
        while shown() != want or app.main.pane("functions").filter_text != "0427":
            await asyncio.sleep(0.002)
            if time.perf_counter() - t_wait > 5:
                raise SystemExit(f"filter never settled: {app.main.pane('functions').filter_text!r}, "
                                 f"{shown()} rows, focus {app.focused!r}")
        after_last = time.perf_counter() - last_key
        done = True
        await tick
        await pilot.press("escape")
        await pilot.pause(0.3)
        # The same through Pilot (each press waits until the app is idle), as measured before.
        t = time.perf_counter()
        await pilot.press("slash", "0", "4", "2", "7")
        while shown() != want:
            await pilot.pause(0.01)
        filt = time.perf_counter() - t
        # who-can on one function, as the explorer asks it (analysis.api.who_can, the WhoCanScreen's call):
        # the first question, the same again, and another function.
        whocan = {}
        for label, arn in (("first", fns[0].arn), ("again", fns[0].arn), ("other", fns[-1].arn)):
            t = time.perf_counter()
            rows = tuple(api.who_can(app.inventory, "lambda:InvokeFunction", arn))
            whocan[label] = time.perf_counter() - t
        whocan["rows"] = len(rows)
        print(json.dumps({"loaded": loaded, "first_rows": first_rows, "whocan": whocan,
                          "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "samples": len(lags),
                          "p50": lags[len(lags) // 2], "p95": lags[int(len(lags) * 0.95)], "max": lags[-1],
                          "filter_4_keys": filt, "after_last_key": after_last,
                          "typing_max_lag": max(typing_lags)}))

asyncio.run(main())
"""


HUGE = r"""
import asyncio, json, sys, time
T0 = float(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from lambdaperm_tui.aws.source import Source
from lambdaperm_tui.ui import backend
from lambdaperm_tui.ui.app import LambdaPermApp

async def drawn(app, pilot, key):
    # Until the detail shows new content, then one more frame.
    before = app.main.detail.shown
    start = time.perf_counter()
    await pilot.press(key)
    for _ in range(6000):
        await pilot.pause(0.005)
        if app.main.current is not None and app.main.detail.shown != before:
            break
    await pilot.pause()
    return time.perf_counter() - start

async def main():
    source = Source(kind="snapshot", snapshot=sys.argv[3])
    label, regions = backend.describe_source(source)
    app = LambdaPermApp(backend.make_loader(source), source_label=label, regions=regions)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.loaded_at is None:
            await pilot.pause(0.02)
        loaded = app.loaded_at - T0
        detail = await drawn(app, pilot, "g")
        raw = await drawn(app, pilot, "v")
        print(json.dumps({"first_frame": app.first_frame_at - T0, "loaded": loaded, "detail": detail,
                          "raw": raw}))

asyncio.run(main())
"""


def huge(runs: int) -> None:
    """Time to first frame, load, detail and raw JSON over a snapshot of huge strings."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    from lambdaperm_tui.inventory.snapshot import save_snapshot
    from tests.hostile import huge_inventory

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "huge.json"
        save_snapshot(huge_inventory(), path)
        size = path.stat().st_size
        rows = []
        for i in range(runs):
            t0 = time.time()
            out = subprocess.run(
                [sys.executable, "-c", HUGE, repr(t0), str(ROOT), str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            data = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(data)
            print(
                f"run {i + 1}: first frame {data['first_frame']:.2f}s, snapshot ({size / 1e6:.1f} MB) "
                f"loaded {data['loaded']:.2f}s, detail drawn {data['detail']:.2f}s, "
                f"raw JSON drawn {data['raw']:.2f}s"
            )
    med = {k: statistics.median(r[k] for r in rows) for k in ("first_frame", "loaded", "detail", "raw")}
    print(
        f"median: first frame {med['first_frame']:.2f}s, loaded {med['loaded']:.2f}s, "
        f"detail {med['detail']:.2f}s, raw JSON {med['raw']:.2f}s"
    )


def big(n: int, roles: int) -> None:
    """Key latency while ``n`` functions (and ``roles`` roles) stream in, and after; who-can; memory."""
    out = subprocess.run(
        [sys.executable, "-c", BIG, str(n), str(ROOT), str(roles)], capture_output=True, text=True, check=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    wc = data["whocan"]
    print(
        f"{n} functions and {roles} roles: first rows {data['first_rows']:.2f}s after start (target < 1 s); "
        f"who-can ({wc['rows']} rows) first {wc['first'] * 1000:.0f} ms, the same again (warm) "
        f"{wc['again'] * 1000:.1f} ms, another function {wc['other'] * 1000:.0f} ms (target warm < 100 ms); "
        f"peak memory {data['max_rss_mb']:.0f} MB (target < 300 MB)"
    )
    print(
        f"{n} functions streamed and loaded in {data['loaded']:.2f}s; event loop blocked during the load: "
        f"p50 {data['p50'] * 1000:.0f} ms, p95 {data['p95'] * 1000:.0f} ms, max {data['max'] * 1000:.0f} ms "
        f"({data['samples']} samples); "
        f"filter typed (4 keys) to its matches in {data['filter_4_keys'] * 1000:.0f} ms through Pilot; "
        f"typed at 80 ms a key: matches shown {data['after_last_key'] * 1000:.0f} ms after the last key, "
        f"event loop at most {data['typing_max_lag'] * 1000:.0f} ms late while typing"
    )


def main() -> int:
    """Run the measurement and print one line per run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--big",
        type=int,
        default=0,
        metavar="N",
        help="instead: key latency while N synthetic functions stream in",
    )
    parser.add_argument(
        "--roles",
        type=int,
        default=5000,
        metavar="M",
        help="with --big: M roles (2 inline policies of 5 statements each) arrive with IAM (default 5000)",
    )
    parser.add_argument(
        "--huge", action="store_true", help="instead: a snapshot of huge strings (10 MB description ...)"
    )
    args = parser.parse_args()
    if args.huge:
        huge(args.runs)
        return 0
    if args.big:
        big(args.big, args.roles)
        return 0
    firsts, loads = [], []
    for i in range(args.runs):
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, repr(t0), str(ROOT)], capture_output=True, text=True, check=True
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        firsts.append(data["first_frame"])
        loads.append(data["loaded"])
        print(
            f"run {i + 1}: first frame {data['first_frame']:.2f}s, demo loaded {data['loaded']:.2f}s "
            f"({data['functions']} functions)"
        )
    print(
        f"median: first frame {statistics.median(firsts):.2f}s, demo loaded {statistics.median(loads):.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
