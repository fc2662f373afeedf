"""Benchmark the loader against a plain serial boto3 loop (not a test).

    .venv/bin/python benchmarks/load.py                       # 2,000 functions x 2 aliases, 50 ms per call
    .venv/bin/python benchmarks/load.py --functions 200       # a quick run

A moto server (with the demo adapter, so per-qualifier policies and ListFunctionUrlConfigs behave as on
AWS) runs in a child process, so its CPU does not compete with the loader's under one GIL. A WSGI
middleware in front of it sleeps ``--delay`` seconds on every request, standing in for the network round
trip to AWS. Rate limits are off (no quotas on a local endpoint). In the same run, the loader (``--workers``
threads) and a plain serial boto3 loop making the same calls load the same account; the report gives
both times, the speed-up, the time until the first functions could be shown, the loader's peak memory,
and the time the same account would take with Lambda's control-plane quotas on (the slowest token
bucket decides).

Targets (issue 3): at least 6x faster than the serial loop with 8 workers, first functions within 1 s,
peak memory under 300 MB.
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

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/__bench/"):
            if path.startswith("/__bench/delay/"):
                self.seconds = int(path.rsplit("/", 1)[1]) / 1000.0
            elif path == "/__bench/cache/on":
                self.cache_on = True
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [f"hits={self.hits} cached={len(self.cache)}".encode()]
        if self.seconds:
            time.sleep(self.seconds)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        key = (str(environ.get("REQUEST_METHOD")), path, str(environ.get("QUERY_STRING", "")), body)
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


def _seed(endpoint: str, functions: int, aliases: int) -> None:
    import json

    import boto3

    session = boto3.session.Session(region_name=REGION, **CREDS)
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
    lam = session.client("lambda", endpoint_url=endpoint)

    def one(i: int) -> None:
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


def _run_loader(endpoint: str, workers: int) -> tuple[float, float, Any, dict[str, int]]:
    from lambdaperm_tui.aws.clients import ClientFactory
    from lambdaperm_tui.aws.loader import FunctionsListed, Loader

    factory = ClientFactory(region=REGION, endpoint_url=endpoint, max_workers=workers, credentials=CREDS)
    loader = Loader(factory, [REGION], max_workers=workers, rate_limits=False, account_id=ACCOUNT)
    first: list[float] = []
    start = time.perf_counter()

    def on_event(event: Any) -> None:
        if isinstance(event, FunctionsListed) and not first:
            first.append(time.perf_counter() - start)

    cpu = time.process_time()
    inventory = loader.run(on_event, threading.Event())
    total = time.perf_counter() - start
    print(f"loader CPU time in this process: {time.process_time() - cpu:.1f} s")
    return total, (first[0] if first else float("nan")), inventory, dict(loader.calls)


def _run_serial(endpoint: str, limit: int | None) -> tuple[float, int]:
    """The same calls as the loader, one after another, with a plain boto3 client."""
    import boto3
    from botocore.exceptions import ClientError

    session = boto3.session.Session(region_name=REGION, **CREDS)
    lam = session.client("lambda", endpoint_url=endpoint)
    iam = session.client("iam", endpoint_url=endpoint)
    start = time.perf_counter()
    functions: list[dict[str, Any]] = []
    marker = None
    while True:
        page = lam.list_functions(MaxItems=50, **({"Marker": marker} if marker else {}))
        functions.extend(page["Functions"])
        marker = page.get("NextMarker")
        if not marker:
            break
    if limit is not None:
        functions = functions[:limit]

    def policy(name: str, qualifier: str | None = None) -> None:
        with contextlib.suppress(ClientError):
            lam.get_policy(FunctionName=name, **({"Qualifier": qualifier} if qualifier else {}))

    for fn in functions:
        name = fn["FunctionName"]
        lam.get_function(FunctionName=name)
        versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
        aliases = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
        policy(name)
        for q in [v for v in versions if v != "$LATEST"] + aliases:
            policy(name, q)
        lam.list_function_url_configs(FunctionName=name)
    for layer in lam.list_layers()["Layers"]:
        for v in lam.list_layer_versions(LayerName=layer["LayerName"])["LayerVersions"]:
            with contextlib.suppress(ClientError):
                lam.get_layer_version_policy(LayerName=layer["LayerName"], VersionNumber=v["Version"])
    iam.get_account_authorization_details()
    return time.perf_counter() - start, len(functions)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--functions", type=int, default=2000)
    parser.add_argument("--aliases", type=int, default=2)
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8)
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

    ctx = multiprocessing.get_context("spawn")
    port_queue = ctx.Queue()
    stop = ctx.Event()
    child = ctx.Process(target=_serve, args=(port_queue, stop, os.getpid()), daemon=True)
    child.start()
    endpoint = f"http://127.0.0.1:{port_queue.get(timeout=60)}"
    try:
        began = time.perf_counter()
        _seed(endpoint, args.functions, args.aliases)
        print(
            f"seeded {args.functions} functions x {args.aliases} aliases "
            f"in {time.perf_counter() - began:.1f} s"
        )
        if not args.no_cache:
            # Warm the response cache with one undelayed pass of the same calls.
            _http(f"{endpoint}/__bench/cache/on")
            began = time.perf_counter()
            _run_loader(endpoint, args.workers)
            print(f"warmed the response cache in {time.perf_counter() - began:.1f} s")
        _http(f"{endpoint}/__bench/delay/{args.delay_ms}")

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        total, first, inventory, calls = _run_loader(endpoint, args.workers)
        rss_peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        n_calls = sum(calls.values())
        assert len(inventory.functions) == args.functions, len(inventory.functions)
        assert not inventory.failures, inventory.failures[:3]
        print(
            f"loader ({args.workers} workers): {total:.1f} s for {n_calls} calls; "
            f"first functions after {first:.3f} s"
        )
        print(
            f"peak RSS of this process after the load: {rss_peak_kb / 1024:.0f} MB "
            f"(before: {rss_before / 1024:.0f} MB)"
        )

        serial, done = _run_serial(endpoint, args.serial_sample)
        if done < args.functions:
            scaled = serial * args.functions / max(done, 1)
            print(
                f"serial loop: {serial:.1f} s for {done} functions "
                f"-> {scaled:.1f} s scaled to {args.functions}"
            )
            serial = scaled
        else:
            print(f"serial loop: {serial:.1f} s")
        print(f"speed-up: {serial / total:.1f}x ({_http(f'{endpoint}/__bench/stats')})")

        from lambdaperm_tui.aws.ratelimit import RateLimits

        projected = RateLimits().projected_seconds(calls)
        per_bucket = {
            name: sum(
                n
                for op, n in calls.items()
                if RateLimits.bucket_name(op) == name and op != "GetAccountAuthorizationDetails"
            )
            for name in ("GetPolicy", "GetFunction", "control-plane")
        }
        print(
            f"projected with AWS quotas on (GetPolicy 15/s, GetFunction 100/s, others 15/s; one Region): "
            f"{projected:.0f} s (calls per bucket: {per_bucket})"
        )
        ok = serial / total >= 6 and first < 1.0 and rss_peak_kb / 1024 < 300
        print("targets met" if ok else "TARGETS NOT MET")
        return 0 if ok else 1
    finally:
        stop.set()
        child.join(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
