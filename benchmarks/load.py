"""Benchmark the loader against a plain serial boto3 loop and against the quota floor (not a test).

    .venv/bin/python benchmarks/load.py                       # 2,000 functions x 2 aliases, 50 ms per call
    .venv/bin/python benchmarks/load.py --functions 300       # a quick run
    .venv/bin/python benchmarks/load.py --functions 300 --regions 2 --quotas aws   # Lambda's quotas on

A moto server (with the demo adapter, so per-qualifier policies and ListFunctionUrlConfigs behave as on
AWS) runs in a child process, so its CPU does not compete with the loader's under one GIL. A WSGI
middleware in front of it sleeps ``--delay-ms`` on every request, standing in for the network round trip
to AWS, and counts the requests in flight (time-weighted average over the load). In the same run, the
loader (``--workers`` threads) and a plain serial boto3 loop making the same calls load the same account;
the report gives both times, the speed-up, the requests in flight of each, the time until the first
functions could be shown, the loader's peak memory, the control-plane calls per function (and what they
were with one ListVersionsByFunction per function), and the floor: each (Region, quota bucket)'s calls
divided by its rate (GetPolicy 15/s, GetFunction 100/s, other control-plane calls 15/s).

``--quotas aws`` applies Lambda's quotas against the local server at their real rates and reports the
wall time against the floor. The account can be scaled down (``--functions``) at the real rates: the calls
per function, and so the ratio wall / floor, do not depend on the number of functions.

Targets: at least 6x faster than the serial loop, first functions within 1 s, peak memory under 300 MB,
at least 6 requests in flight at default settings (issue 3 and 12); with quotas, the wall time within
15% of the floor and at most 2.2 control-plane calls per function (issue 12).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import resource
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACCOUNT = "123456789012"
CREDS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
REGION = "us-east-1"


# ------------------------------------------------------------------------------------------ server


class _Delay:
    """WSGI middleware: sleeps before each request, standing in for the network round trip to AWS.

    ``/__bench/delay/<ms>`` sets the delay. ``/__bench/cache/on`` makes it answer a request it has seen
    before (same method, path, query and body) from a cache: the account does not change during the
    runs, and the cache takes moto's own CPU time (about 10 ms a request, all under one GIL) out of the
    measurement, as AWS's server time is part of the simulated round trip.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds = 0.0
        self.cache_on = False
        self.cache: dict[tuple[str, str, str, bytes], tuple[str, list[tuple[str, str]], bytes]] = {}
        self.hits = 0
        # Requests in flight, integrated over time (request-seconds), for the average concurrency.
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.area = 0.0
        self.requests = 0
        self._stamp = time.perf_counter()

    def _count(self, step: int) -> None:
        with self._lock:
            now = time.perf_counter()
            self.area += self.in_flight * (now - self._stamp)
            self._stamp = now
            self.in_flight += step
            self.peak = max(self.peak, self.in_flight)
            self.requests += step > 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/__bench/"):
            if path.startswith("/__bench/delay/"):
                self.seconds = int(path.rsplit("/", 1)[1]) / 1000.0
            elif path == "/__bench/cache/on":
                self.cache_on = True
            elif path == "/__bench/flight/reset":
                with self._lock:
                    self.area, self.peak, self.requests, self._stamp = 0.0, 0, 0, time.perf_counter()
            elif path == "/__bench/flight":
                self._count(0)
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [f"{self.area} {self.peak} {self.requests}".encode()]
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [f"hits={self.hits} cached={len(self.cache)}".encode()]
        self._count(1)
        try:
            return self._answer(environ, start_response, path)
        finally:
            self._count(-1)

    def _answer(self, environ: dict[str, Any], start_response: Any, path: str) -> Any:
        if self.seconds:
            time.sleep(self.seconds)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        # The Region is only in the signature's credential scope: two Regions' lists share a path.
        scope = str(environ.get("HTTP_AUTHORIZATION", "")).split("/")[2:4]
        key = (
            str(environ.get("REQUEST_METHOD")),
            "/".join(scope) + path,
            str(environ.get("QUERY_STRING", "")),
            body,
        )
        if self.cache_on and key in self.cache:
            self.hits += 1
            status, headers, content = self.cache[key]
            start_response(status, headers)
            return [content]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        content = b"".join(self.app(environ, capture))
        if self.cache_on:
            self.cache[key] = (captured["status"], captured["headers"], content)
        return [content]


def _serve(port_queue: Any, stop_event: Any, parent_pid: int) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    from lambdaperm_tui.demo import adapter

    adapter.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    inner = server._server
    inner.app = _Delay(inner.app)
    port_queue.put(server.get_host_and_port()[1])
    # Stop with the parent even when it is killed without running its cleanup.
    while not stop_event.wait(1.0) and os.getppid() == parent_pid:
        pass
    server.stop()


def _http(url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url, timeout=10) as response:
        return str(response.read().decode())


# ------------------------------------------------------------------------------------------ seed


