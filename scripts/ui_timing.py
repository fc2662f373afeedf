"""Measure the explorer's time to first frame and the time until the demo account is fully loaded.

Usage: ``.venv/bin/python scripts/ui_timing.py [--runs N]``. Each run is a fresh interpreter (so imports
count), running the app headless at 80x24 on ``--demo``; times are from process start.
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
from lambdaperm_tui.aws.source import Source, stop_demo
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


def main() -> int:
    """Run the measurement and print one line per run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
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
