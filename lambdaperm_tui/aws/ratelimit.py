"""Client-side token buckets matching Lambda's published control-plane quotas.

AWS Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "Lambda API
requests"): "GetFunction API requests: 100 requests per second", "GetPolicy API requests: 15 requests
per second", and "Remainder of the control plane API requests (excludes invocation, GetFunction, and
GetPolicy requests): 15 requests per second across all APIs"; none of the three can be increased. The page
does not give their scope; Lambda's quotas are managed per Region (Service Quotas lists them per Region),
so the buckets are per Region. Staying under them avoids throttling (and the retries that slow a load far
more than waiting).

``--quotas auto`` (the default) applies them against AWS and not against a local or custom endpoint (moto,
LocalStack), where they do not exist; ``--quotas aws`` applies them anywhere, to measure their effect.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

# (bucket name, requests per second). Operation name -> bucket; anything else -> "control-plane".
LAMBDA_QUOTAS: Mapping[str, float] = {
    "GetFunction": 100.0,
    "GetPolicy": 15.0,
    "control-plane": 15.0,
}
LAMBDA_OWN_BUCKETS = frozenset({"GetFunction", "GetPolicy"})


class TokenBucket:
    """A thread-safe token bucket: ``rate`` tokens per second, at most ``burst`` stored."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate: must be positive")
        self.rate = rate
        self.burst = burst if burst is not None else rate
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """Take one token if available and return 0.0; else return the seconds until one will be."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate

    def acquire(self, cancel: threading.Event | None = None) -> bool:
        """Block until a token is taken (True) or ``cancel`` is set (False)."""
        while True:
            wait = self.try_acquire()
            if wait == 0.0:
                return True
            if cancel is not None:
                if cancel.wait(wait):
                    return False
            else:
                time.sleep(wait)


@dataclass
class RateLimits:
    """Per-Region buckets for Lambda's control plane. ``quotas`` maps bucket name -> requests/second."""

    quotas: Mapping[str, float] = field(default_factory=lambda: dict(LAMBDA_QUOTAS))
    _buckets: dict[tuple[str, str], TokenBucket] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @staticmethod
    def bucket_name(operation: str) -> str:
        """The quota an operation counts against."""
        return operation if operation in LAMBDA_OWN_BUCKETS else "control-plane"

    def bucket(self, region: str, operation: str) -> TokenBucket:
        """The (shared) bucket for ``operation`` in ``region``."""
        key = (region, self.bucket_name(operation))
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = TokenBucket(self.quotas[key[1]])
                self._buckets[key] = bucket
            return bucket

    def acquire(
        self, service: str, region: str, operation: str, cancel: threading.Event | None = None
    ) -> bool:
        """Wait for permission to send one request; only Lambda is limited. False when cancelled."""
        if service != "lambda":
            return True
        return self.bucket(region, operation).acquire(cancel)

    def projected_seconds(self, calls: Mapping[str, int]) -> float:
        """Lower bound on the time ``calls`` (operation -> count, one Region) take under these quotas.

        The buckets drain in parallel, so the slowest bucket decides.
        """
        per_bucket: dict[str, int] = {}
        for operation, count in calls.items():
            name = self.bucket_name(operation)
            per_bucket[name] = per_bucket.get(name, 0) + count
        return max((n / self.quotas[b] for b, n in per_bucket.items()), default=0.0)

    def floor(self, calls: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], float]:
        """Seconds each (Region, bucket) needs at its rate for ``calls`` ((Region, operation) -> count).

        The buckets drain in parallel, so the largest is the floor of a load: no schedule is faster.
        """
        per_bucket: dict[tuple[str, str], int] = {}
        for (region, operation), count in calls.items():
            key = (region, self.bucket_name(operation))
            per_bucket[key] = per_bucket.get(key, 0) + count
        return {key: n / self.quotas[key[1]] for key, n in per_bucket.items()}