def _seed(endpoint: str, functions: int, aliases: int, regions: tuple[str, ...]) -> None:
    """``functions`` functions spread over ``regions``, each with one version and ``aliases`` aliases."""
    import json

    import boto3

    session = boto3.session.Session(region_name=regions[0], **CREDS)
    iam = session.client("iam", endpoint_url=endpoint)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="bench-exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(e, c):\n    return 1\n")
    code = buf.getvalue()
    clients = {r: session.client("lambda", endpoint_url=endpoint, region_name=r) for r in regions}

    def one(i: int) -> None:
        lam = clients[regions[i % len(regions)]]
        name = f"bench-{i:05d}"
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": code}
        )
        version = lam.publish_version(FunctionName=name)["Version"]
        for a in range(aliases):
            lam.create_alias(FunctionName=name, Name=f"alias{a}", FunctionVersion=version)
        if i % 10 == 0:
            lam.add_permission(
                FunctionName=name,
                StatementId="s3",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
                Qualifier="alias0",
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(functions)))


# ------------------------------------------------------------------------------------------ runs


def _in_flight(endpoint: str) -> tuple[float, int, int]:
    """(request-seconds, peak, requests) the server saw since the last reset."""
    area, peak, requests = _http(f"{endpoint}/__bench/flight").split()
    return float(area), int(peak), int(requests)


def _run_loader(
    endpoint: str, workers: int, regions: tuple[str, ...], quotas: bool
) -> tuple[float, float, Any, Any]:
    from lambdaperm_tui.aws.clients import ClientFactory
    from lambdaperm_tui.aws.loader import FunctionsListed, Loader

    factory = ClientFactory(region=regions[0], endpoint_url=endpoint, max_workers=workers, credentials=CREDS)
    loader = Loader(factory, regions, max_workers=workers, rate_limits=quotas, account_id=ACCOUNT)
    first: list[float] = []
    start = time.perf_counter()

    def on_event(event: Any) -> None:
        if isinstance(event, FunctionsListed) and not first:
            first.append(time.perf_counter() - start)

    cpu = time.process_time()
    inventory = loader.run(on_event, threading.Event())
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    n_calls = sum(loader.calls.values())
    print(
        f"loader CPU time in this process: {cpu:.1f} s ({cpu / max(n_calls, 1) * 1000:.1f} ms a call, "
        f"{cpu / total:.0%} of one core)"
    )
    return total, (first[0] if first else float("nan")), inventory, loader


def _run_serial(endpoint: str, limit: int | None, regions: tuple[str, ...]) -> tuple[float, int]:
    """The same calls as the loader, one after another, with a plain boto3 client (first Region only)."""
    import boto3
    from botocore.exceptions import ClientError

    session = boto3.session.Session(region_name=regions[0], **CREDS)
    lam = session.client("lambda", endpoint_url=endpoint)
    iam = session.client("iam", endpoint_url=endpoint)
    start = time.perf_counter()
    entries: list[Any] = []
    marker = None
    while True:
        page = lam.list_functions(
            FunctionVersion="ALL", MaxItems=50, **({"Marker": marker} if marker else {})
        )
        entries.extend(page["Functions"])
        marker = page.get("NextMarker")
        if not marker:
            break
    functions = [e["FunctionName"] for e in entries if e["Version"] == "$LATEST"]
    versions: dict[str, list[str]] = {}
    for e in entries:
        if e["Version"] != "$LATEST":
            versions.setdefault(e["FunctionName"], []).append(e["Version"])
    if limit is not None:
        functions = functions[:limit]

    def policy(name: str, qualifier: str | None = None) -> None:
        with contextlib.suppress(ClientError):
            lam.get_policy(FunctionName=name, **({"Qualifier": qualifier} if qualifier else {}))

    for name in functions:
        lam.get_function(FunctionName=name)
        aliases = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
        policy(name)
        for q in versions.get(name, []) + aliases:
            policy(name, q)
        lam.list_function_url_configs(FunctionName=name)
    for layer in lam.list_layers()["Layers"]:
        for v in lam.list_layer_versions(LayerName=layer["LayerName"])["LayerVersions"]:
            with contextlib.suppress(ClientError):
                lam.get_layer_version_policy(LayerName=layer["LayerName"], VersionNumber=v["Version"])
    iam.get_account_authorization_details()
    return time.perf_counter() - start, len(functions)


REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--functions", type=int, default=2000)
    parser.add_argument("--aliases", type=int, default=2)
    parser.add_argument("--regions", type=int, default=1, choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=12, help="the loader's default (aws/source.py)")
    parser.add_argument(
        "--quotas",
        choices=("auto", "aws", "off"),
        default="auto",
        help="Lambda's API request quotas: aws applies them against the local server (auto = off here)",
    )
    parser.add_argument(
        "--serial-sample",
        type=int,
        default=None,
        help="time the serial loop on the first N functions only and scale up (default: all)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve every request through moto (then moto's CPU, not the network delay, bounds the loader)",
    )
    args = parser.parse_args()
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    regions = REGIONS[: args.regions]
    quotas = args.quotas == "aws"

    ctx = multiprocessing.get_context("spawn")
    port_queue = ctx.Queue()
    stop = ctx.Event()
    child = ctx.Process(target=_serve, args=(port_queue, stop, os.getpid()), daemon=True)
    child.start()
    endpoint = f"http://127.0.0.1:{port_queue.get(timeout=60)}"
    try:
        began = time.perf_counter()
        _seed(endpoint, args.functions, args.aliases, regions)
        print(
            f"seeded {args.functions} functions x {args.aliases} aliases in {len(regions)} Region(s) "
            f"in {time.perf_counter() - began:.1f} s"
        )
        if not args.no_cache:
            # Warm the response cache with one undelayed pass of the same calls.
            _http(f"{endpoint}/__bench/cache/on")
            began = time.perf_counter()
            _run_loader(endpoint, args.workers, regions, False)
            print(f"warmed the response cache in {time.perf_counter() - began:.1f} s")
        _http(f"{endpoint}/__bench/delay/{args.delay_ms}")

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _http(f"{endpoint}/__bench/flight/reset")
        total, first, inventory, loader = _run_loader(endpoint, args.workers, regions, quotas)
        area, peak, requests = _in_flight(endpoint)
        rss_peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        calls = dict(loader.calls)
        n_calls = sum(calls.values())
        assert len(inventory.functions) == args.functions, len(inventory.functions)
        assert not inventory.failures, inventory.failures[:3]
        mode = "quotas aws" if quotas else "no quotas"
        print(
            f"loader ({args.workers} workers, {mode}): {total:.1f} s for {n_calls} calls; "
            f"first functions after {first:.3f} s"
        )
        print(
            f"peak RSS of this process after the load: {rss_peak_kb / 1024:.0f} MB "
            f"(before: {rss_before / 1024:.0f} MB)"
        )
        in_flight = area / total
        print(
            f"requests in flight at the server, time-weighted over the load: average {in_flight:.1f} "
            f"(peak {peak}, {requests} requests) with {args.workers} workers; at {args.delay_ms} ms a call "
            f"{args.workers} would keep every worker waiting on the network"
        )

        from lambdaperm_tui.aws.ratelimit import RateLimits

        # The floor: each (Region, quota bucket)'s calls at its rate; the buckets drain in parallel.
        floor = RateLimits().floor(loader.lambda_calls)
        slowest = max(floor, key=lambda k: floor[k])
        print("floor per Region and bucket (calls / quota rate):")
        for (region, bucket), seconds in sorted(floor.items(), key=lambda kv: -kv[1]):
            n = sum(
                c
                for (r, op), c in loader.lambda_calls.items()
                if r == region and RateLimits.bucket_name(op) == bucket
            )
            print(
                f"  {region} {bucket:14} {n:6} calls / {RateLimits().quotas[bucket]:.0f}/s = {seconds:7.1f} s"
            )
        if quotas:
            print(
                f"wall time vs the floor ({slowest[0]} {slowest[1]}: {floor[slowest]:.1f} s): "
                f"{total / floor[slowest]:.2f}x (target at most 1.15x)"
            )
        per_region = len(inventory.functions) / len(regions)
        for region in regions:
            cp = {
                op: n
                for (r, op), n in loader.lambda_calls.items()
                if r == region and RateLimits.bucket_name(op) == "control-plane"
            }
            ops = ", ".join(
                f"{op} {n / per_region:.2f}" for op, n in sorted(cp.items(), key=lambda kv: -kv[1])
            )
            # Before FunctionVersion=ALL: one ListVersionsByFunction more per function, half the list pages.
            pages = cp.get("ListFunctions", 0)
            before = (sum(cp.values()) + per_region - pages + -(-per_region // 50)) / per_region
            print(
                f"control-plane calls per function ({region}): {sum(cp.values()) / per_region:.2f} ({ops}); "
                f"with ListVersionsByFunction per function, as before: {before:.2f} (target at most 2.2)"
            )

        _http(f"{endpoint}/__bench/flight/reset")
        serial, done = _run_serial(endpoint, args.serial_sample, regions)
        s_area, _, _ = _in_flight(endpoint)
        print(f"serial loop: requests in flight {s_area / serial:.2f} (the baseline of one at a time)")
        functions_in_first = len([f for f in inventory.functions if f.region == regions[0]])
        if done < functions_in_first:
            scaled = serial * functions_in_first / max(done, 1)
            print(
                f"serial loop: {serial:.1f} s for {done} functions "
                f"-> {scaled:.1f} s scaled to {functions_in_first}"
            )
            serial = scaled
        else:
            print(f"serial loop: {serial:.1f} s")
        serial *= len(regions)  # one Region after another, as a plain loop would
        if not quotas:
            print(f"speed-up: {serial / total:.1f}x ({_http(f'{endpoint}/__bench/stats')})")
            ok = serial / total >= 6 and first < 1.0 and rss_peak_kb / 1024 < 300 and in_flight >= 6
        else:
            ok = total / floor[slowest] <= 1.15
        print("targets met" if ok else "TARGETS NOT MET")
        return 0 if ok else 1
    finally:
        stop.set()
        child.join(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
